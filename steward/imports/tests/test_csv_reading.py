import codecs

import pytest

from steward.core.errors import ValidationFailed
from steward.imports.csv_reading import (
    clean_headers,
    detect_encoding,
    open_rows,
    sample_text,
    sniff_delimiter,
    store_upload,
)

GERMAN = "Vorname;Nachname;E-Mail;Stadt\r\nJürgen;Müller-Lüdenscheidt;jm@example.org;Köln\r\n"
FRENCH = (
    "Prénom;Nom;Courriel;Ville\r\n"
    "Hélène;Lefèvre;hl@example.org;Besançon\r\n"
    "Zoë;Garçon;zg@example.org;Noël\r\n"
)


def _read(tmp_path, data: bytes):
    path = tmp_path / "upload.csv"
    stored = store_upload([data], path, max_bytes=10_000_000)
    encoding = detect_encoding(stored.sample, utf8_valid=stored.utf8_valid)
    delimiter = sniff_delimiter(sample_text(stored.sample, encoding))
    with open_rows(path, encoding=encoding, delimiter=delimiter) as rows:
        return encoding, delimiter, rows.headers, [cells for _, _, cells in rows.rows]


@pytest.mark.parametrize(
    ("data", "expected_encoding"),
    [
        (GERMAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + GERMAN.encode("utf-8"), "utf-8-sig"),
        (GERMAN.encode("utf-16"), "utf-16"),
        (GERMAN.encode("utf-16-le"), "utf-16-le"),
        (GERMAN.encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-no-bom", "cp1252"],
)
def test_it_reads_the_common_encodings_with_accents_intact(tmp_path, data, expected_encoding):
    encoding, delimiter, headers, rows = _read(tmp_path, data)

    assert encoding == expected_encoding
    assert delimiter == ";"
    assert headers == ["Vorname", "Nachname", "E-Mail", "Stadt"]
    assert rows == [["Jürgen", "Müller-Lüdenscheidt", "jm@example.org", "Köln"]]


POLISH = (
    "Nr lokalu;Właściciel;Współwłaściciel;Ulica;Miejscowość;Uwagi\r\n"
    "12;Zofia Śliwińska;Jerzy Śliwiński;ul. Źródlana 4;Łódź;opłata za śmieci zaległa\r\n"
    "14;Bożena Kaźmierczak;;ul. Świętojańska 9;Gdańsk;wniosek o zwrot nadpłaty\r\n"
    "15;Grzegorz Ćwikła;Ewa Ćwikła;ul. Żeromskiego 2;Kraków;głosowanie przez pełnomocnika\r\n"
)


@pytest.mark.parametrize("codec", ["iso-8859-2", "cp1250"])
def test_it_reads_polish_in_either_central_european_code_page(tmp_path, codec):
    # Given a Polish export as older tools (ISO 8859-2) and Excel in Poland (Windows-1250)
    # write it: code pages such as ISO 8859-3 read those bytes without errors too
    encoding, _, headers, rows = _read(tmp_path, POLISH.encode(codec))

    # Then the letters come out as written
    assert headers[1:3] == ["Właściciel", "Współwłaściciel"]
    assert rows[0][1] == "Zofia Śliwińska"
    assert rows[1][3] == "ul. Świętojańska 9"
    assert rows[2][4] == "Kraków"


def test_it_reads_french_windows_1252_as_such_not_as_a_central_european_code_page(tmp_path):
    encoding, _, headers, rows = _read(tmp_path, FRENCH.encode("cp1252"))

    assert encoding == "cp1252"
    assert headers[0] == "Prénom"
    assert rows[0][:2] == ["Hélène", "Lefèvre"]
    assert rows[1][3] == "Noël"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_it_detects_the_delimiter(tmp_path, delimiter):
    text = delimiter.join(["First Name", "Last Name", "Email"]) + "\n"
    text += delimiter.join(["Ada", "Lovelace", "ada@example.org"]) + "\n"
    text += delimiter.join(["Alan", "Turing", "alan@example.org"]) + "\n"

    _, found, headers, rows = _read(tmp_path, text.encode())

    assert found == delimiter
    assert headers == ["First Name", "Last Name", "Email"]
    assert rows[1] == ["Alan", "Turing", "alan@example.org"]


def test_it_is_not_fooled_by_commas_inside_semicolon_separated_values(tmp_path):
    text = (
        "Name;Company;Email\n"
        '"Lovelace, Ada";"Engines, Ltd";ada@example.org\n'
        "Bob;Acme;b@example.org\n"
    )

    _, delimiter, _, rows = _read(tmp_path, text.encode())

    assert delimiter == ";"
    assert rows[0] == ["Lovelace, Ada", "Engines, Ltd", "ada@example.org"]


def test_it_honours_an_excel_sep_line(tmp_path):
    text = "sep=|\nFirst Name|Email\nAda|ada@example.org\n"

    _, delimiter, headers, rows = _read(tmp_path, text.encode())

    assert delimiter == "|"
    assert headers == ["First Name", "Email"]
    assert rows == [["Ada", "ada@example.org"]]


def test_it_skips_blank_lines_and_keeps_spreadsheet_line_numbers(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"Email\na@example.org\n\nb@example.org\n")

    with open_rows(path, encoding="utf-8", delimiter=",") as rows:
        found = list(rows.rows)

    assert found == [(0, 2, ["a@example.org"]), (1, 4, ["b@example.org"])]


def test_it_names_blank_and_repeated_headers():
    assert clean_headers([" Email ", "", "Phone", "Phone", "\ufeffTags"]) == [
        "Email",
        "Column 2",
        "Phone",
        "Phone (2)",
        "Tags",
    ]


def test_it_refuses_a_file_over_the_limit_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "big.csv"

    with pytest.raises(ValidationFailed) as error:
        store_upload([b"x" * 1000, b"y" * 1000], path, max_bytes=1500)

    assert "file" in error.value.field_errors
    assert not path.exists()


def test_it_refuses_an_empty_file(tmp_path):
    with pytest.raises(ValidationFailed):
        store_upload([b""], tmp_path / "empty.csv", max_bytes=1000)


def test_it_notices_invalid_utf8_anywhere_in_the_file(tmp_path):
    data = (
        "Email,City\n" + "a@example.org,Berlin\n" * 10_000
    ).encode() + "x@example.org,Köln\n".encode("cp1252")

    stored = store_upload([data[:70_000], data[70_000:]], tmp_path / "f.csv", max_bytes=10**7)

    assert stored.utf8_valid is False
    assert stored.line_count == 10_002


def test_a_streamed_read_decodes_a_multibyte_character_split_across_chunks(tmp_path):
    data = "Name\nJürgen\n".encode()
    split = data.index("ü".encode()) + 1

    stored = store_upload([data[:split], data[split:]], tmp_path / "f.csv", max_bytes=1000)

    assert stored.utf8_valid is True
