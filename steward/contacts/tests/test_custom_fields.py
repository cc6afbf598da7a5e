import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.contacts import services
from steward.contacts.models import Contact, CustomFieldDefinition
from steward.contacts.services import (
    custom_field_create,
    custom_field_delete,
    custom_field_update,
)
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(team):
    return UserFactory(
        email="mia.manager@example.com", full_name="Mia Manager", role=Role.MANAGER, team=team
    )


@pytest.fixture
def tier(admin):
    return custom_field_create(
        actor=admin,
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["Gold", "Silver"],
        category="commercial.profile",
    )


def _contact_with(**custom) -> Contact:
    return ContactFactory(custom=custom)


def _fresh(definition: CustomFieldDefinition) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.get(pk=definition.pk)


# -- Services ---------------------------------------------------------------------------


def test_a_new_field_goes_after_the_existing_ones_and_is_audited(admin, tier):
    size = custom_field_create(
        actor=admin, key="shoe_size", label="Shoe size", field_type="number", category="identity"
    )

    assert _fresh(size).position > _fresh(tier).position
    event = AuditEvent.objects.get(action="custom_field.created", object_id=str(size.pk))
    assert event.changes["category"] == [None, "identity"]


def test_it_refuses_an_unknown_category_a_choice_field_without_choices_and_a_taken_key(admin, tier):
    with pytest.raises(ValidationFailed) as unknown:
        custom_field_create(actor=admin, key="x", label="X", field_type="text", category="made.up")
    with pytest.raises(ValidationFailed) as no_choices:
        custom_field_create(
            actor=admin, key="y", label="Y", field_type="choice", category="identity"
        )
    with pytest.raises(Conflict) as taken:
        custom_field_create(
            actor=admin, key="tier", label="Tier 2", field_type="text", category="identity"
        )

    assert "category" in unknown.value.field_errors
    assert "choices" in no_choices.value.field_errors
    assert "key" in taken.value.field_errors
    assert list(CustomFieldDefinition.objects.values_list("key", flat=True)) == ["tier"]


@pytest.mark.parametrize("who", ["manager", "owner", "reader"])
def test_only_administrators_change_custom_fields_and_nothing_changes_otherwise(request, who, tier):
    actor = request.getfixturevalue(who)
    holder = _contact_with(tier="Gold")

    with pytest.raises(PermissionDenied):
        custom_field_create(
            actor=actor, key="vip", label="VIP", field_type="boolean", category="identity"
        )
    with pytest.raises(PermissionDenied):
        custom_field_update(actor=actor, definition=tier, data={"label": "Level"})
    with pytest.raises(PermissionDenied):
        custom_field_delete(actor=actor, definition=tier)

    assert _fresh(tier).label == "Tier"
    assert list(CustomFieldDefinition.objects.values_list("key", flat=True)) == ["tier"]
    assert Contact.objects.get(pk=holder.pk).custom == {"tier": "Gold"}


def test_label_position_and_choices_change_and_the_key_stays(admin, tier):
    custom_field_update(
        actor=admin,
        definition=tier,
        data={"label": "Customer tier", "position": 7, "choices": ["Gold", "Silver", "Bronze"]},
    )

    tier = _fresh(tier)
    assert (tier.key, tier.label, tier.position) == ("tier", "Customer tier", 7)
    assert tier.choices == ["Gold", "Silver", "Bronze"]
    event = AuditEvent.objects.get(action="custom_field.updated")
    assert event.changes["label"] == ["Tier", "Customer tier"]


def test_the_key_and_type_cannot_be_changed(admin, tier):
    with pytest.raises(ValidationFailed) as refusal:
        custom_field_update(
            actor=admin, definition=tier, data={"key": "level", "field_type": "text"}
        )

    assert set(refusal.value.field_errors) == {"key", "field_type"}
    assert (_fresh(tier).key, _fresh(tier).field_type) == ("tier", "choice")


def test_a_choice_that_contacts_hold_cannot_be_removed(admin, tier):
    _contact_with(tier="Gold")
    _contact_with(tier="Gold")

    with pytest.raises(ValidationFailed) as refusal:
        custom_field_update(actor=admin, definition=tier, data={"choices": ["Silver"]})

    assert "“Gold” (2 contacts)" in refusal.value.message
    assert _fresh(tier).choices == ["Gold", "Silver"]


def test_deleting_a_field_removes_its_values_from_every_contact_and_audits_each(
    admin, tier, monkeypatch
):
    # Small batches, so that the test crosses batch boundaries.
    monkeypatch.setattr(services, "CUSTOM_VALUE_BATCH", 2)
    other = custom_field_create(
        actor=admin, key="vip", label="VIP", field_type="boolean", category="commercial.profile"
    )
    holders = [_contact_with(tier="Gold", vip=True) for _ in range(5)]
    bystander = _contact_with(vip=False)

    removed = custom_field_delete(actor=admin, definition=tier)

    assert removed == 5
    assert not CustomFieldDefinition.objects.filter(key="tier").exists()
    assert CustomFieldDefinition.objects.filter(pk=other.pk).exists()
    for contact in holders:
        assert Contact.objects.get(pk=contact.pk).custom == {"vip": True}
    assert Contact.objects.get(pk=bystander.pk).custom == {"vip": False}
    events = AuditEvent.objects.filter(action="contact.custom_value_removed")
    assert sorted(e.object_id for e in events) == sorted(str(c.pk) for c in holders)
    assert all(e.context["custom_field"] == "tier" for e in events)
    assert all("Gold" not in str(e.changes) for e in events)
    deleted = AuditEvent.objects.get(action="custom_field.deleted")
    assert deleted.changes["key"] == ["tier", None]


# -- Pages ------------------------------------------------------------------------------


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def test_the_list_shows_each_field_with_its_type_and_data_category(as_admin, tier):
    html = as_admin.get(reverse("staff:custom_field_list")).content.decode()

    assert "Tier" in html and "<code>tier</code>" in html
    assert "Sales profile (stage, source, tags)" in html
    assert "Gold, Silver" in html


def test_the_key_is_made_from_the_label_when_left_empty(as_admin):
    response = as_admin.post(
        reverse("staff:custom_field_create"),
        {"label": "Shoe size (EU)", "key": "", "field_type": "number", "category": "identity"},
    )

    assert response.status_code == 302
    assert CustomFieldDefinition.objects.get(label="Shoe size (EU)").key == "shoe_size_eu"


def test_a_bad_key_is_refused_on_the_form(as_admin):
    response = as_admin.post(
        reverse("staff:custom_field_create"),
        {
            "label": "Size",
            "key": "Shoe Size!",
            "field_type": "text",
            "category": "commercial.profile",
        },
    )

    assert "lower-case letters" in response.content.decode()
    assert not CustomFieldDefinition.objects.exists()


def test_without_a_category_the_form_suggests_one_from_the_label_and_creates_nothing(as_admin):
    response = as_admin.post(
        reverse("staff:custom_field_create"),
        {"label": "Health notes", "field_type": "text", "category": ""},
    )

    html = response.content.decode()
    assert "Suggested from the label" in html
    assert '<option value="special.health" selected>' in html
    assert not CustomFieldDefinition.objects.exists()


def test_sample_values_suggest_a_category_when_the_label_says_nothing(as_admin):
    response = as_admin.post(
        reverse("staff:custom_field_create"),
        {
            "label": "Second line",
            "field_type": "text",
            "samples": "DE89 3704 0044 0532 0130 00\nFR14 2004 1010 0505 0001 3M02 606",
            "suggest": "1",
        },
    )

    assert '<option value="financial.iban" selected>' in response.content.decode()
    assert not CustomFieldDefinition.objects.exists()


def test_a_label_no_rule_knows_is_suggested_from_labelled_columns_like_it(as_admin):
    response = as_admin.post(
        reverse("staff:custom_field_create"),
        {"label": "Schuhgröße", "field_type": "text", "category": ""},
    )

    html = response.content.decode()
    assert "Suggested from labelled columns like this one" in html
    assert '<option value="demographic" selected>' in html
    assert not CustomFieldDefinition.objects.exists()


def test_when_nothing_suggests_a_category_the_person_is_asked_to_choose(as_admin):
    response = as_admin.post(
        reverse("staff:custom_field_create"),
        {"label": "Zzqx", "field_type": "text", "category": ""},
    )

    assert "choose one" in response.content.decode()
    assert not CustomFieldDefinition.objects.exists()


def test_a_confirmed_suggestion_creates_the_field_with_that_category(as_admin):
    as_admin.post(
        reverse("staff:custom_field_create"),
        {"label": "Health notes", "field_type": "text", "category": "special.health"},
    )

    assert CustomFieldDefinition.objects.get().category == "special.health"


def test_the_form_offers_categories_grouped_without_the_placeholder_ones(as_admin):
    html = as_admin.get(reverse("staff:custom_field_create")).content.decode()

    assert '<optgroup label="Contact details">' in html
    assert 'value="contact.phone"' in html
    assert 'value="custom"' not in html and 'value="audit"' not in html


def test_the_edit_page_saves_label_position_and_choices(as_admin, tier):
    as_admin.post(
        reverse("staff:custom_field_edit", args=[tier.pk]),
        {"label": "Level", "position": "3", "choices": "Gold\nSilver\n\nPlatinum\n"},
    )

    tier = _fresh(tier)
    assert (tier.label, tier.position, tier.choices) == ("Level", 3, ["Gold", "Silver", "Platinum"])


def test_deleting_a_field_with_values_says_how_many_and_needs_confirmation(as_admin, tier):
    for _ in range(3):
        _contact_with(tier="Silver")
    url = reverse("staff:custom_field_delete", args=[tier.pk])

    page = as_admin.get(url).content.decode()
    unconfirmed = as_admin.post(url, {})

    assert "3 contacts have a value" in page
    assert unconfirmed.status_code == 200
    assert "Tick the box" in unconfirmed.content.decode()
    assert CustomFieldDefinition.objects.filter(pk=tier.pk).exists()
    assert Contact.objects.filter(custom__has_key="tier").count() == 3

    confirmed = as_admin.post(url, {"confirm": "on"}, follow=True)

    assert "with the values of 3 contacts" in confirmed.content.decode()
    assert not CustomFieldDefinition.objects.filter(pk=tier.pk).exists()
    assert Contact.objects.filter(custom__has_key="tier").count() == 0


def test_a_field_without_values_is_deleted_without_a_checkbox(as_admin, tier):
    response = as_admin.post(reverse("staff:custom_field_delete", args=[tier.pk]))

    assert response.status_code == 302
    assert not CustomFieldDefinition.objects.exists()


def test_a_manager_cannot_delete_a_custom_field_through_the_page(client, manager, tier):
    _contact_with(tier="Gold")
    client.force_login(manager)

    response = client.post(reverse("staff:custom_field_delete", args=[tier.pk]), {"confirm": "on"})

    assert response.status_code == 403
    assert CustomFieldDefinition.objects.filter(pk=tier.pk).exists()
    assert Contact.objects.filter(custom__has_key="tier").count() == 1
