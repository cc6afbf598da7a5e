"""The interactive API docs in a real Chromium with every request off the server blocked:
they must render from the server alone (an install without internet access, or one whose
policy forbids third-party scripts on staff pages)."""

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("STEWARD_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture
def offline_page(live_server, transactional_db):
    if not os.access(CHROMIUM, os.X_OK):
        message = f"no Chromium at {CHROMIUM}; run scripts/ensure-chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test itself is
    # synchronous, so Django's guard against database use from async code does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(base_url=live_server.url)

        def only_this_server(route):
            if route.request.url.startswith(live_server.url):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_server)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page, blocked
        browser.close()


def test_the_docs_render_every_resource_without_the_internet(offline_page):
    page, blocked = offline_page

    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock-tag-section")

    text = page.inner_text("#swagger-ui")
    assert "Steward API" in text
    for tag in ("contacts", "organisations", "activities", "deals"):
        assert page.locator(f'.opblock-tag[data-tag="{tag}"]').count() == 1
    assert page.locator(".opblock").count() >= 20
    assert page.locator("button.authorize").count() == 1
    assert blocked == []
