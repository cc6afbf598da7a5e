"""/api/v1/consents: list, give, withdraw in one call, the receipt; errors in the API's JSON
shape; in the OpenAPI document."""

import pytest

from steward.api.tests.conftest import ApiClient, token_for
from steward.consent.models import ConsentEvent, EventKind
from steward.consent.tests.factories import published_version, purpose
from steward.contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(db):
    return lambda user: ApiClient(token_for(user))


@pytest.fixture
def newsletter():
    return purpose("newsletter-test", months=24)


@pytest.fixture
def version(newsletter):
    return published_version({newsletter: "Send me the monthly newsletter."})


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team)


def test_give_list_and_withdraw_through_the_api(api_as, owner, contact, newsletter, version):
    api = api_as(owner)

    given = api.post(
        f"/consents/{contact.pk}",
        {
            "purpose": "newsletter-test",
            "notice_version": str(version.pk),
            "evidence": {"form": "crm-integration"},
        },
    )
    listed = api.get(f"/consents/{contact.pk}")
    withdrawn = api.post(f"/consents/{contact.pk}/withdraw", {"purpose": "newsletter-test"})

    assert given.status_code == 201, given.content
    assert (given.json()["kind"], given.json()["method"]) == ("given", "api")
    assert given.json()["seq"] == 1
    states = listed.json()["states"]
    assert [(s["purpose"], s["status"]) for s in states] == [("newsletter-test", "given")]
    assert states[0]["notice"]["version"] == 1
    assert withdrawn.status_code == 201
    assert withdrawn.json()["kind"] == EventKind.WITHDRAWN
    assert ConsentEvent.objects.count() == 2


def test_a_duplicate_is_a_409_and_writes_nothing(api_as, owner, contact, version):
    api = api_as(owner)
    body = {"purpose": "newsletter-test", "notice_version": str(version.pk)}
    api.post(f"/consents/{contact.pk}", body)

    response = api.post(f"/consents/{contact.pk}", body)

    assert response.status_code == 409
    assert "already given" in response.json()["detail"]
    assert ConsentEvent.objects.count() == 1


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"purpose": "nope", "notice_version": "VERSION"}, 422, "purpose"),
        (
            {
                "purpose": "newsletter-test",
                "notice_version": "00000000-0000-4000-8000-000000000000",
            },
            422,
            "notice_version",
        ),
        (
            {"purpose": "newsletter-test", "notice_version": "VERSION", "colour": "red"},
            422,
            "colour",
        ),
        ({"purpose": "newsletter-test", "notice_version": "VERSION", "method": "x"}, 422, "method"),
    ],
)
def test_bad_bodies_are_refused_with_the_field_named(
    api_as, owner, contact, version, body, status, field
):
    body = {k: (str(version.pk) if v == "VERSION" else v) for k, v in body.items()}

    response = api_as(owner).post(f"/consents/{contact.pk}", body)

    assert response.status_code == status
    assert field in response.json()["errors"]
    assert not ConsentEvent.objects.exists()


def test_withdrawing_what_was_never_given_is_a_409(api_as, owner, contact, version):
    response = api_as(owner).post(
        f"/consents/{contact.pk}/withdraw", {"purpose": "newsletter-test"}
    )

    assert response.status_code == 409
    assert "nothing to withdraw" in response.json()["detail"]


def test_an_outsider_gets_404_and_changes_nothing(api_as, outsider, contact, version):
    api = api_as(outsider)

    listed = api.get(f"/consents/{contact.pk}")
    given = api.post(
        f"/consents/{contact.pk}",
        {"purpose": "newsletter-test", "notice_version": str(version.pk)},
    )

    assert (listed.status_code, given.status_code) == (404, 404)
    assert not ConsentEvent.objects.exists()


def test_a_read_only_user_may_list_but_not_give(api_as, reader, contact, version):
    api = api_as(reader)

    assert api.get(f"/consents/{contact.pk}").status_code == 200
    response = api.post(
        f"/consents/{contact.pk}",
        {"purpose": "newsletter-test", "notice_version": str(version.pk)},
    )
    assert response.status_code == 403
    assert not ConsentEvent.objects.exists()


def test_the_receipt_is_served_as_json(api_as, owner, contact, version):
    api = api_as(owner)
    api.post(
        f"/consents/{contact.pk}", {"purpose": "newsletter-test", "notice_version": str(version.pk)}
    )

    receipt = api.get(f"/consents/{contact.pk}/receipt").json()

    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["steward"]["events"][0]["seq"] == 1


def test_the_endpoints_are_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()

    paths = schema["paths"]
    assert "/api/v1/consents/{contact_id}" in paths
    assert {"get", "post"} <= set(paths["/api/v1/consents/{contact_id}"])
    assert "/api/v1/consents/{contact_id}/withdraw" in paths
    assert "/api/v1/consents/{contact_id}/receipt" in paths
