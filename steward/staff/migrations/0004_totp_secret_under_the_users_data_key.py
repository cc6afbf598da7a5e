# The TOTP secret moves from the stop-gap sealing of steward.staff to steward.crypto's
# encrypted field, under the user's own data key (rotation and crypto-shredding included).
# Authenticator apps set up before this (only in development databases: the feature had not
# been released) are dropped and set up again; recovery codes stay.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import steward.core.personal_data
import steward.crypto.fields


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_role_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(name="TotpDevice"),
        migrations.CreateModel(
            name="TotpDevice",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "secret",
                    steward.crypto.fields.EncryptedCharField(
                        key_owner=(("staff", "user_id"),), max_length=64
                    ),
                ),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("last_used_step", models.BigIntegerField(default=0)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="totp_device",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"abstract": False},
            bases=(steward.core.personal_data.PersonalDataModel, models.Model),
        ),
    ]
