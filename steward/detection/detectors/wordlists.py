"""Word lists and the data files shipped with the detectors (first names, lexicons): loaded
from the package, never downloaded."""

import json
import unicodedata
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def words(text: str) -> frozenset[str]:
    """A set of whitespace-separated words, for short inline lists."""
    return frozenset(text.split())


@cache
def data_file(name: str):
    """A JSON file from the detectors' data directory, parsed once per process."""
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def fold(text: str) -> str:
    """Lower case without accents or umlauts ("Größe" -> "grosse", "né" -> "ne"), so that
    lexicons match text typed without them. Keeps one character per character where it
    can, so that spans found in the folded text still point into the original."""
    folded = text.translate(_FOLD_TABLE).lower()
    if len(folded) != len(text):
        # A few characters lower-case to two ("İ" -> "i̇"); keep offsets aligned.
        folded = "".join(char.lower()[0] for char in text.translate(_FOLD_TABLE))
    return folded


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base != char and base.isascii():
            table[code] = base
    # ß would fold to "ss" and shift spans: keep the width, "strasse" lexicon entries are
    # written with both spellings instead.
    table[ord("ß")] = "ß"
    table[ord("’")] = "'"
    return table


_FOLD_TABLE = _build_fold_table()
