"""Reading uploaded CSV files as people export them: any common encoding (UTF-8 with or
without BOM, UTF-16, Windows-1252/Latin-1) and delimiter (comma, semicolon, tab, pipe).
Files are streamed: a 100 MB export is never held in memory at once."""

import codecs
import csv
import hashlib
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
from django.template.defaultfilters import filesizeformat

from steward.core.errors import ValidationFailed

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
# Spreadsheet cells may be long (notes, addresses), but not this long: a bigger "cell" means
# a stray quote swallowed the rest of the file.
csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class StoredFile:
    """What storing an upload learned about it on the way through."""

    size: int
    sha256: str
    sample: bytes
    utf8_valid: bool
    line_count: int


def store_upload(chunks: Iterable[bytes], destination: Path, *, max_bytes: int) -> StoredFile:
    """Streams `chunks` into `destination`, hashing and checking UTF-8 validity as it goes.
    Raises ValidationFailed (and leaves no file behind) when the upload exceeds `max_bytes`."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_valid = True
    size = 0
    lines = 0
    sample = bytearray()
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with destination.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    message = (
                        f"The file is larger than the limit of {filesizeformat(max_bytes)}. "
                        "Split it into smaller files."
                    )
                    raise ValidationFailed(message, field_errors={"file": [message]})
                out.write(chunk)
                digest.update(chunk)
                lines += chunk.count(b"\n")
                if len(sample) < SAMPLE_BYTES:
                    sample.extend(chunk[: SAMPLE_BYTES - len(sample)])
                if utf8_valid:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8_valid = False
        if utf8_valid:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_valid = False
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    if size == 0:
        destination.unlink(missing_ok=True)
        raise ValidationFailed("The file is empty.", field_errors={"file": ["The file is empty."]})
    return StoredFile(size, digest.hexdigest(), bytes(sample), utf8_valid, lines)


def detect_encoding(sample: bytes, *, utf8_valid: bool) -> str:
    """The Python codec to read the file with. Byte-order marks decide first; a file valid
    as UTF-8 throughout is UTF-8; otherwise charset-normalizer guesses, preferring
    Windows-1252 whenever it fits (what Excel writes for Western European text)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a BOM is valid UTF-8 byte-wise (NULs are legal), so look for the NULs
    # first.
    if sample.count(b"\x00") > len(sample) // 10:
        best = charset_normalizer.from_bytes(sample).best()
        if best is not None and best.encoding.startswith("utf_16"):
            return best.encoding.replace("_", "-")
        raise ValidationFailed(
            "The file looks binary, not like a CSV text file.",
            field_errors={"file": ["Upload a CSV file (comma-, semicolon- or tab-separated)."]},
        )
    if utf8_valid:
        return "utf-8"
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        raise ValidationFailed(
            "The file's character encoding could not be recognised.",
            field_errors={"file": ["Save the file as CSV UTF-8 and upload it again."]},
        )
    best = matches[0]
    close = [match for match in matches if match.chaos <= best.chaos + 0.05]
    for match in close:
        if "cp1252" in match.could_be_from_charset:
            return _single_byte("cp1252", sample)
    # Several code pages often read a file about equally cleanly (ISO 8859-3 reads Polish
    # text with no more "chaos" than ISO 8859-2, Windows-1250 turns its "ś" into "¶"): among
    # those that fit, the ones spreadsheets and exporting tools actually write, and of them
    # the one whose non-ASCII characters are most often letters.
    common = [match for match in close if match.encoding in COMMON_SINGLE_BYTE]
    if common:
        best = max(common, key=lambda match: (_letter_share(sample, match.encoding), -match.chaos))
    return _single_byte(best.encoding.replace("_", "-"), sample)


def _letter_share(sample: bytes, encoding: str) -> float:
    """Of the non-ASCII characters `sample` decodes to, the share that are letters."""
    text = sample.decode(encoding, errors="replace")
    others = [char for char in text if ord(char) > 127]
    if not others:
        return 1.0
    return sum(unicodedata.category(char).startswith("L") for char in others) / len(others)


# The single-byte encodings CSV exports are written in (Windows code pages and the ISO 8859
# parts of the regions that use them), as charset-normalizer names them.
COMMON_SINGLE_BYTE = frozenset(
    {
        "cp1250", "iso8859_2",  # Central European: Polish, Czech, Slovak, Hungarian, ...
        "cp1251", "koi8_r", "iso8859_5",  # Cyrillic
        "cp1253", "iso8859_7",  # Greek
        "cp1254", "iso8859_9",  # Turkish
        "cp1257", "iso8859_13",  # Baltic
        "iso8859_15", "latin_1", "mac_roman",  # Western European besides Windows-1252
    }
)  # fmt: skip


def _single_byte(encoding: str, sample: bytes) -> str:
    # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
    if encoding == "cp1252":
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1"
    return encoding


def sample_text(sample: bytes, encoding: str) -> str:
    """The sample decoded, cut after its last complete line."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(sample, final=False)
    if text.startswith("\ufeff"):
        text = text[1:]
    end = max(text.rfind("\n"), text.rfind("\r"))
    return text[: end + 1] if end > 0 else text


def sniff_delimiter(text: str) -> str:
    """The delimiter of the CSV text: an Excel "sep=" line, then csv.Sniffer, checked
    against the rows; failing that, the candidate that splits the first rows most
    consistently into the most columns; comma when nothing splits."""
    first = text.split("\n", 1)[0].strip()
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed and _consistency(lines, sniffed)[0]:
        return sniffed
    best, best_score = ",", (False, 1)
    for candidate in DELIMITERS:
        score = _consistency(lines, candidate)
        if score[1] > 1 and score > best_score:
            best, best_score = candidate, score
    return best


def _consistency(lines: list[str], delimiter: str) -> tuple[bool, int]:
    """(all rows have the header's column count, header column count)."""
    rows = list(csv.reader(lines, delimiter=delimiter))
    if not rows:
        return False, 0
    width = len(rows[0])
    return width > 1 and all(len(row) == width for row in rows), width


def clean_headers(raw: list[str]) -> list[str]:
    """Trimmed header names; blank ones become "Column N", repeats get " (2)", " (3)"..."""
    headers: list[str] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(raw, start=1):
        name = name.replace("\ufeff", "").strip() or f"Column {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


@dataclass
class CsvRows:
    """An open CSV file: its header and an iterator over (index, line, cells) of its data
    rows. `index` counts non-blank data rows from 0 (the resume position); `line` is the
    physical line the row ends on, as a spreadsheet numbers it (the header is line 1)."""

    headers: list[str]
    rows: Iterator[tuple[int, int, list[str]]]


@contextmanager
def open_rows(path: Path, *, encoding: str, delimiter: str) -> Iterator[CsvRows]:
    """Opens the file for streaming reads. Decoding errors surface as ValidationFailed
    naming the line."""
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader, [])
            # Excel's "sep=;" line names the delimiter; it is not the header.
            if delimiter.join(header).strip().lower() == f"sep={delimiter}":
                header = next(reader, [])
        except UnicodeDecodeError as error:
            raise _decode_error(error, 1, encoding) from None
        yield CsvRows(clean_headers(header), _data_rows(reader, encoding))


def _data_rows(reader, encoding: str) -> Iterator[tuple[int, int, list[str]]]:
    index = 0
    while True:
        first_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise _decode_error(error, reader.line_num + 1, encoding) from None
        except csv.Error as error:
            raise ValidationFailed(
                f"Line {first_line} cannot be read as CSV ({error}); a quote may be "
                "missing its closing quote.",
                field_errors={"file": [f"Line {first_line}: {error}"]},
            ) from None
        if not any(cell.strip() for cell in cells):
            continue
        yield index, reader.line_num, cells
        index += 1


def _decode_error(error: UnicodeDecodeError, line: int, encoding: str) -> ValidationFailed:
    return ValidationFailed(
        f"Around line {line} the file contains bytes that are not valid {encoding}. "
        "Save it as CSV UTF-8 and upload it again.",
        field_errors={"file": [f"Not valid {encoding} around line {line}."]},
    )
