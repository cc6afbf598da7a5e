"""Detectors for what describes a person rather than an account: names, postal addresses and
dates of birth (with ages). These have no checksum, so they rest on shapes plus context: a
first-name list and title words for names, street words per language for addresses, and
birth words near a date."""

import re
from collections.abc import Iterator
from functools import cache

from steward.detection.detectors.context import before, words_regex
from steward.detection.detectors.registry import Finding, detector
from steward.detection.detectors.wordlists import data_file, words

# --- names -------------------------------------------------------------------------------

_UPPER = "A-ZÀ-ÖØ-ÞŁŚŻŹĆŃŠŽČŘĎŤŇİĞŞŐŰĂȘȚ"
_LOWER = "a-zà-öø-ÿßłśżźćńąęóšžčěřďťňůığşőűășțėįųū"
# One capitalised name word: "Müller", "O'Connor", "Jean-Pierre", "McDonald".
_NAME_WORD = (
    rf"[{_UPPER}][{_LOWER}]*(?:['’][{_UPPER}])?[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?"
    rf"(?:-[{_UPPER}][{_LOWER}]+)?"
)
_PARTICLE = r"(?:von|van|de|der|den|du|di|da|le|la|zu|ter|ten|del|della|dos|das|vom|zur)"
_TITLED = re.compile(
    r"(?<![\w.])(?P<title>Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Herrn|Frau|Hr\.|Fr\.|Mme|"
    r"Mlle|Madame|Monsieur|Mademoiselle|M\.|Dhr|Mevr|Sig\.|Sra|Sr)\.?"
    rf"\s+(?:(?:Dr|Prof|Dipl\.-Ing|Ing|Mag)\.?\s+)*"
    rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{0,2}})"
)
# A name may be followed by a possessive "'s" ("Claire's son").
_CAPITALISED = re.compile(rf"(?<![\w'’-]){_NAME_WORD}(?!\w|['’](?!s\b))")
_INITIAL = re.compile(rf"\s+[{_UPPER}]\.")
_FOLLOWING_WORD = re.compile(
    rf"\s+(?:({_PARTICLE}(?:\s+{_PARTICLE})?)\s+)?({_NAME_WORD})(?![\w'’])"
)
# Capitalised words that follow a title or a first name without being a surname.
_NOT_A_SURNAME = words(
    "The And Or But If When On In At To For With From By Of As Is Was Will Has Had "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December Montag Dienstag Mittwoch "
    "Donnerstag Freitag Samstag Sonntag Januar Februar März Mai Juni Juli Oktober Dezember "
    "Lundi Mardi Mercredi Jeudi Vendredi Samedi Dimanche "
    "Street Road Avenue Lane Drive Square Place Park Hill Court Close Way "
    "President Director Doktor Professor Direktor Directeur Directrice Président Présidente "
    "Maire Minister Ministre Bürgermeister Kunde Kundin Client Cliente Team Sales Support "
    "CEO CFO CTO COO Manager Ltd Limited Inc GmbH AG SA SAS SARL Plc LLC KG Bank Group "
    "Hospital Clinic Klinik University Universität Université School College Insurance "
    "Health Foundation Stiftung Institute Institut Trust Council Church Kirche Église "
    "Solutions Consulting Services Systems Software Technologies Partners Holding "
    "Airport Station Hotel Centre Center Museum Stadium Arena Motors Pharma Pharmaceuticals "
    "Medical Care Homes Energy Capital Ventures Labs Studio Studios Media Records Covid"
)
# Words after a name that make it an organisation or a place ("Marie Curie Hospital").
_ORGANISATION_AFTER = re.compile(
    r"^\s*(?:&|'s\s+(?:Hospital|School|College)|Ltd\b|Limited\b|Inc\b|"
    r"GmbH\b|AG\b|SA\b|SAS\b|SARL\b|plc\b|LLC\b|KG\b|Bank\b|Group\b|Hospital\b|Clinic\b|"
    r"Klinik\b|Klinikum\b|University\b|Universität\b|School\b|College\b|Foundation\b|"
    r"Stiftung\b|Institute\b|Institut\b|Trust\b|Centre\b|Center\b|Station\b|Airport\b|"
    r"Street\b|Road\b|Avenue\b|Straße\b|Strasse\b|Gymnasium\b|Schule\b|Award\b|Prize\b|"
    r"Preis\b|Prix\b)"
)
# Brands named after people: the pair is the brand, not a person in the note.
_BRANDS = frozenset(
    {
        "Mercedes Benz", "Hugo Boss", "Calvin Klein", "Louis Vuitton", "Tommy Hilfiger",
        "Christian Dior", "Ralph Lauren", "Marc Jacobs", "Jack Daniels", "Johnnie Walker",
        "Victoria Beckham", "Yves Rocher", "Yves Saint", "Pierre Cardin", "Jean Paul",
        "Giorgio Armani", "Karl Lagerfeld", "Paul Smith", "Ted Baker", "Max Mara",
        "Dolce Gabbana", "Ben Sherman", "Marie Claire", "Tim Hortons", "Jimmy Choo",
    }
)  # fmt: skip
_SAINT_BEFORE = re.compile(
    r"(?:\bSt\.?|\bSte\.?|\bSaint|\bSainte|\bSankt|\bSan|\bSanta|\bSão)[\s-]*$"
)
_TITLE_WORDS = words(
    "Mr Mrs Ms Miss Mx Dr Prof Sir Dame Herr Herrn Frau Hr Fr Mme Mlle Madame Monsieur "
    "Mademoiselle Dhr Mevr Sra Sr"
)


@cache
def _first_names() -> tuple[frozenset[str], frozenset[str]]:
    data = data_file("first_names.json")
    names = frozenset(name for group in data["names"].values() for name in group)
    return names, frozenset(data["ambiguous"])


def _is_first_name(word: str, names: frozenset[str]) -> bool:
    if word in names:
        return True
    # "Hans-Peter", "Anne-Sophie": every part a first name.
    parts = word.split("-")
    return len(parts) > 1 and all(part in names for part in parts)


@detector("person", categories={"person"})
def find_people(text: str, language: str) -> Iterator[Finding]:
    names, ambiguous = _first_names()
    taken: list[tuple[int, int]] = []
    for match in _TITLED.finditer(text):
        title = match.group("title")
        if title == "M." and language != "fr":
            continue
        name_start, end = match.span("name")
        words_of_name = match.group("name").split()
        # Trim trailing words that are not surnames ("Herr Vogel Montag" -> "Herr Vogel").
        while words_of_name and words_of_name[-1] in _NOT_A_SURNAME:
            words_of_name.pop()
        if not words_of_name or words_of_name[0] in _NOT_A_SURNAME:
            continue
        name, offset = match.group("name"), 0
        for kept in words_of_name:
            offset = name.index(kept, offset) + len(kept)
        end = name_start + offset
        if _ORGANISATION_AFTER.match(text[end : end + 20]):
            continue
        start = match.start()
        taken.append((start, end))
        yield Finding("person", start, end, 0.9, text[start:end], "person_title")
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        start, end = match.span()
        if any(s <= start < e for s, e in taken) or not _is_first_name(word, names):
            continue
        if _SAINT_BEFORE.search(text[max(0, start - 8) : start]):
            continue
        # Middle names and initials, then a surname.
        cursor, surname_end = end, None
        while True:
            initial = _INITIAL.match(text, cursor)
            if initial:
                cursor = initial.end()
                continue
            following = _FOLLOWING_WORD.match(text, cursor)
            if not following or following.group(2) in _NOT_A_SURNAME:
                break
            if following.group(2) in _TITLE_WORDS:
                break
            cursor = surname_end = following.end()
            if not _is_first_name(following.group(2), names) or following.group(1):
                break
        if surname_end is not None:
            if _ORGANISATION_AFTER.match(text[surname_end : surname_end + 20]):
                continue
            if " ".join(text[start:surname_end].replace("-", " ").split()[:2]) in _BRANDS:
                continue
            taken.append((start, surname_end))
            confidence = 0.75 if word in ambiguous else 0.85
            yield Finding(
                "person", start, surname_end, confidence, text[start:surname_end], "person_name"
            )
            continue
        if word in ambiguous or _ORGANISATION_AFTER.match(text[end : end + 20]):
            continue
        taken.append((start, end))
        yield Finding("person", start, end, 0.65, word, "first_name")


# --- postal addresses --------------------------------------------------------------------

_CITY_PARTICLE = r"(?:am|an der|im|in der|ob der|sur|sous|en|le|la|de)"
_CITY = (
    rf"[{_UPPER}][{_LOWER}'’.-]+"
    rf"(?:[ -](?:{_CITY_PARTICLE}[ -])?[{_UPPER}][{_LOWER}'’.-]+){{0,2}}"
)
_EN_STREET_TYPES = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Place|Pl|Square|Sq|Court|Ct|"
    r"Crescent|Cres|Terrace|Gardens|Grove|Hill|Park|Row|Mews|Boulevard|Blvd|Walk|Rise|Parade|"
    r"Highway|Hwy|View|Green|Gate|Wharf|Quay|Circle|Parkway|Pkwy|Broadway"
)
_EN_ADDRESS = re.compile(
    r"(?<![\w.,-])(?:(?:Flat|Apt|Apartment|Unit|Suite)\.?\s*\w{1,4},?\s+)?"
    rf"\d{{1,5}}[A-Za-z]?(?:[-–]\d{{1,5}})?,?\s+(?:[{_UPPER}][\w'’.-]*\s+){{1,3}}"
    rf"(?:{_EN_STREET_TYPES})\b\.?"
    rf"(?:,?\s+(?:Apt|Apartment|Flat|Unit|Suite)\.?\s*\w{{1,4}})?"
    rf"(?:,\s*(?!(?:and|or|but)\b){_CITY})?"
    r"(?:,?\s+(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]{2}\s+\d{5}(?:-\d{4})?)(?!\w))?"
)
_DE_STREET_SUFFIX = (
    r"straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|stieg|"
    r"twiete|kamp|graben|wall|gürtel|zeile|straat|laan|plein|gracht|kade|dijk|singel|steeg"
)
_DE_STREET_WORD = (
    r"Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer|Chaussee|Steig|Pfad|Markt"
)
_DE_ADDRESS = re.compile(
    r"(?<![\w-])(?:"
    rf"(?:[{_UPPER}][{_LOWER}]+-)*[{_UPPER}][{_LOWER}-]*(?:{_DE_STREET_SUFFIX})"
    rf"|[{_UPPER}][{_LOWER}]+(?:er|sche|scher|s)\s+(?:{_DE_STREET_WORD})"
    rf"|(?:Am|An der|An den|Auf dem|Auf der|Im|In der|In den|Zum|Zur|Unter den|Hinter dem)\s+"
    rf"[{_UPPER}][{_LOWER}-]+"
    r")\s+\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}[a-z]?)?(?![\w.,]\d|\w)"
    rf"(?:,?\s*(?:(?:D|A|CH|NL)-)?(?:\d{{5}}|\d{{4}}(?:\s?[A-Z]{{2}})?)\s+{_CITY})?"
)
_FR_STREET_TYPES = (
    r"rue|avenue|av\.|boulevard|bd|bld|place|pl\.|allée|allee|chemin|impasse|quai|route|cours|"
    r"square|passage|rond-point|voie|sentier|faubourg|fbg|montée|résidence|lotissement|"
    r"hameau|chaussée|cité|parvis|promenade|esplanade|ruelle|traverse"
)
_FR_ARTICLE = r"(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+|d['’]|la\s+|le\s+|les\s+|l['’])"
_FR_ADDRESS = re.compile(
    r"(?<![\w.,-])\d{1,4}(?:\s?(?:bis|ter|quater|[A-C])\b)?,?\s+"
    rf"(?i:{_FR_STREET_TYPES})\s+{_FR_ARTICLE}?[{_UPPER}0-9][\w'’-]*"
    rf"(?:\s+(?:{_FR_ARTICLE}|et\s+|sur\s+|sous\s+|en\s+)?[{_UPPER}][\w'’-]*){{0,4}}"
    rf"(?:,?\s*(?:\d{{5}}|\d{{2}}\s\d{{3}}|\d{{4}})\s+{_CITY}(?:\s+[Cc][Ee][Dd][Ee][Xx](?:\s+\d+)?)?)?"
)
# Belgian and Swiss French write the number after the street: "Rue de la Loi 16, 1000 Bruxelles".
_FR_ADDRESS_NUMBER_AFTER = re.compile(
    rf"(?<![\w-])(?:Rue|Avenue|Boulevard|Chaussée|Place|Chemin|Quai|Route)\s+{_FR_ARTICLE}?"
    rf"[{_UPPER}][\w'’-]*(?:\s+(?:{_FR_ARTICLE})?[{_UPPER}][\w'’-]*){{0,3}}\s+\d{{1,4}}[a-z]?"
    rf",?\s*\d{{4}}\s+{_CITY}"
)
_POSTCODE_TAIL = re.compile(r"\d{4,5}|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]{2}\s+\d{5}")
# A company's own premises: an address there is the business's, not a person's.
_COMPANY_PREMISES = words_regex(
    r"headquarters", r"hq", r"head office", r"registered office", r"offices?", r"showroom",
    r"warehouse", r"factory", r"plant", r"branch", r"store", r"shop", r"depot", r"campus",
    r"premises", r"site", r"firmensitz", r"sitz", r"geschaftssitz", r"hauptsitz", r"buro",
    r"buros", r"niederlassung", r"filiale", r"zentrale", r"lager", r"werk", r"verwaltung",
    r"standort", r"geschaftsstelle", r"siege", r"siege social", r"bureaux?", r"agence",
    r"entrepot", r"usine", r"magasin", r"boutique", r"locaux", r"etablissement",
    r"gmbh", r"ag", r"ltd", r"inc", r"llc", r"sarl", r"sas", r"s\.a\.", r"plc", r"kg",
)  # fmt: skip


@detector("address", categories={"address"})
def find_addresses(text: str, language: str) -> Iterator[Finding]:
    if not _has_digit(text):
        return
    taken: list[tuple[int, int]] = []
    for pattern in (_DE_ADDRESS, _FR_ADDRESS, _FR_ADDRESS_NUMBER_AFTER, _EN_ADDRESS):
        for match in pattern.finditer(text):
            start, end = match.span()
            value = match.group().rstrip(" ,.")
            if value.endswith((" St", " Rd", " Ave", " Str", " Dr", " Ln", " Pl", " Sq", " Ct")):
                value += "."  # the abbreviation's own full stop
            end = start + len(value)
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            # The company words may sit just after the address too ("... – the client
            # moved HQ there").
            window = before(text, start, 80) + " " + before(text, end + 40, 40)
            has_postcode = _POSTCODE_TAIL.search(value[-12:]) is not None
            confidence = 0.9 if has_postcode else 0.75
            if _COMPANY_PREMISES.search(window):
                confidence = 0.35
            yield Finding("address", start, end, confidence, value, "address")


_ANY_DIGIT = re.compile(r"\d")


def _has_digit(text: str) -> bool:
    return _ANY_DIGIT.search(text) is not None


# --- dates of birth and ages -------------------------------------------------------------

_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"januar|jänner|janner|februar|märz|marz|maerz|mai|juni|juli|oktober|dezember|"
    r"janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|"
    r"décembre|decembre"
)
_DATE = re.compile(
    r"(?<![\w.])(?:"
    r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}"
    r"|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    rf"|(?:1er|\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?i:{_MONTHS})\.?,?(?:\s+(?:19|20)\d{{2}})?"
    rf"|(?i:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+(?:19|20)\d{{2}})?"
    r")(?![\w]|[./-]\d)"
)
_BIRTH_WORDS = words_regex(
    r"born", r"born on", r"b\.", r"dob", r"d\.o\.b\.?", r"date of birth", r"birth date",
    r"birthdate", r"birthday", r"geboren", r"geboren am", r"geb\.", r"geburtsdatum",
    r"geburtstag", r"ne", r"nee", r"ne\(e\)", r"ne le", r"nee le", r"date de naissance",
    r"anniversaire", r"naissance",
)  # fmt: skip
_BIRTH_YEAR = re.compile(
    r"(?<!\w)(?:born\s+in|geboren|geb\.|jahrgang|jg\.|née?\s+en|year\s+of\s+birth|"
    r"geburtsjahr|année\s+de\s+naissance)\s*:?\s*((?:19|20)\d{2})(?!\d)",
    re.IGNORECASE,
)
_AGE = re.compile(
    r"(?<!\w)(?:"
    r"aged\s+(?P<a1>\d{1,3})"
    r"|(?P<a2>\d{1,3})[- ](?:years?|yrs?)[- ]old"
    r"|(?P<a3>\d{1,3})-year-old"
    r"|(?P<a4>\d{1,3})\s?(?:Jahre|J\.)\s+alt"
    r"|(?P<a5>\d{1,3})-?jährige[rnms]?"
    r"|im\s+Alter\s+von\s+(?P<a6>\d{1,3})"
    r"|âgée?\s+de\s+(?P<a7>\d{1,3})\s+ans"
    r"|(?:\(|(?<!il y )a\s|aura\s|avoir\s|que\s|f[êe]te(?:ra|rait|ront)?\s+(?:ses|son|leurs?)\s)"
    r"(?P<a8>\d{1,3})\s+ans"
    r"|(?:ist|wird|erst)\s+(?P<a9>\d{1,2})(?P<explicit9>\s+Jahre(?:\s+alt)?)?(?=[\s,.;)])"
    r"|(?:is|only)\s+(?P<a10>\d{1,2})(?P<explicit10>[- ](?:years?|yrs?)[- ]old)?"
    r"(?=\s*[,.;)]|\s+(?:and|but|so)\b)"
    r"|(?:turns|turned|turning|feiert\s+(?:seinen|ihren))\s+(?P<a13>\d{1,3})(?:\.?\s+Geburtstag)?"
    r"(?!\s*(?:%|percent|per cent|Prozent|euros?|€|\$|£|units|orders|items|licen[cs]es|seats|"
    r"days|weeks|months|Tage|Wochen|Monate))"
    r"|\((?P<a11>\d{1,2})(?:\s*(?:Jahre|J\.|ans|years?|yrs?|y/o))?\)"
    r"|age[:\s]+(?P<a12>\d{1,3})"
    r")(?!\w)",
)
# An age in parentheses, "(7)", is only an age right after a word for a person.
_PERSON_NOUN_BEFORE = re.compile(
    r"(?:son|daughter|child|kid|boy|girl|baby|grandson|granddaughter|sohn|tochter|kind|"
    r"junge|mädchen|enkel|enkelin|fils|fille|enfant|bébé|petit-fils|petite-fille|"
    rf"[{_UPPER}][{_LOWER}]+)\s*$",
    re.IGNORECASE,
)
_AGE_OF_A_THING = re.compile(
    r"(?:company|firm|business|building|house|roof|car|machine|contract|system|server|"
    r"software|product|brand|shop|store|unternehmen|firma|gebäude|haus|dach|auto|maschine|"
    r"vertrag|entreprise|société|maison|bâtiment|voiture|contrat|il y a|depuis|since|seit|"
    r"vor|for|pendant|ago)\b[^.]{0,25}$",
    re.IGNORECASE,
)
_ADULT_AGE = 18


@detector("dob", categories={"dob", "child"})
def find_births(text: str, language: str) -> Iterator[Finding]:
    if not _has_digit(text):
        return
    for match in _DATE.finditer(text):
        start, end = match.span()
        window = before(text, start, 30)
        if _BIRTH_WORDS.search(window):
            yield Finding("dob", start, end, 0.9, (window[-15:] + match.group()).strip(), "dob")
    for match in _BIRTH_YEAR.finditer(text):
        start, end = match.span(1)
        yield Finding("dob", start, end, 0.75, match.group(), "birth_year")
    for match in _AGE.finditer(text):
        group = next(
            name
            for name, value in match.groupdict().items()
            if value is not None and not name.startswith("explicit")
        )
        age = int(match.group(group))
        start, end = match.span()
        prefix = text[max(0, start - 40) : start]
        if group in ("a11",) and not _PERSON_NOUN_BEFORE.search(prefix):
            continue
        explicit = match.group("explicit9") or match.group("explicit10")
        if group in ("a9", "a10") and age >= _ADULT_AGE and not explicit:
            # "ist 45", "is 30." alone are too often counts, not ages.
            continue
        if _AGE_OF_A_THING.search(prefix) or not 0 < age < 110:
            continue
        yield Finding("dob", start, end, 0.7, match.group(), "age")
        if age < _ADULT_AGE:
            yield Finding("child", start, end, 0.8, match.group(), "age")
