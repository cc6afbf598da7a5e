"""The three cookie categories of the website's banner, mapped to the register's purposes."""

from django.db import migrations

CATEGORIES = [
    (
        "necessary",
        "Necessary",
        "Cookies the website cannot work without: the session, security and your cookie "
        "choice itself. They are always on.",
        "website-operation",
        False,
    ),
    (
        "analytics",
        "Analytics",
        "Cookies that count visits and show which pages are used, so we can improve the "
        "website.",
        "website-analytics",
        True,
    ),
    (
        "marketing",
        "Marketing",
        "Cookies that advertising partners set to show you relevant ads and measure them.",
        "website-advertising",
        True,
    ),
]


def seed(apps, schema_editor):
    CookieCategory = apps.get_model("consent", "CookieCategory")
    for position, (key, label, description, purpose_key, required) in enumerate(CATEGORIES):
        CookieCategory.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "description": description,
                "purpose_key": purpose_key,
                "consent_required": required,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    CookieCategory = apps.get_model("consent", "CookieCategory")
    CookieCategory.objects.filter(key__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_ledger_services")]

    operations = [migrations.RunPython(seed, unseed)]
