"""/contacts/{id}/processing: may this person's data be processed for each purpose, and why
(the processing gate's decisions, with their evidence). Same record scope as the contact."""

import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from steward.api.errors import errors
from steward.api.schemas import Text
from steward.contacts.selectors import contact_get
from steward.core.errors import ValidationFailed
from steward.processing.errors import UnknownPurpose
from steward.processing.gate import Decision, decide, decisions_for

router = Router(tags=["processing"])


class EvidenceOut(Schema):
    """A fact the decision rests on."""

    kind: str = Field(
        description="consent (id: the ledger event), deal, lifecycle_stage, assessment, "
        "register, art9_condition, restriction, objection or age"
    )
    id: str
    summary: str
    at: datetime.datetime | None = None


class DecisionOut(Schema):
    purpose: str = Field(description="The purpose's key in the register")
    purpose_name: str
    allowed: bool
    basis: str = Field(description="Lawful basis of the purpose (Art. 6(1))")
    code: str = Field(
        description="Stable reason: consent_given, contract, legitimate_interests, "
        "legal_obligation when allowed; no_consent, consent_withdrawn, consent_expired, "
        "consent_needs_renewal, consent_refused, consent_notice_not_covering, "
        "child_without_parental_consent, no_contract, no_assessment, restricted, "
        "objected_to_direct_marketing, objection_upheld, special_category_without_condition, "
        "special_category_without_explicit_consent or withheld when not"
    )
    reason: str = Field(description="The reason in words")
    evidence: list[EvidenceOut]


class ProcessingOut(Schema):
    contact: UUID
    decisions: list[DecisionOut]


class ProcessingParams(Schema):
    purpose: Text(50) = Field("", description="Only this purpose (its key)")


def decision_out(decision: Decision) -> dict:
    return {
        "purpose": decision.purpose_key,
        "purpose_name": decision.purpose_name,
        "allowed": decision.allowed,
        "basis": decision.basis,
        "code": decision.code,
        "reason": decision.reason,
        "evidence": [item.to_dict() for item in decision.evidence],
    }


def unknown_purpose(error: UnknownPurpose) -> ValidationFailed:
    return ValidationFailed(error.message, field_errors={"purpose": [error.message]})


@router.get("/{contact_id}/processing", response={200: ProcessingOut, **errors(404, 422)})
def contact_processing(
    request: HttpRequest, contact_id: UUID, params: Query[ProcessingParams]
) -> dict:
    """Whether the contact's data may be processed for each active purpose of the register
    (or only `purpose`), and why: "why may I email this person?". The reason for a refusal
    that would reveal special-category data is withheld from roles that may not see it."""
    contact = contact_get(actor=request.auth, pk=contact_id)
    try:
        if params.purpose:
            decisions = [decide(contact=contact, purpose=params.purpose)]
        else:
            decisions = decisions_for(contact=contact)
    except UnknownPurpose as error:
        raise unknown_purpose(error) from None
    return {
        "contact": contact.pk,
        "decisions": [decision_out(d.as_seen_by(request.auth)) for d in decisions],
    }
