"""Detectors for identifiers with a shape: email addresses, phone numbers, IBANs, payment
cards, national IDs and IP addresses. Each starts with a cheap prefilter (a character that
must be present) so that most notes cost one scan per detector; checksums decide where
they exist."""

import re
from collections.abc import Iterator

from steward.detection.detectors.registry import Finding, detector
from steward.detection.detectors.wordlists import words

# --- email -------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+%-])"
    r"([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?)"
    r"@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))"
    r"(?![\w-]|\.[A-Za-z0-9])"
)
# "logo@2x.png" and "icon@3x.svg" are image names; "pkg@1.2" has no alphabetic TLD anyway.
_FILE_EXTENSIONS = words(
    "png jpg jpeg gif svg webp css js ts py rb go rs java json yaml yml xml txt md pdf "
    "zip gz tar html htm php sh exe dll log ico bmp"
)


@detector("email", categories={"email"})
def find_emails(text: str, language: str) -> Iterator[Finding]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        local, tld = match.group(1), match.group(3).lower()
        if tld in _FILE_EXTENSIONS or ".." in local:
            continue
        yield Finding("email", match.start(), match.end(), 0.99, match.group(), "email")
