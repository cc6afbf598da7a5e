"""Finding personal data in free text, offline. The public surface:

    detect(text, language=None, categories=None) -> list[Finding]

plus the category keys (DETECTION_CATEGORIES), their data-taxonomy keys (TAXONOMY_KEY) and
which are Art. 9 special categories (SPECIAL_CATEGORIES). New detectors register with
@detector(name, categories=...)."""

from steward.detection.detectors.categories import (
    DETECTION_CATEGORIES,
    PATTERN_CATEGORIES,
    SPECIAL_CATEGORIES,
    TAXONOMY_KEY,
    is_special,
)
from steward.detection.detectors.language import guess_language
from steward.detection.detectors.registry import (
    DETECTORS,
    Detector,
    Finding,
    categories_of,
    detect,
    detector,
)

__all__ = [
    "DETECTION_CATEGORIES",
    "DETECTORS",
    "PATTERN_CATEGORIES",
    "SPECIAL_CATEGORIES",
    "TAXONOMY_KEY",
    "Detector",
    "Finding",
    "categories_of",
    "detect",
    "detector",
    "guess_language",
    "is_special",
]
