// The record page's Print button: shown only where script runs (the browser's own print
// works everywhere); a static file, as the content security policy allows no inline script.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
