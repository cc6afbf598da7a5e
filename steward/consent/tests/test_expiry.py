import datetime

import pytest

from steward.audit.models import AuditEvent
from steward.consent.models import (
    Channel,
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    EventKind,
    Method,
)
from steward.consent.services import consent_give, consents_expire
from steward.consent.tests.factories import published_version, purpose
from steward.contacts.tests.factories import ContactFactory
from steward.core import chain
from steward.core.scheduling import PERIODIC_JOBS

pytestmark = pytest.mark.django_db

GIVEN_AT = datetime.datetime(2024, 3, 15, 9, 30, tzinfo=datetime.UTC)
EXPIRES_AT = datetime.datetime(2026, 3, 15, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def newsletter():
    return purpose("newsletter-test", months=24)


@pytest.fixture
def version(newsletter):
    return published_version({newsletter: "Monthly newsletter."}, at=GIVEN_AT)


def give(owner, contact, purpose, version, at):
    return consent_give(
        actor=owner,
        contact=contact,
        purpose=purpose,
        notice_version=version,
        method=Method.WEB_FORM,
        channel=Channel.WEB,
        occurred_at=at,
    )


def test_a_consent_expires_after_its_purposes_months_and_not_before(owner, newsletter, version):
    # Given a consent given on 15 March 2024 for a purpose valid 24 months
    contact = ContactFactory()
    given = give(owner, contact, newsletter, version, GIVEN_AT)
    assert given.expires_at == EXPIRES_AT

    # When the job runs a second before and then at the expiry
    before = consents_expire(now=EXPIRES_AT - datetime.timedelta(seconds=1))
    at = consents_expire(now=EXPIRES_AT)

    # Then nothing expired first, then one EXPIRED event dated at the expiry was appended
    assert (before, at) == (0, 1)
    expired = ConsentEvent.objects.get(kind=EventKind.EXPIRED)
    assert (expired.occurred_at, expired.method, expired.actor_label) == (
        EXPIRES_AT,
        Method.SYSTEM,
        "system:consent:expiry",
    )
    assert expired.notice_version == version
    state = ConsentState.objects.get(contact=contact)
    assert (state.status, state.last_event_id) == (ConsentStatus.EXPIRED, expired.pk)
    assert AuditEvent.objects.filter(action="consent.expired", object_id=str(expired.pk)).exists()
    assert chain.verify(ConsentEvent).ok


def test_running_the_job_twice_expires_nothing_more(owner, newsletter, version):
    give(owner, ContactFactory(), newsletter, version, GIVEN_AT)
    later = EXPIRES_AT + datetime.timedelta(days=3)

    assert consents_expire(now=later) == 1
    assert consents_expire(now=later) == 0
    assert ConsentEvent.objects.filter(kind=EventKind.EXPIRED).count() == 1


def test_consent_without_a_validity_never_expires(owner):
    forever = purpose("forever-test", months=None)
    version = published_version({forever: "Keep me informed."}, at=GIVEN_AT)
    event = give(owner, ContactFactory(), forever, version, GIVEN_AT)

    assert event.expires_at is None
    assert consents_expire(now=GIVEN_AT + datetime.timedelta(days=3650)) == 0


def test_consent_given_again_after_expiry_is_a_renewal_with_a_new_expiry(
    owner, newsletter, version
):
    contact = ContactFactory()
    give(owner, contact, newsletter, version, GIVEN_AT)
    consents_expire(now=EXPIRES_AT)

    renewed = give(owner, contact, newsletter, version, EXPIRES_AT + datetime.timedelta(days=1))

    assert renewed.kind == EventKind.RENEWED
    assert renewed.expires_at == datetime.datetime(2028, 3, 16, 9, 30, tzinfo=datetime.UTC)
    assert ConsentState.objects.get(contact=contact).status == ConsentStatus.GIVEN


def test_the_job_expires_many_consents_in_batches(owner, newsletter, version, monkeypatch):
    monkeypatch.setattr("steward.consent.services.EXPIRY_BATCH", 3)
    contacts = ContactFactory.create_batch(7)
    for contact in contacts:
        give(owner, contact, newsletter, version, GIVEN_AT)

    assert consents_expire(now=EXPIRES_AT) == 7
    assert set(ConsentState.objects.values_list("status", flat=True)) == {ConsentStatus.EXPIRED}
    assert chain.verify(ConsentEvent).ok


def test_the_expiry_is_a_periodic_job():
    job = next(j for j in PERIODIC_JOBS if j.name == "consents-expire")

    assert job.resolved_task.name == "consents_expire_task"
