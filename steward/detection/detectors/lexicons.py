"""Keyword detectors for the special categories of Art. 9 GDPR (health, religion, ethnic
origin, political opinions, trade-union membership, sex life and orientation) and for
children's data (Art. 8). The lexicons are data (data/special_categories.json): terms per
language with a confidence, exclusion phrases, and "frames" that turn a mention into a
business mention (a health insurer as a client, a church that orders a projector, a
"child account" product). Matching is case-insensitive and accent-tolerant (wordlists.fold)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from steward.detection.detectors.registry import Finding, detector
from steward.detection.detectors.wordlists import data_file, fold

LEXICON_FILE = "special_categories.json"
LEXICON_CATEGORIES = (
    "health",
    "religion",
    "ethnicity",
    "politics",
    "trade_union",
    "sexual_orientation",
    "child",
)
_WORD_START = r"(?<!\w)"
# A term ends at a word end that is not a hyphenated compound ("ill-advised" is not "ill").
_WORD_END = r"(?!\w|-\w)"
_SENTENCE_START = re.compile(r"[.!?;:\n]")


@dataclass(frozen=True)
class _Lexicon:
    """The compiled lexicon of one language: every term in one regex whose named groups
    say which category and confidence matched."""

    terms: re.Pattern[str]
    groups: dict[str, tuple[str, float]]
    exclude: re.Pattern[str] | None
    trade_before: re.Pattern[str]
    organisation_after: re.Pattern[str]
    client_after: re.Pattern[str]
    subject_verbs_after: re.Pattern[str]


@cache
def _lexicon(language: str) -> _Lexicon:
    data = data_file(LEXICON_FILE)
    alternatives, groups = [], {}
    for category in LEXICON_CATEGORIES:
        for level in data["categories"][category].get(language, []):
            if not level["terms"]:
                continue
            name = f"g{len(groups)}"
            groups[name] = (category, level["confidence"])
            alternatives.append(f"(?P<{name}>{'|'.join(level['terms'])})")
    excluded = data["exclude"].get(language, [])
    frames = data["frames"][language]
    return _Lexicon(
        terms=re.compile(_WORD_START + "(?:" + "|".join(alternatives) + ")" + _WORD_END),
        groups=groups,
        exclude=re.compile(_WORD_START + "(?:" + "|".join(excluded) + ")" + _WORD_END)
        if excluded
        else None,
        trade_before=re.compile(frames["trade_before"]),
        organisation_after=re.compile(frames["organisation_after"]),
        client_after=re.compile(frames["client_after"]),
        subject_verbs_after=re.compile(frames["subject_verbs_after"]),
    )


def lexicon_languages() -> tuple[str, ...]:
    """The languages the lexicons are written for."""
    return tuple(data_file(LEXICON_FILE)["frames"])


@detector("special_categories", categories=LEXICON_CATEGORIES, tier="lexicon")
def find_special_categories(text: str, language: str) -> Iterator[Finding]:
    folded = fold(text)
    languages = (language,) if language in lexicon_languages() else lexicon_languages()
    for lang in languages:
        yield from _find_in(text, folded, _lexicon(lang))


def _find_in(text: str, folded: str, lexicon: _Lexicon) -> Iterator[Finding]:
    excluded: list[tuple[int, int]] | None = None
    for match in lexicon.terms.finditer(folded):
        start, end = match.span()
        if excluded is None:
            excluded = (
                [m.span() for m in lexicon.exclude.finditer(folded)] if lexicon.exclude else []
            )
        if any(s < end and start < e for s, e in excluded):
            continue
        if _is_business_mention(folded, start, end, lexicon):
            continue
        category, confidence = lexicon.groups[match.lastgroup or ""]
        yield Finding(category, start, end, confidence, text[start:end], "special_categories")


def _is_business_mention(folded: str, start: int, end: int, lexicon: _Lexicon) -> bool:
    """The frames: a term sold, supplied, ordered or sponsored, a term naming an
    organisation or product ("diabetes association"), or the subject of a sentence that
    goes on to say it is a client or bought something."""
    if lexicon.trade_before.search(folded, max(0, start - 60), start):
        return True
    if lexicon.organisation_after.match(folded, end, end + 40):
        return True
    if lexicon.client_after.match(folded, end, end + 80):
        return True
    sentence_start = 0
    for boundary in _SENTENCE_START.finditer(folded, max(0, start - 120), start):
        sentence_start = boundary.end()
    if len(folded[sentence_start:start].split()) <= 4:
        return lexicon.subject_verbs_after.match(folded, end, end + 80) is not None
    return False
