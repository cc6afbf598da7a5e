"""The projection is a pure function of the ledger: rebuilding it from the events gives the
same rows the services kept up to date one event at a time, over random histories."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.consent.models import Channel, ConsentState, Method
from steward.consent.services import (
    consent_give,
    consent_withdraw,
    consents_expire,
    projection_rebuild,
)
from steward.consent.tests.factories import SETUP, published_version, purpose
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import DomainError

START = datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC)
STATEMENTS = ["Monthly newsletter.", "Weekly newsletter.", "Events.", "Partner offers."]

# (what, person, purpose, flag, number): give (flag: parental; number: how many versions
# back the notice version is), withdraw, publish (person/purpose pick the statements, flag
# drops the first purpose), expire (number: how far ahead the job runs, in months).
step = st.tuples(
    st.sampled_from(["give", "give", "withdraw", "publish", "expire"]),
    st.integers(0, 2),
    st.integers(0, 1),
    st.booleans(),
    st.integers(0, 3),
)


def snapshot() -> list[tuple]:
    return sorted(
        ConsentState.objects.values_list(
            "contact_id",
            "purpose_id",
            "status",
            "parental",
            "given_at",
            "expires_at",
            "notice_version_id",
            "needs_renewal",
            "last_event_id",
            "updated_at",
        )
    )


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_rebuilding_the_projection_gives_what_the_services_kept(steps):
    # Given two purposes (one expiring after 12 months), three people, and a random history
    # of consents, withdrawals, notice changes and expiry runs, moving forward in time
    ConsentState.objects.all().delete()
    Contact.objects.all().delete()
    first = purpose("newsletter-test", months=12)
    second = purpose("events-test", months=None)
    people = ContactFactory.create_batch(3)
    version = published_version({first: STATEMENTS[0], second: STATEMENTS[2]}, at=START)
    now = START
    versions = [version]
    for kind, person, which, flag, number in steps:
        now += datetime.timedelta(days=40)
        the_purpose = (first, second)[which]
        try:
            if kind == "give":
                consent_give(
                    actor=SETUP,
                    contact=people[person],
                    purpose=the_purpose,
                    notice_version=versions[max(0, len(versions) - 1 - number)],
                    method=Method.PARENTAL if flag else Method.WEB_FORM,
                    channel=Channel.WEB,
                    given_by="Pat Example" if flag else "",
                    occurred_at=now,
                )
            elif kind == "withdraw":
                consent_withdraw(
                    actor=SETUP,
                    contact=people[person],
                    purpose=the_purpose,
                    method=Method.WEB_FORM,
                    channel=Channel.WEB,
                    occurred_at=now,
                )
            elif kind == "publish":
                statements = {first: STATEMENTS[person], second: STATEMENTS[2 + which]}
                if flag:
                    del statements[first]
                versions.append(published_version(statements, at=now))
            else:
                consents_expire(now=now + datetime.timedelta(days=30 * number))
        except DomainError:
            pass
    incremental = snapshot()

    # When the projection is rebuilt from the events
    rows = projection_rebuild()

    # Then it holds exactly what the incremental projection held
    assert rows == len(incremental)
    assert snapshot() == incremental
