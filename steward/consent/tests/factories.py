"""Purposes, notices and published versions for the consent tests. Purposes are fetched by
key when the register's seed already holds them, so tests run with or without it."""

from steward.consent.models import Notice, NoticeKind, NoticeVersion
from steward.consent.services import notice_version_draft, notice_version_publish
from steward.core.actor import SystemActor
from steward.processing.models import Art9Condition, LawfulBasis, Purpose

SETUP = SystemActor("tests")


def purpose(
    key: str = "newsletter-test",
    *,
    basis: str = LawfulBasis.CONSENT,
    months: int | None = None,
    art9: str = Art9Condition.NONE,
    **extra,
) -> Purpose:
    row, _ = Purpose.objects.update_or_create(
        key=key,
        defaults={
            "name": extra.pop("name", key.replace("-", " ").capitalize()),
            "description": extra.pop("description", f"What {key} is for."),
            "lawful_basis": basis,
            "art9_condition": art9,
            "consent_valid_months": months,
            "data_categories": extra.pop("data_categories", ["contact.email"]),
            "active": extra.pop("active", True),
            **extra,
        },
    )
    return row


def notice(key: str = "consent-text", kind: str = NoticeKind.CONSENT_TEXT) -> Notice:
    row, _ = Notice.objects.get_or_create(key=key, defaults={"title": key.title(), "kind": kind})
    return row


def published_version(
    statements: dict, *, notice_key: str = "consent-text", text: str = "Our notice.", at=None
) -> NoticeVersion:
    """A new version of the notice with {purpose: statement}, published (at `at`)."""
    draft = notice_version_draft(
        actor=SETUP, notice=notice(notice_key), text=text, statements=statements
    )
    notice_version_publish(actor=SETUP, version=draft, now=at)
    draft.refresh_from_db()
    return draft


def cookie_setup():
    """The banner's categories and purposes as seeded, and a published banner text covering
    the two consent-based ones. Returns that version."""
    from steward.consent.models import CookieCategory

    operation = purpose(
        "website-operation", basis=LawfulBasis.LEGITIMATE_INTERESTS, name="Website operation"
    )
    analytics = purpose("website-analytics", months=13, name="Website analytics")
    advertising = purpose("website-advertising", months=13, name="Website advertising")
    for position, (key, label, the_purpose, required) in enumerate(
        [
            ("necessary", "Necessary", operation, False),
            ("analytics", "Analytics", analytics, True),
            ("marketing", "Marketing", advertising, True),
        ]
    ):
        CookieCategory.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "description": f"{label} cookies.",
                "purpose_key": the_purpose.key,
                "consent_required": required,
                "position": position,
            },
        )
    return published_version(
        {
            analytics: "Count my visits so the site can be improved.",
            advertising: "Let advertising partners show me relevant ads.",
        },
        notice_key="cookie-banner",
    )
