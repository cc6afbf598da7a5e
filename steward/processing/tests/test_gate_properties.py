"""Property-based tests of the gate over random people: random consent histories (given,
renewed, withdrawn, expired, parental; a notice change), restrictions, objections, child
status, deals and special-category marks.

1. decide() gives the code a tiny model of the rules computes from the generated facts
   (written here from the rules in the issue, not from the gate's code).
2. For a group of such people, contacts_allowed() selects exactly those decide() allows,
   and exclusions() counts the others under the reason decide() gives each.

Histories are written through the consent ledger's services; an event the ledger refuses
(withdrawing what is not given, giving twice the same) is left out of the history the model
folds, as it is left out of the ledger."""

import datetime
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.children.choices import ChildStatus
from steward.consent.services import consents_expire
from steward.contacts.choices import LifecycleStage
from steward.contacts.models import Contact
from steward.core.errors import DomainError
from steward.deals.choices import StageOutcome
from steward.detection.choices import FindingStatus
from steward.processing.gate import contacts_allowed, decide, exclusions
from steward.processing.models import ObjectionScope, ObjectionStatus
from steward.processing.services import (
    objection_decide,
    objection_record,
    restriction_lift,
    restriction_start,
)
from steward.processing.tests.factories_gate import (
    SYSTEM,
    GateWorld,
    deal,
    gate_world,
    give,
    mark_special,
    notice_version,
    person,
    withdraw,
)

pytestmark = pytest.mark.django_db

EXPIRED_AFTER_DAYS = 731  # the marketing purpose's 24 months, at the longest
ALLOWED = {"consent_given", "contract", "legitimate_interests", "legal_obligation"}


# -- What a random person is ----------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    kind: str  # "give", "give_parental", "withdraw"
    purpose: int  # index into world.consent_purposes
    days_ago: int


@dataclass(frozen=True)
class PersonSpec:
    child: str  # "adult", "unknown", "child", "child_grown" (birthday passed), "child_soon"
    stage: str
    deals: tuple[str, ...]
    restriction: str  # "none", "active", "lifted"
    dm_objection: bool
    li_objection: tuple[str, str] | None  # (purpose "analytics"/"all", status)
    mark: str | None  # finding status
    ops: tuple[Op, ...]


def _ops(draw) -> tuple[Op, ...]:
    count = draw(st.integers(0, 4))
    # Distinct days, oldest first: some before 24 months (expired by now), most recent.
    days = draw(
        st.lists(
            st.one_of(st.integers(1, 400), st.integers(EXPIRED_AFTER_DAYS + 30, 900)),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    days.sort(reverse=True)
    return tuple(
        Op(
            kind=draw(st.sampled_from(["give", "give", "give_parental", "withdraw"])),
            purpose=draw(st.integers(0, 2)),
            days_ago=day,
        )
        for day in days
    )


@st.composite
def people(draw) -> PersonSpec:
    return PersonSpec(
        child=draw(st.sampled_from(["adult", "unknown", "child", "child_grown", "child_soon"])),
        stage=draw(st.sampled_from(LifecycleStage.values)),
        deals=tuple(draw(st.lists(st.sampled_from(StageOutcome.values), max_size=2))),
        restriction=draw(st.sampled_from(["none", "none", "active", "lifted"])),
        dm_objection=draw(st.booleans()),
        li_objection=draw(
            st.none()
            | st.tuples(
                st.sampled_from(["analytics", "all"]), st.sampled_from(ObjectionStatus.values)
            )
        ),
        mark=draw(st.none() | st.sampled_from(FindingStatus.values)),
        ops=_ops(draw),
    )


# -- Writing a person through the services ---------------------------------------------------


def _child_fields(child: str) -> dict:
    today = timezone.localdate()
    return {
        "adult": {"child_status": ChildStatus.ADULT},
        "unknown": {"child_status": ChildStatus.UNKNOWN},
        "child": {"child_status": ChildStatus.CHILD, "changes_on": today + datetime.timedelta(900)},
        "child_grown": {"child_status": ChildStatus.CHILD, "changes_on": today},
        "child_soon": {
            "child_status": ChildStatus.CHILD,
            "changes_on": today + datetime.timedelta(1),
        },
    }[child]


def _write(spec: PersonSpec, world: GateWorld, index: int) -> tuple[Contact, list[Op]]:
    """The person as the services record them; returns the ops the ledger accepted."""
    contact = person(stage=spec.stage, family_name=f"Random{index}", **_child_fields(spec.child))
    for outcome in spec.deals:
        deal(contact, outcome)
    if spec.mark:
        mark_special(contact, spec.mark)
    accepted = []
    for op in spec.ops:
        purpose = world.consent_purposes[op.purpose]
        try:
            if op.kind == "withdraw":
                withdraw(contact, purpose, days_ago=op.days_ago)
            else:
                give(
                    contact, purpose, world.notice_v1,
                    days_ago=op.days_ago, parental=op.kind == "give_parental",
                )  # fmt: skip
        except DomainError:
            continue
        accepted.append(op)
    if spec.restriction != "none":
        restriction = restriction_start(actor=SYSTEM, contact=contact, reason="Contested.")
        if spec.restriction == "lifted":
            restriction_lift(actor=SYSTEM, restriction=restriction)
    if spec.dm_objection:
        objection_record(actor=SYSTEM, contact=contact, scope=ObjectionScope.DIRECT_MARKETING)
    if spec.li_objection:
        which, status = spec.li_objection
        objection = objection_record(
            actor=SYSTEM,
            contact=contact,
            scope=ObjectionScope.LEGITIMATE_INTERESTS,
            purpose=world.analytics if which == "analytics" else None,
        )
        if status != ObjectionStatus.RECEIVED:
            objection_decide(
                actor=SYSTEM,
                objection=objection,
                upheld=status == ObjectionStatus.UPHELD,
                reason="Decided.",
            )
    return contact, accepted


# -- The model --------------------------------------------------------------------------------


def _consent_code(
    spec: PersonSpec, accepted: list[Op], index: int, world: GateWorld, notice_changed: bool
) -> str:
    mine = [op for op in accepted if op.purpose == index]
    if not mine:
        return "no_consent"
    last = mine[-1]
    if last.kind == "withdraw":
        return "consent_withdrawn"
    purpose = world.consent_purposes[index]
    if purpose.consent_valid_months and last.days_ago > EXPIRED_AFTER_DAYS:
        return "consent_expired"
    # The notice change rewrote the marketing statement and dropped the health newsletter's.
    if notice_changed and index in (0, 1):
        return "consent_needs_renewal"
    is_child = spec.child in ("child", "child_soon")
    if is_child and last.kind != "give_parental":
        return "child_without_parental_consent"
    return "consent_given"


def expected_code(
    spec: PersonSpec, accepted: list[Op], purpose_name: str, world: GateWorld, notice_changed: bool
) -> str:
    purpose = getattr(world, purpose_name)
    basis = purpose.lawful_basis
    if spec.restriction == "active":
        return "restricted"
    if purpose.is_direct_marketing and spec.dm_objection:
        return "objected_to_direct_marketing"
    if basis == "legitimate_interests" and spec.li_objection:
        which, status = spec.li_objection
        if status == ObjectionStatus.UPHELD and (which == "all" or purpose_name == "analytics"):
            return "objection_upheld"
    if basis == "consent":
        index = world.consent_purposes.index(purpose)
        code = _consent_code(spec, accepted, index, world, notice_changed)
    elif basis == "contract":
        contract = (
            StageOutcome.OPEN in spec.deals
            or (StageOutcome.WON in spec.deals and spec.stage != LifecycleStage.FORMER)
            or spec.stage == LifecycleStage.CUSTOMER
        )
        code = "contract" if contract else "no_contract"
    elif basis == "legitimate_interests":
        code = "legitimate_interests" if purpose.legitimate_interest_assessment else "no_assessment"
    else:
        code = basis
    if code not in ALLOWED:
        return code
    marked = spec.mark in (FindingStatus.SUGGESTED, FindingStatus.CONFIRMED)
    if marked and purpose_name == "contract_unconditioned":
        return "special_category_without_condition"
    if marked and purpose_name == "contract_explicit":
        index = world.consent_purposes.index(purpose)
        if _consent_code(spec, accepted, index, world, notice_changed) != "consent_given":
            return "special_category_without_explicit_consent"
    return code


PURPOSE_NAMES = (
    "marketing", "health_newsletter", "contract", "contract_explicit", "contract_unconditioned",
    "analytics", "analytics_health", "unassessed", "postal_marketing", "invoicing",
)  # fmt: skip


@pytest.fixture
def world(db):
    return gate_world()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    group=st.lists(people(), min_size=1, max_size=4),
    notice_changed=st.booleans(),
    expiry_job=st.booleans(),
)
def test_decide_follows_the_rules_and_the_one_query_path_agrees_for_everyone(
    world, group, notice_changed, expiry_job
):
    with transaction.atomic():
        written = [_write(spec, world, n) for n, spec in enumerate(group)]
        if notice_changed:
            notice_version(
                2,
                {
                    world.marketing: "News, offers and event invitations by email.",
                    world.contract_explicit: "Your health details for the service you ordered.",
                },
            )
        if expiry_job:
            consents_expire()
        everyone = Contact.objects.filter(pk__in=[c.pk for c, _ in written])
        for name in PURPOSE_NAMES:
            purpose = getattr(world, name)
            decisions = {}
            for spec, (contact, accepted) in zip(group, written, strict=True):
                decision = decide(contact=contact, purpose=purpose)
                expected = expected_code(spec, accepted, name, world, notice_changed)
                assert decision.code == expected, (name, spec, accepted)
                assert decision.allowed == (expected in ALLOWED)
                decisions[contact.pk] = decision
            allowed = set(contacts_allowed(purpose, queryset=everyone).values_list("pk", flat=True))
            assert allowed == {pk for pk, d in decisions.items() if d.allowed}, name
            refused = Counter(d.code for d in decisions.values() if not d.allowed)
            assert exclusions(purpose, everyone) == dict(refused), name
        transaction.set_rollback(True)
