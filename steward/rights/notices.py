"""The mails of the rights workflow: to the person (verification link, no data found,
extension, Art. 12(6) questions, refusal, completion, the Art. 18(3) notice) and to staff
(reminders). Always sent after the transaction that decided them commits, through the
default mailer; a mail that fails to send is logged and leaves the decision standing."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from steward.rights import links

logger = logging.getLogger(__name__)

COMPLAINT_RIGHT = (
    "You may lodge a complaint with a data protection supervisory authority, in particular "
    "in the Member State of your habitual residence, place of work or of the alleged "
    "infringement (Art. 77 GDPR), and seek a judicial remedy (Art. 79 GDPR)."
)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def status_url(request) -> str:
    return absolute(reverse("portal:status", args=[links.status_token_make(request.pk)]))


def verification_url(token: str) -> str:
    return absolute(reverse("portal:verify", args=[token]))


def _context(**extra) -> dict:
    return {
        "controller": settings.STEWARD_CONTROLLER_NAME,
        "controller_email": settings.STEWARD_CONTROLLER_EMAIL,
        "dpo_email": settings.STEWARD_DPO_EMAIL,
        "complaint_right": COMPLAINT_RIGHT,
        **extra,
    }


def _send(to: str, subject: str, template: str, context: dict) -> Callable[[], None]:
    body = render_to_string(f"rights/mail/{template}.txt", _context(**context))

    def send() -> None:
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send(using="default")
        except Exception:
            logger.exception("Could not send the rights mail %r", template)

    return send


def send_after_commit(to: str, subject: str, template: str, **context) -> None:
    """Renders now (inside the transaction, with the data as decided) and sends on commit."""
    if to:
        transaction.on_commit(_send(to, subject, template, context))


def notify_person(request, subject: str, template: str, **context) -> None:
    send_after_commit(
        request.requester_email,
        f"{subject} [{request.reference}]",
        template,
        request=request,
        status_url=status_url(request),
        **context,
    )
