"""What a rights request can be: its kind, status, channel, and what happened to it."""

from django.db import models


class RequestKind(models.TextChoices):
    ACCESS = "access", "Access (Art. 15)"
    RECTIFICATION = "rectification", "Rectification (Art. 16)"
    ERASURE = "erasure", "Erasure (Art. 17)"
    RESTRICTION = "restriction", "Restriction (Art. 18)"
    PORTABILITY = "portability", "Portability (Art. 20)"
    OBJECTION = "objection", "Objection (Art. 21)"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IDENTITY_UNVERIFIED = "identity_unverified", "Identity unverified"
    VERIFIED = "verified", "Verified"
    IN_ASSESSMENT = "in_assessment", "In assessment"
    IN_PROGRESS = "in_progress", "In progress"
    EXTENDED = "extended", "Extended"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"


OPEN_STATUSES = frozenset(
    {
        RequestStatus.RECEIVED,
        RequestStatus.IDENTITY_UNVERIFIED,
        RequestStatus.VERIFIED,
        RequestStatus.IN_ASSESSMENT,
        RequestStatus.IN_PROGRESS,
        RequestStatus.EXTENDED,
    }
)
CLOSED_STATUSES = frozenset({RequestStatus.COMPLETED, RequestStatus.REFUSED})


class RequestChannel(models.TextChoices):
    PORTAL = "portal", "Privacy portal"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    API = "api", "API"


class ObjectionGround(models.TextChoices):
    """What an objection is to (Art. 21(1) or 21(2)-(3))."""

    DIRECT_MARKETING = "direct_marketing", "Direct marketing"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Processing on legitimate interests"


class RefusalGround(models.TextChoices):
    """Why a request is refused; every refusal also states the right to complain (12(4))."""

    IDENTITY = "identity", "Identity could not be established (Art. 11(2), 12(2), 12(6))"
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded", "Manifestly unfounded (Art. 12(5)(b))"
    EXCESSIVE = "excessive", "Excessive, in particular repetitive (Art. 12(5)(b))"
    EXCEPTION = "exception", "An exception in law applies (e.g. Art. 17(3), 21(1))"
    NO_DATA = "no_data", "We hold no data about the person"


class EventKind(models.TextChoices):
    RECEIVED = "received", "Received"
    STATUS = "status", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    LINK_SENT = "link_sent", "Verification link sent"
    VERIFIED = "verified", "Identity verified"
    INFO_REQUESTED = "info_requested", "More information asked for (Art. 12(6))"
    INFO_ANSWERED = "info_answered", "Person answered"
    EXTENDED = "extended", "Deadline extended (Art. 12(3))"
    FEE = "fee", "Fee charged (Art. 12(5)(a))"
    REFUSED = "refused", "Refused (Art. 12(4))"
    CARRIED_OUT = "carried_out", "Carried out"
    RECIPIENT_NOTIFIED = "recipient_notified", "Recipient notified (Art. 19)"
    LIFT_NOTICE = "lift_notice", "Told the person the restriction will be lifted (Art. 18(3))"
    COMPLETED = "completed", "Completed"
    NOTE = "note", "Staff note"
    EXPORT_DOWNLOADED = "export_downloaded", "Export downloaded"
    REMINDED = "reminded", "Reminder sent"
