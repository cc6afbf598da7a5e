"""The detector registry: each detector finds one or more categories of personal data in
free text and returns findings with their span, confidence and evidence. A finding is a
suggestion for a person to review, never a decision (issue 3)."""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from steward.detection.detectors.categories import DETECTION_CATEGORIES
from steward.detection.detectors.language import guess_language


@dataclass(frozen=True, slots=True)
class Finding:
    """One suspected piece of personal data: `text[start:end]` looks like `category`."""

    category: str
    start: int
    end: int
    confidence: float
    evidence: str
    detector: str

    def as_dict(self) -> dict:
        return asdict(self)


FindFunction = Callable[[str, str], Iterable[Finding]]


@dataclass(frozen=True)
class Detector:
    """A registered detector: `find(text, language)` yields findings of `categories`.
    `tier` is "pattern" (shapes and checksums) or "lexicon" (keyword lexicons)."""

    name: str
    categories: frozenset[str]
    tier: str
    find: FindFunction


DETECTORS: dict[str, Detector] = {}

# Findings below this are too doubtful to show a reviewer (a company's office address, a
# private IP address next to "server"); detectors still produce them, so a caller that
# wants everything can lower it.
REVIEW_THRESHOLD = 0.5

TIERS = ("pattern", "lexicon")


def detector(
    name: str, *, categories: Iterable[str], tier: str = "pattern"
) -> Callable[[FindFunction], FindFunction]:
    """Registers `find(text, language) -> Iterable[Finding]` as the detector `name`."""
    wanted = frozenset(categories)
    unknown = wanted - set(DETECTION_CATEGORIES)
    if unknown:
        raise ValueError(f"Detector {name!r} names unknown categories: {sorted(unknown)}")
    if tier not in TIERS:
        raise ValueError(f"Detector {name!r} has an unknown tier {tier!r}.")

    def register(find: FindFunction) -> FindFunction:
        existing = DETECTORS.get(name)
        if existing is not None and existing.find is not find:
            raise ValueError(f"Two detectors are called {name!r}.")
        DETECTORS[name] = Detector(name=name, categories=wanted, tier=tier, find=find)
        return find

    return register


# When two identifiers claim the same characters, the one with the stronger proof wins:
# a checksummed IBAN or card number is not also a phone number.
_OVERLAP_PRIORITY = {
    "iban": 0,
    "credit_card": 1,
    "national_id": 2,
    "email": 3,
    "ip_address": 4,
    "phone": 5,
}


def detect(
    text: str,
    *,
    language: str | None = None,
    categories: set[str] | None = None,
    tiers: Iterable[str] | None = None,
    min_confidence: float = REVIEW_THRESHOLD,
) -> list[Finding]:
    """Every registered detector's findings in `text`, ordered by position. `language`
    ("en", "de", "fr", ...) is guessed from the text when not given; `categories` and
    `tiers` narrow which detectors run; findings below `min_confidence` are left out."""
    _load_detectors()
    if not text:
        return []
    # "de-AT", "FR" and "fr_CH" all choose the lexicons and phone regions of their language.
    lang = (language or guess_language(text)).lower().replace("_", "-").split("-")[0]
    wanted_tiers = set(tiers) if tiers is not None else None
    needed = _needed_for(categories) if categories is not None else None
    findings: list[Finding] = []
    for registered in DETECTORS.values():
        if wanted_tiers is not None and registered.tier not in wanted_tiers:
            continue
        if needed is not None and not (registered.categories & needed):
            continue
        for finding in registered.find(text, lang):
            findings.append(finding)
    # Parts are dropped before the threshold: a name inside a company's address is part of
    # that address even though the address itself is too doubtful to show.
    findings = [
        finding
        for finding in _drop_parts(findings)
        if finding.confidence >= min_confidence
        and (categories is None or finding.category in categories)
    ]
    return _resolve_overlaps(findings)


# A name inside an address ("avenue Victor Hugo") or an email address is part of that
# finding, not a person of its own.
_PART_OF = {"person": ("address", "email")}


def _needed_for(categories: set[str]) -> set[str]:
    """The categories whose detectors must run to answer for `categories`: the ones that
    can claim the same characters (an IBAN is not a phone number, a name in an address is
    part of the address)."""
    needed = set(categories)
    for category in categories:
        needed.update(_PART_OF.get(category, ()))
    if needed & set(_OVERLAP_PRIORITY):
        needed.update(_OVERLAP_PRIORITY)
    return needed


def _drop_parts(findings: list[Finding]) -> list[Finding]:
    containers = [f for f in findings if f.category in ("address", "email")]
    if not containers:
        return findings
    return [
        f
        for f in findings
        if not any(
            c.category in _PART_OF.get(f.category, ()) and c.start <= f.start and f.end <= c.end
            for c in containers
        )
    ]


def _resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    findings.sort(key=lambda f: (f.start, -f.end, f.category))
    kept: list[Finding] = []
    for finding in findings:
        rank = _OVERLAP_PRIORITY.get(finding.category)
        beaten = False
        for other in kept:
            if other.end <= finding.start or other.start >= finding.end:
                continue
            if other.category == finding.category:
                beaten = other.confidence >= finding.confidence
                if not beaten:
                    kept.remove(other)
                break
            other_rank = _OVERLAP_PRIORITY.get(other.category)
            if rank is not None and other_rank is not None:
                if other_rank <= rank:
                    beaten = True
                else:
                    kept.remove(other)
                break
        if not beaten:
            kept.append(finding)
    kept.sort(key=lambda f: (f.start, f.end, f.category))
    return kept


def categories_of(findings: Iterable[Finding]) -> list[str]:
    """The sorted detection keys present in `findings`."""
    return sorted({finding.category for finding in findings})


_loaded = False


def _load_detectors() -> None:
    # The detector modules register themselves on import; importing them lazily keeps
    # `import registry` cheap and free of cycles.
    global _loaded
    if not _loaded:
        from steward.detection.detectors import lexicons, patterns, people  # noqa: F401

        _loaded = True
