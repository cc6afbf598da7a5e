"""Read audit: API list reads and views of special-category evidence are recorded as one
event per read (who, what, how many, for which purpose), never one per row."""

import pytest
from django.urls import reverse

from steward.activities.choices import ActivityKind
from steward.activities.services import activity_log
from steward.api.tests.conftest import ApiClient, token_for
from steward.audit.models import AuditEvent
from steward.audit.reads import READ_ACTION
from steward.contacts.tests.factories import ContactFactory
from steward.core import chain

pytestmark = pytest.mark.django_db


def reads():
    return list(AuditEvent.objects.filter(action=READ_ACTION).order_by("seq"))


def test_an_api_list_page_is_one_read_event_with_its_count_and_who_read_it(owner):
    ContactFactory.create_batch(3, owner=owner, team=owner.team)
    api = ApiClient(token_for(owner))

    response = api.get("/contacts", limit=2)

    assert response.status_code == 200
    [event] = reads()
    assert (event.actor_id, event.object_type, event.object_id) == (
        owner.pk,
        "contacts.contact",
        "",
    )
    assert event.changes == {"count": [None, 2], "purpose": [None, ""]}
    assert event.context["read"] == "api.list"
    assert event.context["channel"] == "api"
    assert chain.verify(AuditEvent).ok


def test_a_list_read_for_a_purpose_records_the_purpose(owner):
    # Analytics rests on legitimate interests: everyone without an objection is allowed.
    ContactFactory(owner=owner, team=owner.team)
    api = ApiClient(token_for(owner))

    response = api.get("/contacts", purpose="analytics")

    assert response.status_code == 200 and len(response.json()["results"]) == 1
    [event] = reads()
    assert event.changes == {"count": [None, 1], "purpose": [None, "analytics"]}


def test_a_list_read_for_an_unknown_purpose_is_refused_and_records_nothing(owner):
    ContactFactory(owner=owner, team=owner.team)
    api = ApiClient(token_for(owner))

    response = api.get("/contacts", purpose="no-such-purpose")

    assert response.status_code == 422
    assert reads() == []


def test_an_empty_list_read_records_nothing(outsider, owner):
    ContactFactory.create_batch(2, owner=owner, team=owner.team)
    api = ApiClient(token_for(outsider))

    response = api.get("/contacts")

    assert response.status_code == 200 and response.json()["results"] == []
    assert reads() == []


@pytest.mark.parametrize("path", ["/activities", "/deals", "/organisations"])
def test_other_api_lists_of_personal_data_are_recorded_too(owner, path):
    contact = ContactFactory(owner=owner, team=owner.team)
    activity_log(actor=owner, data={"kind": ActivityKind.NOTE, "body": "x", "contact": contact})
    api = ApiClient(token_for(owner))

    response = api.get(path)

    assert response.status_code == 200
    recorded = reads()
    assert len(recorded) == (1 if response.json()["results"] else 0)


NOTE = "Called her: her diabetes makes mornings hard, so call after eleven."


def test_viewing_special_category_evidence_on_a_contact_page_is_recorded(client, owner, admin):
    contact = ContactFactory(owner=owner, team=owner.team)
    activity_log(
        actor=owner,
        data={"kind": ActivityKind.NOTE, "subject": "Call", "body": NOTE, "contact": contact},
    )
    client.force_login(admin)

    response = client.get(reverse("contacts:detail", args=[contact.pk]))

    assert response.status_code == 200
    [event] = reads()
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.pk,
        "contacts.contact",
        str(contact.pk),
    )
    assert event.context["read"] == "contact_page.special_category"
    assert event.changes["count"][1] >= 1
    assert event.changes["purpose"] == [None, "special_category.review"]


def test_a_role_that_may_not_see_the_evidence_leaves_no_read_event(client, owner):
    contact = ContactFactory(owner=owner, team=owner.team)
    activity_log(
        actor=owner,
        data={"kind": ActivityKind.NOTE, "subject": "Call", "body": NOTE, "contact": contact},
    )
    client.force_login(owner)

    response = client.get(reverse("contacts:detail", args=[contact.pk]))

    assert response.status_code == 200
    assert reads() == []
