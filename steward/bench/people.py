"""Invented people for benchmarks and large-file tests: plausible CSV rows, reproducible from
a seed, with example.org addresses and numbers from no real person."""

import csv
import io
import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

GIVEN = (
    "Ada", "Alina", "Anouk", "Arvid", "Bela", "Birte", "Caspar", "Cleo", "Dario", "Edda",
    "Elio", "Enno", "Fenja", "Fiete", "Greta", "Hanno", "Ilka", "Ivo", "Jalla", "Janne",
    "Kaja", "Keno", "Lasse", "Lene", "Lio", "Malou", "Mats", "Merle", "Milo", "Nele",
    "Nils", "Oda", "Ole", "Pia", "Quirin", "Rasmus", "Rieke", "Runa", "Sönke", "Svea",
    "Tade", "Thea", "Tiago", "Ulla", "Vito", "Wanda", "Wiebke", "Xaver", "Ylva", "Zora",
    "Élodie", "Hélène", "Jérôme", "Benoît", "Loïc", "Maëlle", "Søren", "Zoë", "Anaïs",
    "Joël",
)  # fmt: skip
FAMILY = (
    "Abendroth", "Brinkhoff", "Carstensen", "Dannemann", "Eichhorst", "Feddersen",
    "Grünhagen", "Harmsen", "Iwersen", "Jessen", "Kniephoff", "Lorenzen", "Matthiesen",
    "Nommensen", "Ohlsen", "Petersen", "Quedens", "Rickertsen", "Sönnichsen", "Thordsen",
    "Uhlenbrock", "Vollertsen", "Wendeborn", "Asmussen", "Boysen", "Clausen", "Detlefsen",
    "Ebsen", "Friedrichsen", "Godbersen", "Hansen", "Ingwersen", "Jacobsen", "Ketelsen",
    "Lassen", "Momsen", "Nissen", "Paulsen", "Rörden", "Sievers", "Tönnies", "Volquardsen",
    "Wögens", "Leclercq", "Marchetti", "Dufresne", "Garnier", "Lemaître", "Rousseau",
    "Beaumont", "Delacroix", "Fontaine", "Girardot", "Lambertin", "Moreau", "Perrault",
)  # fmt: skip
COMPANY_WORDS = (
    "Nordlicht", "Deichgraf", "Kranich", "Leuchtfeuer", "Ebbe", "Flut", "Möwe", "Reet",
    "Watt", "Heide", "Kompass", "Anker", "Lotse", "Brise", "Dünen", "Bernstein",
    "Salzwiese", "Fjord", "Marsch", "Priel",
)  # fmt: skip
COMPANY_FORMS = ("GmbH", "AG", "KG", "SARL", "Ltd", "& Söhne", "eG")
TITLES = (
    "Buyer", "Head of Purchasing", "CEO", "Office Manager", "Marketing Lead", "Engineer",
    "Einkaufsleiterin", "Directrice commerciale", "Project Manager", "Account Manager",
)  # fmt: skip
CITIES = (
    ("Husum", "25813", "Germany"), ("Flensburg", "24937", "Deutschland"), ("Kiel", "24103", "DE"),
    ("Lyon", "69002", "France"), ("Nantes", "44000", "FR"), ("Leeds", "LS1 4AP", "United Kingdom"),
    ("Wien", "1010", "Österreich"), ("Basel", "4051", "Switzerland"), ("Utrecht", "3511", "NL"),
)  # fmt: skip
# Country -> (dialling code and area, digits of the subscriber number): possible numbers.
PHONES = {
    "Germany": ("+49 30", 8), "Deutschland": ("+49 461", 6), "DE": ("+49 431", 6),
    "France": ("+33 4", 8), "FR": ("+33 2", 8), "United Kingdom": ("+44 113", 7),
    "Österreich": ("+43 1", 7), "Switzerland": ("+41 61", 7), "NL": ("+31 30", 7),
}  # fmt: skip
STAGES = ("lead", "subscriber", "opportunity", "customer", "customer", "lead")
TAGS = ("", "", "newsletter", "vip", "newsletter;trade-fair-2026", "partner")
HEADER = (
    "First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
    "Street Address", "Postal Code", "City", "Country/Region", "Lifecycle Stage",
    "Date of birth", "Tags",
)  # fmt: skip


def people_rows(count: int, *, seed: int = 2026, start: int = 0) -> Iterator[list[str]]:
    """`count` rows of invented people matching HEADER; every address is unique."""
    rng = random.Random(seed)
    companies = [
        f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_FORMS)}"
        for _ in range(max(1, count // 40))
    ]
    for number in range(start, start + count):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        city, postal_code, country = rng.choice(CITIES)
        area, digits = PHONES[country]
        phone = f"{area} {rng.randrange(2 * 10 ** (digits - 1), 10**digits)}"
        yield [
            given,
            family,
            f"{_ascii(given)}.{_ascii(family)}.{number}@example.org",
            phone if rng.random() < 0.8 else "",
            rng.choice(companies),
            rng.choice(TITLES),
            f"{rng.choice(COMPANY_WORDS)}weg {rng.randrange(1, 200)}",
            postal_code,
            city,
            country,
            rng.choice(STAGES),
            f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(1950, 2004)}"
            if rng.random() < 0.5
            else "",
            rng.choice(TAGS),
        ]


def _ascii(name: str) -> str:
    """The name as people put it in an address: lower case, accents dropped (Sönke -> sonke)."""
    decomposed = unicodedata.normalize("NFKD", name.lower().replace("ø", "o"))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


def write_people_csv(path: Path, count: int, *, seed: int = 2026, start: int = 0) -> Path:
    """A CSV file of `count` invented people (UTF-8, comma-separated, HubSpot-like header)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(people_rows(count, seed=seed, start=start))
    return path


def people_csv_text(count: int, *, seed: int = 2026) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(people_rows(count, seed=seed))
    return buffer.getvalue()
