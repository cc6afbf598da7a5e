import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.tests.factories import ActivityFactory
from steward.contacts.tests.factories import ContactFactory
from steward.crypto.keyring import keyring
from steward.deals.tests.factories import DealFactory, PipelineFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage(db):
    pipeline = PipelineFactory(name="Sales", is_default=True)
    return StageFactory(pipeline=pipeline, name="Proposal", position=0, probability=50)


def _some_data(owner, stage, n):
    for i in range(n):
        contact = ContactFactory(owner=owner, team=owner.team)
        deal = DealFactory(stage=stage, owner=owner, team=owner.team, contact=contact)
        ActivityFactory(
            kind=ActivityKind.TASK, subject=f"Follow up {i}", owner=owner, team=owner.team,
            deal=deal, due_at=timezone.now() + datetime.timedelta(days=2 * i - 1),
        )  # fmt: skip


def test_a_signed_out_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_the_dashboard_shows_the_figures_and_charts_screen_readers_can_read(
    client, owner, outsider, stage
):
    _some_data(owner, stage, 3)
    DealFactory(stage=stage, owner=outsider, team=outsider.team, title="Secret tender")
    client.force_login(owner)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["contacts"].total == 3
    assert response.context["deals"].open_count == 3
    assert html.count('role="img"') == 2
    assert "<title id=" in html and "<desc id=" in html
    assert html.count('<table class="visually-hidden">') == 2
    assert "Secret tender" not in html


def test_my_open_tasks_link_to_their_deal_and_mark_the_overdue_one(client, owner, stage):
    _some_data(owner, stage, 2)
    client.force_login(owner)

    html = client.get(reverse("dashboard")).content.decode()

    # The subject is encrypted: found by opening it, not by a query on it.
    (overdue,) = [
        a for a in ActivityFactory._meta.model.objects.all() if a.subject == "Follow up 0"
    ]
    assert f'href="{reverse("deals:detail", args=[overdue.deal_id])}"' in html
    assert html.count("badge-overdue") == 1


def test_the_dashboard_makes_as_many_queries_with_many_records_as_with_one(client, owner, stage):
    client.force_login(owner)
    _some_data(owner, stage, 1)
    client.get(reverse("dashboard"))  # per-process caches (role permissions) filled once
    keyring().forget()  # both requests start with no data key cached (steward.crypto)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))

    _some_data(owner, stage, 15)
    keyring().forget()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("dashboard"))

    assert len(many) == len(few)
    # 23 on 2026-11-29: session, user, the gate (purpose, taxonomy, exclusions by reason),
    # masks, the figures and the charts; a new query per record would show above.
    assert len(few) <= 25
