"""Validate the labelled evaluation set notes.jsonl and print its counts.

Run from the repository root:  .venv/bin/python steward/detection/evaluation/check.py
Exits with status 1 when a rule in README.md is broken.
"""

import ipaddress
import json
import re
import sys
from collections import Counter
from pathlib import Path

from stdnum import iban, luhn
from stdnum.at import vnr
from stdnum.be import nn
from stdnum.ch import ssn
from stdnum.de import idnr
from stdnum.es import dni
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn

PATH = Path(__file__).with_name("notes.jsonl")
LANGS = ("en", "de", "fr")
PATTERN = (
    "email",
    "phone",
    "iban",
    "credit_card",
    "national_id",
    "ip_address",
    "dob",
    "address",
    "person",
)
SPECIAL = (
    "health",
    "religion",
    "ethnicity",
    "politics",
    "trade_union",
    "sexual_orientation",
    "child",
)
# Checksummed national identifiers; the UK National Insurance number has no checksum, so only
# the reserved fictitious prefix QQ is accepted for it.
NATIONAL_ID_VALIDATORS = (nir, bsn, nn, idnr, dni, codicefiscale, ssn, vnr)
UK_NINO = re.compile(r"^QQ ?\d{2} ?\d{2} ?\d{2} ?[A-D]$")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
DOC_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DIGIT_RUN_RE = re.compile(r"\d(?:[ -]?\d){12,18}")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b")
IPV4_RE = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def digits(text):
    return re.sub(r"\D", "", text)


def national_id_ok(text):
    if UK_NINO.match(text):
        return True
    return any(v.is_valid(text) for v in NATIONAL_ID_VALIDATORS)


def covered(span, text, labelled):
    """True when the match span lies inside an occurrence of one of the labelled strings."""
    for value in labelled:
        start = text.find(value)
        while start != -1:
            if start <= span[0] and span[1] <= start + len(value):
                return True
            start = text.find(value, start + 1)
    return False


def check_entity(entity, errors, where):
    cat, value = entity["category"], entity["text"]
    if cat == "iban" and not iban.is_valid(value):
        errors.append(f"{where}: IBAN fails its checksum: {value}")
    elif cat == "credit_card":
        d = digits(value)
        if not (13 <= len(d) <= 19 and luhn.is_valid(d)):
            errors.append(f"{where}: card number fails Luhn: {value}")
    elif cat == "national_id" and not national_id_ok(value):
        errors.append(f"{where}: national ID fails every validator: {value}")
    elif cat == "ip_address":
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            errors.append(f"{where}: not an IP address: {value}")
        else:
            if not any(address in net for net in DOC_NETWORKS):
                errors.append(f"{where}: IP outside the documentation ranges: {value}")
    elif cat == "email" and value.rsplit("@", 1)[-1] not in EMAIL_DOMAINS:
        errors.append(f"{where}: e-mail outside example.com/.org/.net: {value}")
    elif cat == "phone" and not 7 <= len(digits(value)) <= 15:
        errors.append(f"{where}: implausible phone number: {value}")


def check_note(note, errors, warnings, notices):
    where = note.get("id", "?")
    text = note["text"]
    if note["lang"] not in LANGS or not note["id"].startswith(note["lang"] + "-"):
        errors.append(f"{where}: bad lang/id")
    labelled = Counter((e["category"], e["text"]) for e in note["entities"])
    for entity in note["entities"]:
        if entity["category"] not in PATTERN:
            errors.append(f"{where}: unknown entity category {entity['category']}")
        if entity["text"] not in text:
            errors.append(f"{where}: entity text not in note: {entity['text']!r}")
        if entity["text"] != entity["text"].strip():
            errors.append(f"{where}: entity text has surrounding spaces: {entity['text']!r}")
        check_entity(entity, errors, where)
    for (cat, value), n in labelled.items():
        occurrences = text.count(value)
        if occurrences != n:
            message = f"{where}: {cat} {value!r} occurs {occurrences}x, labelled {n}x"
            (warnings if cat in ("person", "address", "dob") else errors).append(message)
    categories = set(note["categories"])
    unknown = categories - set(PATTERN) - set(SPECIAL)
    if unknown:
        errors.append(f"{where}: unknown categories {sorted(unknown)}")
    entity_categories = {e["category"] for e in note["entities"]}
    if categories & set(PATTERN) != entity_categories:
        errors.append(f"{where}: pattern categories do not equal the entities' categories")
    if note["categories"] != sorted(categories):
        errors.append(f"{where}: categories not sorted or duplicated")
    # Nothing checksummed or shaped like an e-mail may be left unlabelled.
    by_cat = {}
    for e in note["entities"]:
        by_cat.setdefault(e["category"], []).append(e["text"])
    for m in EMAIL_RE.finditer(text):
        if not covered(m.span(), text, by_cat.get("email", [])):
            errors.append(f"{where}: unlabelled e-mail {m.group()}")
    every_entity = [e["text"] for e in note["entities"]]
    for m in DIGIT_RUN_RE.finditer(text):
        if luhn.is_valid(digits(m.group())) and not covered(m.span(), text, every_entity):
            errors.append(f"{where}: unlabelled Luhn-valid number {m.group()}")
    for m in IBAN_RE.finditer(text):
        if iban.is_valid(m.group()) and not covered(m.span(), text, by_cat.get("iban", [])):
            errors.append(f"{where}: unlabelled valid IBAN {m.group()}")
    for m in IPV4_RE.finditer(text):
        if not covered(m.span(), text, every_entity):
            notices.append(f"{where}: dotted quad left unlabelled (a version number?) {m.group()}")


def main():
    errors, warnings, notices, notes, seen = [], [], [], [], set()
    for number, line in enumerate(PATH.read_text(encoding="utf-8").splitlines(), 1):
        try:
            note = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: invalid JSON ({exc})")
            continue
        if set(note) != {"id", "lang", "text", "entities", "categories"}:
            errors.append(f"line {number}: unexpected keys {sorted(note)}")
            continue
        if note["id"] in seen:
            errors.append(f"line {number}: duplicate id {note['id']}")
        seen.add(note["id"])
        notes.append(note)
        check_note(note, errors, warnings, notices)

    print(f"{len(notes)} notes")
    print("per language:", dict(Counter(n["lang"] for n in notes)))
    print("notes per category:")
    for lang in (*LANGS, "all"):
        subset = [n for n in notes if lang in ("all", n["lang"])]
        counts = Counter(c for n in subset for c in n["categories"])
        special = sum(1 for n in subset if set(n["categories"]) & set(SPECIAL))
        pattern = sum(1 for n in subset if n["entities"])
        empty = sum(1 for n in subset if not n["categories"])
        print(
            f"  {lang}: {len(subset)} notes, {special} with a special category, "
            f"{pattern} with pattern entities, {empty} with no category"
        )
        for cat in (*PATTERN, *SPECIAL):
            print(f"    {cat:20} {counts.get(cat, 0)}")
    entity_counts = Counter(e["category"] for n in notes for e in n["entities"])
    print("entities:", dict(sorted(entity_counts.items())))
    for n in notices:
        print("notice:", n)
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
