import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

EXPECTED_OPERATIONS = {
    ("get", "/api/v1/contacts"), ("post", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/{contact_id}"), ("patch", "/api/v1/contacts/{contact_id}"),
    ("delete", "/api/v1/contacts/{contact_id}"),
    ("get", "/api/v1/contacts/{contact_id}/processing"),
    ("get", "/api/v1/organisations"), ("post", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{organisation_id}"),
    ("patch", "/api/v1/organisations/{organisation_id}"),
    ("delete", "/api/v1/organisations/{organisation_id}"),
    ("get", "/api/v1/activities"), ("post", "/api/v1/activities"),
    ("get", "/api/v1/activities/{activity_id}"), ("patch", "/api/v1/activities/{activity_id}"),
    ("delete", "/api/v1/activities/{activity_id}"),
    ("post", "/api/v1/activities/{activity_id}/complete"),
    ("get", "/api/v1/deals"), ("post", "/api/v1/deals"),
    ("get", "/api/v1/deals/{deal_id}"), ("patch", "/api/v1/deals/{deal_id}"),
    ("delete", "/api/v1/deals/{deal_id}"),
    ("get", "/api/v1/pipelines"), ("get", "/api/v1/me"),
    ("get", "/api/v1/consents/{contact_id}"), ("post", "/api/v1/consents/{contact_id}"),
    ("post", "/api/v1/consents/{contact_id}/withdraw"),
    ("get", "/api/v1/consents/{contact_id}/receipt"),
    ("get", "/api/v1/rights-requests"), ("post", "/api/v1/rights-requests"),
    ("get", "/api/v1/rights-requests/{request_id}"),
    ("get", "/api/v1/rights-requests/{request_id}/export"),
    ("get", "/api/v1/rights-requests/{request_id}/recipients"),
    ("post", "/api/v1/rights-requests/{request_id}/recipients/{recipient_id}/notified"),
    *(
        ("post", f"/api/v1/rights-requests/{{request_id}}/{step}")
        for step in (
            "ask", "assign", "complete", "decide-objection", "erase", "extend", "fee", "lift",
            "lift-notice", "move", "notes", "object", "rectify", "refuse", "restrict",
            "send-link", "verify",
        )
    ),
    ("get", "/api/v1/subscriptions/topics"), ("post", "/api/v1/subscriptions"),
}  # fmt: skip
# Public on purpose: a sign-up is only a pending request until the mailbox confirms it
# (steward.email, issue 5), and the topics are what the sign-up page offers.
PUBLIC_OPERATIONS = {("get", "/api/v1/subscriptions/topics"), ("post", "/api/v1/subscriptions")}


def _document() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_openapi_document_lists_every_endpoint_without_a_token(db):
    document = _document()

    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations == EXPECTED_OPERATIONS
    assert document["info"]["title"] == "Steward API"
    assert document["info"]["version"] == "1"
    assert document["openapi"].startswith("3.")


def test_every_endpoint_but_the_public_sign_up_requires_the_bearer_token(db):
    document = _document()

    schemes = document["components"]["securitySchemes"]
    assert list(schemes.values()) == [{"type": "http", "scheme": "bearer"}]
    (scheme_name,) = schemes
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) in PUBLIC_OPERATIONS:
                assert "security" not in operation, (method, path)
            else:
                assert operation["security"] == [{scheme_name: []}], (method, path)


def test_every_reference_in_the_document_resolves(db):
    document = _document()

    names = set(document["components"]["schemas"])
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in names


def test_operation_ids_are_unique_and_readable(db):
    document = _document()

    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "list_contacts" in ids and "update_deal" in ids


def test_the_contact_schema_documents_the_full_set_of_fields(db):
    schemas = _document()["components"]["schemas"]

    contact_in = set(schemas["ContactIn"]["properties"])
    contact_out = set(schemas["ContactOut"]["properties"])
    fields = {
        "given_name", "family_name", "email", "additional_emails", "phone", "additional_phones",
        "job_title", "organisation", "street", "postal_code", "city", "region", "country",
        "date_of_birth", "language", "lifecycle_stage", "source", "tags", "custom", "owner",
        "team",
    }  # fmt: skip
    assert fields <= contact_in
    assert fields <= contact_out
    assert schemas["ContactOut"]["properties"]["id"]["format"] == "uuid"
    assert schemas["ContactIn"].get("additionalProperties") is False


def test_errors_are_documented_with_the_error_shape(db):
    document = _document()

    responses = document["paths"]["/api/v1/contacts/{contact_id}"]["patch"]["responses"]
    for status in ("401", "403", "404", "409", "422"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}


def test_the_docs_page_loads_nothing_from_outside_the_server(db):
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Steward API" in html
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html), html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped"


def test_the_docs_page_turns_off_the_online_schema_validator(db):
    html = Client().get("/api/v1/docs").content.decode()

    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)[1])
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/v1/openapi.json"


def test_the_document_has_no_duplicate_keys(client, db):
    # A mapping key written twice (e.g. status 200 as an int and as a string) is valid to
    # Python's json but Swagger UI refuses the whole document.
    duplicates = []

    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)

    assert duplicates == []
