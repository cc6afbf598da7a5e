"""Chapter V: which countries are third countries. The EEA is the EU's 27 member states and
Iceland, Liechtenstein and Norway; a transfer anywhere else needs a safeguard (Art. 45-49),
an adequacy decision included: the record lists those transfers too (Art. 30(1)(e))."""

from collections.abc import Iterable

EEA = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "IS", "LI", "NO",
})  # fmt: skip


def third_countries(codes: Iterable[str]) -> list[str]:
    """The codes among `codes` outside the EEA, in the order given."""
    return [str(code) for code in codes if str(code).upper() not in EEA]
