"""detect_quality and detect_speed: scoring, the missing-file message, and a smoke run."""

import json

import pytest

from steward.bench.registry import BenchContext, discover
from steward.detection import benchmarks
from steward.detection.benchmarks import DEV_FILE, GOALS, load_notes, score


def note(text, entities=(), categories=(), lang="en", id="n"):
    return {"id": id, "lang": lang, "text": text, "entities": list(entities),
            "categories": list(categories)}  # fmt: skip


def test_a_finding_covering_the_entity_is_a_true_positive_and_a_stray_one_a_false_positive():
    notes = [
        note("Mail mara@example.com", [{"category": "email", "text": "mara@example.com"}]),
        note("Installed pkg then wrote to ops@example.org", []),
        note("No address here", [{"category": "email", "text": "lost@example.com"}]),
    ]

    report = score(notes)

    email = report.entity["email"]
    assert (email.tp, email.fp, email.found, email.entities) == (1, 1, 1, 2)
    assert email.precision == 0.5
    assert email.recall == 0.5


def test_special_categories_are_scored_per_note():
    notes = [
        note("She is in hospital.", [{"category": "health", "text": "in hospital"}], ["health"]),
        note("He is a practising Catholic.", [], []),
        note("The Labour costs rose.", [], ["politics"]),
    ]

    report = score(notes)

    assert (report.special.tp, report.special.fp, report.special.fn) == (1, 1, 1)
    assert report.note["health"].precision == 1.0
    assert report.note["religion"].fp == 1


def test_the_benchmarks_are_registered():
    assert {"detect_quality", "detect_speed", "column_quality"} <= set(discover())


def test_it_says_clearly_when_the_evaluation_set_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmarks, "EVALUATION_FILE", tmp_path / "missing.jsonl")

    with pytest.raises(RuntimeError, match="evaluation set is missing"):
        benchmarks.detect_quality(BenchContext(quick=True, workdir=tmp_path))


def test_both_benchmarks_run_on_a_labelled_file(tmp_path, monkeypatch):
    sample = tmp_path / "notes.jsonl"
    sample.write_text("".join(json.dumps(n) + "\n" for n in load_notes(DEV_FILE)[:30]))
    monkeypatch.setattr(benchmarks, "EVALUATION_FILE", sample)
    context = BenchContext(quick=True, workdir=tmp_path)

    quality = benchmarks.detect_quality(context)
    speed = benchmarks.detect_speed(context)

    email_precision = next(
        r for r in quality if r.name == "detect_quality_email" and r.unit == "precision"
    )
    assert email_precision.floor == GOALS["email"][0]
    assert {r.name for r in speed} == {"detect_speed", "detect_speed_patterns"}
    assert all(r.unit == "notes/s" and r.value > 0 for r in speed)


def test_the_development_notes_meet_the_goals():
    # The notes the detectors were tuned on: a regression guard, not the measurement
    # (that is detect_quality on the evaluation set, which they were not tuned on).
    report = score(load_notes(DEV_FILE))

    for category in ("email", "iban", "credit_card", "phone"):
        precision, recall = GOALS[category]
        assert report.entity[category].precision >= precision - 0.1, category
        assert report.entity[category].recall >= recall, category
    assert report.special.precision >= GOALS["special"][0]
    assert report.special.recall >= GOALS["special"][1]
