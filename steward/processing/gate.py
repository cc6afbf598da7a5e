"""The processing gate: may this person's data be processed for this purpose, and why?

Every feature that processes personal data for a purpose asks here: the contact page
(`decisions_for`), exports, the dashboard's figures about people, bulk API reads and campaign
audiences (`contacts_allowed`, `exclusions`). One person at a time, `decide` reads the facts
and applies the rules in Python; for many people, `contacts_allowed` states the same rules as
one SQL query. A property-based test holds the two to the same answers
(docs/decisions/0015-processing-gate.md).

The rules, in the order a refusal is reported (the first that applies names the reason):
1. A restriction not yet lifted (Art. 18(1)): the data may be stored, nothing else.
2. Direct-marketing purposes: any objection to direct marketing (Art. 21(3)), for good.
3. Purposes on legitimate interests or a public task: an upheld Art. 21(1) objection, to
   this purpose or to all.
4. The lawful basis (Art. 6(1)):
   consent - a current consent for the purpose: given (not withdrawn, refused or expired at
     `at`), not waiting for renewal after a notice change, given on a notice version whose
     statements cover the purpose; for a child below the age of digital consent (Art. 8),
     given by a holder of parental responsibility;
   contract - an open deal (steps before a contract at the person's request), a won deal
     unless they are recorded as a former customer, or a lifecycle stage of customer;
   legitimate interests - the register's assessment (none on file: refused);
   legal obligation, vital interests, public task - the register's entry.
5. Purposes whose data categories include special categories (Art. 9), for a person marked
   as holding special-category data: the purpose's Art. 9(2) condition; for explicit consent
   (9(2)(a)) a current consent for the purpose as in 4.

`at` (default now) is the moment the processing would happen: consent expiry and the day a
child comes of age are judged at it; everything else is taken as currently recorded.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateformat import format as date_format

from steward.children.choices import ChildStatus
from steward.consent.models import ConsentState, ConsentStatus, Method, NoticePurpose
from steward.contacts.choices import LifecycleStage
from steward.contacts.models import Contact
from steward.core.actor import Actor
from steward.deals.choices import StageOutcome
from steward.deals.models import Deal
from steward.detection.selectors import may_review, special_findings_standing
from steward.inventory.models import DataCategory
from steward.inventory.taxonomy import Sensitivity
from steward.processing.errors import UnknownPurpose
from steward.processing.models import (
    Art9Condition,
    LawfulBasis,
    Objection,
    ObjectionScope,
    ObjectionStatus,
    Purpose,
    Restriction,
)
from steward.processing.selectors import purpose_get, purposes_active, special_categories_in

# Bases whose processing an Art. 21(1) objection can stop.
OBJECTABLE_BASES = frozenset({LawfulBasis.LEGITIMATE_INTERESTS, LawfulBasis.PUBLIC_TASK})
# Allowed without any fact about the person: the register entry is the evidence.
REGISTER_BASES = frozenset(
    {LawfulBasis.LEGAL_OBLIGATION, LawfulBasis.VITAL_INTERESTS, LawfulBasis.PUBLIC_TASK}
)

# Why a person was left out, as a list of people reads it ("3 people: consent withdrawn").
EXCLUSION_LABELS: dict[str, str] = {
    "restricted": "processing restricted (Art. 18)",
    "objected_to_direct_marketing": "objected to direct marketing",
    "objection_upheld": "objection upheld (Art. 21)",
    "no_consent": "no consent given",
    "consent_refused": "consent refused",
    "consent_withdrawn": "consent withdrawn",
    "consent_expired": "consent expired",
    "consent_needs_renewal": "consent to renew after a notice change",
    "consent_notice_not_covering": "consent given on a notice that does not cover the purpose",
    "child_without_parental_consent": "children without a parent's consent",
    "no_contract": "no contract or open deal",
    "no_assessment": "no legitimate-interest assessment on file",
    "special_category_without_condition": "special-category data without an Art. 9 condition",
    "special_category_without_explicit_consent": "special-category data without explicit consent",
    # What a role that may not see special-category data is shown instead of the two above.
    "withheld": "for a reason shown only to those who may see special-category data",
}
ALLOWED_CODES = frozenset(
    {"consent_given", "contract", "legitimate_interests", *(str(b) for b in REGISTER_BASES)}
)
SPECIAL_CATEGORY_CODES = frozenset(
    {"special_category_without_condition", "special_category_without_explicit_consent"}
)


@dataclass(frozen=True)
class Evidence:
    """One fact a decision rests on: a consent (its last ledger event), a deal, the register's
    assessment or entry, a restriction, an objection."""

    kind: str
    id: str
    summary: str
    at: datetime.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat() if self.at else None}


@dataclass(frozen=True)
class Decision:
    """The gate's answer for one person and one purpose."""

    allowed: bool
    purpose_key: str
    basis: str
    code: str
    reason: str
    evidence: tuple[Evidence, ...] = ()
    purpose_name: str = field(default="", compare=False)
    # Worded as "may (not) be contacted for marketing" rather than "processed".
    direct_marketing: bool = field(default=False, compare=False)

    @property
    def basis_label(self) -> str:
        return LawfulBasis(self.basis).label

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "purpose": self.purpose_key,
            "purpose_name": self.purpose_name,
            "basis": self.basis,
            "code": self.code,
            "reason": self.reason,
            "evidence": [item.to_dict() for item in self.evidence],
        }

    def as_seen_by(self, actor: Actor) -> Decision:
        """This decision for someone who may not see special-category data (Art. 9): the
        refusal's reason and the evidence that would reveal the mark are withheld."""
        if may_see_special_category(actor):
            return self
        evidence = tuple(e for e in self.evidence if e.kind != "art9_condition")
        if self.code not in SPECIAL_CATEGORY_CODES:
            return Decision(**{**_fields(self), "evidence": evidence})
        return Decision(
            **{
                **_fields(self),
                "code": "withheld",
                "reason": f"{_verdict(self.direct_marketing, False)}: ask your data "
                "protection officer why.",
                "evidence": (),
            }
        )


def _fields(decision: Decision) -> dict[str, Any]:
    return {f: getattr(decision, f) for f in Decision.__dataclass_fields__}


def may_see_special_category(actor: Actor) -> bool:
    """Whether `actor` may learn that a person holds special-category data: the roles that
    may review findings (steward.detection's rule, Art. 9)."""
    return may_review(actor)


def exclusions_as_seen_by(excluded: dict[str, int], actor: Actor) -> dict[str, int]:
    """`exclusions()` for `actor`: the special-category reasons merged into "withheld" for
    a role that may not see special-category data."""
    if may_see_special_category(actor):
        return excluded
    seen: dict[str, int] = {}
    for code, count in excluded.items():
        key = "withheld" if code in SPECIAL_CATEGORY_CODES else code
        seen[key] = seen.get(key, 0) + count
    return seen


def exclusion_summary(excluded: dict[str, int]) -> str:
    """ "12 left out: 9 no consent given, 3 consent withdrawn" (empty when none were)."""
    total = sum(excluded.values())
    if not total:
        return ""
    parts = [
        f"{count:,} {EXCLUSION_LABELS.get(code, code)}"
        for code, count in sorted(excluded.items(), key=lambda pair: (-pair[1], pair[0]))
    ]
    return f"{total:,} left out: " + ", ".join(parts)


# -- The purpose -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _PurposeRules:
    """What the gate needs of a purpose, read once."""

    purpose: Purpose
    special: bool  # its data categories include special categories (Art. 9)

    @property
    def basis(self) -> str:
        return self.purpose.lawful_basis


def _resolve(purpose: str | Purpose) -> Purpose:
    """The active purpose meant; UnknownPurpose for a key the register does not hold or a
    purpose no longer in force."""
    found = purpose if isinstance(purpose, Purpose) else purpose_get(purpose)
    if not found.active:
        raise UnknownPurpose(found.key)
    return found


def _rules(purposes: Iterable[Purpose]) -> list[_PurposeRules]:
    purposes = list(purposes)
    # Only the special categories of the taxonomy: a key outside them is personal data
    # (special_categories_in falls back to the built-in table for keys it is not given).
    taxonomy = (
        {
            row.key: row
            for row in DataCategory.objects.filter(sensitivity=Sensitivity.SPECIAL).only(
                "key", "sensitivity"
            )
        }
        if any(p.data_categories for p in purposes)
        else {}
    )
    return [
        _PurposeRules(
            purpose=p,
            special=bool(p.data_categories)
            and bool(special_categories_in(p.data_categories, taxonomy)),
        )
        for p in purposes
    ]


# -- One person: the facts, then the rules in Python -----------------------------------------


@dataclass
class _Facts:
    """Everything about one person the rules read, loaded in a fixed number of queries
    (and only what the purposes asked about need)."""

    contact: Contact
    # purpose id -> state, each with `covers`: its notice version has a statement for the
    # purpose.
    states: dict[Any, ConsentState]
    restriction: Restriction | None
    dm_objection: Objection | None = None
    li_objections: list[Objection] = field(default_factory=list)  # upheld, Art. 21(1)
    open_deal: Deal | None = None
    won_deal: Deal | None = None
    marked: bool = False  # holds special-category data (a standing special finding)


def _needs_consent(rules: _PurposeRules) -> bool:
    purpose = rules.purpose
    return purpose.lawful_basis == LawfulBasis.CONSENT or (
        rules.special and purpose.art9_condition == Art9Condition.EXPLICIT_CONSENT
    )


def _facts(contact: Contact, rules: list[_PurposeRules]) -> _Facts:
    consent_purposes = [r.purpose.pk for r in rules if _needs_consent(r)]
    states = {}
    if consent_purposes:
        covers = Exists(
            NoticePurpose.objects.filter(
                notice_version=OuterRef("notice_version"), purpose=OuterRef("purpose")
            )
        )
        states = {
            s.purpose_id: s
            for s in ConsentState.objects.filter(contact=contact, purpose__in=consent_purposes)
            .annotate(covers=covers)
            .select_related("last_event", "notice_version__notice")
        }
    facts = _Facts(
        contact=contact,
        states=states,
        restriction=Restriction.objects.filter(contact=contact, lifted_at__isnull=True)
        .order_by("started_at")
        .first(),
    )
    if any(
        r.purpose.is_direct_marketing or r.purpose.lawful_basis in OBJECTABLE_BASES for r in rules
    ):
        objections = list(Objection.objects.filter(contact=contact).order_by("received_at"))
        facts.dm_objection = next(
            (o for o in objections if o.scope == ObjectionScope.DIRECT_MARKETING), None
        )
        facts.li_objections = [
            o
            for o in objections
            if o.scope == ObjectionScope.LEGITIMATE_INTERESTS and o.status == ObjectionStatus.UPHELD
        ]
    if any(r.purpose.lawful_basis == LawfulBasis.CONTRACT for r in rules):
        deals = list(
            Deal.objects.filter(
                contact=contact, stage__outcome__in=[StageOutcome.OPEN, StageOutcome.WON]
            )
            .select_related("stage")
            .order_by("-updated_at")
        )
        facts.open_deal = next((d for d in deals if d.stage.outcome == StageOutcome.OPEN), None)
        facts.won_deal = next((d for d in deals if d.stage.outcome == StageOutcome.WON), None)
    if any(r.special for r in rules):
        facts.marked = special_findings_standing().filter(contact=contact).exists()
    return facts


def _day(moment: datetime.datetime | datetime.date | None) -> str:
    if moment is None:
        return "an unknown date"
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "j F Y")


def _verdict(direct_marketing: bool, allowed: bool) -> str:
    if direct_marketing:
        return "May be contacted for marketing" if allowed else "May not be contacted for marketing"
    return (
        "May be processed for this purpose" if allowed else "May not be processed for this purpose"
    )


def is_child_at(contact: Contact, today: datetime.date) -> bool:
    """Below the age of digital consent on `today` (Art. 8): the stored status, which stops
    being true on the birthday it names (steward.children)."""
    if contact.child_status != ChildStatus.CHILD:
        return False
    changes_on = contact.child_status_changes_on
    return changes_on is None or changes_on > today


def _consent_evidence(state: ConsentState) -> Evidence:
    event = state.last_event
    method = Method(event.method).label if event and event.method in Method.values else ""
    notice = ""
    if state.notice_version_id and state.notice_version is not None:
        version = state.notice_version
        notice = f", notice “{version.notice.title}” v{version.version}"
    words = {
        ConsentStatus.GIVEN: "given",
        ConsentStatus.WITHDRAWN: "withdrawn",
        ConsentStatus.EXPIRED: "expired",
        ConsentStatus.REFUSED: "refused",
    }
    status = words.get(state.status, state.status)
    when = event.occurred_at if event else state.updated_at
    parental = " by a parent or guardian" if state.parental else ""
    until = (
        f"; valid until {_day(state.expires_at)}"
        if state.status == ConsentStatus.GIVEN and state.expires_at
        else ""
    )
    return Evidence(
        kind="consent",
        id=str(state.last_event_id),
        summary=f"Consent {status}{parental} on {_day(when)}"
        + (f" ({method.lower()}{notice})" if method else notice)
        + until,
        at=when,
    )


def _consent_judgement(
    rules: _PurposeRules, facts: _Facts, at: datetime.datetime
) -> tuple[str, str, tuple[Evidence, ...]]:
    """(code, explanation, evidence) of the consent rule for one person and purpose."""
    purpose = rules.purpose
    state = facts.states.get(purpose.pk)
    if state is None:
        return "no_consent", "they have not given consent for this purpose", ()
    evidence = (_consent_evidence(state),)
    when = evidence[0].at
    if state.status == ConsentStatus.WITHDRAWN:
        return "consent_withdrawn", f"consent withdrawn on {_day(when)}", evidence
    if state.status == ConsentStatus.REFUSED:
        return "consent_refused", f"they declined consent on {_day(when)}", evidence
    if state.status == ConsentStatus.EXPIRED or (
        state.status == ConsentStatus.GIVEN
        and state.expires_at is not None
        and state.expires_at <= at
    ):
        expired = state.expires_at or when
        return "consent_expired", f"consent expired on {_day(expired)}; ask them again", evidence
    if state.status != ConsentStatus.GIVEN:
        return "no_consent", "they have not given consent for this purpose", evidence
    if state.needs_renewal:
        return (
            "consent_needs_renewal",
            f"the notice changed after they consented on {_day(state.given_at or when)}; "
            "ask them again",
            evidence,
        )
    if not state.covers:
        return (
            "consent_notice_not_covering",
            "the notice they consented to does not cover this purpose",
            evidence,
        )
    today = timezone.localdate(at)
    if is_child_at(facts.contact, today) and not state.parental:
        return (
            "child_without_parental_consent",
            "they are below the age of digital consent (Art. 8) and no parent or guardian "
            "has consented",
            evidence,
        )
    explanation = f"consent given on {_day(state.given_at or when)}"
    if state.parental:
        explanation += " by a parent or guardian"
    if state.expires_at:
        explanation += f", valid until {_day(state.expires_at)}"
    if facts.contact.child_status == ChildStatus.UNKNOWN:
        evidence += (
            Evidence(
                kind="age",
                id=str(facts.contact.pk),
                summary="Age unknown (no date of birth): the consent is taken as their own",
            ),
        )
    return "consent_given", explanation, evidence


def _contract_judgement(facts: _Facts) -> tuple[str, str, tuple[Evidence, ...]]:
    contact = facts.contact
    if facts.open_deal is not None:
        deal = facts.open_deal
        return (
            "contract",
            f"a deal is open with them (“{deal.title}”): steps before a contract",
            (Evidence("deal", str(deal.pk), f"Open deal “{deal.title}” ({deal.stage.name})",
                      deal.created_at),),
        )  # fmt: skip
    if facts.won_deal is not None and contact.lifecycle_stage != LifecycleStage.FORMER:
        deal = facts.won_deal
        return (
            "contract",
            f"they bought from us (deal “{deal.title}” won)",
            (Evidence("deal", str(deal.pk), f"Won deal “{deal.title}”",
                      deal.closed_at or deal.updated_at),),
        )  # fmt: skip
    if contact.lifecycle_stage == LifecycleStage.CUSTOMER:
        return (
            "contract",
            "they are recorded as a customer",
            (Evidence("lifecycle_stage", str(contact.pk), "Lifecycle stage: customer"),),
        )
    return "no_contract", "there is no contract or open deal with them", ()


def _judge(rules: _PurposeRules, facts: _Facts, at: datetime.datetime) -> Decision:
    purpose = rules.purpose
    dm = purpose.is_direct_marketing

    def refuse(code: str, why: str, evidence: tuple[Evidence, ...] = ()) -> Decision:
        return Decision(
            False, purpose.key, purpose.lawful_basis, code,
            f"{_verdict(dm, False)}: {why}.", evidence, purpose.name, dm,
        )  # fmt: skip

    if facts.restriction is not None:
        r = facts.restriction
        return refuse(
            "restricted",
            f"processing is restricted (Art. 18) since {_day(r.started_at)}; the data may only "
            "be stored",
            (Evidence("restriction", str(r.pk), "Restriction of processing", r.started_at),),
        )
    if dm and facts.dm_objection is not None:
        o = facts.dm_objection
        return refuse(
            "objected_to_direct_marketing",
            f"they objected to direct marketing on {_day(o.received_at)} (Art. 21(3)); that "
            "is final",
            (Evidence("objection", str(o.pk), "Objection to direct marketing", o.received_at),),
        )
    if purpose.lawful_basis in OBJECTABLE_BASES:
        for o in facts.li_objections:
            if o.purpose_id is None or o.purpose_id == purpose.pk:
                scope = "this purpose" if o.purpose_id else "all such processing"
                return refuse(
                    "objection_upheld",
                    f"their objection to {scope} was upheld on {_day(o.decided_at)} (Art. 21(1))",
                    (Evidence("objection", str(o.pk), "Objection upheld", o.decided_at),),
                )

    basis = purpose.lawful_basis
    if basis == LawfulBasis.CONSENT:
        code, why, evidence = _consent_judgement(rules, facts, at)
    elif basis == LawfulBasis.CONTRACT:
        code, why, evidence = _contract_judgement(facts)
    elif basis == LawfulBasis.LEGITIMATE_INTERESTS:
        if purpose.legitimate_interest_assessment.strip():
            assessed = f" of {_day(purpose.lia_assessed_on)}" if purpose.lia_assessed_on else ""
            code, why = (
                "legitimate_interests",
                (f"our legitimate interests, weighed against theirs in the assessment{assessed}"),
            )
            evidence = (
                Evidence(
                    "assessment",
                    purpose.key,
                    f"Legitimate-interest assessment{assessed}: "
                    + _shorten(purpose.legitimate_interest_assessment),
                ),
            )
        else:
            code, why, evidence = "no_assessment", "the register holds no assessment", ()
    else:
        code = str(basis)
        why = f"{LawfulBasis(basis).label.split(' (')[0].lower()}, as the register records"
        evidence = (
            Evidence("register", purpose.key, f"Register: {purpose.name} — {_basis_label(basis)}"),
        )
    if code not in ALLOWED_CODES:
        return refuse(code, why, evidence)

    if rules.special and facts.marked:
        condition = purpose.art9_condition
        if not condition:
            return refuse(
                "special_category_without_condition",
                "they may have special-category data (Art. 9) and the register names no Art. 9 "
                "condition for this purpose",
            )
        if condition == Art9Condition.EXPLICIT_CONSENT:
            consent_code, _, consent_evidence = _consent_judgement(rules, facts, at)
            if consent_code != "consent_given":
                return refuse(
                    "special_category_without_explicit_consent",
                    "they may have special-category data (Art. 9) and have not given the "
                    "explicit consent this purpose relies on",
                    consent_evidence,
                )
            if basis != LawfulBasis.CONSENT:
                evidence += consent_evidence
        evidence += (
            Evidence(
                "art9_condition",
                purpose.key,
                f"Special-category data: {Art9Condition(condition).label}",
            ),
        )
    return Decision(
        True, purpose.key, basis, code, f"{_verdict(dm, True)}: {why}.", evidence, purpose.name, dm
    )


def _basis_label(basis: str) -> str:
    return LawfulBasis(basis).label


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def decide(
    *, contact: Contact, purpose: str | Purpose, at: datetime.datetime | None = None
) -> Decision:
    """May `contact`'s data be processed for `purpose` at `at` (default now)? Raises
    UnknownPurpose for a purpose the register does not hold or no longer has in force."""
    found = _resolve(purpose)
    at = at or timezone.now()
    [rules] = _rules([found])
    return _judge(rules, _facts(contact, [rules]), at)


def decisions_for(
    *,
    contact: Contact,
    purposes: Iterable[Purpose] | None = None,
    at: datetime.datetime | None = None,
) -> list[Decision]:
    """`decide` for every active purpose (or the given ones) at once: the same few queries
    whatever the number of purposes (the contact page, the API)."""
    chosen = [_resolve(p) for p in purposes] if purposes is not None else list(purposes_active())
    at = at or timezone.now()
    all_rules = _rules(chosen)
    facts = _facts(contact, all_rules)
    return [_judge(rules, facts, at) for rules in all_rules]


# -- Many people: the same rules as one SQL query --------------------------------------------


class _Conditions:
    """The rules for one purpose as conditions on Contact rows (subqueries on the person)."""

    def __init__(self, rules: _PurposeRules, at: datetime.datetime):
        self.rules = rules
        purpose = rules.purpose
        person = OuterRef("pk")
        today = timezone.localdate(at)
        self.restricted = Exists(Restriction.objects.filter(contact=person, lifted_at__isnull=True))
        self.dm_objected = Exists(
            Objection.objects.filter(contact=person, scope=ObjectionScope.DIRECT_MARKETING)
        )
        self.objection_upheld = Exists(
            Objection.objects.filter(
                Q(purpose=purpose) | Q(purpose__isnull=True),
                contact=person,
                scope=ObjectionScope.LEGITIMATE_INTERESTS,
                status=ObjectionStatus.UPHELD,
            )
        )
        states = ConsentState.objects.filter(contact=person, purpose=purpose)
        not_expired = Q(expires_at__isnull=True) | Q(expires_at__gt=at)
        self.has_state = Exists(states)
        self.withdrawn = Exists(states.filter(status=ConsentStatus.WITHDRAWN))
        self.refused = Exists(states.filter(status=ConsentStatus.REFUSED))
        self.expired = Exists(
            states.filter(
                Q(status=ConsentStatus.EXPIRED) | Q(status=ConsentStatus.GIVEN, expires_at__lte=at)
            )
        )
        self.given = Exists(states.filter(status=ConsentStatus.GIVEN))
        self.needs_renewal = Exists(states.filter(needs_renewal=True))
        # The state's notice version has a statement for the purpose.
        covering = Exists(
            NoticePurpose.objects.filter(notice_version=OuterRef("notice_version"), purpose=purpose)
        )
        self.covered = Exists(states.filter(covering))
        current = states.filter(
            not_expired, covering, status=ConsentStatus.GIVEN, needs_renewal=False
        )
        self.current = Exists(current)
        self.current_parental = Exists(current.filter(parental=True))
        self.child = Q(child_status=ChildStatus.CHILD) & (
            Q(child_status_changes_on__isnull=True) | Q(child_status_changes_on__gt=today)
        )
        not_child = ~Q(child_status=ChildStatus.CHILD) | Q(child_status_changes_on__lte=today)
        # A current consent, and a parent's if the person is a child.
        self.valid_consent = Q(self.current) & (not_child | Q(self.current_parental))
        # The same as a join to the person's state for the purpose (unique per person and
        # purpose, so no row is repeated): the planner can then start from the consent
        # states' index (purpose, status) instead of reading every contact, as a
        # hand-written query would (steward bench campaign_audience).
        state = "consent_states__"
        self.valid_consent_joined = (
            Q(**{
                f"{state}purpose": purpose, f"{state}status": ConsentStatus.GIVEN,
                f"{state}needs_renewal": False,
            })
            & (Q(**{f"{state}expires_at__isnull": True}) | Q(**{f"{state}expires_at__gt": at}))
            & Q(Exists(NoticePurpose.objects.filter(
                notice_version=OuterRef(f"{state}notice_version"), purpose=purpose
            )))
            & (not_child | Q(**{f"{state}parental": True}))
        )  # fmt: skip
        self.contract = (
            Q(Exists(Deal.objects.filter(contact=person, stage__outcome=StageOutcome.OPEN)))
            | (
                Q(Exists(Deal.objects.filter(contact=person, stage__outcome=StageOutcome.WON)))
                & ~Q(lifecycle_stage=LifecycleStage.FORMER)
            )
            | Q(lifecycle_stage=LifecycleStage.CUSTOMER)
        )
        self.marked = Exists(special_findings_standing().filter(contact=person))

    @property
    def purpose(self) -> Purpose:
        return self.rules.purpose

    def allowed(self) -> Q:
        purpose = self.purpose
        basis = purpose.lawful_basis
        allowed = ~Q(self.restricted)
        if purpose.is_direct_marketing:
            allowed &= ~Q(self.dm_objected)
        if basis in OBJECTABLE_BASES:
            allowed &= ~Q(self.objection_upheld)
        if basis == LawfulBasis.CONSENT:
            allowed &= self.valid_consent_joined
        elif basis == LawfulBasis.CONTRACT:
            allowed &= self.contract
        elif basis == LawfulBasis.LEGITIMATE_INTERESTS and not (
            purpose.legitimate_interest_assessment.strip()
        ):
            allowed &= Q(pk__isnull=True)  # nobody
        if self.rules.special:
            condition = purpose.art9_condition
            if not condition:
                allowed &= ~Q(self.marked)
            elif condition == Art9Condition.EXPLICIT_CONSENT and basis != LawfulBasis.CONSENT:
                allowed &= ~Q(self.marked) | self.valid_consent
        return allowed

    def refusals(self) -> list[tuple[str, Q]]:
        """(code, condition) in the order `_judge` reports them; a person gets the first
        whose condition holds, or none if allowed."""
        purpose = self.purpose
        basis = purpose.lawful_basis
        found: list[tuple[str, Q]] = [("restricted", Q(self.restricted))]
        if purpose.is_direct_marketing:
            found.append(("objected_to_direct_marketing", Q(self.dm_objected)))
        if basis in OBJECTABLE_BASES:
            found.append(("objection_upheld", Q(self.objection_upheld)))
        if basis == LawfulBasis.CONSENT:
            found += [
                ("no_consent", ~Q(self.has_state)),
                ("consent_withdrawn", Q(self.withdrawn)),
                ("consent_refused", Q(self.refused)),
                ("consent_expired", Q(self.expired)),
                ("no_consent", ~Q(self.given)),
                ("consent_needs_renewal", Q(self.needs_renewal)),
                ("consent_notice_not_covering", ~Q(self.covered)),
                ("child_without_parental_consent", self.child & ~Q(self.current_parental)),
            ]
        elif basis == LawfulBasis.CONTRACT:
            found.append(("no_contract", ~self.contract))
        elif basis == LawfulBasis.LEGITIMATE_INTERESTS and not (
            purpose.legitimate_interest_assessment.strip()
        ):
            found.append(("no_assessment", Q(pk__isnull=False)))  # everybody
        if self.rules.special:
            condition = purpose.art9_condition
            if not condition:
                found.append(("special_category_without_condition", Q(self.marked)))
            elif condition == Art9Condition.EXPLICIT_CONSENT and basis != LawfulBasis.CONSENT:
                found.append(
                    (
                        "special_category_without_explicit_consent",
                        Q(self.marked) & ~self.valid_consent,
                    )
                )
        return found


def _conditions(purpose: str | Purpose, at: datetime.datetime | None) -> _Conditions:
    [rules] = _rules([_resolve(purpose)])
    return _Conditions(rules, at or timezone.now())


def contacts_allowed(
    purpose: str | Purpose,
    *,
    queryset: QuerySet[Contact] | None = None,
    at: datetime.datetime | None = None,
) -> QuerySet[Contact]:
    """The people who may be processed for `purpose` at `at`, among `queryset` (default:
    every contact), as one SQL query: a campaign's audience, an export, a count for a
    figure. Agrees with `decide` for every person."""
    base = Contact.objects.all() if queryset is None else queryset
    return base.filter(_conditions(purpose, at).allowed())


def exclusions(
    purpose: str | Purpose,
    queryset: QuerySet[Contact] | None = None,
    *,
    at: datetime.datetime | None = None,
) -> dict[str, int]:
    """Who among `queryset` (default: every contact) is left out for `purpose`, and why:
    {code: number of people}, each person under the first reason `decide` would give.
    One aggregate query."""
    conditions = _conditions(purpose, at)
    refusals = conditions.refusals()
    if queryset is None:
        people = Contact.objects.all()
    else:
        # By id: the caller's query may join rows (a search) or carry an order.
        people = Contact.objects.filter(pk__in=queryset.order_by().values("pk"))
    code = Case(
        *[When(condition, then=Value(name)) for name, condition in refusals],
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        people.order_by().annotate(gate_code=code).values("gate_code").annotate(people=Count("*"))
    )
    return {row["gate_code"]: row["people"] for row in rows if row["gate_code"]}
