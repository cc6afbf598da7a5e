"""Fixtures of steward.email's tests: the seeded topics, and people subscribed by the real
double opt-in path."""

import re

import pytest

from steward.contacts.models import Contact
from steward.email import links, services
from steward.email.models import Topic

LINK = re.compile(r"https?://\S+/email/confirm/\S+")


def link_in(mail) -> str:
    """The confirmation link of a received confirmation mail (its plain-text part)."""
    return LINK.search(mail.text()).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def newsletter(db) -> Topic:
    return Topic.objects.select_related("purpose").get(key="newsletter")


@pytest.fixture
def events(db) -> Topic:
    return Topic.objects.select_related("purpose").get(key="events")


def subscribe(email: str, *topics: str, given_name: str = "") -> Contact:
    """Signs `email` up and confirms it as the person would (the token the mail carries)."""
    signup = services.signup_request(
        email=email,
        topics=list(topics),
        given_name=given_name,
        evidence={"ip": "192.0.2.1", "user_agent": "pytest"},
    )
    token = links.confirm_token(signup_id=signup.pk, email=signup.email, topics=signup.topics)
    return services.signup_confirm(
        token=token, evidence={"ip": "192.0.2.1", "user_agent": "pytest"}
    ).contact


@pytest.fixture
def subscribed():
    return subscribe
