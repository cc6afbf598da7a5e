import datetime

import pytest
from django.utils import timezone

from steward.audit.models import AuditEvent
from steward.consent.models import (
    Channel,
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    EventKind,
    Method,
    NoticeVersion,
    text_hash,
)
from steward.consent.services import (
    add_months,
    consent_events_import,
    consent_give,
    consent_withdraw,
    notice_version_draft,
    notice_version_publish,
    notice_version_renewal_count,
    notice_version_update,
)
from steward.consent.tests.factories import SETUP, notice, published_version, purpose
from steward.contacts.tests.factories import ContactFactory
from steward.core import chain
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.processing.models import Art9Condition, LawfulBasis
from steward.staff.roles import PERMISSIONS, Role

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def newsletter():
    return purpose("newsletter-test", months=24)


@pytest.fixture
def version(newsletter):
    return published_version({newsletter: "Send me the monthly newsletter."})


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team)


def give(owner, contact, purpose, version, **kwargs):
    kwargs.setdefault("method", Method.PHONE)
    kwargs.setdefault("channel", Channel.PHONE)
    return consent_give(
        actor=owner, contact=contact, purpose=purpose, notice_version=version, **kwargs
    )


def withdraw(owner, contact, purpose, **kwargs):
    kwargs.setdefault("method", Method.PHONE)
    kwargs.setdefault("channel", Channel.PHONE)
    return consent_withdraw(actor=owner, contact=contact, purpose=purpose, **kwargs)


def written():
    return (ConsentEvent.objects.count(), ConsentState.objects.count(), AuditEvent.objects.count())


def test_giving_consent_appends_a_chained_event_with_the_statement_hash(
    owner, contact, newsletter, version
):
    event = give(owner, contact, newsletter, version, evidence={"call_id": "C-17"})

    assert (event.kind, event.seq) == (EventKind.GIVEN, 1)
    assert event.text_hash == text_hash("Send me the monthly newsletter.")
    assert event.expires_at == add_months(event.occurred_at, 24)
    assert chain.verify(ConsentEvent).ok
    state = ConsentState.objects.get(contact=contact, purpose=newsletter)
    assert (state.status, state.notice_version, state.last_event_id) == (
        ConsentStatus.GIVEN,
        version,
        event.pk,
    )
    assert state.expires_at == event.expires_at
    audit = AuditEvent.objects.get(action="consent.given")
    assert audit.object_id == str(event.pk)
    assert audit.actor_label == owner.email


def test_a_purpose_can_be_named_by_its_key(owner, contact, newsletter, version):
    event = give(owner, contact, "newsletter-test", version)

    assert event.purpose == newsletter


def test_giving_the_same_consent_twice_is_refused_and_writes_nothing(
    owner, contact, newsletter, version
):
    give(owner, contact, newsletter, version)
    before = written()

    with pytest.raises(Conflict, match="already given"):
        give(owner, contact, newsletter, version)

    assert written() == before


def test_giving_consent_under_a_newer_version_renews_it(owner, contact, newsletter, version):
    give(owner, contact, newsletter, version)
    newer = published_version({newsletter: "Send me the newsletter, now weekly."})

    event = give(owner, contact, newsletter, newer)

    assert event.kind == EventKind.RENEWED
    state = ConsentState.objects.get(contact=contact, purpose=newsletter)
    assert (state.notice_version, state.needs_renewal) == (newer, False)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"purpose": "no-such-purpose"}, "Unknown purpose 'no-such-purpose'"),
        ({"method": "carrier-pigeon"}, "not one of"),
        ({"channel": "telepathy"}, "not one of"),
        ({"occurred_at": "future"}, "in the future"),
        ({"occurred_at": "naive"}, "time zone"),
        ({"evidence": ["not", "an", "object"]}, "JSON object"),
        ({"evidence": {"blob": "x" * 5000}}, "limited to"),
        ({"notice_version": None}, "Name the notice version"),
        ({"parental": True}, "holder of parental responsibility"),
        ({"method": Method.SYSTEM}, "expiry job"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    owner, contact, newsletter, version, change, message
):
    kwargs = {"purpose": newsletter, "version": version}
    if "purpose" in change:
        kwargs["purpose"] = change.pop("purpose")
    if "notice_version" in change:
        kwargs["version"] = change.pop("notice_version")
    if change.get("occurred_at") == "future":
        change["occurred_at"] = timezone.now() + datetime.timedelta(minutes=5)
    elif change.get("occurred_at") == "naive":
        change["occurred_at"] = datetime.datetime(2025, 1, 1, 12, 0)
    before = written()

    with pytest.raises(ValidationFailed, match=message):
        give(owner, contact, kwargs["purpose"], kwargs["version"], **change)

    assert written() == before


def test_consent_for_a_purpose_on_another_basis_is_refused(owner, contact):
    customer_care = purpose("customer-care-test", basis=LawfulBasis.CONTRACT)
    version = published_version({customer_care: "We look after your orders."})

    with pytest.raises(ValidationFailed, match="not on consent"):
        give(owner, contact, customer_care, version)

    assert written()[0] == 0


def test_explicit_consent_for_special_category_data_counts_as_consent(owner, contact):
    # Given a purpose on a contract whose health data rests on Art. 9(2)(a)
    dietary = purpose(
        "dietary-needs-test",
        basis=LawfulBasis.CONTRACT,
        art9=Art9Condition.EXPLICIT_CONSENT,
        data_categories=["health"],
    )
    version = published_version({dietary: "You may keep my dietary needs for the event."})

    event = give(owner, contact, dietary, version)

    assert event.kind == EventKind.GIVEN


def test_a_draft_version_cannot_be_consented_to(owner, contact, newsletter):
    draft = notice_version_draft(
        actor=SETUP, notice=notice(), text="Draft.", statements={newsletter: "Maybe."}
    )

    with pytest.raises(ValidationFailed, match="is a draft"):
        give(owner, contact, newsletter, draft)

    assert written()[0] == 0


def test_a_version_that_does_not_cover_the_purpose_is_refused(owner, contact, newsletter):
    other = purpose("events-test")
    version = published_version({other: "Invite me to events."})

    with pytest.raises(ValidationFailed, match="says nothing about"):
        give(owner, contact, newsletter, version)

    assert written()[0] == 0


def test_a_backdated_event_is_refused(owner, contact, newsletter, version):
    give(owner, contact, newsletter, version)
    before = written()

    with pytest.raises(ValidationFailed, match="cannot be dated before"):
        withdraw(owner, contact, newsletter, occurred_at=timezone.now() - DAY)

    assert written() == before


def test_withdrawing_a_consent_never_given_is_refused(owner, contact, newsletter, version):
    with pytest.raises(Conflict, match="nothing to withdraw"):
        withdraw(owner, contact, newsletter)

    assert written()[0] == 0


def test_withdrawing_twice_is_refused_the_second_time(owner, contact, newsletter, version):
    give(owner, contact, newsletter, version)
    event = withdraw(owner, contact, newsletter)
    before = written()

    with pytest.raises(Conflict, match="already withdrawn"):
        withdraw(owner, contact, newsletter)

    assert written() == before
    assert event.kind == EventKind.WITHDRAWN
    assert event.text_hash == text_hash("Send me the monthly newsletter.")
    state = ConsentState.objects.get(contact=contact, purpose=newsletter)
    assert (state.status, state.expires_at) == (ConsentStatus.WITHDRAWN, None)


def test_consent_given_again_after_withdrawal_is_given_not_renewed(
    owner, contact, newsletter, version
):
    give(owner, contact, newsletter, version)
    withdraw(owner, contact, newsletter)

    assert give(owner, contact, newsletter, version).kind == EventKind.GIVEN


def test_a_read_only_user_may_not_record_consent(reader, contact, newsletter, version):
    with pytest.raises(PermissionDenied):
        give(reader, contact, newsletter, version)

    assert written()[0] == 0


def test_a_parental_consent_names_who_gave_it_and_is_projected(owner, contact, newsletter, version):
    event = give(
        owner, contact, newsletter, version, method=Method.PARENTAL, given_by="Maria Example"
    )

    assert (event.parental, event.given_by) == (True, "Maria Example")
    assert ConsentState.objects.get(contact=contact).parental is True


# -- Notices ---------------------------------------------------------------------------------


def test_publishing_a_changed_statement_marks_the_consents_given_under_older_versions(
    owner, newsletter, version
):
    # Given two people who consented under v1, one of whom withdrew, and a second purpose
    # whose statement stays the same
    events = purpose("events-test")
    both = published_version({newsletter: "Monthly newsletter.", events: "Event invitations."})
    stays, leaves = ContactFactory(), ContactFactory()
    give(owner, stays, newsletter, both)
    give(owner, stays, events, both)
    give(owner, leaves, newsletter, both)
    withdraw(owner, leaves, newsletter)
    draft = notice_version_draft(
        actor=SETUP,
        notice=both.notice,
        text="v3",
        statements={newsletter: "Weekly newsletter.", events: "Event invitations."},
    )
    assert notice_version_renewal_count(draft) == 1

    # When the version changing the newsletter's statement is published
    changed = notice_version_publish(actor=SETUP, version=draft)

    # Then only the consent in force for that purpose needs renewal
    assert changed == [newsletter]
    flagged = ConsentState.objects.filter(needs_renewal=True)
    assert [(s.contact, s.purpose) for s in flagged] == [(stays, newsletter)]
    # And giving it again under the new version renews and clears the flag
    event = give(owner, stays, newsletter, draft)
    assert event.kind == EventKind.RENEWED
    assert not ConsentState.objects.filter(needs_renewal=True).exists()


def test_publishing_a_version_that_drops_a_purpose_marks_its_consents(
    owner, contact, newsletter, version
):
    give(owner, contact, newsletter, version)
    other = purpose("events-test")

    published_version({other: "Event invitations only."})

    assert ConsentState.objects.get(contact=contact).needs_renewal is True


def test_a_published_version_never_changes(newsletter, version):
    with pytest.raises(Conflict, match="never changes"):
        notice_version_update(
            actor=SETUP, version=version, text="Sneaky.", statements={newsletter: "Other."}
        )

    version.refresh_from_db()
    assert version.text == "Our notice."
    assert version.purpose_statements.get().statement == "Send me the monthly newsletter."


def test_a_second_draft_of_a_notice_is_refused(newsletter, version):
    notice_version_draft(
        actor=SETUP, notice=version.notice, text="v2", statements={newsletter: "Weekly."}
    )
    versions = NoticeVersion.objects.count()

    with pytest.raises(Conflict, match="is a draft still"):
        notice_version_draft(
            actor=SETUP, notice=version.notice, text="v3", statements={newsletter: "Daily."}
        )

    assert NoticeVersion.objects.count() == versions


def test_only_the_dpo_or_an_administrator_manages_notices(owner, newsletter):
    versions = NoticeVersion.objects.count()

    with pytest.raises(PermissionDenied):
        notice_version_draft(
            actor=owner, notice=notice(), text="v1", statements={newsletter: "Yes."}
        )

    assert NoticeVersion.objects.count() == versions


def test_adding_months_keeps_the_day_or_takes_the_months_last():
    moment = datetime.datetime(2024, 1, 31, 10, 0, tzinfo=datetime.UTC)

    assert add_months(moment, 1) == datetime.datetime(2024, 2, 29, 10, 0, tzinfo=datetime.UTC)
    assert add_months(moment, 24) == datetime.datetime(2026, 1, 31, 10, 0, tzinfo=datetime.UTC)


# -- The bulk path ---------------------------------------------------------------------------


def _imported(contact, purpose, version, kind, at, text_hash_=None):
    return ConsentEvent(
        contact_id=contact.pk,
        purpose=purpose,
        notice_version=version,
        kind=kind,
        text_hash=text_hash_ or version.purpose_statements.get().statement_hash,
        method=Method.IMPORT,
        channel=Channel.IMPORT,
        occurred_at=at,
    )


def test_imported_histories_join_the_chain_with_their_projection(contact, newsletter, version):
    at = timezone.now() - 30 * DAY
    events = [
        _imported(contact, newsletter, version, EventKind.GIVEN, at),
        _imported(contact, newsletter, version, EventKind.WITHDRAWN, at + DAY),
    ]

    assert consent_events_import(actor=SETUP, events=events) == 2

    assert chain.verify(ConsentEvent).ok
    assert ConsentState.objects.get(contact=contact).status == ConsentStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="consent.imported").count() == 2


@pytest.mark.parametrize(
    "problem",
    ["withdrawn first", "unpublished hash", "out of order"],
)
def test_an_import_with_one_bad_event_writes_nothing(contact, newsletter, version, problem):
    at = timezone.now() - 30 * DAY
    given = _imported(contact, newsletter, version, EventKind.GIVEN, at)
    withdrawn = _imported(contact, newsletter, version, EventKind.WITHDRAWN, at + DAY)
    events = {
        "withdrawn first": [withdrawn],
        "unpublished hash": [_imported(contact, newsletter, version, "given", at, "0" * 64)],
        "out of order": [
            given,
            _imported(contact, newsletter, version, EventKind.WITHDRAWN, at - DAY),
        ],
    }[problem]
    before = written()

    with pytest.raises(ValidationFailed):
        consent_events_import(actor=SETUP, events=events)

    assert written() == before


def test_who_records_consent_and_who_keeps_the_notices():
    record = {role for role, perms in PERMISSIONS.items() if "consent.record" in perms}
    manage = {role for role, perms in PERMISSIONS.items() if "consent.manage" in perms}

    assert record == {Role.ADMINISTRATOR, Role.MANAGER, Role.SALES, Role.MARKETING, Role.SUPPORT}
    assert manage == {Role.ADMINISTRATOR, Role.DPO}
