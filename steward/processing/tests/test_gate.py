"""The processing gate, rule by rule: each test gives one person one fact and checks the
decision, its reason and its evidence, and that the one-query path agrees."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from steward.children.choices import ChildStatus
from steward.consent.models import ConsentState
from steward.consent.services import consents_expire
from steward.contacts.choices import LifecycleStage
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.deals.choices import StageOutcome
from steward.detection.choices import FindingStatus
from steward.processing.errors import UnknownPurpose
from steward.processing.gate import (
    Decision,
    contacts_allowed,
    decide,
    decisions_for,
    exclusion_summary,
    exclusions,
    exclusions_as_seen_by,
)
from steward.processing.models import ObjectionScope
from steward.processing.services import (
    objection_decide,
    objection_record,
    restriction_lift,
    restriction_start,
)
from steward.processing.tests.factories_gate import (
    SYSTEM,
    consent_state,
    deal,
    gate_purpose,
    gate_world,
    give,
    mark_special,
    notice_version,
    person,
    withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return gate_world()


def _decide(contact, purpose, at=None) -> Decision:
    """The decision, after checking the one-query path gives the same answer."""
    decision = decide(contact=contact, purpose=purpose, at=at)
    only = Contact.objects.filter(pk=contact.pk)
    assert contacts_allowed(purpose, queryset=only, at=at).exists() == decision.allowed
    assert exclusions(purpose, only, at=at) == ({} if decision.allowed else {decision.code: 1})
    return decision


# -- Consent --------------------------------------------------------------------------------


def test_consent_given_allows_and_shows_the_ledger_event_as_evidence(world):
    ada = person()
    event = give(ada, world.marketing, world.notice_v1, days_ago=3)

    decision = _decide(ada, world.marketing)

    assert decision.allowed and decision.code == "consent_given"
    assert decision.basis == "consent"
    assert decision.reason.startswith("May be contacted for marketing: consent given on ")
    assert "valid until" in decision.reason
    [consent] = [e for e in decision.evidence if e.kind == "consent"]
    assert consent.id == str(event.pk)
    assert "Gate consent text" in consent.summary and "v1" in consent.summary


def test_without_any_consent_a_person_may_not_be_emailed(world):
    decision = _decide(person(), world.marketing)

    assert not decision.allowed and decision.code == "no_consent"
    assert decision.reason == (
        "May not be contacted for marketing: they have not given consent for this purpose."
    )


def test_a_withdrawn_consent_refuses_with_the_day_it_was_withdrawn(world):
    ada = person()
    give(ada, world.marketing, world.notice_v1, days_ago=10)
    event = withdraw(ada, world.marketing, days_ago=2)

    decision = _decide(ada, world.marketing)

    assert not decision.allowed and decision.code == "consent_withdrawn"
    day = timezone.localtime(event.occurred_at)
    assert f"consent withdrawn on {day.day} {day:%B %Y}" in decision.reason
    assert decision.evidence[0].id == str(event.pk)


def test_a_consent_past_its_expiry_refuses_before_and_after_the_expiry_job(world):
    ada = person()
    give(ada, world.marketing, world.notice_v1, days_ago=800)  # 24 months ran out

    before_job = _decide(ada, world.marketing)
    consents_expire()
    after_job = _decide(ada, world.marketing)

    assert before_job.code == after_job.code == "consent_expired"
    assert "ask them again" in after_job.reason


def test_a_consent_is_judged_at_the_moment_given_so_a_campaign_can_be_checked_ahead(world):
    ada = person()
    give(ada, world.marketing, world.notice_v1, days_ago=700)  # expires in about 30 days
    in_two_months = timezone.now() + datetime.timedelta(days=60)

    assert _decide(ada, world.marketing).allowed
    assert _decide(ada, world.marketing, at=in_two_months).code == "consent_expired"


def test_a_notice_change_to_the_purpose_makes_the_consent_need_renewal(world):
    ada = person()
    give(ada, world.marketing, world.notice_v1, days_ago=5)
    notice_version(
        2,
        {
            world.marketing: "News, offers and event invitations by email.",  # changed
            world.health_newsletter: "Health tips, using what you tell us about your health.",
            world.contract_explicit: "Your health details for the service you ordered.",
        },
    )

    decision = _decide(ada, world.marketing)

    assert not decision.allowed and decision.code == "consent_needs_renewal"
    assert "the notice changed" in decision.reason


def test_a_consent_renewed_under_the_new_notice_allows_again(world):
    ada = person()
    give(ada, world.marketing, world.notice_v1, days_ago=5)
    v2 = notice_version(2, {world.marketing: "News, offers and event invitations by email."})

    give(ada, world.marketing, v2, days_ago=1)

    assert _decide(ada, world.marketing).allowed


def test_a_consent_on_a_notice_that_does_not_cover_the_purpose_refuses(world):
    # given: a projection row (as an older import wrote it) naming a version that says
    # nothing about the purpose
    ada = person()
    give(ada, world.marketing, world.notice_v1, days_ago=5)
    other = notice_version(1, {world.contract_explicit: "Health details."}, key="other-text")
    ConsentState.objects.filter(contact=ada, purpose=world.marketing).update(notice_version=other)

    decision = _decide(ada, world.marketing)

    assert not decision.allowed and decision.code == "consent_notice_not_covering"


def test_a_child_needs_a_parents_consent(world):
    child = person(
        child_status=ChildStatus.CHILD, changes_on=timezone.localdate() + datetime.timedelta(400)
    )
    give(child, world.marketing, world.notice_v1, days_ago=3)

    refused = _decide(child, world.marketing)
    give(child, world.marketing, world.notice_v1, days_ago=1, parental=True)
    allowed = _decide(child, world.marketing)

    assert refused.code == "child_without_parental_consent"
    assert "no parent or guardian has consented" in refused.reason
    assert allowed.allowed and "by a parent or guardian" in allowed.reason


def test_a_child_whose_birthday_has_come_is_judged_as_an_adult_before_the_daily_job(world):
    grown = person(child_status=ChildStatus.CHILD, changes_on=timezone.localdate())
    give(grown, world.marketing, world.notice_v1, days_ago=3)

    assert _decide(grown, world.marketing).allowed


def test_a_child_is_judged_by_the_day_of_the_processing(world):
    child = person(
        child_status=ChildStatus.CHILD, changes_on=timezone.localdate() + datetime.timedelta(10)
    )
    give(child, world.marketing, world.notice_v1, days_ago=3)
    later = timezone.now() + datetime.timedelta(days=11)

    assert _decide(child, world.marketing).code == "child_without_parental_consent"
    assert _decide(child, world.marketing, at=later).allowed


def test_a_person_of_unknown_age_consents_for_themselves_and_the_decision_says_so(world):
    unknown = person(child_status=ChildStatus.UNKNOWN)
    give(unknown, world.marketing, world.notice_v1, days_ago=3)

    decision = _decide(unknown, world.marketing)

    assert decision.allowed
    assert any(e.kind == "age" and "Age unknown" in e.summary for e in decision.evidence)


def test_the_child_rule_does_not_apply_to_a_contract(world):
    child = person(child_status=ChildStatus.CHILD, stage=LifecycleStage.CUSTOMER)

    assert _decide(child, world.contract).allowed


# -- Restriction and objection --------------------------------------------------------------


def test_a_restriction_blocks_every_purpose_until_it_is_lifted(world):
    ada = person(stage=LifecycleStage.CUSTOMER)
    give(ada, world.marketing, world.notice_v1)
    restriction = restriction_start(actor=SYSTEM, contact=ada, reason="Accuracy contested.")

    during = [_decide(ada, p) for p in world.purposes]
    restriction_lift(actor=SYSTEM, restriction=restriction, reason="Checked and corrected.")

    assert {d.code for d in during} == {"restricted"}
    assert "may only be stored" in during[0].reason
    assert _decide(ada, world.marketing).allowed
    assert _decide(ada, world.invoicing).allowed


def test_an_objection_to_direct_marketing_blocks_every_marketing_purpose_whatever_the_basis(
    world,
):
    ada = person(stage=LifecycleStage.CUSTOMER)
    give(ada, world.marketing, world.notice_v1)
    objection_record(actor=SYSTEM, contact=ada, scope=ObjectionScope.DIRECT_MARKETING)

    assert _decide(ada, world.marketing).code == "objected_to_direct_marketing"
    assert _decide(ada, world.postal_marketing).code == "objected_to_direct_marketing"
    assert "that is final" in _decide(ada, world.marketing).reason
    # what is not marketing goes on
    assert _decide(ada, world.contract).allowed
    assert _decide(ada, world.analytics).allowed


def test_an_objection_on_legitimate_interests_blocks_only_once_upheld(world):
    ada = person()
    objection = objection_record(
        actor=SYSTEM,
        contact=ada,
        scope=ObjectionScope.LEGITIMATE_INTERESTS,
        purpose=world.analytics,
        grounds="I do not want to be counted.",
    )

    pending = _decide(ada, world.analytics)
    objection_decide(actor=SYSTEM, objection=objection, upheld=True, reason="No overriding ground.")

    assert pending.allowed
    assert _decide(ada, world.analytics).code == "objection_upheld"
    # an objection to one purpose leaves the others
    assert _decide(ada, world.postal_marketing).allowed


def test_an_upheld_objection_to_all_legitimate_interests_blocks_them_all_and_nothing_else(world):
    ada = person(stage=LifecycleStage.CUSTOMER)
    objection = objection_record(
        actor=SYSTEM, contact=ada, scope=ObjectionScope.LEGITIMATE_INTERESTS
    )
    objection_decide(actor=SYSTEM, objection=objection, upheld=True, reason="Agreed.")

    assert _decide(ada, world.analytics).code == "objection_upheld"
    assert _decide(ada, world.postal_marketing).code == "objection_upheld"
    assert _decide(ada, world.contract).allowed
    assert _decide(ada, world.invoicing).allowed


def test_a_rejected_objection_does_not_block(world):
    ada = person()
    objection = objection_record(
        actor=SYSTEM, contact=ada, scope=ObjectionScope.LEGITIMATE_INTERESTS
    )
    objection_decide(actor=SYSTEM, objection=objection, upheld=False, reason="Fraud prevention.")

    assert _decide(ada, world.analytics).allowed


# -- Contract, legitimate interests, legal obligation ---------------------------------------


@pytest.mark.parametrize(
    ("outcome", "stage", "allowed", "kind"),
    [
        (StageOutcome.OPEN, LifecycleStage.PROSPECT, True, "deal"),
        (StageOutcome.OPEN, LifecycleStage.FORMER, True, "deal"),
        (StageOutcome.WON, LifecycleStage.LEAD, True, "deal"),
        (StageOutcome.WON, LifecycleStage.FORMER, False, None),
        (StageOutcome.LOST, LifecycleStage.PROSPECT, False, None),
        (None, LifecycleStage.CUSTOMER, True, "lifecycle_stage"),
        (None, LifecycleStage.LEAD, False, None),
    ],
)
def test_a_contract_needs_an_open_or_won_deal_or_a_customer(world, outcome, stage, allowed, kind):
    ada = person(stage=stage)
    if outcome:
        deal(ada, outcome)

    decision = _decide(ada, world.contract)

    assert decision.allowed is allowed
    assert decision.code == ("contract" if allowed else "no_contract")
    assert [e.kind for e in decision.evidence] == ([kind] if kind else [])


def test_legitimate_interests_show_the_assessment_and_fail_without_one(world):
    ada = person()

    with_assessment = _decide(ada, world.analytics)
    without = _decide(ada, world.unassessed)

    assert with_assessment.allowed and with_assessment.code == "legitimate_interests"
    assert with_assessment.evidence[0].kind == "assessment"
    assert "15 January 2026" in with_assessment.reason
    assert not without.allowed and without.code == "no_assessment"


def test_a_legal_obligation_shows_the_register_entry(world):
    decision = _decide(person(), world.invoicing)

    assert decision.allowed and decision.code == "legal_obligation"
    assert decision.evidence[0].kind == "register"
    assert decision.reason == (
        "May be processed for this purpose: legal obligation, as the register records."
    )


# -- Special categories (Art. 9) ------------------------------------------------------------


def test_special_category_data_matters_only_for_purposes_that_use_special_categories(world):
    ada = person(stage=LifecycleStage.CUSTOMER)
    mark_special(ada)

    assert _decide(ada, world.contract).allowed
    assert not any(e.kind == "art9_condition" for e in _decide(ada, world.contract).evidence)
    assert _decide(ada, world.contract_unconditioned).code == "special_category_without_condition"


def test_a_purpose_with_a_condition_other_than_consent_allows_with_the_condition(world):
    ada = person()
    mark_special(ada, FindingStatus.CONFIRMED)

    decision = _decide(ada, world.analytics_health)

    assert decision.allowed
    assert any(e.kind == "art9_condition" for e in decision.evidence)


def test_explicit_consent_needs_a_consent_event_for_the_purpose(world):
    ada = person(stage=LifecycleStage.CUSTOMER)
    mark_special(ada)

    without = _decide(ada, world.contract_explicit)
    give(ada, world.contract_explicit, world.notice_v1)
    with_consent = _decide(ada, world.contract_explicit)

    assert without.code == "special_category_without_explicit_consent"
    assert with_consent.allowed and with_consent.code == "contract"
    assert [e.kind for e in with_consent.evidence] == [
        "lifecycle_stage",
        "consent",
        "art9_condition",
    ]


def test_a_dismissed_finding_is_no_mark(world):
    ada = person(stage=LifecycleStage.CUSTOMER)
    mark_special(ada, FindingStatus.DISMISSED)

    assert _decide(ada, world.contract_unconditioned).allowed


def test_a_role_that_may_not_see_special_category_data_is_not_told_why(world, owner, admin):
    ada = person(stage=LifecycleStage.CUSTOMER)
    mark_special(ada)
    decision = decide(contact=ada, purpose=world.contract_unconditioned)

    seen = decision.as_seen_by(owner)

    assert seen.code == "withheld" and not seen.allowed
    assert "special" not in seen.reason and seen.evidence == ()
    assert decision.as_seen_by(admin) == decision
    excluded = exclusions(world.contract_unconditioned, Contact.objects.filter(pk=ada.pk))
    assert exclusions_as_seen_by(excluded, owner) == {"withheld": 1}


# -- Purposes, many people, queries ---------------------------------------------------------


def test_an_unknown_or_inactive_purpose_is_a_clear_error(world):
    ada = person()
    retired = gate_purpose("gate-retired", "contract", active=False)

    with pytest.raises(UnknownPurpose, match="Unknown purpose 'no-such-purpose'"):
        decide(contact=ada, purpose="no-such-purpose")
    with pytest.raises(UnknownPurpose):
        decide(contact=ada, purpose=retired)
    with pytest.raises(UnknownPurpose):
        contacts_allowed("gate-retired")
    with pytest.raises(UnknownPurpose):
        exclusions("no-such-purpose")


def test_decisions_for_all_purposes_cost_the_same_few_queries(world):
    ada = person(stage=LifecycleStage.CUSTOMER)
    give(ada, world.marketing, world.notice_v1)
    deal(ada, StageOutcome.WON)
    mark_special(ada)

    with CaptureQueriesContext(connection) as queries:
        decisions = decisions_for(contact=ada, purposes=world.purposes)

    assert len(decisions) == len(world.purposes)
    assert [d.code for d in decisions] == [
        decide(contact=ada, purpose=p).code for p in world.purposes
    ]
    assert len(queries) <= 8


def test_contacts_allowed_is_one_query_and_exclusions_say_who_was_left_out(world):
    allowed = person(family_name="Allowed")
    give(allowed, world.marketing, world.notice_v1)
    withdrawn = person(family_name="Withdrawn")
    give(withdrawn, world.marketing, world.notice_v1, days_ago=3)
    withdraw(withdrawn, world.marketing)
    person(family_name="Never asked")
    restricted = person(family_name="Restricted")
    give(restricted, world.marketing, world.notice_v1)
    restriction_start(actor=SystemActor("t"), contact=restricted, reason="Contested.")
    audience = contacts_allowed("gate-marketing")

    with CaptureQueriesContext(connection) as queries:
        names = [c.family_name for c in audience]

    assert names == ["Allowed"]
    assert len(queries) == 1
    excluded = exclusions("gate-marketing")
    assert excluded == {"consent_withdrawn": 1, "no_consent": 1, "restricted": 1}
    assert exclusion_summary(excluded) == (
        "3 left out: 1 consent withdrawn, 1 no consent given, 1 processing restricted (Art. 18)"
    )


def test_the_decision_serialises_to_json_ready_data(world):
    ada = person()
    give(ada, world.marketing, world.notice_v1)

    data = decide(contact=ada, purpose="gate-marketing").to_dict()

    assert data["allowed"] is True and data["purpose"] == "gate-marketing"
    assert data["evidence"][0]["kind"] == "consent"
    assert isinstance(data["evidence"][0]["at"], str)
    assert consent_state(ada, world.marketing) is not None
