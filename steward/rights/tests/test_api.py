"""/api/v1/rights-requests: the workflow through the API, its refusals, its OpenAPI entry."""

import pytest

from steward.api.tests.conftest import ApiClient, token_for
from steward.rights.models import RequestEvent, RightsRequest


@pytest.fixture
def api_as(db):
    return lambda user: ApiClient(token_for(user))


def test_the_dpo_logs_and_completes_a_request_through_the_api(api_as, dpo, person):
    api = api_as(dpo)
    created = api.post(
        "/rights-requests",
        {"kind": "access", "channel": "letter", "contact": str(person.pk)},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "received" and body["due_on"]
    assert sorted(body["allowed_next"]) == ["identity_unverified", "refused", "verified"]
    pk = body["id"]
    assert api.post(f"/rights-requests/{pk}/verify", {"text": "Signature"}).status_code == 200
    moved = api.post(f"/rights-requests/{pk}/move", {"status": "in_progress"})
    assert moved.json()["status"] == "in_progress"
    done = api.post(f"/rights-requests/{pk}/complete", {"text": ""})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert [e["kind"] for e in done.json()["events"]][-1] == "completed"
    listed = api.get("/rights-requests", status="completed").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk


def test_a_step_the_workflow_does_not_allow_is_a_409_and_changes_nothing(api_as, dpo, person):
    api = api_as(dpo)
    pk = api.post(
        "/rights-requests", {"kind": "access", "channel": "phone", "contact": str(person.pk)}
    ).json()["id"]
    events = RequestEvent.objects.count()
    response = api.post(f"/rights-requests/{pk}/complete", {"text": ""})
    assert response.status_code == 409
    assert RightsRequest.objects.get(pk=pk).status == "received"
    assert RequestEvent.objects.count() == events


@pytest.mark.parametrize("role_user", ["owner", "colleague", "outsider", "reader"])
def test_roles_without_rights_view_get_403_and_cannot_log(api_as, request, role_user, person):
    api = api_as(request.getfixturevalue(role_user))
    assert api.get("/rights-requests").status_code == 403
    response = api.post(
        "/rights-requests", {"kind": "access", "channel": "phone", "contact": str(person.pk)}
    )
    assert response.status_code in (403, 404)
    assert RightsRequest.objects.count() == 0


def test_a_manager_reads_but_cannot_act(api_as, dpo, manager, person):
    pk = (
        api_as(dpo)
        .post("/rights-requests", {"kind": "access", "channel": "phone", "contact": str(person.pk)})
        .json()["id"]
    )
    api = api_as(manager)
    assert api.get(f"/rights-requests/{pk}").status_code == 200
    assert api.post(f"/rights-requests/{pk}/verify", {"text": "x"}).status_code == 403
    assert RightsRequest.objects.get(pk=pk).status == "received"


def test_the_endpoints_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/rights-requests",
        "/api/v1/rights-requests/{request_id}",
        "/api/v1/rights-requests/{request_id}/extend",
        "/api/v1/rights-requests/{request_id}/refuse",
        "/api/v1/rights-requests/{request_id}/erase",
        "/api/v1/rights-requests/{request_id}/recipients",
        "/api/v1/rights-requests/{request_id}/export",
    ):
        assert path in paths, path


def test_the_api_assigns_by_staff_id_and_refuses_someone_who_does_not_handle_rights(
    api_as, dpo, admin, owner, person
):
    api = api_as(dpo)
    pk = api.post(
        "/rights-requests", {"kind": "access", "channel": "phone", "contact": str(person.pk)}
    ).json()["id"]
    response = api.post(f"/rights-requests/{pk}/assign", {"assignee": str(admin.pk)})
    assert response.status_code == 200 and response.json()["assignee"] == str(admin.pk)
    refused = api.post(f"/rights-requests/{pk}/assign", {"assignee": str(owner.pk)})
    assert refused.status_code == 422
    assert RightsRequest.objects.get(pk=pk).assignee == admin
