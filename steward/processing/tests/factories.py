"""Valid register entries for tests, made through the services (as the pages make them)."""

from typing import Any

from steward.core.actor import SystemActor
from steward.processing.models import Purpose, Recipient
from steward.processing.services import purpose_create, recipient_create

SYSTEM = SystemActor("test")


def purpose_data(**overrides: Any) -> dict[str, Any]:
    """A complete, valid purpose on a contract, overridable field by field."""
    return {
        "key": "event-bookings",
        "name": "Event bookings",
        "description": "Managing the bookings people make for our workshops.",
        "lawful_basis": "contract",
        "data_categories": ["identity.name", "contact.email"],
        "subject_categories": ["Workshop participants"],
        "retention_months": 24,
        "retention_trigger": "contract_end",
        "security_measures": "Access by role; TLS.",
        **overrides,
    }


def make_purpose(**overrides: Any) -> Purpose:
    return purpose_create(actor=SYSTEM, data=purpose_data(**overrides))


def recipient_data(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Example Mail GmbH",
        "kind": "processor",
        "service": "Sends our newsletters",
        "data_categories": ["contact.email", "identity.name"],
        "countries": ["DE"],
        **overrides,
    }


def make_recipient(**overrides: Any) -> Recipient:
    return recipient_create(actor=SYSTEM, data=recipient_data(**overrides))
