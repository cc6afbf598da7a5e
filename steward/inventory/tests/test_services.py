import pytest

from steward.audit.models import AuditEvent
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.inventory import taxonomy
from steward.inventory.models import DataCategory
from steward.inventory.services import data_category_add, data_category_update, taxonomy_sync
from steward.inventory.taxonomy import BUILTIN_CATEGORIES, BuiltinCategory, Sensitivity

pytestmark = pytest.mark.django_db


def _row(key: str) -> DataCategory:
    return DataCategory.objects.get(key=key)


def _snapshot() -> list[tuple]:
    return list(
        DataCategory.objects.order_by("key").values_list(
            "key", "label", "description", "sensitivity", "concerns_children", "builtin"
        )
    )


# -- Built-in rows, kept in step with the code ------------------------------------------


def test_a_migrated_database_holds_every_builtin_category_as_code_defines_it():
    rows = {row.key: row for row in DataCategory.objects.all()}

    assert set(rows) == set(BUILTIN_CATEGORIES)
    for key, builtin in BUILTIN_CATEGORIES.items():
        assert rows[key].builtin
        assert (rows[key].label, rows[key].sensitivity) == (builtin.label, builtin.sensitivity)
        assert rows[key].concerns_children == builtin.concerns_children


def test_syncing_again_changes_nothing_and_writes_no_audit_event():
    before = _snapshot()

    result = taxonomy_sync()

    assert not result.changed
    assert _snapshot() == before
    assert not AuditEvent.objects.exists()


def test_sync_recreates_a_missing_builtin_and_restores_code_wording():
    DataCategory.objects.filter(key="special.genetic").delete()
    DataCategory.objects.filter(key="contact.phone").update(label="Telephone")

    result = taxonomy_sync()

    assert result.created == ["special.genetic"]
    assert result.updated == ["contact.phone"]
    assert _row("special.genetic").sensitivity == Sensitivity.SPECIAL
    assert _row("contact.phone").label == BUILTIN_CATEGORIES["contact.phone"].label
    event = AuditEvent.objects.get(action="data_category.synced")
    assert event.changes["label"][0] == "Telephone"


def test_sync_keeps_a_sensitivity_an_operator_raised(dpo):
    data_category_update(
        actor=dpo, category=_row("online.device_id"), data={"sensitivity": Sensitivity.SPECIAL}
    )

    taxonomy_sync()

    assert _row("online.device_id").sensitivity == Sensitivity.SPECIAL


def test_when_code_raises_a_builtin_sync_raises_the_operator_categories_inside_it(dpo, monkeypatch):
    added = data_category_add(
        actor=dpo, parent_key="professional", name="union_role", label="Union role"
    )
    monkeypatch.setitem(
        BUILTIN_CATEGORIES,
        "professional",
        BuiltinCategory("professional", "Professional", "Work.", Sensitivity.SPECIAL),
    )

    result = taxonomy_sync()

    assert _row("professional").sensitivity == Sensitivity.SPECIAL
    assert _row(added.key).sensitivity == Sensitivity.SPECIAL
    assert set(result.updated) >= {"professional", added.key}


def test_a_key_code_no_longer_ships_stays_as_an_operators_category(monkeypatch):
    monkeypatch.delitem(BUILTIN_CATEGORIES, "online.device_id")

    result = taxonomy_sync()

    assert result.retired == ["online.device_id"]
    assert _row("online.device_id").builtin is False


# -- An operator adds a category --------------------------------------------------------


def test_a_dpo_adds_a_category_inside_a_parent_and_it_is_audited(dpo):
    category = data_category_add(
        actor=dpo,
        parent_key="contact",
        name="fax",
        label="Fax number",
        description="Still used by some notaries.",
    )

    row = _row("contact.fax")
    assert row.pk == category.pk
    assert (row.builtin, row.sensitivity) == (False, Sensitivity.PERSONAL)
    event = AuditEvent.objects.get(action="data_category.added")
    assert event.object_id == str(row.pk)
    assert event.actor == dpo


def test_a_category_added_inside_special_is_special_without_being_told(dpo):
    category = data_category_add(
        actor=dpo, parent_key="special.health", name="allergies", label="Allergies"
    )

    assert _row(category.key).sensitivity == Sensitivity.SPECIAL


def test_it_refuses_a_personal_category_inside_special_and_adds_nothing(dpo):
    before = _snapshot()

    with pytest.raises(ValidationFailed) as refused:
        data_category_add(
            actor=dpo,
            parent_key="special",
            name="diet",
            label="Diet",
            sensitivity=Sensitivity.PERSONAL,
        )

    assert "sensitivity" in refused.value.field_errors
    assert _snapshot() == before
    assert not AuditEvent.objects.exists()


def test_a_category_inside_childrens_data_concerns_children_too(dpo):
    category = data_category_add(
        actor=dpo, parent_key="children", name="school", label="School attended"
    )

    assert _row(category.key).concerns_children is True


@pytest.mark.parametrize(
    ("parent_key", "name", "field"),
    [
        ("no_such_parent", "fax", "parent"),
        ("contact", "Fax Number", "name"),
        ("contact", "two.words", "name"),
        ("contact", "", "name"),
        ("contact", "9lives", "name"),
    ],
)
def test_it_refuses_a_bad_parent_or_name_naming_the_field(dpo, parent_key, name, field):
    before = _snapshot()

    with pytest.raises(ValidationFailed) as refused:
        data_category_add(actor=dpo, parent_key=parent_key, name=name, label="Something")

    assert field in refused.value.field_errors
    assert _snapshot() == before


def test_it_refuses_a_category_without_a_label(dpo):
    with pytest.raises(ValidationFailed) as refused:
        data_category_add(actor=dpo, parent_key="contact", name="fax", label="  ")

    assert "label" in refused.value.field_errors
    assert not DataCategory.objects.filter(key="contact.fax").exists()


def test_it_refuses_a_key_that_exists(dpo):
    before = _snapshot()

    with pytest.raises(Conflict) as refused:
        data_category_add(actor=dpo, parent_key="contact", name="email", label="Email again")

    assert "name" in refused.value.field_errors
    assert _snapshot() == before


def test_a_sales_user_may_not_add_a_category(owner):
    before = _snapshot()

    with pytest.raises(PermissionDenied):
        data_category_add(actor=owner, parent_key="contact", name="fax", label="Fax")

    assert _snapshot() == before
    assert not AuditEvent.objects.exists()


# -- An operator edits a category -------------------------------------------------------


def test_a_builtin_special_category_cannot_be_lowered(dpo):
    before = _snapshot()

    with pytest.raises(ValidationFailed) as refused:
        data_category_update(
            actor=dpo, category=_row("special.health"), data={"sensitivity": Sensitivity.PERSONAL}
        )

    assert "sensitivity" in refused.value.field_errors
    assert _snapshot() == before


def test_a_builtin_keeps_the_wording_its_code_gives_it(dpo):
    with pytest.raises(ValidationFailed) as refused:
        data_category_update(actor=dpo, category=_row("contact.email"), data={"label": "Mail"})

    assert "label" in refused.value.field_errors
    assert _row("contact.email").label == BUILTIN_CATEGORIES["contact.email"].label


def test_a_builtin_can_be_raised_and_lowered_back_to_its_builtin_sensitivity(dpo):
    data_category_update(
        actor=dpo, category=_row("identity.national_id"), data={"sensitivity": Sensitivity.SPECIAL}
    )
    assert _row("identity.national_id").sensitivity == Sensitivity.SPECIAL

    data_category_update(
        actor=dpo,
        category=_row("identity.national_id"),
        data={"sensitivity": Sensitivity.PERSONAL},
    )

    assert _row("identity.national_id").sensitivity == Sensitivity.PERSONAL
    assert AuditEvent.objects.filter(action="data_category.updated").count() == 2


def test_raising_a_category_raises_every_category_inside_it_each_audited(dpo):
    mid = data_category_add(actor=dpo, parent_key="professional", name="union", label="Union")
    leaf = data_category_add(actor=dpo, parent_key=mid.key, name="role", label="Role in it")

    data_category_update(
        actor=dpo, category=_row("professional"), data={"sensitivity": Sensitivity.SPECIAL}
    )

    inside = DataCategory.objects.filter(key__startswith="professional")
    assert {mid.key, leaf.key, "professional.job_title"} < {row.key for row in inside}
    assert {row.sensitivity for row in inside} == {Sensitivity.SPECIAL}
    audited = set(
        AuditEvent.objects.filter(action="data_category.updated").values_list(
            "object_id", flat=True
        )
    )
    assert audited == {str(row.pk) for row in inside}


def test_raising_is_refused_when_a_category_inside_is_in_the_other_regime(dpo):
    data_category_add(
        actor=dpo,
        parent_key="commercial",
        name="fraud",
        label="Fraud record",
        sensitivity=Sensitivity.CRIMINAL,
    )
    before = _snapshot()

    with pytest.raises(ValidationFailed) as refused:
        data_category_update(
            actor=dpo, category=_row("commercial"), data={"sensitivity": Sensitivity.SPECIAL}
        )

    assert "commercial.fraud" in refused.value.field_errors["sensitivity"][0]
    assert _snapshot() == before


def test_a_category_cannot_go_below_the_one_it_is_inside(dpo):
    mid = data_category_add(actor=dpo, parent_key="professional", name="union", label="Union")
    data_category_update(
        actor=dpo, category=_row("professional"), data={"sensitivity": Sensitivity.SPECIAL}
    )

    with pytest.raises(ValidationFailed):
        data_category_update(
            actor=dpo, category=_row(mid.key), data={"sensitivity": Sensitivity.PERSONAL}
        )

    assert _row(mid.key).sensitivity == Sensitivity.SPECIAL


def test_childrens_data_cannot_stop_concerning_children(dpo):
    with pytest.raises(ValidationFailed) as refused:
        data_category_update(
            actor=dpo, category=_row("children"), data={"concerns_children": False}
        )

    assert "concerns_children" in refused.value.field_errors
    assert _row("children").concerns_children is True


def test_an_operators_category_can_be_reworded(dpo):
    category = data_category_add(actor=dpo, parent_key="contact", name="fax", label="Fax")

    data_category_update(
        actor=dpo, category=category, data={"label": "Fax number", "description": "Rare."}
    )

    assert (_row("contact.fax").label, _row("contact.fax").description) == ("Fax number", "Rare.")


def test_a_manager_may_not_change_a_category(manager):
    before = _snapshot()

    with pytest.raises(PermissionDenied):
        data_category_update(
            actor=manager, category=_row("contact"), data={"sensitivity": Sensitivity.SPECIAL}
        )

    assert _snapshot() == before


def test_it_refuses_a_field_that_cannot_be_set(dpo):
    with pytest.raises(ValidationFailed) as refused:
        data_category_update(actor=dpo, category=_row("contact"), data={"builtin": False})

    assert "builtin" in refused.value.field_errors
    assert _row("contact").builtin is True


def test_the_constant_is_the_module_the_check_reads():
    # The system check and the sync read one constant: no second list to drift.
    assert taxonomy.BUILTIN_CATEGORIES is BUILTIN_CATEGORIES
