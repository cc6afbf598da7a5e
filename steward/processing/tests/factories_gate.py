"""People and purposes for the gate's tests. Consents go through the consent ledger's own
services (consent_give / consent_withdraw / notice_version_publish); restrictions and
objections through the register's services. Purposes are written directly: the gate must
also cope with entries the register's validation would refuse (an Art. 9 category without a
condition, legitimate interests without an assessment), e.g. rows written before a rule."""

import datetime
import uuid
from dataclasses import dataclass

from django.utils import timezone

from steward.children.choices import ChildStatus
from steward.consent.models import ConsentState, Notice, NoticeKind, NoticeVersion
from steward.consent.services import (
    consent_give,
    consent_withdraw,
    notice_version_draft,
    notice_version_publish,
)
from steward.contacts.choices import LifecycleStage
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.deals.choices import StageOutcome
from steward.deals.tests.factories import DealFactory, PipelineFactory, StageFactory
from steward.detection.choices import FindingStatus
from steward.detection.models import PersonalDataFinding
from steward.processing.models import Art9Condition, LawfulBasis, Purpose

SYSTEM = SystemActor("gate-tests")
LIA = "Reporting on our own customer base; aggregated, no profiling; people can object."


def gate_purpose(key: str, basis: str, **extra) -> Purpose:
    """A purpose of the register as the gate reads it (created or reset)."""
    defaults = {
        "name": key.replace("-", " ").capitalize(),
        "description": f"What {key} is for.",
        "lawful_basis": basis,
        "art9_condition": Art9Condition.NONE,
        "data_categories": ["contact.email", "identity.name"],
        "legitimate_interest_assessment": LIA if basis == LawfulBasis.LEGITIMATE_INTERESTS else "",
        "lia_assessed_on": datetime.date(2026, 1, 15)
        if basis == LawfulBasis.LEGITIMATE_INTERESTS
        else None,
        "is_direct_marketing": False,
        "consent_valid_months": None,
        "active": True,
    }
    defaults.update(extra)
    row, _ = Purpose.objects.update_or_create(key=key, defaults=defaults)
    return row


@dataclass
class GateWorld:
    """One purpose of every kind the rules tell apart, and a consent text covering the
    consent-based ones."""

    marketing: Purpose  # consent, direct marketing, 24 months
    health_newsletter: Purpose  # consent, special categories, explicit consent (9(2)(a))
    contract: Purpose
    contract_explicit: Purpose  # contract + special categories under 9(2)(a)
    contract_unconditioned: Purpose  # contract + special categories, no condition
    analytics: Purpose  # legitimate interests, with an assessment
    analytics_health: Purpose  # legitimate interests + special under 9(2)(h)
    unassessed: Purpose  # legitimate interests without an assessment
    postal_marketing: Purpose  # legitimate interests, direct marketing
    invoicing: Purpose  # legal obligation
    notice_v1: NoticeVersion

    @property
    def purposes(self) -> list[Purpose]:
        return [
            self.marketing, self.health_newsletter, self.contract, self.contract_explicit,
            self.contract_unconditioned, self.analytics, self.analytics_health,
            self.unassessed, self.postal_marketing, self.invoicing,
        ]  # fmt: skip

    @property
    def consent_purposes(self) -> list[Purpose]:
        return [self.marketing, self.health_newsletter, self.contract_explicit]


def gate_world() -> GateWorld:
    special = ["contact.email", "special.health"]
    world = dict(
        marketing=gate_purpose(
            "gate-marketing", LawfulBasis.CONSENT, is_direct_marketing=True,
            consent_valid_months=24,
        ),
        health_newsletter=gate_purpose(
            "gate-health-newsletter", LawfulBasis.CONSENT, data_categories=special,
            art9_condition=Art9Condition.EXPLICIT_CONSENT,
        ),
        contract=gate_purpose("gate-contract", LawfulBasis.CONTRACT),
        contract_explicit=gate_purpose(
            "gate-contract-explicit", LawfulBasis.CONTRACT, data_categories=special,
            art9_condition=Art9Condition.EXPLICIT_CONSENT,
        ),
        contract_unconditioned=gate_purpose(
            "gate-contract-unconditioned", LawfulBasis.CONTRACT, data_categories=special
        ),
        analytics=gate_purpose("gate-analytics", LawfulBasis.LEGITIMATE_INTERESTS),
        analytics_health=gate_purpose(
            "gate-analytics-health", LawfulBasis.LEGITIMATE_INTERESTS, data_categories=special,
            art9_condition=Art9Condition.HEALTH_CARE,
        ),
        unassessed=gate_purpose(
            "gate-unassessed", LawfulBasis.LEGITIMATE_INTERESTS,
            legitimate_interest_assessment="",
        ),
        postal_marketing=gate_purpose(
            "gate-postal-marketing", LawfulBasis.LEGITIMATE_INTERESTS, is_direct_marketing=True
        ),
        invoicing=gate_purpose("gate-invoicing", LawfulBasis.LEGAL_OBLIGATION),
    )  # fmt: skip
    version = notice_version(
        1,
        {
            world["marketing"]: "News and offers by email.",
            world["health_newsletter"]: "Health tips, using what you tell us about your health.",
            world["contract_explicit"]: "Your health details for the service you ordered.",
        },
    )
    return GateWorld(**world, notice_v1=version)


def notice_version(number: int, statements: dict, *, key: str = "gate-consent-text"):
    """A published version of the gate tests' consent text (drafted and published through
    the consent services)."""
    notice, _ = Notice.objects.get_or_create(
        key=key, defaults={"title": "Gate consent text", "kind": NoticeKind.CONSENT_TEXT}
    )
    draft = notice_version_draft(
        actor=SYSTEM, notice=notice, text=f"Consent text, version {number}.", statements=statements
    )
    notice_version_publish(actor=SYSTEM, version=draft)
    draft.refresh_from_db()
    return draft


def person(
    *,
    child_status: str = ChildStatus.ADULT,
    changes_on: datetime.date | None = None,
    stage: str = LifecycleStage.LEAD,
    email: str | None = None,
    **extra,
) -> Contact:
    """A contact with the child status written as given (the children app's function is
    tested on its own; here the gate's reading of the stored status is)."""
    return Contact.objects.create(
        given_name=extra.pop("given_name", "Maren"),
        family_name=extra.pop("family_name", "Example"),
        email=email or f"gate-{uuid.uuid4().hex[:10]}@example.org",
        child_status=child_status,
        child_status_changes_on=changes_on,
        lifecycle_stage=stage,
        **extra,
    )


def give(contact, purpose, version, *, days_ago: float = 1, parental: bool = False):
    return consent_give(
        actor=SYSTEM,
        contact=contact,
        purpose=purpose,
        notice_version=version,
        method="parental" if parental else "web_form",
        channel="web",
        evidence={"ip": "192.0.2.10", "page": "https://www.example.com/newsletter"},
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
        given_by="Pat Example (mother)" if parental else "",
        parental=parental,
    )


def withdraw(contact, purpose, *, days_ago: float = 0.5):
    return consent_withdraw(
        actor=SYSTEM,
        contact=contact,
        purpose=purpose,
        method="preference_centre",
        channel="email",
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def consent_state(contact, purpose) -> ConsentState | None:
    return ConsentState.objects.filter(contact=contact, purpose=purpose).first()


def deal(contact, outcome: str = StageOutcome.OPEN, title: str = "Annual licence"):
    """A deal with `contact` in a stage of the given outcome."""
    pipeline = PipelineFactory()
    stage = pipeline.stages.filter(outcome=outcome).first() or StageFactory(
        pipeline=pipeline, name=f"Gate {outcome}", outcome=outcome
    )
    now = timezone.now()
    return DealFactory(
        contact=contact,
        stage=stage,
        pipeline=pipeline,
        title=title,
        closed_at=now if outcome != StageOutcome.OPEN else None,
    )


def mark_special(contact, status: str = FindingStatus.SUGGESTED) -> PersonalDataFinding:
    """A special-category finding about `contact` (what detection's mark reads)."""
    return PersonalDataFinding.objects.create(
        record_type="contacts.contact",
        record_id=contact.pk,
        field_name="custom.notes",
        contact=contact,
        category="health",
        taxonomy_key="special.health",
        special=True,
        start=0,
        end=8,
        confidence=0.9,
        evidence="diabetes",
        detector="test",
        status=status,
    )
