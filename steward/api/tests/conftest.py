"""An API client that sends a real bearer token for one of the standing test users."""

import json

import pytest
from django.test import Client

from steward.api.services import token_create
from steward.core.actor import SystemActor


class ApiClient:
    """Sends JSON to /api/v1 with `Authorization: Bearer <token>`."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body=None, **kwargs):
        url = path if path.startswith("http") else f"/api/v1{path}"
        if body is not None and not isinstance(body, str | bytes):
            body = json.dumps(body)
        kwargs.setdefault("content_type", "application/json")
        headers = {**self.headers, **kwargs.pop("headers", {})}
        call = getattr(self.client, method.lower())
        if body is None:
            return call(url, headers=headers, **({} if method == "GET" else kwargs))
        return call(url, data=body, headers=headers, **kwargs)

    def get(self, path, **params):
        return self.client.get(
            path if path.startswith("http") else f"/api/v1{path}", params, headers=self.headers
        )

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body if body is not None else {}, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body if body is not None else {}, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def token_for(user) -> str:
    _token, plaintext = token_create(actor=SystemActor("test"), user=user, name="tests")
    return plaintext


@pytest.fixture
def api_as(db):
    """api_as(user) -> a client acting as `user`."""
    return lambda user: ApiClient(token_for(user))
