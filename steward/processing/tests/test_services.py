"""The register's services: every write audited with its actor, every bad input refused with
a clear message and nothing written."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from steward.inventory.services import data_category_add
from steward.processing.errors import UnknownPurpose
from steward.processing.models import (
    LawfulBasis,
    Objection,
    ObjectionScope,
    ObjectionStatus,
    Purpose,
    Recipient,
    Restriction,
)
from steward.processing.selectors import purpose_get, purposes_active
from steward.processing.services import (
    objection_decide,
    objection_record,
    purpose_create,
    purpose_update,
    recipient_create,
    recipient_update,
    restriction_lift,
    restriction_start,
)
from steward.processing.tests.factories import (
    SYSTEM,
    make_purpose,
    make_recipient,
    purpose_data,
    recipient_data,
)

pytestmark = pytest.mark.django_db


def _trail(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _refused_create(error_type, field: str | None, **overrides) -> str:
    """Asserts purpose_create refuses these overrides, naming `field`, writing nothing."""
    purposes, events = Purpose.objects.count(), AuditEvent.objects.count()
    with pytest.raises(error_type) as caught:
        purpose_create(actor=SYSTEM, data=purpose_data(**overrides))
    if field is not None:
        assert field in caught.value.field_errors
    assert Purpose.objects.count() == purposes
    assert AuditEvent.objects.count() == events
    return caught.value.message


# -- The seeded register -------------------------------------------------------------------


def test_the_register_is_seeded_with_the_purposes_other_work_names_by_key():
    bases = {p.key: p.lawful_basis for p in purposes_active()}

    # Other apps may seed purposes of their own (the email topics); these keys are fixed.
    seeded = {
        "customer-management": LawfulBasis.CONTRACT,
        "direct-marketing": LawfulBasis.CONSENT,
        "analytics": LawfulBasis.LEGITIMATE_INTERESTS,
        "invoicing": LawfulBasis.LEGAL_OBLIGATION,
        "website-analytics": LawfulBasis.CONSENT,
        "website-advertising": LawfulBasis.CONSENT,
        "website-operation": LawfulBasis.LEGITIMATE_INTERESTS,
    }
    assert bases.items() >= seeded.items()
    marketing = purpose_get("direct-marketing")
    assert marketing.is_direct_marketing and marketing.consent_valid_months == 24
    assert purpose_get("website-advertising").is_direct_marketing
    assert purpose_get("invoicing").retention_rule == (
        "10 years after the end of the fiscal year of the record"
    )


def test_every_seeded_purpose_passes_the_rules_a_new_one_must_pass():
    for purpose in purposes_active():
        data = {f: getattr(purpose, f) for f in purpose_data()} | {"key": f"copy-{purpose.key}"}
        data |= {
            "legitimate_interest_assessment": purpose.legitimate_interest_assessment,
            "consent_valid_months": purpose.consent_valid_months,
            "is_direct_marketing": purpose.is_direct_marketing,
        }

        copy = purpose_create(actor=SYSTEM, data=data)

        assert copy.data_categories == purpose.data_categories


def test_an_unknown_purpose_key_is_a_clear_error():
    with pytest.raises(UnknownPurpose, match="Unknown purpose 'newsletter-v2'"):
        purpose_get("newsletter-v2")


# -- purpose_create ------------------------------------------------------------------------


def test_a_purpose_is_created_with_its_audit_event_naming_the_actor(dpo):
    purpose = purpose_create(actor=dpo, data=purpose_data(data_categories=[" contact.email "]))

    assert purpose.data_categories == ["contact.email"]
    [event] = _trail("purpose.created")
    assert event.actor == dpo
    assert event.object_id == str(purpose.pk)
    assert event.changes["lawful_basis"] == [None, "contract"]


def test_a_purpose_without_a_lawful_basis_is_refused():
    message = _refused_create(ValidationFailed, "lawful_basis", lawful_basis="")

    assert "Art. 6(1)" in message


def test_legitimate_interests_without_an_assessment_are_refused():
    message = _refused_create(
        ValidationFailed,
        "legitimate_interest_assessment",
        lawful_basis="legitimate_interests",
        legitimate_interest_assessment="   ",
    )

    assert "legitimate-interest assessment" in message


def test_legitimate_interests_with_an_assessment_are_accepted():
    purpose = make_purpose(
        lawful_basis="legitimate_interests",
        legitimate_interest_assessment="Interest, necessity and balance written down.",
        lia_assessed_on=datetime.date(2026, 1, 5),
    )

    assert purpose.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS


def test_special_category_data_without_an_art9_condition_is_refused():
    message = _refused_create(
        ValidationFailed, "art9_condition", data_categories=["identity.name", "special.health"]
    )

    assert "special.health is special-category data" in message


def test_the_parent_of_the_special_categories_counts_as_special_too():
    _refused_create(ValidationFailed, "art9_condition", data_categories=["special"])


def test_a_category_that_holds_an_operators_special_category_needs_a_condition():
    # Given an operator's special category inside "commercial"
    data_category_add(
        actor=SYSTEM,
        parent_key="commercial",
        name="dietary_needs",
        label="Dietary needs",
        sensitivity="special",
    )

    # Then a purpose listing "commercial" processes special-category data
    message = _refused_create(ValidationFailed, "art9_condition", data_categories=["commercial"])

    assert "commercial is special-category data" in message


def test_special_category_data_with_an_art9_condition_is_accepted():
    purpose = make_purpose(data_categories=["special.health"], art9_condition="a")

    assert purpose.art9_condition == "a"


def test_unknown_category_keys_are_refused_and_named():
    message = _refused_create(
        ValidationFailed, "data_categories", data_categories=["contact.email", "contact.fax"]
    )

    assert "contact.fax" in message


def test_a_consent_validity_on_a_purpose_not_resting_on_consent_is_refused():
    message = _refused_create(ValidationFailed, "consent_valid_months", consent_valid_months=12)

    assert "Contract" in message


def test_a_consent_validity_on_a_consent_purpose_is_accepted():
    purpose = make_purpose(lawful_basis="consent", consent_valid_months=12)

    assert purpose.consent_valid_months == 12


def test_a_retention_period_needs_the_event_it_runs_from():
    _refused_create(ValidationFailed, "retention_trigger", retention_trigger="")


def test_an_assessment_dated_in_the_future_is_refused():
    _refused_create(
        ValidationFailed,
        "lia_assessed_on",
        lia_assessed_on=timezone.localdate() + datetime.timedelta(days=3),
    )


def test_a_taken_key_is_refused():
    _refused_create(Conflict, "key", key="customer-management")


def test_a_field_the_register_does_not_have_is_refused():
    _refused_create(ValidationFailed, "colour", colour="blue")


def test_a_role_without_processing_manage_cannot_create_a_purpose(manager):
    _refused_create_as = Purpose.objects.count()

    with pytest.raises(PermissionDenied):
        purpose_create(actor=manager, data=purpose_data())

    assert Purpose.objects.count() == _refused_create_as
    assert not _trail("purpose.created")


# -- purpose_update ------------------------------------------------------------------------


def test_updating_a_purpose_audits_old_and_new_values(dpo):
    purpose = make_purpose()

    purpose_update(
        actor=dpo, purpose=purpose, data={"data_categories": ["contact", "identity.name"]}
    )

    purpose.refresh_from_db()
    assert purpose.data_categories == ["contact", "identity.name"]
    [event] = _trail("purpose.updated")
    assert event.actor == dpo
    assert event.changes["data_categories"] == [
        ["identity.name", "contact.email"],
        ["contact", "identity.name"],
    ]


def test_an_update_that_changes_nothing_writes_nothing(dpo):
    purpose = make_purpose()

    purpose_update(actor=dpo, purpose=purpose, data={"name": "Event bookings"})

    assert not _trail("purpose.updated")


def test_switching_to_legitimate_interests_without_an_assessment_changes_nothing(dpo):
    purpose = make_purpose()

    with pytest.raises(ValidationFailed) as caught:
        purpose_update(actor=dpo, purpose=purpose, data={"lawful_basis": "legitimate_interests"})

    assert "legitimate_interest_assessment" in caught.value.field_errors
    purpose.refresh_from_db()
    assert purpose.lawful_basis == LawfulBasis.CONTRACT
    assert not _trail("purpose.updated")


def test_switching_away_from_consent_keeps_the_validity_rule(dpo):
    purpose = make_purpose(lawful_basis="consent", consent_valid_months=24)

    with pytest.raises(ValidationFailed) as caught:
        purpose_update(actor=dpo, purpose=purpose, data={"lawful_basis": "contract"})

    assert "consent_valid_months" in caught.value.field_errors
    purpose.refresh_from_db()
    assert purpose.lawful_basis == LawfulBasis.CONSENT


def test_adding_a_special_category_to_a_purpose_needs_its_condition(dpo):
    purpose = make_purpose()

    with pytest.raises(ValidationFailed):
        purpose_update(
            actor=dpo,
            purpose=purpose,
            data={"data_categories": ["contact.email", "special.religious_beliefs"]},
        )

    purpose.refresh_from_db()
    assert purpose.data_categories == ["identity.name", "contact.email"]


def test_a_purposes_key_cannot_change(dpo):
    purpose = make_purpose()

    with pytest.raises(ValidationFailed) as caught:
        purpose_update(actor=dpo, purpose=purpose, data={"key": "workshops"})

    assert "key" in caught.value.field_errors
    assert Purpose.objects.filter(key="event-bookings").exists()


def test_a_manager_cannot_update_a_purpose(manager):
    purpose = purpose_get("analytics")

    with pytest.raises(PermissionDenied):
        purpose_update(actor=manager, purpose=purpose, data={"active": False})

    purpose.refresh_from_db()
    assert purpose.active


# -- Recipients ----------------------------------------------------------------------------


def _refused_recipient(field: str, **overrides) -> str:
    recipients, events = Recipient.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        recipient_create(actor=SYSTEM, data=recipient_data(**overrides))
    assert field in caught.value.field_errors
    assert Recipient.objects.count() == recipients
    assert AuditEvent.objects.count() == events
    return caught.value.message


def test_a_recipient_is_registered_with_its_purposes_and_audited(dpo):
    recipient = recipient_create(
        actor=dpo, data=recipient_data(purposes=["direct-marketing", purpose_get("analytics")])
    )

    assert sorted(p.key for p in recipient.purposes.all()) == ["analytics", "direct-marketing"]
    [event] = _trail("recipient.created")
    assert event.actor == dpo
    assert len(event.changes["purposes"][1]) == 2


def test_a_recipient_outside_the_eea_without_a_safeguard_is_refused():
    message = _refused_recipient("transfer_safeguard", countries=["DE", "US"])

    assert "US is outside the EEA" in message


def test_a_recipient_outside_the_eea_with_standard_clauses_is_accepted():
    recipient = make_recipient(countries=["us"], transfer_safeguard="scc")

    assert [c.code for c in recipient.countries] == ["US"]


def test_a_transfer_on_a_derogation_must_be_documented():
    _refused_recipient("transfer_documentation", countries=["BR"], transfer_safeguard="derogation")


def test_a_recipient_with_an_unknown_category_is_refused():
    _refused_recipient("data_categories", data_categories=["contact.pager"])


def test_a_recipient_in_an_unknown_country_is_refused():
    _refused_recipient("countries", countries=["XX"])


def test_a_recipient_for_an_unknown_purpose_is_refused():
    message = _refused_recipient("purposes", purposes=["newsletter-v2"])

    assert "Unknown purpose 'newsletter-v2'" in message


def test_a_joint_controller_without_contact_details_is_refused():
    message = _refused_recipient("contact_details", kind="joint_controller")

    assert "Art. 30(1)(a)" in message


def test_a_recipient_without_a_kind_is_refused():
    _refused_recipient("kind", kind="friend")


def test_an_agreement_that_is_not_a_document_is_refused():
    _refused_recipient(
        "dpa_document", dpa_document=SimpleUploadedFile("dpa.html", b"<script></script>")
    )


def test_updating_a_recipient_audits_the_change_and_keeps_the_rules(dpo):
    recipient = make_recipient()

    recipient_update(actor=dpo, recipient=recipient, data={"purposes": ["direct-marketing"]})
    with pytest.raises(ValidationFailed):
        recipient_update(actor=dpo, recipient=recipient, data={"countries": ["IN"]})

    recipient.refresh_from_db()
    assert [p.key for p in recipient.purposes.all()] == ["direct-marketing"]
    assert [c.code for c in recipient.countries] == ["DE"]
    [event] = _trail("recipient.updated")
    assert event.actor == dpo


def test_a_manager_cannot_register_a_recipient(manager):
    with pytest.raises(PermissionDenied):
        recipient_create(actor=manager, data=recipient_data())

    assert not Recipient.objects.exists()


# -- Restriction (Art. 18) -----------------------------------------------------------------


@pytest.fixture
def person(owner):
    return ContactFactory(owner=owner, team=owner.team, email="nina.person@example.org")


def test_a_restriction_starts_and_is_audited(dpo, person):
    restriction = restriction_start(actor=dpo, contact=person, reason="Accuracy contested")

    assert restriction.lifted_at is None
    assert restriction.recorded_by == dpo
    [event] = _trail("restriction.started")
    assert event.actor == dpo


def test_a_second_restriction_while_one_is_active_is_refused(dpo, person):
    restriction_start(actor=dpo, contact=person, reason="Accuracy contested")

    with pytest.raises(Conflict, match="restricted already"):
        restriction_start(actor=dpo, contact=person, reason="Again")

    assert Restriction.objects.count() == 1
    assert len(_trail("restriction.started")) == 1


def test_a_restriction_needs_a_reason(dpo, person):
    with pytest.raises(ValidationFailed) as caught:
        restriction_start(actor=dpo, contact=person, reason="  ")

    assert "reason" in caught.value.field_errors
    assert not Restriction.objects.exists()


def test_a_salesperson_cannot_start_a_restriction(owner, person):
    with pytest.raises(PermissionDenied):
        restriction_start(actor=owner, contact=person, reason="Asked on the phone")

    assert not Restriction.objects.exists()


def test_lifting_a_restriction_ends_it_and_is_audited(dpo, person):
    restriction = restriction_start(actor=dpo, contact=person, reason="Accuracy contested")

    lifted = restriction_lift(actor=dpo, restriction=restriction, reason="Address checked")

    assert lifted.lifted_at is not None
    [event] = _trail("restriction.lifted")
    assert event.context["reason"] == "Address checked"


def test_lifting_a_lifted_restriction_is_an_error_and_changes_nothing(dpo, person):
    restriction = restriction_start(actor=dpo, contact=person, reason="Accuracy contested")
    lifted_at = restriction_lift(actor=dpo, restriction=restriction).lifted_at

    with pytest.raises(Conflict, match="lifted already"):
        restriction_lift(actor=dpo, restriction=restriction)

    restriction.refresh_from_db()
    assert restriction.lifted_at == lifted_at
    assert len(_trail("restriction.lifted")) == 1


# -- Objection (Art. 21) -------------------------------------------------------------------


def test_an_objection_to_direct_marketing_is_upheld_at_once(owner, person):
    objection = objection_record(
        actor=owner, contact=person, scope=ObjectionScope.DIRECT_MARKETING, grounds="No mail"
    )

    assert objection.status == ObjectionStatus.UPHELD
    assert objection.decided_at is not None
    assert "Art. 21(3)" in objection.decision_reason
    [event] = _trail("objection.recorded")
    assert event.actor == owner


def test_a_second_objection_to_direct_marketing_is_refused(owner, person):
    objection_record(actor=owner, contact=person, scope=ObjectionScope.DIRECT_MARKETING)

    with pytest.raises(Conflict, match="on record already"):
        objection_record(actor=owner, contact=person, scope=ObjectionScope.DIRECT_MARKETING)

    assert Objection.objects.count() == 1


def test_an_objection_to_direct_marketing_cannot_name_another_purpose(owner, person):
    with pytest.raises(ValidationFailed) as caught:
        objection_record(
            actor=owner,
            contact=person,
            scope=ObjectionScope.DIRECT_MARKETING,
            purpose="invoicing",
        )

    assert "purpose" in caught.value.field_errors
    assert not Objection.objects.exists()


def test_an_objection_to_legitimate_interests_awaits_a_decision(owner, person):
    objection = objection_record(
        actor=owner,
        contact=person,
        scope=ObjectionScope.LEGITIMATE_INTERESTS,
        purpose="analytics",
        grounds="I do not want to be counted",
    )

    assert objection.status == ObjectionStatus.RECEIVED
    assert objection.purpose.key == "analytics"


def test_an_objection_under_art21_1_to_a_consent_purpose_is_refused(owner, person):
    with pytest.raises(ValidationFailed, match="withdraw the consent instead"):
        objection_record(
            actor=owner,
            contact=person,
            scope=ObjectionScope.LEGITIMATE_INTERESTS,
            purpose="direct-marketing",
        )

    assert not Objection.objects.exists()


def test_an_objection_for_an_unknown_purpose_is_refused(owner, person):
    with pytest.raises(UnknownPurpose):
        objection_record(
            actor=owner, contact=person, scope=ObjectionScope.LEGITIMATE_INTERESTS, purpose="x"
        )

    assert not Objection.objects.exists()


def test_an_objection_with_an_unknown_scope_is_refused(owner, person):
    with pytest.raises(ValidationFailed):
        objection_record(actor=owner, contact=person, scope="everything")

    assert not Objection.objects.exists()


def test_an_objection_for_someone_outside_ones_scope_is_refused(outsider, person):
    with pytest.raises(NotFound):
        objection_record(actor=outsider, contact=person, scope=ObjectionScope.DIRECT_MARKETING)

    assert not Objection.objects.exists()


def test_a_reader_cannot_record_an_objection(reader, person):
    with pytest.raises(PermissionDenied):
        objection_record(actor=reader, contact=person, scope=ObjectionScope.DIRECT_MARKETING)

    assert not Objection.objects.exists()


def test_the_dpo_upholds_an_objection_with_a_reason(owner, dpo, person):
    objection = objection_record(
        actor=owner, contact=person, scope=ObjectionScope.LEGITIMATE_INTERESTS
    )

    decided = objection_decide(actor=dpo, objection=objection, upheld=True, reason="Agreed")

    assert decided.status == ObjectionStatus.UPHELD
    [event] = _trail("objection.decided")
    assert event.actor == dpo
    assert event.changes["status"] == ["received", "upheld"]


def test_a_rejection_without_its_grounds_is_refused(owner, dpo, person):
    objection = objection_record(
        actor=owner, contact=person, scope=ObjectionScope.LEGITIMATE_INTERESTS
    )

    with pytest.raises(ValidationFailed, match="compelling legitimate grounds"):
        objection_decide(actor=dpo, objection=objection, upheld=False, reason="")

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.RECEIVED


def test_a_decided_objection_cannot_be_decided_again(owner, dpo, person):
    objection = objection_record(actor=owner, contact=person, scope=ObjectionScope.DIRECT_MARKETING)

    with pytest.raises(Conflict, match="decided already"):
        objection_decide(actor=dpo, objection=objection, upheld=False, reason="We want to")

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert not _trail("objection.decided")


def test_a_salesperson_cannot_decide_an_objection(owner, person):
    objection = objection_record(
        actor=owner, contact=person, scope=ObjectionScope.LEGITIMATE_INTERESTS
    )

    with pytest.raises(PermissionDenied):
        objection_decide(actor=owner, objection=objection, upheld=False, reason="Overruled")

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.RECEIVED
