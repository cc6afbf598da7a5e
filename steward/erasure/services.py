"""Art. 17: erasing a person, derived from the data map.

The plan comes first and is shown before anything runs: for every model holding personal
data with a foreign key to the contact (steward.inventory.data_map.person_links, derived
from the annotated models), what happens to its rows follows from how the model declared the link:
deleted with the person (CASCADE), kept without the link and with their personal fields
blanked (SET_NULL: records the business keeps, e.g. deals, under a legal obligation when the
register says a legal-obligation purpose covers them: Art. 17(3)(b)), or kept pseudonymous
(hash-chained evidence that names the person by id only and cannot be rewritten).

Execution runs in one transaction: rows deleted or anonymised as planned, the person's data
key destroyed (crypto-shredding: every encrypted value of theirs, here and in backups without
the key table, becomes unreadable), a suppression entry of keyed hashes of their email and
phone, and a journal entry replayed after a backup is restored."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from steward.audit.events import audit_record
from steward.contacts.models import Contact
from steward.contacts.normalise import normalise_email, normalise_phone
from steward.core.actor import Actor, SystemActor
from steward.core.errors import NotFound
from steward.core.personal_data import NOT_PERSONAL, tag_of
from steward.crypto.blind_index import blind_index
from steward.crypto.errors import DataErased
from steward.crypto.keyring import owner_for
from steward.crypto.router import keys_database
from steward.crypto.services import data_key_destroy
from steward.erasure.models import ErasureJournalEntry, Suppression
from steward.inventory.data_map import PersonLink, person_links

DELETE, ANONYMISE, KEEP = "delete", "anonymise", "keep"
ERASED_MESSAGE = (
    "This person's data was erased at their request (Art. 17); they are not added again "
    "unless they come back themselves."
)
REPLAY_ACTOR = SystemActor("erasure-replay")


@dataclass(frozen=True)
class PlanItem:
    """What erasure does to one model's rows of the person."""

    model: str
    label: str
    count: int
    action: str
    reason: str
    exception: str = ""


@dataclass(frozen=True)
class ErasurePlan:
    contact_id: str
    items: tuple[PlanItem, ...]

    @property
    def deleted(self) -> tuple[PlanItem, ...]:
        return tuple(i for i in self.items if i.action == DELETE)

    @property
    def kept(self) -> tuple[PlanItem, ...]:
        return tuple(i for i in self.items if i.action != DELETE)


@dataclass
class ErasureResult:
    contact_id: str
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    keys_destroyed: int = 0


def _email_hash(email: str, *, normalised: bool = False) -> str:
    if normalised:
        value = email
    else:
        try:
            value = normalise_email(email)
        except ValueError:
            value = (email or "").strip().casefold()
    return blind_index("erasure_suppression", "email", value) if value else ""


def _phone_hash(phone: str) -> str:
    try:
        value = normalise_phone(phone)
    except ValueError:
        value = (phone or "").strip()
    return blind_index("erasure_suppression", "phone", value) if value else ""


def _legal_keep_reason(model: type[models.Model]) -> str:
    """The Art. 17(3)(b) exception for a model the business keeps, when a legal-obligation
    purpose of the register covers one of its fields' categories."""
    from steward.inventory.taxonomy import category_covers
    from steward.processing.models import LawfulBasis
    from steward.processing.selectors import purposes_active

    categories = {
        tag_of(f).category
        for f in model._meta.concrete_fields
        if tag_of(f) not in (None, NOT_PERSONAL)
    }
    for purpose in purposes_active().filter(lawful_basis=LawfulBasis.LEGAL_OBLIGATION):
        for covered in purpose.data_categories or []:
            if any(category_covers(covered, c) for c in categories):
                return (
                    f"Art. 17(3)(b): kept for '{purpose.name}' (a legal obligation), "
                    "without the link to the person and without their details"
                )
    return ""


def _links() -> dict[str, PersonLink]:
    return {link.label: link for link in person_links(Contact)}


def _action_for(model: type[models.Model], fk_attname: str) -> tuple[str, str, str]:
    field_obj = next(f for f in model._meta.concrete_fields if f.attname == fk_attname)
    on_delete = field_obj.remote_field.on_delete
    if on_delete is models.CASCADE:
        return DELETE, "Deleted with the person.", ""
    if on_delete is models.SET_NULL:
        exception = _legal_keep_reason(model)
        reason = (
            "Kept as the business's record, the link to the person removed and their "
            "details blanked."
        )
        return ANONYMISE, reason, exception
    return (
        KEEP,
        "Kept as evidence that names the person by an id only (hash-chained, append-only); "
        "its personal values are unreadable once the person's key is destroyed.",
        "Art. 17(3)(e): evidence of consent and of compliance (Art. 7(1), Art. 5(2))",
    )


def erasure_plan_for(*, contact: Contact) -> ErasurePlan:
    """What erasing `contact` will do, model by model, before anything runs."""
    items = [
        PlanItem(
            model="contacts.Contact",
            label="The contact record",
            count=1,
            action=DELETE,
            reason="Deleted, with every field; the data key is destroyed.",
        )
    ]
    for link in _links().values():
        count = link.model._base_manager.filter(**{link.field: contact.pk}).count()
        if not count:
            continue
        action, reason, exception = _action_for(link.model, link.field)
        items.append(
            PlanItem(
                model=link.label,
                label=str(link.model._meta.verbose_name_plural).capitalize(),
                count=count,
                action=action,
                reason=reason,
                exception=exception,
            )
        )
    return ErasurePlan(contact_id=str(contact.pk), items=tuple(items))


def _blanked(model: type[models.Model], fk_attname: str) -> dict:
    """The values that blank the personal fields of a kept row (the link included)."""
    values = {}
    for f in model._meta.concrete_fields:
        tag = tag_of(f)
        if tag in (None, NOT_PERSONAL):
            continue
        if f.attname == fk_attname or f.null:
            values[f.attname] = None
        elif isinstance(f, models.CharField | models.TextField):
            values[f.attname] = ""
        elif isinstance(f, models.JSONField):
            values[f.attname] = {}
    return values


def erasure_execute(
    *, actor: Actor, contact: Contact, reason: str, request_id: uuid.UUID | None = None
) -> ErasureResult:
    """Erases `contact` as erasure_plan_for says, in one transaction, and destroys their key."""
    plan = erasure_plan_for(contact=contact)
    result = ErasureResult(contact_id=str(contact.pk))
    now = timezone.now()
    try:
        email_hash, phone_hash = _email_hash(contact.email), _phone_hash(contact.phone)
    except DataErased:
        # A row restored from a backup after its key was destroyed (the journal's replay):
        # its address cannot be read any more, and its first erasure left the hashes.
        email_hash = phone_hash = ""
    with transaction.atomic(using=keys_database()), transaction.atomic():
        locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if locked is None:
            raise NotFound("No such contact: already erased?")
        links = _links()
        for item in plan.items:
            if item.action != ANONYMISE:
                continue
            link = links[item.model]
            rows = link.model._base_manager.filter(**{link.field: contact.pk})
            result.anonymised[item.model] = rows.update(**_blanked(link.model, link.field))
        _deleted_total, deleted = Contact.objects.filter(pk=contact.pk).delete()
        result.deleted = {label: n for label, n in Counter(deleted).items() if n}
        result.keys_destroyed = data_key_destroy(
            actor=actor, owner=owner_for("contact", contact.pk)
        )
        Suppression.objects.create(
            email_hash=email_hash,
            phone_hash=phone_hash,
            erased_at=now,
            reason=reason[:200] or "Erased (Art. 17)",
        )
        ErasureJournalEntry.objects.update_or_create(
            contact_id=contact.pk,
            defaults={"erased_at": now, "request_id": request_id, "reason": reason[:200]},
        )
        # Pseudonymous: the id and the counts, never the person's values.
        audit_record(
            actor=actor,
            action="contact.erased",
            object_type="contacts.contact",
            object_id=str(contact.pk),
            changes={
                "deleted": [None, result.deleted],
                "anonymised": [None, result.anonymised],
                "request": [None, str(request_id) if request_id else None],
            },
        )
    return result


def suppression_match(*, email: str = "", phone: str = "") -> Suppression | None:
    """The suppression entry an erased person left with this email or phone, if any."""
    hashes = models.Q()
    if email_hash := _email_hash(email):
        hashes |= models.Q(email_hash=email_hash)
    if phone_hash := _phone_hash(phone):
        hashes |= models.Q(phone_hash=phone_hash)
    if not hashes:
        return None
    return Suppression.objects.filter(hashes).order_by("-erased_at").first()


def suppressed_emails(emails: list[str]) -> set[str]:
    """Which of `emails` belong to erased people (one query, for imports). The addresses
    come normalised (normalise_email, as the import's rows hold them): validating each again
    cost the import more than writing it."""
    by_hash = {_email_hash(e, normalised=True): e for e in emails if e}
    found = Suppression.objects.filter(email_hash__in=list(by_hash)).values_list(
        "email_hash", flat=True
    )
    return {by_hash[h] for h in found}


def erasure_journal_replay(*, actor: Actor = REPLAY_ACTOR) -> int:
    """After a backup is restored: erases again every journaled person the restored data
    still holds. Idempotent; returns how many were erased again."""
    erased = 0
    for entry in ErasureJournalEntry.objects.order_by("erased_at"):
        contact = Contact.objects.filter(pk=entry.contact_id).first()
        if contact is None:
            continue
        erasure_execute(
            actor=actor,
            contact=contact,
            reason=f"Replayed after a restore: {entry.reason}"[:200],
            request_id=entry.request_id,
        )
        erased += 1
    return erased
