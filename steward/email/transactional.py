"""Transactional email: messages a person asked for or needs for the service (the sign-up's
confirmation link, service notices), sent under the contract basis through the *default*
mailer. Campaign code never sends through here, and this module never uses the marketing
mailer (docs/decisions/0020-campaign-sending.md)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

MAILER = "default"


def send_transactional(
    *, to: str, subject: str, template: str, context: dict, preferences_url: str = ""
) -> None:
    """Renders `template`.txt/.html and sends it through the default mailer. Every email
    carries the person's preference-centre link when they have one."""
    context = {**context, "preferences_url": preferences_url}
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.send(using=MAILER)


def send_signup_confirmation(*, to: str, confirm_url: str, topics: list[str], hours: int) -> None:
    """The double opt-in mail. Sent after the sign-up committed; a relay that is down is
    logged (the person can sign up again to get a new one), never shown as an error to a
    visitor who cannot do anything about it."""
    try:
        send_transactional(
            to=to,
            subject="Please confirm your subscription",
            template="email/mail/confirm",
            context={"confirm_url": confirm_url, "topics": topics, "hours": hours},
        )
    except Exception:
        logger.exception("The sign-up confirmation could not be sent")
