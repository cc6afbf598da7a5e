import pytest

from steward.inventory.taxonomy import (
    BUILTIN_CATEGORIES,
    KEY_PATTERN,
    Sensitivity,
    ancestors,
    category_covers,
    parent_of,
    sensitivity_at_least,
)

# What issue 3 asks the taxonomy to hold at least, with the sensitivity the GDPR gives it.
REQUIRED = {
    "contact.email": Sensitivity.PERSONAL,
    "contact.phone": Sensitivity.PERSONAL,
    "contact.address": Sensitivity.PERSONAL,
    "identity.name": Sensitivity.PERSONAL,
    "identity.date_of_birth": Sensitivity.PERSONAL,
    "identity.national_id": Sensitivity.PERSONAL,
    "financial.iban": Sensitivity.PERSONAL,
    "financial.payment_card": Sensitivity.PERSONAL,
    "online.ip_address": Sensitivity.PERSONAL,
    "online.device_id": Sensitivity.PERSONAL,
    "special.racial_ethnic_origin": Sensitivity.SPECIAL,
    "special.political_opinions": Sensitivity.SPECIAL,
    "special.religious_beliefs": Sensitivity.SPECIAL,
    "special.trade_union_membership": Sensitivity.SPECIAL,
    "special.genetic": Sensitivity.SPECIAL,
    "special.biometric": Sensitivity.SPECIAL,
    "special.health": Sensitivity.SPECIAL,
    "special.sex_life_orientation": Sensitivity.SPECIAL,
    "criminal": Sensitivity.CRIMINAL,
    "children": Sensitivity.PERSONAL,
}


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_the_taxonomy_holds_every_category_the_gdpr_duties_need(key):
    assert BUILTIN_CATEGORIES[key].sensitivity == REQUIRED[key]


def test_childrens_data_is_marked_as_needing_art_8_care():
    assert BUILTIN_CATEGORIES["children"].concerns_children is True
    assert not any(
        c.concerns_children for key, c in BUILTIN_CATEGORIES.items() if key != "children"
    )


def test_every_builtin_key_is_well_formed_and_described():
    for key, category in BUILTIN_CATEGORIES.items():
        assert KEY_PATTERN.fullmatch(key), key
        assert category.label and category.description, key


def test_every_builtin_category_sits_inside_a_builtin_parent():
    orphans = [
        k for k in BUILTIN_CATEGORIES if parent_of(k) and parent_of(k) not in BUILTIN_CATEGORIES
    ]

    assert orphans == []


def test_no_builtin_category_is_less_sensitive_or_less_careful_than_its_parent():
    for key, category in BUILTIN_CATEGORIES.items():
        parent = BUILTIN_CATEGORIES.get(parent_of(key))
        if parent is None:
            continue
        assert sensitivity_at_least(category.sensitivity, parent.sensitivity), key
        assert category.concerns_children or not parent.concerns_children, key


def test_a_category_covers_itself_and_what_lies_inside_it():
    assert category_covers("contact", "contact")
    assert category_covers("contact", "contact.email")
    assert category_covers("special", "special.health.mental")


def test_a_category_does_not_cover_its_parent_a_sibling_or_a_longer_word():
    assert not category_covers("contact.email", "contact")
    assert not category_covers("contact.email", "contact.phone")
    assert not category_covers("contact", "contacts.email")
    assert not category_covers("special.health", "special.healthcare")


def test_ancestors_are_listed_nearest_first():
    assert ancestors("special.health.mental") == ["special.health", "special"]
    assert ancestors("criminal") == []
    assert parent_of("criminal") == ""


def test_special_and_criminal_are_above_personal_and_neither_satisfies_the_other():
    assert sensitivity_at_least(Sensitivity.SPECIAL, Sensitivity.PERSONAL)
    assert sensitivity_at_least(Sensitivity.CRIMINAL, Sensitivity.PERSONAL)
    assert not sensitivity_at_least(Sensitivity.PERSONAL, Sensitivity.SPECIAL)
    assert not sensitivity_at_least(Sensitivity.CRIMINAL, Sensitivity.SPECIAL)
    assert not sensitivity_at_least(Sensitivity.SPECIAL, Sensitivity.CRIMINAL)
