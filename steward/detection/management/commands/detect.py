"""`steward detect`: personal data in free text, as JSON lines. Reads {"id": ..., "text": ...}
(optionally "lang") per line on standard input and writes one line per input on standard
output, {"id": ..., "categories": [...], "findings": [...]}, as soon as it is read. An invalid
line gets {"id": ..., "error": "..."} in its place, and the command exits non-zero at the end.
Nothing is stored: the findings are suggestions for a person to review."""

import json
import sys
from collections.abc import Iterable, Iterator

from django.core.management.base import BaseCommand, CommandError

from steward.detection.detectors import DETECTION_CATEGORIES, categories_of, detect
from steward.detection.detectors.registry import REVIEW_THRESHOLD


def parse_line(line: bytes | str, number: int) -> tuple[object, str, str | None]:
    """(id, text, language) of one input line; ValueError says what is wrong with it."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"line {number}: not UTF-8") from None
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"line {number}: invalid JSON ({error.msg})") from None
    if not isinstance(item, dict):
        raise ValueError(f"line {number}: expected a JSON object with an id and a text")
    identifier = item.get("id")
    if "id" not in item:
        raise _LineError(identifier, f"line {number}: the field 'id' is missing")
    text = item.get("text")
    if not isinstance(text, str):
        raise _LineError(identifier, f"line {number}: the field 'text' must be a string")
    language = item.get("lang")
    if language is not None and not isinstance(language, str):
        raise _LineError(identifier, f"line {number}: the field 'lang' must be a string")
    return identifier, text, (language or None)


class _LineError(ValueError):
    def __init__(self, identifier: object, message: str):
        super().__init__(message)
        self.identifier = identifier


def detect_lines(
    lines: Iterable[bytes | str], *, categories: set[str] | None, min_confidence: float
) -> Iterator[tuple[dict, bool]]:
    """One output object per non-blank input line, with whether it is an error."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            identifier, text, language = parse_line(line, number)
        except ValueError as error:
            yield {"id": getattr(error, "identifier", None), "error": str(error)}, True
            continue
        findings = detect(
            text, language=language, categories=categories, min_confidence=min_confidence
        )
        yield (
            {
                "id": identifier,
                "categories": categories_of(findings),
                "findings": [
                    {**finding.as_dict(), "confidence": round(finding.confidence, 2)}
                    for finding in findings
                ],
            },
            False,
        )


class Command(BaseCommand):
    help = (
        'Find personal data in JSON lines {"id": ..., "text": ..., "lang": ...} read from '
        "standard input; one JSON line per input on standard output."
    )
    # Lets tests and callers hand in their own input stream: call_command(..., stdin=...).
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--categories",
            default="",
            metavar="LIST",
            help="Only these detection categories, comma-separated (default: all).",
        )
        parser.add_argument(
            "--min-confidence",
            type=float,
            default=REVIEW_THRESHOLD,
            metavar="P",
            help=f"Leave out findings below this confidence (default {REVIEW_THRESHOLD}).",
        )

    def handle(self, *args, categories: str, min_confidence: float, **options):
        wanted = {name.strip() for name in categories.split(",") if name.strip()} or None
        unknown = sorted((wanted or set()) - set(DETECTION_CATEGORIES))
        if unknown:
            raise CommandError(
                f"--categories: unknown categories {', '.join(unknown)}; "
                f"known: {', '.join(DETECTION_CATEGORIES)}."
            )
        if not 0.0 <= min_confidence <= 1.0:
            raise CommandError("--min-confidence must be between 0 and 1.")
        stream = options.get("stdin") or sys.stdin
        # Bytes when we can: a line that is not UTF-8 becomes an error line, not a crash.
        lines = getattr(stream, "buffer", stream)
        errors = 0
        for output, failed in detect_lines(lines, categories=wanted, min_confidence=min_confidence):
            errors += failed
            self.stdout.write(json.dumps(output, ensure_ascii=False))
            self.stdout.flush()
        if errors:
            raise CommandError(f"{errors} input line(s) could not be read; see their error lines.")
