"""Context around a match: the words just before a number often decide what it is ("order
4481-2291", "tel. 030 ...", "born on ..."). Context regexes are written over folded text
(lower case, no accents), see wordlists.fold."""

import re

from steward.detection.detectors.wordlists import fold


def before(text: str, start: int, width: int = 40) -> str:
    """The folded text of up to `width` characters before `start`."""
    return fold(text[max(0, start - width) : start])


def after(text: str, end: int, width: int = 20) -> str:
    """The folded text of up to `width` characters after `end`."""
    return fold(text[end : end + width])


def words_regex(*alternatives: str) -> re.Pattern[str]:
    """A regex matching any of `alternatives` (regex fragments) as whole words."""
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


# Reference numbers are the commonest false phone and card numbers in CRM notes.
REFERENCE_WORDS = words_regex(
    r"order", r"orders", r"invoice", r"inv", r"ref", r"reference", r"ticket", r"case", r"po",
    r"purchase order", r"contract", r"quote", r"sku", r"serial", r"tracking", r"batch",
    r"account no", r"customer no", r"item", r"part", r"article", r"booking", r"policy",
    r"bestellung", r"bestellnummer", r"rechnung", r"rechnungsnummer", r"auftrag",
    r"auftragsnummer", r"vertrag", r"vertragsnummer", r"kundennummer", r"angebot",
    r"lieferschein", r"sendung", r"artikel", r"vorgang", r"aktenzeichen",
    r"vat", r"vat number", r"ust-?idnr\.?", r"ust-?id", r"uid", r"tva", r"siret", r"siren",
    r"hrb", r"hra", r"company number", r"registration number", r"handelsregister", r"rcs",
    r"commande", r"facture", r"devis", r"contrat", r"dossier", r"colis", r"bon",
    r"kontonummer", r"konto", r"account number", r"acct", r"blz", r"bankleitzahl", r"sort code",
    r"plz", r"postleitzahl", r"zip", r"postcode", r"ean", r"isbn", r"gtin", r"upc",
    r"art\.?-?nr\.?",
    r"artikelnummer", r"sendungsnummer", r"bic", r"swift", r"ape", r"naf", r"capital",
    r"n°", r"nr\.?", r"no\.?", r"num\.?", r"#",
)  # fmt: skip


def last_match_end(regex: re.Pattern[str], window: str) -> int:
    """Where the last match of `regex` in `window` ends; -1 when there is none. Comparing
    two of these tells which context word stands closer to what follows the window."""
    end = -1
    for match in regex.finditer(window):
        end = match.end()
    return end
