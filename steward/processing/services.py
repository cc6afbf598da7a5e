"""Writes of the register (purposes, recipients) and of the two facts that stop processing
whatever the basis: a restriction (Art. 18) and an objection (Art. 21). Each service checks
the actor's permission, validates the whole resulting state, and writes with its audit event
in one transaction; a refused call writes nothing."""

import datetime
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_countries import countries as country_names

from steward.audit.events import audit_record
from steward.contacts.models import Contact
from steward.core.actor import Actor, actor_user
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import require
from steward.core.scoping import may_see
from steward.core.writes import create_audited, editable_fields, update_audited
from steward.inventory.selectors import category_index
from steward.processing.errors import UnknownPurpose
from steward.processing.models import (
    Art9Condition,
    LawfulBasis,
    Objection,
    ObjectionScope,
    ObjectionStatus,
    Purpose,
    Recipient,
    RecipientKind,
    RecipientStatus,
    Restriction,
    RetentionTrigger,
    TransferSafeguard,
)
from steward.processing.selectors import purpose_get, special_categories_in
from steward.processing.transfers import third_countries

MANAGE = "processing.manage"

PURPOSE_FIELDS = (
    "key", "name", "description", "lawful_basis", "art9_condition", "data_categories",
    "subject_categories", "retention_months", "retention_trigger", "retention_note",
    "security_measures", "legitimate_interest_assessment", "lia_assessed_on", "dpia_required",
    "dpia_reference", "is_direct_marketing", "consent_valid_months", "active",
)  # fmt: skip
RECIPIENT_FIELDS = (
    "name", "kind", "service", "contact_details", "purposes", "data_categories", "countries",
    "transfer_safeguard", "transfer_documentation", "dpa_signed_on", "dpa_document", "status",
    "notes",
)  # fmt: skip

# A data processing agreement as uploaded: a document, not a program or a page.
DPA_EXTENSIONS = frozenset({".pdf", ".odt", ".docx", ".doc", ".png", ".jpg", ".jpeg", ".txt"})
DPA_MAX_BYTES = 20 * 1024 * 1024


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def _strings(value: Any, field: str) -> list[str]:
    """A list of distinct, stripped, non-empty strings, in the order given."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise _refuse(field, "Give a list of values.")
    seen: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise _refuse(field, "Give a list of values.")
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def _category_keys(value: Any, field: str, taxonomy: dict) -> list[str]:
    keys = _strings(value, field)
    unknown = [key for key in keys if key not in taxonomy]
    if unknown:
        raise _refuse(
            field,
            f"Unknown data categor{'y' if len(unknown) == 1 else 'ies'}: {', '.join(unknown)}. "
            "Use keys of the data map's taxonomy (e.g. contact.email).",
        )
    return keys


def _months(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        months = int(str(value).strip())
    except (TypeError, ValueError):
        raise _refuse(field, "A whole number of months.") from None
    if months < 0:
        raise _refuse(field, "A whole number of months, 0 or more.")
    return months


# -- Purposes ------------------------------------------------------------------------------


def _purpose_clean(state: dict[str, Any]) -> dict[str, Any]:
    """Normalises and checks a purpose as it would stand after the write (Art. 6, 9, 30)."""
    taxonomy = category_index()
    for name in ("key", "name", "description", "retention_note", "security_measures",
                 "legitimate_interest_assessment", "dpia_reference", "lawful_basis",
                 "art9_condition", "retention_trigger"):  # fmt: skip
        if isinstance(state.get(name), str):
            state[name] = state[name].strip()
        elif state.get(name) is None and name not in ("key", "name", "description"):
            state[name] = ""
    if state.get("lawful_basis") not in LawfulBasis.values:
        raise _refuse("lawful_basis", "Choose the lawful basis (Art. 6(1)(a)-(f)).")
    if state.get("art9_condition") not in Art9Condition.values:
        raise _refuse("art9_condition", "Choose an Art. 9(2) condition from the list.")
    if state.get("retention_trigger") not in ["", *RetentionTrigger.values]:
        raise _refuse("retention_trigger", "Choose from when the retention period runs.")
    state["data_categories"] = _category_keys(
        state.get("data_categories"), "data_categories", taxonomy
    )
    state["subject_categories"] = _strings(state.get("subject_categories"), "subject_categories")
    state["retention_months"] = _months(state.get("retention_months"), "retention_months")
    state["consent_valid_months"] = _months(
        state.get("consent_valid_months"), "consent_valid_months"
    )
    basis = state["lawful_basis"]
    if basis == LawfulBasis.LEGITIMATE_INTERESTS and not state["legitimate_interest_assessment"]:
        raise _refuse(
            "legitimate_interest_assessment",
            "Legitimate interests (Art. 6(1)(f)) need a legitimate-interest assessment: the "
            "interest, why the processing is necessary for it, and why it is not overridden "
            "by the person's interests and rights.",
        )
    special = special_categories_in(state["data_categories"], taxonomy)
    if special and not state["art9_condition"]:
        raise _refuse(
            "art9_condition",
            f"{', '.join(special)} {'is' if len(special) == 1 else 'are'} special-category data "
            "(Art. 9(1)): choose the Art. 9(2) condition that allows processing it.",
        )
    if state["consent_valid_months"] is not None and basis != LawfulBasis.CONSENT:
        raise _refuse(
            "consent_valid_months",
            "Only a purpose that rests on consent has a consent validity; this one rests on "
            f"{LawfulBasis(basis).label}.",
        )
    if state["consent_valid_months"] == 0:
        raise _refuse("consent_valid_months", "Leave empty for no expiry, or give 1 month or more.")
    if state["retention_months"] is not None and not state["retention_trigger"]:
        raise _refuse("retention_trigger", "Say from when the retention period runs.")
    if state["retention_trigger"] and state["retention_months"] is None:
        raise _refuse("retention_months", "Give the retention period in months.")
    assessed_on = state.get("lia_assessed_on")
    if isinstance(assessed_on, datetime.date) and assessed_on > timezone.localdate():
        raise _refuse("lia_assessed_on", "The assessment cannot be dated in the future.")
    for flag in ("dpia_required", "is_direct_marketing", "active"):
        if flag in state:
            state[flag] = bool(state[flag])
    return state


def purpose_create(*, actor: Actor, data: dict[str, Any]) -> Purpose:
    """Adds a processing activity to the register (Art. 30(1)): refused without a lawful
    basis, with legitimate interests but no assessment, or special-category data without an
    Art. 9(2) condition."""
    require(actor, MANAGE)
    editable_fields(Purpose, data, PURPOSE_FIELDS)
    defaults = {f.name: f.get_default() for f in Purpose._meta.concrete_fields}
    state = _purpose_clean({**{k: defaults[k] for k in PURPOSE_FIELDS}, **data})
    taken = Conflict(
        f"A purpose with the key {state['key']!r} exists already.",
        field_errors={"key": ["This key is taken."]},
    )
    if Purpose.objects.filter(key=state["key"]).exists():
        raise taken
    try:
        return create_audited(actor=actor, model=Purpose, data=state, action="purpose.created")
    except IntegrityError:
        raise taken from None  # created by someone else between the check and the insert


def purpose_update(*, actor: Actor, purpose: Purpose, data: dict[str, Any]) -> Purpose:
    """Changes a processing activity; the resulting purpose must pass the same rules as a new
    one. The key never changes: consents, the gate and integrations name the purpose by it."""
    require(actor, MANAGE)
    editable_fields(Purpose, data, PURPOSE_FIELDS)
    with transaction.atomic():
        try:
            current = Purpose.objects.select_for_update().get(pk=purpose.pk)
        except Purpose.DoesNotExist:
            raise UnknownPurpose(purpose.key) from None
        if "key" in data and data["key"] != current.key:
            raise _refuse(
                "key", "A purpose's key cannot change: consents and the gate refer to it."
            )
        state = _purpose_clean(
            {**{name: getattr(current, name) for name in PURPOSE_FIELDS}, **data}
        )
        changes = {name: state[name] for name in data if name != "key"}
        return update_audited(actor=actor, instance=current, data=changes, action="purpose.updated")


# -- Recipients ----------------------------------------------------------------------------


def _purposes_of(value: Any) -> list[Purpose]:
    found = []
    for item in value or ():
        if isinstance(item, Purpose):
            found.append(item)
            continue
        try:
            found.append(purpose_get(str(item)))
        except UnknownPurpose as error:
            raise _refuse("purposes", error.message) from None
    return found


def _countries(value: Any) -> list[str]:
    if value is not None and not isinstance(value, str):
        value = [getattr(item, "code", item) for item in value]  # Country objects as stored
    codes = [code.upper() for code in _strings(value, "countries")]
    unknown = [code for code in codes if code not in country_names]
    if unknown:
        raise _refuse("countries", f"Not a country code: {', '.join(unknown)} (e.g. DE, US).")
    return codes


def _dpa_document_check(document: Any) -> None:
    if not isinstance(document, UploadedFile):
        return
    if PurePath(document.name or "").suffix.lower() not in DPA_EXTENSIONS:
        raise _refuse(
            "dpa_document",
            f"Upload the agreement as one of: {', '.join(sorted(DPA_EXTENSIONS))}.",
        )
    if document.size is not None and document.size > DPA_MAX_BYTES:
        raise _refuse("dpa_document", "The document is larger than 20 MB.")


def _recipient_clean(state: dict[str, Any]) -> dict[str, Any]:
    """Normalises and checks a recipient as it would stand after the write (Chapter V)."""
    for name in ("name", "service", "contact_details", "transfer_documentation", "notes",
                 "kind", "transfer_safeguard", "status"):  # fmt: skip
        if isinstance(state.get(name), str):
            state[name] = state[name].strip()
        elif state.get(name) is None:
            state[name] = ""
    if state["kind"] not in RecipientKind.values:
        raise _refuse("kind", "Choose what kind of recipient this is.")
    if state["transfer_safeguard"] not in TransferSafeguard.values:
        raise _refuse("transfer_safeguard", "Choose a transfer safeguard from the list.")
    if state["status"] not in RecipientStatus.values:
        raise _refuse("status", "Choose a status from the list.")
    state["data_categories"] = _category_keys(
        state.get("data_categories"), "data_categories", category_index()
    )
    state["countries"] = _countries(state.get("countries"))
    outside = third_countries(state["countries"])
    if outside and not state["transfer_safeguard"]:
        raise _refuse(
            "transfer_safeguard",
            f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} outside the EEA: a "
            "transfer there needs a safeguard (Art. 45-49).",
        )
    if (
        state["transfer_safeguard"] == TransferSafeguard.DEROGATION
        and not state["transfer_documentation"]
    ):
        raise _refuse(
            "transfer_documentation",
            "A transfer on a derogation (Art. 49) must be documented (Art. 30(1)(e)): say "
            "which derogation and why it applies.",
        )
    if state["kind"] == RecipientKind.JOINT_CONTROLLER and not state["contact_details"]:
        raise _refuse(
            "contact_details",
            "The record names a joint controller with its contact details (Art. 30(1)(a)): "
            "give its address and email.",
        )
    _dpa_document_check(state.get("dpa_document"))
    return state


def _m2m_purposes(data: dict[str, Any]) -> dict[str, list[Purpose]] | None:
    if "purposes" not in data:
        return None
    return {"purposes": _purposes_of(data["purposes"])}


def recipient_create(*, actor: Actor, data: dict[str, Any]) -> Recipient:
    """Registers a processor or other recipient: what it receives, for which purposes,
    where, and under which safeguard and agreement (Art. 28, 30(1)(d)-(e))."""
    require(actor, MANAGE)
    editable_fields(Recipient, data, RECIPIENT_FIELDS)
    m2m = _m2m_purposes(data)
    fields = {k: v for k, v in data.items() if k != "purposes"}
    defaults = {
        f.name: f.get_default() for f in Recipient._meta.concrete_fields if f.name in fields
    }
    state = _recipient_clean({**_RECIPIENT_DEFAULTS, **defaults, **fields})
    if not state.get("dpa_document"):
        state.pop("dpa_document", None)
    return create_audited(
        actor=actor, model=Recipient, data=state, action="recipient.created", m2m=m2m
    )


# What a new recipient is unless told otherwise; `name`, `kind` and `service` it must be told.
_RECIPIENT_DEFAULTS: dict[str, Any] = {
    "name": "", "kind": "", "service": "", "contact_details": "", "data_categories": [],
    "countries": [], "transfer_safeguard": "", "transfer_documentation": "",
    "dpa_signed_on": None, "status": RecipientStatus.ACTIVE, "notes": "",
}  # fmt: skip


def recipient_update(*, actor: Actor, recipient: Recipient, data: dict[str, Any]) -> Recipient:
    """Changes a recipient; the result must pass the same rules as a new one. A new agreement
    document replaces the old one (the old file is kept: it documented the past)."""
    require(actor, MANAGE)
    editable_fields(Recipient, data, RECIPIENT_FIELDS)
    m2m = _m2m_purposes(data)
    fields = {k: v for k, v in data.items() if k != "purposes"}
    if "dpa_document" in fields and not fields["dpa_document"]:
        fields.pop("dpa_document")  # an empty upload keeps the document on file
    with transaction.atomic():
        try:
            current = Recipient.objects.select_for_update().get(pk=recipient.pk)
        except Recipient.DoesNotExist:
            raise NotFound("No such recipient.") from None
        names = [n for n in RECIPIENT_FIELDS if n != "purposes"]
        state = _recipient_clean({**{n: getattr(current, n) for n in names}, **fields})
        changes = {name: state[name] for name in fields}
        return update_audited(
            actor=actor, instance=current, data=changes, action="recipient.updated", m2m=m2m
        )


# -- Restriction (Art. 18) -----------------------------------------------------------------


def _contact_visible(contact: Contact, actor: Actor) -> None:
    if not may_see(contact, actor):
        raise NotFound("No such contact, or they are outside what you may see.")


def restriction_start(*, actor: Actor, contact: Contact, reason: str) -> Restriction:
    """Art. 18(1): from now on the person's data may be stored and nothing else, until the
    restriction is lifted. One restriction at a time: a second is refused."""
    require(actor, "restrictions.manage")
    _contact_visible(contact, actor)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(
            "reason",
            "Say why processing is restricted (Art. 18(1)(a)-(d), e.g. accuracy "
            "contested until checked).",
        )
    with transaction.atomic():
        # Lock the person: two staff members must not both start a restriction.
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
        active = Restriction.objects.filter(contact=contact, lifted_at__isnull=True).first()
        if active is not None:
            raise Conflict(
                f"Processing of this person is restricted already, since "
                f"{timezone.localtime(active.started_at):%d %B %Y}."
            )
        return create_audited(
            actor=actor,
            model=Restriction,
            data={
                "contact": contact,
                "reason": reason,
                "started_at": timezone.now(),
                "recorded_by": actor_user(actor),
            },
            action="restriction.started",
        )


def restriction_lift(*, actor: Actor, restriction: Restriction, reason: str = "") -> Restriction:
    """Ends a restriction. Art. 18(3): the person must be told before it is lifted; the
    reason is kept in the trail."""
    require(actor, "restrictions.manage")
    _contact_visible(restriction.contact, actor)
    with transaction.atomic():
        current = Restriction.objects.select_for_update().get(pk=restriction.pk)
        if current.lifted_at is not None:
            raise Conflict(
                f"This restriction was lifted already, on "
                f"{timezone.localtime(current.lifted_at):%d %B %Y}."
            )
        current.lifted_at = timezone.now()
        current.save(update_fields=["lifted_at", "updated_at"])
        audit_record(
            actor=actor,
            action="restriction.lifted",
            target=current,
            changes={"lifted_at": [None, current.lifted_at]},
            context={"reason": reason.strip()} if reason and reason.strip() else None,
        )
    return current


# -- Objection (Art. 21) -------------------------------------------------------------------

_OBJECTABLE_BASES = (LawfulBasis.LEGITIMATE_INTERESTS, LawfulBasis.PUBLIC_TASK)


def objection_record(
    *,
    actor: Actor,
    contact: Contact,
    scope: str,
    purpose: Purpose | str | None = None,
    grounds: str = "",
    received_at: datetime.datetime | None = None,
) -> Objection:
    """Records a person's objection. To direct marketing (Art. 21(2)-(3)) it is upheld at
    once and stops every direct-marketing purpose; to processing on legitimate interests or
    a public task (21(1)) it awaits a decision, for one purpose or all of them."""
    require(actor, "objections.record")
    _contact_visible(contact, actor)
    if scope not in ObjectionScope.values:
        raise _refuse("scope", "Choose what the person objects to.")
    if isinstance(purpose, str):
        purpose = purpose_get(purpose) if purpose else None
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise _refuse("received_at", "An objection cannot be received in the future.")
    if scope == ObjectionScope.DIRECT_MARKETING and purpose and not purpose.is_direct_marketing:
        raise _refuse(
            "purpose",
            f"“{purpose.name}” is not direct marketing; an objection to direct marketing "
            "covers every direct-marketing purpose.",
        )
    if (
        scope == ObjectionScope.LEGITIMATE_INTERESTS
        and purpose
        and purpose.lawful_basis not in _OBJECTABLE_BASES
    ):
        instead = " (withdraw the consent instead)" if purpose.lawful_basis == "consent" else ""
        raise _refuse(
            "purpose",
            f"“{purpose.name}” rests on {LawfulBasis(purpose.lawful_basis).label}, not on "
            f"legitimate interests or a public task: Art. 21(1) does not apply{instead}.",
        )
    with transaction.atomic():
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
        standing = Objection.objects.filter(contact=contact, scope=scope, purpose=purpose)
        if scope == ObjectionScope.DIRECT_MARKETING:
            standing = Objection.objects.filter(
                contact=contact, scope=scope, status=ObjectionStatus.UPHELD
            )
        else:
            standing = standing.filter(status=ObjectionStatus.RECEIVED)
        earlier = standing.first()
        if earlier is not None:
            raise Conflict(
                "This objection is on record already, received "
                f"{timezone.localtime(earlier.received_at):%d %B %Y} "
                f"({ObjectionStatus(earlier.status).label.lower()})."
            )
        data: dict[str, Any] = {
            "contact": contact,
            "scope": scope,
            "purpose": purpose,
            "grounds": (grounds or "").strip(),
            "received_at": received_at,
        }
        if scope == ObjectionScope.DIRECT_MARKETING:
            data |= {
                "status": ObjectionStatus.UPHELD,
                "decided_at": now,
                "decision_reason": "Art. 21(3): an objection to direct marketing is always upheld.",
            }
        return create_audited(actor=actor, model=Objection, data=data, action="objection.recorded")


def objection_decide(*, actor: Actor, objection: Objection, upheld: bool, reason: str) -> Objection:
    """Decides an objection under Art. 21(1): upheld, processing on that basis stops; rejected
    only for compelling legitimate grounds that override the person's, stated in the reason
    (Art. 12(4): they are told why and that they may complain)."""
    require(actor, "objections.decide")
    _contact_visible(objection.contact, actor)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(
            "reason",
            "Give the reason for the decision"
            + ("." if upheld else ": the compelling legitimate grounds that override theirs."),
        )
    with transaction.atomic():
        current = Objection.objects.select_for_update().get(pk=objection.pk)
        if current.status != ObjectionStatus.RECEIVED:
            raise Conflict(
                f"This objection was decided already ({ObjectionStatus(current.status).label})."
            )
        return update_audited(
            actor=actor,
            instance=current,
            data={
                "status": ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED,
                "decided_at": timezone.now(),
                "decision_reason": reason,
            },
            action="objection.decided",
        )
