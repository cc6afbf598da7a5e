"""The learned tier of the column categoriser: the nearest labelled column in a
multilingual embedding space, consulted where the rules only guess."""

import json

import pytest

from steward.detection import column_model
from steward.detection.column_quality import LABELLED_SETS, examples_of
from steward.detection.columns import categorise_column, categorise_columns

EXAMPLES = [
    {"header": "Surname", "values": ["Miller", "Park"], "category": "identity.name",
     "source": "a/x.csv"},
    {"header": "Dietary requirements", "values": ["Vegan", "Nut allergy"],
     "category": "special.health", "source": "a/x.csv"},
    {"header": "Room type", "values": ["Double", "Single"], "category": "commercial.deals",
     "source": "b/y.csv"},
    {"header": "Import batch", "values": ["B-12", "B-13"], "category": "", "source": "b/y.csv"},
]  # fmt: skip


@pytest.fixture
def small_model():
    column_model.use_examples(EXAMPLES)
    yield
    column_model.use_examples(None)


def test_a_header_in_another_language_finds_the_labelled_header_of_the_same_meaning(
    small_model,
):
    found = column_model.suggest("Nachname", ["Schmidt", "Weber"])

    assert (found.category, found.nearest) == ("identity.name", "Surname")
    assert 0 < found.similarity <= 1.01


def test_a_column_no_rule_names_takes_the_learned_category_and_says_so(small_model):
    found = categorise_column("Tipo di camera", ["Doppia", "Singola"])

    assert (found.category, found.source) == ("commercial.deals", "learned")
    assert categorise_column("Lote de importación", ["L-7", "L-8"]).category == ""


def test_rules_that_are_sure_are_not_overridden(small_model):
    # The model would say a name or a deal; the values and the header rule are decisive.
    assert categorise_column("Nazwisko", ["ada@example.org", "jon@example.com"]).category == (
        "contact.email"
    )
    assert categorise_column("Room type", ["Suite", "Double"]).category == "commercial.deals"
    assert categorise_column("Room type", ["Suite", "Double"]).source == "header"


def test_a_nameless_or_empty_column_stays_without_a_category(small_model):
    assert categorise_column("Spalte 7", ["Vegan"]).category == ""
    assert categorise_column("Zoekgebied", ["", " "]).category == ""


def test_a_custom_field_label_without_samples_is_read_by_the_shipped_model():
    # Neither is a labelled header or a rule's word; both are near one in another language.
    found = categorise_column("Schuhgröße", [])
    assert (found.category, found.source) == ("demographic", "learned")

    assert categorise_column("Nazwisko panieńskie", []).category == "identity.name"


def test_long_values_with_spaces_are_read_by_the_model_not_taken_for_notes(small_model):
    found = categorise_column(
        "Ernährungshinweise", ["Keine Nüsse wegen schwerer Allergie", "Vegan, kein Gluten bitte"]
    )

    assert found.category == "special.health"


def test_without_examples_the_rules_decide_alone():
    column_model.use_examples([])
    try:
        found = categorise_column("Zoekgebied", ["Utrecht-Oost", "Zeist"])
    finally:
        column_model.use_examples(None)

    assert (found.category, found.source) == ("commercial.profile", "none")


def test_a_files_columns_are_categorised_together_in_their_order(small_model):
    found = categorise_columns([("Surname", ["Miller"]), ("Nazwisko", ["Nowak"]), ("", [])])

    assert [f.category for f in found] == ["identity.name", "identity.name", ""]


def test_leaving_a_set_out_leaves_all_its_columns_out():
    examples = column_model.shipped_examples(exclude_sets={"heldout_columns_4"})
    sources = {e["source"].split("/")[0] for e in examples}

    assert "heldout_columns_4" not in sources
    assert {"dev_columns", "heldout_columns_3", "taxonomy"} <= sources


def test_the_shipped_examples_and_vectors_are_those_of_the_labelled_sets():
    shipped = json.loads(column_model.EXAMPLES_FILE.read_text(encoding="utf-8"))
    labelled = examples_of(LABELLED_SETS)

    assert [(e["header"], e["category"], e["source"]) for e in shipped] == [
        (e["header"], e["category"], e["source"]) for e in labelled
    ]
    texts = column_model.example_texts(column_model.shipped_examples())
    assert set(texts) <= set(column_model._precomputed())


def test_a_column_far_from_every_labelled_one_keeps_the_rules_fallback(small_model):
    found = categorise_column("Zoekgebied", ["Utrecht-Oost", "Zeist"])

    assert (found.category, found.source) == ("commercial.profile", "none")


def test_a_made_up_label_without_samples_gets_no_suggestion(small_model):
    assert categorise_column("Zzqx", []).category == ""
