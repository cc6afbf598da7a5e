"""People's rights requests (Art. 15-21) and their history. A request is a small state
machine (steward.rights.workflow); every change goes through steward.rights.services."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from steward.core.models import BaseModel
from steward.core.personal_data import (
    SUBJECT_STAFF,
    PersonalDataModel,
    not_personal,
    personal,
)
from steward.rights.choices import (
    OPEN_STATUSES,
    EventKind,
    ObjectionGround,
    RefusalGround,
    RequestChannel,
    RequestKind,
    RequestStatus,
)


def _staff(related_name: str = "+", **kwargs) -> models.ForeignKey:
    return personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name=related_name,
            **kwargs,
        ),
        "identity.name",
        subject=SUBJECT_STAFF,
    )


class RightsRequest(PersonalDataModel, BaseModel):
    """A person's request to exercise a right (Art. 15-21), from receipt to its answer.
    Art. 12(3): answered within a month of receipt (`due_on`), or within two further months
    when extended (`extended_due_on`) and the person was told so within the first."""

    reference = not_personal(models.CharField(max_length=16, unique=True))
    kind = not_personal(models.CharField(max_length=16, choices=RequestKind.choices))
    status = not_personal(
        models.CharField(
            max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
        )
    )
    channel = not_personal(models.CharField(max_length=12, choices=RequestChannel.choices))
    # The identity as the person gave it; `contact` is whom it resolved to (None when it
    # matched nobody, or after an erasure the request itself recorded).
    requester_email = personal(models.EmailField(max_length=254, blank=True), "contact.email")
    requester_name = personal(models.CharField(max_length=200, blank=True), "identity.name")
    contact = personal(
        models.ForeignKey(
            "contacts.Contact",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="rights_requests",
        ),
        "rights",
    )
    # What they ask: what to correct (Art. 16), their grounds for an objection (21(1)), ...
    details = personal(models.TextField(blank=True), "rights")
    objection_ground = not_personal(
        models.CharField(max_length=24, choices=ObjectionGround.choices, blank=True)
    )
    received_at = not_personal(models.DateTimeField())
    due_on = not_personal(models.DateField())
    extended_due_on = not_personal(models.DateField(null=True, blank=True))
    extension_reason = personal(models.TextField(blank=True), "rights")
    extension_notified_at = not_personal(models.DateTimeField(null=True, blank=True))
    assignee = _staff("assigned_rights_requests")
    verified_at = not_personal(models.DateTimeField(null=True, blank=True))
    verification_method = personal(models.CharField(max_length=200, blank=True), "rights")
    # sha256 of the nonce in the one verification link that is still valid; emptied when
    # the link is used, so a replayed link finds nothing to match.
    verification_nonce_hash = not_personal(models.CharField(max_length=64, blank=True))
    refusal_ground = not_personal(
        models.CharField(max_length=24, choices=RefusalGround.choices, blank=True)
    )
    refusal_reasons = personal(models.TextField(blank=True), "rights")
    # Art. 12(5)(a): a reasonable fee for a manifestly unfounded or excessive request.
    fee_amount = not_personal(models.DecimalField(max_digits=9, decimal_places=2, null=True))
    fee_reason = personal(models.TextField(blank=True), "rights")
    outcome = personal(models.TextField(blank=True), "rights")
    staff_notes = personal(models.TextField(blank=True), "rights")
    closed_at = not_personal(models.DateTimeField(null=True, blank=True))
    # Art. 18(3): when the person was told that their restriction will be lifted.
    lift_notice_sent_at = not_personal(models.DateTimeField(null=True, blank=True))
    # Two requests of one person at once are both kept; the later one points to the open one
    # it arrived beside, so staff answer them together (docs/decisions/0021).
    related_to = not_personal(
        models.ForeignKey(
            "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
        )
    )
    last_reminded_on = not_personal(models.DateField(null=True, blank=True))

    class Meta:
        ordering = ["due_on", "received_at"]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="rights_request_open_due_idx",
            ),
            models.Index(fields=["status", "kind"], name="rights_request_status_idx"),
            models.Index(fields=["contact", "status"], name="rights_request_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    @property
    def effective_due_on(self):
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestEvent(PersonalDataModel, BaseModel):
    """One step in a request's history, appended and never changed. The audit trail holds
    the same acts with old and new values; this is the request's own readable story."""

    request = not_personal(
        models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="events")
    )
    kind = not_personal(models.CharField(max_length=20, choices=EventKind.choices))
    occurred_at = not_personal(models.DateTimeField())
    actor = _staff()
    actor_label = personal(models.CharField(max_length=200), "identity.name", subject=SUBJECT_STAFF)
    from_status = not_personal(models.CharField(max_length=20, blank=True))
    to_status = not_personal(models.CharField(max_length=20, blank=True))
    note = personal(models.TextField(blank=True), "rights")

    class Meta:
        ordering = ["occurred_at", "created_at"]


class InformationRequest(PersonalDataModel, BaseModel):
    """Art. 12(6): more information the controller asked for to confirm who the person is,
    and their answer given on their status page."""

    request = not_personal(
        models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="questions")
    )
    question = personal(models.TextField(), "rights")
    asked_at = not_personal(models.DateTimeField())
    asked_by = _staff()
    answer = personal(models.TextField(blank=True), "rights")
    answered_at = not_personal(models.DateTimeField(null=True, blank=True))

    class Meta:
        ordering = ["asked_at"]


class RecipientNotification(PersonalDataModel, BaseModel):
    """Art. 19: a recipient told of a rectification, erasure or restriction carried out."""

    request = not_personal(
        models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="notifications")
    )
    recipient = not_personal(
        models.ForeignKey("processing.Recipient", on_delete=models.PROTECT, related_name="+")
    )
    notified_at = not_personal(models.DateTimeField())
    notified_by = _staff()
    note = personal(models.TextField(blank=True), "rights")

    class Meta:
        ordering = ["notified_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "recipient"], name="rights_recipient_notified_once"
            )
        ]
