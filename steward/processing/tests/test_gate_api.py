"""The gate through the API: a contact's decisions (/contacts/{id}/processing) and the
contact list read for a purpose (/contacts?purpose=...)."""

import pytest

from steward.api.tests.conftest import ApiClient, token_for
from steward.audit.models import AuditEvent
from steward.contacts.choices import LifecycleStage
from steward.processing.tests.factories_gate import (
    gate_world,
    give,
    mark_special,
    person,
    withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return gate_world()


def _api(user) -> ApiClient:
    return ApiClient(token_for(user))


def _mine(owner, **extra):
    return person(owner=owner, team=owner.team, **extra)


def test_the_processing_endpoint_answers_for_every_active_purpose_with_evidence(world, owner):
    ada = _mine(owner)
    give(ada, world.marketing, world.notice_v1, days_ago=4)
    withdraw(ada, world.marketing, days_ago=1)

    response = _api(owner).get(f"/contacts/{ada.pk}/processing")

    assert response.status_code == 200
    body = response.json()
    by_key = {d["purpose"]: d for d in body["decisions"]}
    assert set(by_key) >= {p.key for p in world.purposes}
    marketing = by_key["gate-marketing"]
    assert marketing["allowed"] is False and marketing["code"] == "consent_withdrawn"
    assert marketing["reason"].startswith("May not be contacted for marketing: consent withdrawn")
    assert marketing["evidence"][0]["kind"] == "consent"
    assert by_key["gate-invoicing"]["allowed"] is True


def test_one_purpose_can_be_asked_for(world, owner):
    ada = _mine(owner, stage=LifecycleStage.CUSTOMER)

    response = _api(owner).get(f"/contacts/{ada.pk}/processing", purpose="gate-contract")

    assert response.status_code == 200
    [decision] = response.json()["decisions"]
    assert decision["purpose"] == "gate-contract" and decision["code"] == "contract"


def test_an_unknown_purpose_is_a_field_error(world, owner):
    ada = _mine(owner)

    response = _api(owner).get(f"/contacts/{ada.pk}/processing", purpose="no-such-purpose")

    assert response.status_code == 422
    assert response.json()["errors"] == {"purpose": ["Unknown purpose 'no-such-purpose'"]}


def test_an_outsider_gets_404_for_a_contact_they_may_not_see(world, owner, outsider):
    ada = _mine(owner)

    response = _api(outsider).get(f"/contacts/{ada.pk}/processing")

    assert response.status_code == 404
    assert "decisions" not in response.json()


def test_a_role_without_special_category_access_is_not_told_of_the_mark(world, owner):
    ada = _mine(owner, stage=LifecycleStage.CUSTOMER)
    mark_special(ada)

    response = _api(owner).get(
        f"/contacts/{ada.pk}/processing", purpose="gate-contract-unconditioned"
    )

    [decision] = response.json()["decisions"]
    assert decision["code"] == "withheld" and decision["evidence"] == []
    assert "special" not in decision["reason"].lower()


def test_the_list_read_for_a_purpose_returns_only_allowed_people_and_counts_the_rest(
    world, owner, colleague, outsider
):
    allowed = _mine(owner, family_name="Allowed")
    give(allowed, world.marketing, world.notice_v1)
    withdrawn = _mine(colleague, family_name="Withdrawn")
    give(withdrawn, world.marketing, world.notice_v1, days_ago=2)
    withdraw(withdrawn, world.marketing)
    _mine(owner, family_name="Never asked")
    hidden = _mine(outsider, family_name="Hidden")
    give(hidden, world.marketing, world.notice_v1)

    response = _api(owner).get("/contacts", purpose="gate-marketing")

    assert response.status_code == 200
    body = response.json()
    assert [c["family_name"] for c in body["results"]] == ["Allowed"]
    assert body["count"] == 1
    assert body["purpose"] == "gate-marketing"
    assert body["excluded_count"] == 2
    assert body["excluded"] == {"consent_withdrawn": 1, "no_consent": 1}


def test_the_list_without_a_purpose_is_the_working_list_as_before(world, owner):
    _mine(owner, family_name="Never asked")

    body = _api(owner).get("/contacts").json()

    assert body["count"] == 1
    assert body["purpose"] is None and body["excluded"] is None


def test_the_list_refuses_an_unknown_purpose(world, owner):
    response = _api(owner).get("/contacts", purpose="nope")

    assert response.status_code == 422
    assert "purpose" in response.json()["errors"]
    assert not AuditEvent.objects.filter(action__startswith="contacts.").exists()


def test_the_openapi_document_has_the_processing_endpoint_and_the_purpose_parameter(db):
    document = ApiClient(None).get("/openapi.json").json()

    operation = document["paths"]["/api/v1/contacts/{contact_id}/processing"]["get"]
    assert operation["operationId"] == "contact_processing"
    assert any(p["name"] == "purpose" for p in operation["parameters"])
    listing = document["paths"]["/api/v1/contacts"]["get"]
    assert any(p["name"] == "purpose" for p in listing["parameters"])
