"""Seeds the subscription topics and the consent text people agree to when they sign up.

The newsletter rests on the register's seeded "direct-marketing" purpose; product news and
event invitations get a purpose each (consent basis, direct marketing), so that a person can
consent to one and not the other and each change is its own consent event (Recital 43:
separate consent for separate purposes). The consent text is published as version 1 of the
"email-subscriptions" notice with one statement per topic's purpose; the DPO adapts it by
publishing a new version under /settings/notices/. Existing rows with the same keys are left
as they are."""

import hashlib

from django.db import migrations
from django.utils import timezone

_MARKETING = {
    "lawful_basis": "consent",
    "is_direct_marketing": True,
    "consent_valid_months": 24,
    "data_categories": ["identity.name", "contact.email", "demographic.language", "consent"],
    "subject_categories": ["Subscribers who opted in by double opt-in"],
    "retention_months": 1,
    "retention_trigger": "consent_withdrawn",
    "retention_note": (
        "Removed from the topic's mailings at once on withdrawal; the consent record itself "
        "is kept as proof (Art. 7(1))."
    ),
    "security_measures": (
        "Double opt-in; signed, single-use confirmation links; a signed preference centre "
        "and one-click unsubscribe in every email; mailing through the marketing relay only."
    ),
}

NEW_PURPOSES = [
    {
        "key": "product-news",
        "name": "Product news by email",
        "description": "Emails about new products, features and offers to people who opted in.",
    },
    {
        "key": "event-invitations",
        "name": "Event invitations by email",
        "description": "Invitations to events, webinars and trade fairs to people who opted in.",
    },
]

TOPICS = [
    ("newsletter", "Newsletter", "Our monthly newsletter.", "direct-marketing", 1),
    ("product-news", "Product news", "New products, features and offers.", "product-news", 2),
    ("events", "Events", "Invitations to events and webinars.", "event-invitations", 3),
]

STATEMENTS = {
    "direct-marketing": (
        "I agree that Example Trading Ltd emails me its newsletter about once a month. I can "
        "unsubscribe at any time through the link in every email."
    ),
    "product-news": (
        "I agree that Example Trading Ltd emails me news about its products and offers. I can "
        "unsubscribe at any time through the link in every email."
    ),
    "event-invitations": (
        "I agree that Example Trading Ltd emails me invitations to its events and webinars. I "
        "can unsubscribe at any time through the link in every email."
    ),
}


def _hash(text: str) -> str:
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


def seed(apps, schema_editor):
    Purpose = apps.get_model("processing", "Purpose")
    Topic = apps.get_model("email", "Topic")
    Notice = apps.get_model("consent", "Notice")
    NoticeVersion = apps.get_model("consent", "NoticeVersion")
    NoticePurpose = apps.get_model("consent", "NoticePurpose")
    for data in NEW_PURPOSES:
        if not Purpose.objects.filter(key=data["key"]).exists():
            Purpose.objects.create(**_MARKETING, **data)
    purposes = {p.key: p for p in Purpose.objects.filter(key__in=STATEMENTS)}
    for key, name, description, purpose_key, position in TOPICS:
        if purpose_key in purposes and not Topic.objects.filter(key=key).exists():
            Topic.objects.create(
                key=key,
                name=name,
                description=description,
                purpose=purposes[purpose_key],
                position=position,
            )
    if Notice.objects.filter(key="email-subscriptions").exists() or not purposes:
        return
    notice = Notice.objects.create(
        key="email-subscriptions", title="Email subscriptions", kind="consent_text"
    )
    text = "\n\n".join(STATEMENTS[key] for key in STATEMENTS if key in purposes)
    version = NoticeVersion.objects.create(
        notice=notice,
        version=1,
        text=text,
        text_hash=_hash(text),
        published_at=timezone.now(),
    )
    for key, purpose in purposes.items():
        NoticePurpose.objects.create(
            notice_version=version,
            purpose=purpose,
            statement=STATEMENTS[key],
            statement_hash=_hash(STATEMENTS[key]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("email", "0001_initial"),
        ("processing", "0003_seed_purposes"),
        ("consent", "0004_cookie_categories"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
