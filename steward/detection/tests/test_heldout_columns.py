"""How many columns of import files the categoriser gets right (issue 3: ">= 95% of its
columns right" on a realistic multi-locale file), end to end through the import's upload.

Every set here is development data now: the header rules were tuned by reading the misses
of dev_columns and heldout_columns to heldout_columns_3 (and, in round five, the
leave-one-set-out misses of all six), and the learned model's examples are the columns of
all six sets. So each set is scored leave-one-set-out: the learned model fitted on the
other five sets only (column_model.use_examples). The rules' share of these figures is not
blind for any set; the figure to read for files never seen is the next blind set's,
measured by the lead."""

import json
from pathlib import Path

import pytest

from steward.detection import column_model
from steward.imports import services
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent

# Leave-one-set-out levels measured on 2026-11-29 (`steward bench column_quality`), asserted
# less about two points so that a change elsewhere does not flip them on one column. The
# issue's goal is 0.95. History: each blind set, measured once right after a tuning round
# of the rules, scored well below it (heldout_columns_2 0.692, _3 0.697, _4 0.772). Rules
# alone (in-sample for the first four sets): dev 0.982, heldout_columns 0.970, _2 0.933,
# _3 0.918, _4 0.772. Rules + learned model, leave-one-set-out: dev 0.975, heldout_columns
# 0.955, _2 0.933, _3 0.885, _4 0.911. Not blind either: the model's description list
# (column_descriptions.json) was written after reading every set's misses; without it,
# _4 scores 0.816 (decision 0025).
# heldout_columns_5 (232 columns, 11 languages) was written blind by a helper and measured
# once, blind, after the learned tier landed (its examples: the other five sets): 0.759
# (176/232); the round-three rules alone had scored 0.677 on it. It then joined the
# examples and is scored leave-one-set-out like the others (0.76).
# Round five (decision 0025), mechanisms from reading the leave-one-set-out misses of all
# six sets (so not blind for any): dev 0.989, heldout_columns 0.965, _2 0.942, _3 0.902,
# _4 0.924, _5 0.823 (mean 0.924, from 0.903).
# heldout_columns_6 (241 columns, 12 languages, written blind) measured once, blind, after
# round five (its examples: the other six sets): 0.739 (178/241); on the commit before
# round five 0.672, 15 of its misses a Polish ISO 8859-2 file the import then misread. It
# then joined the examples: leave-one-set-out 0.74, seven-set mean 0.90.
HELD_OUT_LEVEL = 0.94
HELD_OUT_2_LEVEL = 0.92
HELD_OUT_3_LEVEL = 0.88
HELD_OUT_4_LEVEL = 0.90
HELD_OUT_5_LEVEL = 0.80
HELD_OUT_6_LEVEL = 0.72
DEV_LEVEL = 0.97


@pytest.fixture
def fitted_without():
    """Fits the learned model to the examples of every set but the one scored."""

    def fit(held_out: str) -> None:
        column_model.use_examples(column_model.shipped_examples(exclude_sets={held_out}))

    yield fit
    column_model.use_examples(None)


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


@pytest.mark.parametrize(
    ("labelled_set", "least_columns", "level"),
    [
        ("dev_columns", 120, DEV_LEVEL),
        ("heldout_columns", 120, HELD_OUT_LEVEL),
        ("heldout_columns_2", 120, HELD_OUT_2_LEVEL),
        ("heldout_columns_3", 120, HELD_OUT_3_LEVEL),
        ("heldout_columns_4", 150, HELD_OUT_4_LEVEL),
        ("heldout_columns_5", 200, HELD_OUT_5_LEVEL),
        ("heldout_columns_6", 200, HELD_OUT_6_LEVEL),
    ],
)
def test_the_categoriser_is_measured_on_each_set_with_the_others_as_its_examples(
    importer, fitted_without, labelled_set, least_columns, level
):
    fitted_without(labelled_set)
    right, misses = _score(HERE / labelled_set, importer)

    total = right + len(misses)
    print(f"\n{labelled_set}: {right}/{total} = {right / total:.3f}\n" + "\n".join(misses))
    assert total >= least_columns
    assert right / total >= level, "\n".join(misses)
