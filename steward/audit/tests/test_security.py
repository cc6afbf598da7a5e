"""Unusual access: a user reading or exporting far more personal data in an hour than is
normal for them raises one security event, shown to the administrators and the DPO."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent, SecurityEvent
from steward.audit.reads import EXPORT_ACTION, audit_read
from steward.audit.security import unusual_access_scan
from steward.core.actor import SystemActor
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 40, tzinfo=UTC)
WORKER = SystemActor("worker")


def read_at(user, moment: datetime, count: int) -> None:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        audit_read(actor=user, what="api.list", object_type="contacts.contact", count=count)


def history(user, *, per_hour: int, days: int = 5) -> None:
    """A working week of ordinary reads: eight hours a day, `per_hour` records each."""
    for day in range(1, days + 1):
        for hour in range(9, 17):
            moment = (NOW - timedelta(days=day)).replace(hour=hour, minute=10)
            read_at(user, moment, per_hour)


def test_reading_far_more_than_usual_raises_one_security_event(owner):
    history(owner, per_hour=200)
    read_at(owner, NOW - timedelta(minutes=20), 1500)
    read_at(owner, NOW - timedelta(minutes=5), 1500)

    [event] = unusual_access_scan(actor=WORKER, now=NOW)

    assert (event.actor_id, event.actor_label) == (owner.pk, owner.email)
    assert event.records == 3000
    assert event.baseline == 200
    assert event.threshold == 1000  # the floor: five times 200 is less
    assert event.window_start == NOW.replace(minute=0)
    assert AuditEvent.objects.filter(action="security_event.raised").count() == 1


def test_scanning_again_raises_nothing_new(owner):
    read_at(owner, NOW - timedelta(minutes=5), 5000)
    unusual_access_scan(actor=WORKER, now=NOW)

    again = unusual_access_scan(actor=WORKER, now=NOW + timedelta(minutes=15))

    assert again == []
    assert SecurityEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="security_event.raised").count() == 1


def test_a_busy_user_is_judged_against_their_own_normal(owner, colleague):
    # Given someone who reads 1,000 records an hour every working day
    history(owner, per_hour=1000)
    read_at(owner, NOW - timedelta(minutes=5), 3000)
    # and a colleague with no history reading the same amount
    read_at(colleague, NOW - timedelta(minutes=5), 3000)

    raised = unusual_access_scan(actor=WORKER, now=NOW)

    # Then only the colleague's hour is unusual (the owner's threshold is 5,000)
    assert [event.actor_label for event in raised] == [colleague.email]


def test_an_ordinary_hour_below_the_floor_raises_nothing(owner):
    read_at(owner, NOW - timedelta(minutes=5), 900)

    assert unusual_access_scan(actor=WORKER, now=NOW) == []
    assert not SecurityEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="security_event.raised").exists()


def test_exports_count_towards_the_volume(owner):
    with mock.patch("django.utils.timezone.now", return_value=NOW - timedelta(minutes=3)):
        from steward.audit.events import audit_record

        audit_record(
            actor=owner,
            action=EXPORT_ACTION,
            object_type="contacts.contact",
            changes={"count": [None, 4000], "purpose": [None, "customer-management"]},
        )

    [event] = unusual_access_scan(actor=WORKER, now=NOW)

    assert event.records == 4000


def test_the_last_hour_is_judged_once_it_is_complete(owner):
    read_at(owner, NOW.replace(minute=0) - timedelta(minutes=1), 2500)

    [event] = unusual_access_scan(actor=WORKER, now=NOW)

    assert event.window_start == NOW.replace(minute=0) - timedelta(hours=1)


@pytest.fixture
def dpo(db):
    return UserFactory(email="dora.dpo@example.com", full_name="Dora DPO", role=Role.DPO)


@pytest.mark.parametrize("role", ["admin", "dpo"])
def test_administrators_and_the_dpo_see_the_events(client, request, owner, role):
    read_at(owner, NOW - timedelta(minutes=5), 5000)
    unusual_access_scan(actor=WORKER, now=NOW)
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("audit:security_events"))

    assert response.status_code == 200
    page = response.content.decode()
    assert owner.email in page and "5,000" in page
    assert f'href="{reverse("audit:security_events")}"' in page  # the nav link


def test_other_roles_are_refused_the_page_and_see_no_link(client, owner):
    read_at(owner, NOW - timedelta(minutes=5), 5000)
    unusual_access_scan(actor=WORKER, now=NOW)
    client.force_login(owner)

    response = client.get(reverse("audit:security_events"))
    dashboard = client.get(reverse("dashboard"))

    assert response.status_code == 403
    assert owner.email not in response.content.decode()
    assert f'href="{reverse("audit:security_events")}"' not in dashboard.content.decode()
