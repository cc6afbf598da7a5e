import pytest

from steward.core.actor import SystemActor
from steward.inventory.selectors import (
    category_labels,
    category_list,
    category_tree,
    custom_field_category_choices,
    is_custom_field_category,
)
from steward.inventory.services import data_category_add
from steward.inventory.taxonomy import BUILTIN_CATEGORIES, parent_of

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")


def test_the_tree_lists_each_parent_before_its_children_and_builtins_in_code_order():
    keys = [row.key for row in category_list()]

    for key in keys:
        if parent_of(key):
            assert keys.index(parent_of(key)) < keys.index(key), key
    tops = [k for k in keys if "." not in k]
    assert tops == [k for k in BUILTIN_CATEGORIES if "." not in k]


def test_an_operators_category_follows_the_builtins_beside_it():
    data_category_add(actor=SYSTEM, parent_key="contact", name="fax", label="Fax number")

    keys = [row.key for row in category_list()]

    assert keys.index("contact.address") < keys.index("contact.fax") < keys.index("demographic")


def test_the_tree_counts_each_categorys_children():
    nodes = {node.category.key: node for node in category_tree()}

    assert nodes["special"].child_count == 8
    assert (nodes["special.health"].depth, nodes["special.health"].child_count) == (1, 0)


def test_a_custom_field_may_take_any_category_but_steward_record_keeping_ones():
    data_category_add(actor=SYSTEM, parent_key="commercial", name="loyalty", label="Loyalty")

    assert is_custom_field_category("special.health")
    assert is_custom_field_category("commercial.loyalty")
    assert not is_custom_field_category("custom")
    assert not is_custom_field_category("audit")
    assert not is_custom_field_category("made.up")


def test_the_custom_field_choices_hold_operator_categories_grouped_by_top_level():
    data_category_add(actor=SYSTEM, parent_key="commercial", name="loyalty", label="Loyalty")

    groups = dict(custom_field_category_choices())

    assert ("commercial.loyalty", "Loyalty") in groups["Commercial relationship"]
    assert groups["Contact details"][0] == ("contact", "Contact details (other)")
    assert "Audit trail" not in groups and "Custom fields" not in groups


def test_labels_are_listed_by_key():
    assert category_labels()["special.health"] == "Health"
