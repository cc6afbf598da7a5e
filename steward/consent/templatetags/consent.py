"""The contact page's consent section: what the ledger holds for the person, read once for
the section, and the forms a role that may record consent sees."""

from dataclasses import dataclass, field

from django import template

from steward.consent.forms import WithdrawForm, consent_record_form
from steward.consent.models import ConsentEvent, ConsentState, ConsentStatus
from steward.consent.selectors import consent_events_for, consent_states_for
from steward.consent.services import RECORD

register = template.Library()
# Events shown on the page; the receipt holds them all.
EVENTS_SHOWN = 50


@dataclass
class ContactConsents:
    states: list[ConsentState]
    events: list[ConsentEvent]
    total_events: int
    can_record: bool
    record_form: object = None
    withdraw_form: object = None
    given: list[ConsentState] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def contact_consents(context, contact) -> ContactConsents | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    states = consent_states_for(contact)
    events = consent_events_for(contact)
    can_record = user.can(RECORD)
    return ContactConsents(
        states=states,
        events=list(events[:EVENTS_SHOWN]),
        total_events=events.count(),
        can_record=can_record,
        record_form=consent_record_form() if can_record else None,
        withdraw_form=WithdrawForm() if can_record else None,
        given=[s for s in states if s.status == ConsentStatus.GIVEN],
    )
