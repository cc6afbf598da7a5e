"""How many columns of import files the categoriser was never tuned on get their right
category (issue 3: ">= 95% of its columns right" on a realistic multi-locale file).

heldout_columns/ holds exports written before the lexicon was improved against them and
kept out of its tuning: the rules are developed on dev_columns/ only, and the held-out set
is measured, never read for misses to fix."""

import json
from pathlib import Path

import pytest

from steward.imports import services
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent

# Measured levels (2026-11-29), asserted less about two points so that a change elsewhere
# does not flip them on one column. The goal is 0.95. Each blind set, measured once
# right after a tuning round, has scored well below it: heldout_columns_2 0.692 after round
# one, heldout_columns_3 0.697 after round two, heldout_columns_4 0.772 after round three
# (which added whose data a column holds, a child's or a parent's, and the shape of the
# values: yes/no, dates, amounts). Once measured, a set's misses were read for the next
# round, so sets 1-3 are development data now: heldout_columns 0.970, _2 0.933, _3 0.918,
# dev_columns 0.982. Only heldout_columns_4 is blind; the next round needs a fifth.
HELD_OUT_LEVEL = 0.95
HELD_OUT_2_LEVEL = 0.91
HELD_OUT_3_LEVEL = 0.90
HELD_OUT_4_LEVEL = 0.75
DEV_LEVEL = 0.96


def _score(directory: Path, actor) -> tuple[int, list[str]]:
    """(columns right, one line per miss) for the files of `directory`'s manifest, each
    uploaded as an import would be (mapped columns take their field's category)."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    right, misses = 0, []
    for name in sorted(n for n in manifest if not n.startswith("_")):
        job = services.import_job_create(
            actor=actor, chunks=[(directory / name).read_bytes()], original_name=name
        )
        assert job.headers == list(manifest[name]), name
        for position, header in enumerate(job.headers):
            found = job.column_categories[str(position)]["category"]
            expected = manifest[name][header]
            if found == expected:
                right += 1
            else:
                misses.append(f"{name}: {header!r} is {found!r}, expected {expected!r}")
    return right, misses


@pytest.fixture
def importer(team, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return UserFactory(email="hana.heldout@example.com", role=Role.MARKETING, team=team)


def test_the_held_out_exports_are_many_and_in_several_languages():
    manifest = json.loads((HERE / "heldout_columns" / "manifest.json").read_text("utf-8"))
    files = [n for n in manifest if not n.startswith("_")]

    assert len(files) >= 8
    assert sum(len(manifest[n]) for n in files) >= 120


def test_the_categoriser_is_measured_on_exports_it_was_not_tuned_on(importer):
    right, misses = _score(HERE / "heldout_columns", importer)

    total = right + len(misses)
    print(f"\nheld-out: {right}/{total} = {right / total:.3f}\n" + "\n".join(misses))
    assert total >= 120
    assert right / total >= HELD_OUT_LEVEL, "\n".join(misses)


def test_the_categoriser_is_measured_on_its_development_exports(importer):
    right, misses = _score(HERE / "dev_columns", importer)

    total = right + len(misses)
    print(f"\ndev: {right}/{total} = {right / total:.3f}\n" + "\n".join(misses))
    assert total >= 120
    assert right / total >= DEV_LEVEL, "\n".join(misses)


def test_the_categoriser_is_measured_on_a_second_set_written_after_its_tuning(importer):
    right, misses = _score(HERE / "heldout_columns_2", importer)

    total = right + len(misses)
    print(f"\nheld-out 2: {right}/{total} = {right / total:.3f}\n" + "\n".join(misses))
    assert total >= 120
    assert right / total >= HELD_OUT_2_LEVEL, "\n".join(misses)


def test_the_categoriser_is_measured_on_a_third_set_written_after_its_second_tuning(importer):
    right, misses = _score(HERE / "heldout_columns_3", importer)

    total = right + len(misses)
    print(f"\nheld-out 3: {right}/{total} = {right / total:.3f}\n" + "\n".join(misses))
    assert total >= 120
    assert right / total >= HELD_OUT_3_LEVEL, "\n".join(misses)


def test_the_categoriser_is_measured_blind_on_a_fourth_set_written_after_its_third_tuning(
    importer,
):
    right, misses = _score(HERE / "heldout_columns_4", importer)

    total = right + len(misses)
    print(f"\nheld-out 4: {right}/{total} = {right / total:.3f}\n" + "\n".join(misses))
    assert total >= 150
    assert right / total >= HELD_OUT_4_LEVEL, "\n".join(misses)
