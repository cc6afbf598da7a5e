"""Garbage thrown at every endpoint gets a 4xx in the one error shape, never a 500, and
changes nothing. The endpoints come from the OpenAPI document, so a new one is covered
without touching this file."""

import json
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.activities.tests.factories import ActivityFactory
from steward.api.api import api
from steward.api.tests.conftest import token_for
from steward.audit.models import AuditEvent
from steward.contacts.services import custom_field_create
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.core.actor import SystemActor
from steward.deals.services import pipeline_create
from steward.deals.tests.factories import DealFactory

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema(path_params={})
METHODS = ("get", "post", "patch", "delete")


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _operations():
    for path, item in SCHEMA["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            properties = _resolve(body["schema"]).get("properties", {}) if body else {}
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            yield method, path, sorted(properties), query


OPERATIONS = list(_operations())
WITH_BODY = [op for op in OPERATIONS if op[2]]
WITH_ID = [op for op in OPERATIONS if "{" in op[1]]
WITH_QUERY = [op for op in OPERATIONS if op[3]]


def _ids(op):
    return f"{op[0].upper()} {op[1]}"


@pytest.fixture
def world(owner, admin):
    """One record of each kind, visible to the administrator the requests act as."""
    custom_field_create(
        actor=SystemActor("test"),
        key="size",
        label="Size",
        field_type="number",
        category="commercial.profile",
    )
    pipeline = pipeline_create(actor=SystemActor("test"), name="Sales", is_default=True)
    contact = ContactFactory(owner=owner, team=owner.team)
    records = {
        "contact_id": contact.pk,
        "organisation_id": OrganisationFactory(owner=owner, team=owner.team).pk,
        "activity_id": ActivityFactory(owner=owner, team=owner.team, contact=contact).pk,
        "deal_id": DealFactory(
            owner=owner, team=owner.team, pipeline=pipeline, stage=pipeline.stages.first()
        ).pk,
    }
    records |= _rights_requests(admin, contact)
    records |= _consents(owner, contact)
    client = Client(headers={"Authorization": f"Bearer {token_for(admin)}"})
    return client, records


# Each step of /rights-requests acts on a request in the state the workflow allows it from.
_RIGHTS_STEPS = {
    "": ("access", "received"), "assign": ("access", "received"),
    "send-link": ("access", "received"), "verify": ("access", "received"),
    "move": ("access", "verified"), "ask": ("access", "received"),
    "extend": ("access", "verified"), "refuse": ("access", "received"),
    "fee": ("access", "received"), "complete": ("access", "in_progress"),
    "notes": ("access", "received"), "rectify": ("rectification", "in_progress"),
    "erase": ("erasure", "in_progress"), "restrict": ("restriction", "in_progress"),
    "lift-notice": ("restriction", "restricted"), "lift": ("restriction", "notified"),
    "object": ("objection", "in_progress"), "decide-objection": ("objection", "objected"),
    "recipients": ("rectification", "in_progress"), "export": ("access", "received"),
}  # fmt: skip


def _rights_requests(admin, contact) -> dict:
    from steward.processing.models import Recipient
    from steward.rights import services as rights

    made = {}
    for step, (kind, state) in _RIGHTS_STEPS.items():
        person = ContactFactory(owner=contact.owner, team=contact.team)
        extra = {"details": "Street is wrong"} if kind == "rectification" else {}
        if kind == "objection":
            extra = {"objection_ground": "legitimate_interests", "details": "I moved"}
        r = rights.request_log(actor=admin, kind=kind, channel="phone", contact=person, **extra)
        if state != "received":
            r = rights.request_verify(actor=admin, request=r, method="Called back")
        if state not in ("received", "verified"):
            r = rights.request_move(actor=admin, request=r, target="in_progress")
        if state in ("restricted", "notified"):
            rights.request_restrict(actor=admin, request=r, reason="Accuracy contested")
        if state == "notified":
            rights.restriction_lift_notice_send(actor=admin, request=r, reason="Checked")
        if state == "objected":
            rights.request_object(actor=admin, request=r)
        made[step] = r.pk
    recipient = Recipient.objects.create(name="Example Mailer", kind="processor", service="Mail")
    return {"rights_requests": made, "recipient_id": recipient.pk}


def _rights_step(path: str) -> str:
    after = path.split("{request_id}", 1)[1].strip("/")
    return after.split("/", 1)[0]


def _consents(owner, contact) -> dict:
    """A published notice with two consent purposes: the contact consented to the second
    (so /withdraw has something to withdraw) and not to the first (so giving it succeeds)."""
    from steward.consent.services import consent_give
    from steward.consent.tests.factories import published_version, purpose

    give, withdraw = purpose("api-give-test"), purpose("api-withdraw-test")
    version = published_version({give: "Yes, email me.", withdraw: "Yes, call me."})
    consent_give(
        actor=owner,
        contact=contact,
        purpose=withdraw,
        notice_version=version,
        method="phone",
        channel="phone",
    )
    return {"notice_version_id": version.pk}


def _url(path: str, records: dict, replacement: str | None = None) -> str:
    def fill(match):
        if replacement is not None:
            return replacement
        if match[1] == "request_id":
            return str(records["rights_requests"][_rights_step(path)])
        return str(records[match[1]])

    return re.sub(r"\{(\w+)\}", fill, path)


def _send(client, method, url, body: bytes | None, content_type="application/json"):
    if body is None:
        return getattr(client, method)(url)
    return client.generic(method.upper(), url, data=body, content_type=content_type)


def _assert_refused(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(isinstance(v, list) for v in body["errors"].values())


def _writes() -> int:
    return AuditEvent.objects.exclude(action__startswith="api_token").count()


GARBAGE_BODIES = [
    b"{not json",
    b'{"given_name": "unterminated',
    b"[]",
    b'"a string"',
    b"42",
    b"null",
    b"true",
    b"[" * 100_000 + b"]" * 100_000,
    b"\xff\xfe\x00garbage",
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b"1" * 5000,
]


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids)
@pytest.mark.parametrize("raw", GARBAGE_BODIES, ids=range(len(GARBAGE_BODIES)))
def test_a_body_that_is_not_a_json_object_gets_a_4xx(world, op, raw):
    client, records = world
    method, path, _, _ = op
    writes = _writes()

    response = _send(client, method, _url(path, records), raw)

    _assert_refused(response)
    assert _writes() == writes


WRONG_VALUES = [
    {"nested": {"object": True}},
    [1, {"a": 2}],
    -(10**20),
    True,
    1e300,
    "x" * 100_001,
    "NUL \u0000 inside",
    "\ud800",
]


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids)
@pytest.mark.parametrize("value", WRONG_VALUES, ids=range(len(WRONG_VALUES)))
def test_a_wrong_value_in_any_field_gets_a_4xx_naming_the_field(world, op, value):
    client, records = world
    method, path, fields, _ = op
    writes = _writes()

    for field in fields:
        body = json.dumps(_valid_body(method, path, records) | {field: value}).encode()
        response = _send(client, method, _url(path, records), body)

        _assert_refused(response)
        problem_fields = {name.split(".")[0] for name in response.json()["errors"]}
        assert field in problem_fields, (field, response.json())
    assert _writes() == writes


def _valid_body(method: str, path: str, records: dict) -> dict:
    """A body the endpoint accepts, for garbage to be put into one field at a time."""
    if method == "patch" or path.endswith("/complete"):
        return {}
    return {
        "/api/v1/contacts": {"family_name": "Okafor"},
        "/api/v1/organisations": {"name": "Example Trading Ltd"},
        "/api/v1/activities": {
            "kind": "note",
            "body": "Called",
            "contact": str(records["contact_id"]),
        },
        "/api/v1/deals": {"title": "Annual licence"},
        "/api/v1/consents/{contact_id}": {
            "purpose": "api-give-test",
            "notice_version": str(records["notice_version_id"]),
        },
        "/api/v1/consents/{contact_id}/withdraw": {"purpose": "api-withdraw-test"},
        "/api/v1/subscriptions": {"email": "ann.example@example.org", "topics": ["newsletter"]},
        "/api/v1/rights-requests": {"kind": "access", "channel": "letter", "requester_name": "Ann"},
        "/api/v1/rights-requests/{request_id}/assign": {"assignee": None},
        "/api/v1/rights-requests/{request_id}/verify": {"text": "Called back"},
        "/api/v1/rights-requests/{request_id}/move": {"status": "in_progress"},
        "/api/v1/rights-requests/{request_id}/ask": {"text": "Your customer number?"},
        "/api/v1/rights-requests/{request_id}/extend": {"text": "Many systems"},
        "/api/v1/rights-requests/{request_id}/refuse": {"ground": "excessive", "reasons": "x"},
        "/api/v1/rights-requests/{request_id}/fee": {"amount": "10.00", "reason": "Repeated"},
        "/api/v1/rights-requests/{request_id}/notes": {"text": "Called"},
        "/api/v1/rights-requests/{request_id}/rectify": {"changes": {"city": "Bonn"}},
        "/api/v1/rights-requests/{request_id}/erase": {"text": ""},
        "/api/v1/rights-requests/{request_id}/restrict": {"text": "Accuracy contested"},
        "/api/v1/rights-requests/{request_id}/lift-notice": {"text": "Checked"},
        "/api/v1/rights-requests/{request_id}/lift": {"text": ""},
        "/api/v1/rights-requests/{request_id}/object": {},
        "/api/v1/rights-requests/{request_id}/decide-objection": {
            "decision": "upheld",
            "reason": "Fine",
        },
        "/api/v1/rights-requests/{request_id}/recipients/{recipient_id}/notified": {"text": ""},
    }[path]


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids)
def test_the_valid_base_bodies_are_accepted(world, op):
    client, records = world
    method, path, _, _ = op

    body = json.dumps(_valid_body(method, path, records)).encode()
    response = _send(client, method, _url(path, records), body)

    # 202: a sign-up is only a pending request until the mailbox confirms it.
    assert response.status_code in (200, 201, 202), response.json()


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids)
def test_an_unknown_field_gets_a_422_naming_it(world, op):
    client, records = world
    method, path, _, _ = op

    response = _send(client, method, _url(path, records), b'{"no_such_field": 1}')

    assert response.status_code == 422
    assert "no_such_field" in response.json()["errors"]


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids)
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/plain", b'{"name": "Example"}'),
        ("application/x-www-form-urlencoded", b"name=Example&title=Example"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\n\r\nname\r\n--xyz--"),
        ("application/xml", b"<name>Example</name>"),
    ],
)
def test_a_body_that_is_not_declared_json_gets_a_415(world, op, content_type, body):
    client, records = world
    method, path, _, _ = op
    writes = _writes()

    response = _send(client, method, _url(path, records), body, content_type=content_type)

    assert response.status_code == 415
    _assert_refused(response)
    assert _writes() == writes


def test_custom_field_keys_and_values_must_be_storable(world):
    client, records = world
    url = f"/api/v1/contacts/{records['contact_id']}"

    for custom in ({"si\u0000ze": 1}, {"size": "\u0000"}, {"size": [[[[[[[[[[[[1]]]]]]]]]]]]}):
        response = _send(client, "patch", url, json.dumps({"custom": custom}).encode())
        _assert_refused(response)


BAD_IDS = [
    "not-a-uuid",
    "1",
    "00000000-0000-0000-0000-00000000000g",
    "%00",
    "a" * 5000,
    "'%3B DROP TABLE contacts_contact%3B --",
    "..%2F..%2Fetc%2Fpasswd",
    "00000000-0000-0000-0000-000000000000",
]


@pytest.mark.parametrize("op", WITH_ID, ids=_ids)
@pytest.mark.parametrize("bad_id", BAD_IDS, ids=range(len(BAD_IDS)))
def test_an_invalid_or_unknown_id_in_the_path_gets_a_4xx(world, op, bad_id):
    client, records = world
    method, path, fields, _ = op
    writes = _writes()

    body = b"{}" if method in ("post", "patch") else None
    response = _send(client, method, _url(path, records, bad_id), body)

    _assert_refused(response)
    assert _writes() == writes


@pytest.mark.parametrize("op", WITH_QUERY, ids=_ids)
@pytest.mark.parametrize("value", ["\x00", "x" * 5000, "-1e999"], ids=["nul", "long", "num"])
def test_a_garbage_query_parameter_gets_a_4xx_naming_it(world, op, value):
    client, records = world
    method, path, _, query = op

    for name in query:
        if value == "-1e999" and name in ("search", "tag"):
            continue  # a perfectly good search term
        response = client.get(_url(path, records), {name: value})

        _assert_refused(response)
        assert name in response.json()["errors"], (name, response.json())


def test_an_offset_beyond_any_integer_column_gets_a_422(world):
    client, _ = world

    response = client.get("/api/v1/contacts", {"offset": "9" * 30})

    assert response.status_code == 422
    assert "offset" in response.json()["errors"]


def test_a_body_over_the_upload_limit_gets_a_413(world, settings):
    client, _ = world
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    body = json.dumps({"family_name": "x" * 2000}).encode()
    response = _send(client, "post", "/api/v1/contacts", body)

    assert response.status_code == 413
    _assert_refused(response)


def test_an_unknown_endpoint_and_a_wrong_method_answer_in_json(world):
    client, records = world

    missing = client.get("/api/v1/customers")
    wrong_method = client.put(f"/api/v1/contacts/{records['contact_id']}")

    _assert_refused(missing)
    assert missing.status_code == 404
    _assert_refused(wrong_method)
    assert wrong_method.status_code == 405


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids)
def test_random_bodies_never_cause_a_server_error(world, op):
    client, records = world
    method, path, fields, _ = op
    url = _url(path, records)
    bodies = json_values | st.dictionaries(
        st.sampled_from(fields) | st.text(max_size=5), json_values, max_size=len(fields)
    )

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=bodies)
    def throw(body):
        response = _send(client, method, url, json.dumps(body).encode())
        assert response.status_code < 500, (body, response.content[:300])
        if response.status_code >= 400:
            _assert_refused(response)

    throw()
