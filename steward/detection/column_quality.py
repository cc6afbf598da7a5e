"""How many columns of labelled import files the categoriser gets right (issue 3), and the
leave-one-set-out estimate of how it does on files it was never fitted to.

Each labelled set is a folder of CSV exports with a manifest.json giving every column's
expected taxonomy key. A file is read as an upload is (encoding, delimiter, the first rows
as samples), mapped as the import would suggest, and categorised by
steward.imports.column_categories: a column mapped into a field takes that field's
category, as on the mapping page.

Leave-one-set-out: for each set, the learned model is fitted on the labelled columns of
the other sets only and the held-out set is scored. The header rules and the model's
description list are the same in every fold: the rules were written by reading the misses
of dev_columns to heldout_columns_3, the description list after reading every set's, and
round five's mechanisms after reading every set's leave-one-set-out misses (decision
0025), so none of these figures is blind: the next blind set's is."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

TESTS = Path(__file__).resolve().parent / "tests"
# The labelled sets in the order they were written. Named one by one: a set not yet measured
# (the next blind one) must never be read by accident.
LABELLED_SETS: tuple[str, ...] = (
    "dev_columns",
    "heldout_columns",
    "heldout_columns_2",
    "heldout_columns_3",
    "heldout_columns_4",
    "heldout_columns_5",
    "heldout_columns_6",
)


@dataclass
class SetScore:
    name: str
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class LabelledFile:
    name: str
    headers: list[str]
    samples: list[list[str]]
    expected: dict[str, str]


def manifest(directory: Path) -> dict[str, dict[str, str]]:
    entries = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return {name: columns for name, columns in entries.items() if not name.startswith("_")}


def read_set(directory: Path) -> list[LabelledFile]:
    """The set's files, each read as an upload would be: its headers and sample rows."""
    from steward.imports.csv_reading import detect_encoding, open_rows, sample_text, sniff_delimiter
    from steward.imports.services import SAMPLE_ROWS

    files = []
    for name, expected in sorted(manifest(directory).items()):
        path = directory / name
        raw = path.read_bytes()
        sample = raw[: 64 * 1024]
        try:
            sample.decode("utf-8")
            utf8_valid = True
        except UnicodeDecodeError:
            utf8_valid = False
        encoding = detect_encoding(sample, utf8_valid=utf8_valid)
        delimiter = sniff_delimiter(sample_text(sample, encoding))
        with open_rows(path, encoding=encoding, delimiter=delimiter) as rows:
            headers = rows.headers
            first = zip(range(SAMPLE_ROWS), rows.rows, strict=False)
            samples = [cells for _, (_, _, cells) in first]
        if headers != list(expected):
            raise ValueError(f"{directory.name}/{name}: the manifest's columns are not the file's")
        files.append(LabelledFile(name, headers, samples, expected))
    return files


def score_files(name: str, files: Sequence[LabelledFile]) -> SetScore:
    """Columns right as the import suggests them (mapping first, then categories)."""
    from steward.imports.column_categories import column_categories
    from steward.imports.column_mapping import suggest_mapping

    score = SetScore(name)
    for labelled in files:
        mapping = suggest_mapping(labelled.headers, labelled.samples).mapping
        found = column_categories(labelled.headers, labelled.samples, mapping)
        for position, header in enumerate(labelled.headers):
            category = found[str(position)]["category"]
            expected = labelled.expected[header]
            score.total += 1
            if category == expected:
                score.right += 1
            else:
                score.misses.append(
                    f"{labelled.name}: {header!r} is {category!r}, expected {expected!r}"
                )
    return score


def examples_of(sets: Sequence[str]) -> list[dict]:
    """The labelled columns of `sets` as header-model examples (header, sample values,
    category, where from)."""
    examples = []
    for set_name in sets:
        for labelled in read_set(TESTS / set_name):
            for position, header in enumerate(labelled.headers):
                values = [row[position] for row in labelled.samples if position < len(row)]
                examples.append(
                    {
                        "header": header,
                        "values": [v for v in values if v.strip()][:5],
                        "category": labelled.expected[header],
                        "source": f"{set_name}/{labelled.name}",
                    }
                )
    return examples


def leave_one_set_out(
    sets: Sequence[str] = LABELLED_SETS, *, descriptions: bool = True
) -> list[SetScore]:
    """For each set: the learned model fitted on the other sets' examples only (with the
    taxonomy's descriptions, and the description list unless `descriptions` is false),
    that set scored. The shipped model is restored afterwards."""
    from steward.detection import column_model

    try:
        scores = []
        for held_out in sets:
            column_model.use_examples(
                column_model.shipped_examples(exclude_sets={held_out}, descriptions=descriptions)
            )
            scores.append(score_files(held_out, read_set(TESTS / held_out)))
        return scores
    finally:
        column_model.use_examples(None)


def rules_only(sets: Sequence[str] = LABELLED_SETS) -> list[SetScore]:
    """Each set scored with the header rules and value detectors alone (no learned model)."""
    from steward.detection import column_model

    try:
        column_model.use_examples([])
        return [score_files(name, read_set(TESTS / name)) for name in sets]
    finally:
        column_model.use_examples(None)
