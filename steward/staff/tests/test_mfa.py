"""Second factors at the service level: authenticator apps, recovery codes, the policy."""

import base64
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyotp
import pytest
from django.db import connection

from steward.audit.models import AuditEvent
from steward.core.errors import Conflict, ValidationFailed
from steward.crypto.errors import DecryptionFailed
from steward.crypto.fields import Sealed
from steward.staff import mfa
from steward.staff.models import RecoveryCode, TotpDevice
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory
from steward.staff.tests.mfa_helpers import app_for, device_of

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]


def test_a_new_authenticator_app_counts_only_once_a_code_from_it_is_confirmed(admin):
    device = mfa.totp_enrolment_start(actor=admin, user=admin)

    assert not mfa.has_second_factor(admin)
    with pytest.raises(ValidationFailed):
        mfa.totp_enrolment_confirm(actor=admin, user=admin, code="000000")
    assert not mfa.has_second_factor(admin)

    codes = mfa.totp_enrolment_confirm(
        actor=admin, user=admin, code=pyotp.TOTP(mfa.totp_secret(device)).now()
    )

    assert mfa.has_second_factor(admin)
    assert len(codes) == mfa.RECOVERY_CODE_COUNT
    assert AuditEvent.objects.filter(action="staff.mfa_totp_added", object_id=str(admin.pk))


def test_the_totp_secret_is_not_in_the_database_in_clear(admin):
    device = mfa.totp_enrolment_start(actor=admin, user=admin)
    secret = mfa.totp_secret(device)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {TotpDevice._meta.db_table}")
        (stored,) = cursor.fetchone()

    assert secret not in stored
    assert base64.b32encode(base64.b32decode(secret)).decode() not in stored
    assert len(stored) > len(secret)


def test_a_secret_moved_to_another_row_does_not_decrypt(admin, owner):
    mfa.totp_enrolment_start(actor=admin, user=admin)
    mfa.totp_enrolment_start(actor=owner, user=owner)
    mine = TotpDevice.objects.get(user=admin).__dict__["secret"]  # as stored, unopened
    assert isinstance(mine, Sealed)

    theirs = TotpDevice.objects.get(user=owner)
    theirs.__dict__["secret"] = mine

    with pytest.raises(DecryptionFailed):
        mfa.totp_secret(theirs)


def test_the_secret_is_under_the_users_own_data_key(admin):
    device = mfa.totp_enrolment_start(actor=admin, user=admin)

    field = TotpDevice._meta.get_field("secret")
    assert field.owner_of(device) == f"staff:{admin.pk}"


def test_a_totp_code_works_once(admin):
    totp = app_for(admin)
    now = time.time()
    code = totp.at(now)

    assert mfa.totp_verify(user=admin, code=code, now=now)
    assert not mfa.totp_verify(user=admin, code=code, now=now)
    assert not mfa.totp_verify(user=admin, code=code, now=now + 20)


def test_an_older_code_is_refused_once_a_newer_one_was_used(admin):
    totp = app_for(admin)
    now = time.time()

    assert mfa.totp_verify(user=admin, code=totp.at(now + 30), now=now)
    assert not mfa.totp_verify(user=admin, code=totp.at(now), now=now)


def test_codes_too_far_from_now_and_malformed_codes_are_refused(admin):
    totp = app_for(admin)
    now = time.time()
    before = device_of(admin).last_used_step

    for code in (totp.at(now - 90), totp.at(now + 90), "12345", "abcdef", ""):
        assert not mfa.totp_verify(user=admin, code=code, now=now)

    assert device_of(admin).last_used_step == before


@pytest.mark.django_db(transaction=True)
def test_the_same_code_checked_on_two_connections_at_once_is_accepted_once(admin):
    # Two threads, each with its own database connection, stand for two web processes.
    totp = app_for(admin)
    now = time.time()
    code = totp.at(now)
    barrier = threading.Barrier(2)
    results = []

    def check():
        try:
            barrier.wait()
            results.append(mfa.totp_verify(user=admin, code=code, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]


def test_recovery_codes_are_stored_as_keyed_hashes_and_work_once(admin):
    app_for(admin)
    codes = mfa.recovery_codes_generate(actor=admin, user=admin)

    stored = list(RecoveryCode.objects.filter(user=admin).values_list("code_hash", flat=True))
    assert len(stored) == mfa.RECOVERY_CODE_COUNT
    assert not any(code.replace("-", "") in "".join(stored) for code in codes)

    assert mfa.second_factor_verify(user=admin, code=codes[0].lower()) == "recovery_code"
    assert mfa.second_factor_verify(user=admin, code=codes[0]) is None
    assert RecoveryCode.objects.filter(user=admin, used_at=None).count() == 9


def test_new_recovery_codes_replace_the_old_ones(admin):
    app_for(admin)
    old = mfa.recovery_codes_generate(actor=admin, user=admin)

    new = mfa.recovery_codes_generate(actor=admin, user=admin)

    assert mfa.second_factor_verify(user=admin, code=old[0]) is None
    assert mfa.second_factor_verify(user=admin, code=new[0]) == "recovery_code"


def test_recovery_codes_need_a_second_factor_first(owner):
    with pytest.raises(ValidationFailed):
        mfa.recovery_codes_generate(actor=owner, user=owner)

    assert not RecoveryCode.objects.exists()


def test_mfa_is_required_for_administrators_and_dpos_by_default(admin, owner):
    dpo = UserFactory(email="dora.dpo@example.com", role=Role.DPO)

    assert mfa.mfa_required_for(admin)
    assert mfa.mfa_required_for(dpo)
    assert not mfa.mfa_required_for(owner)


def test_the_roles_that_need_mfa_are_configurable(admin, owner, settings):
    settings.STEWARD_MFA_REQUIRED_ROLES = frozenset({"sales"})

    assert mfa.mfa_required_for(owner)
    assert not mfa.mfa_required_for(admin)


def test_an_administrator_cannot_remove_their_only_second_factor(admin):
    app_for(admin)

    with pytest.raises(ValidationFailed):
        mfa.totp_remove(actor=admin, user=admin)

    assert mfa.has_second_factor(admin)


def test_a_user_whose_role_needs_no_mfa_can_remove_their_app(owner):
    app_for(owner)

    mfa.totp_remove(actor=owner, user=owner)

    assert not mfa.has_second_factor(owner)
    assert AuditEvent.objects.filter(action="staff.mfa_totp_removed", object_id=str(owner.pk))


def test_a_second_authenticator_app_is_refused_while_one_is_set_up(admin):
    app_for(admin)
    device = device_of(admin)

    with pytest.raises(Conflict, match="already have"):
        mfa.totp_enrolment_start(actor=admin, user=admin)

    assert device_of(admin).pk == device.pk


_VERIFY_IN_ANOTHER_PROCESS = """
import sys
import django
django.setup()
from steward.staff import mfa
from steward.staff.models import User
user = User.objects.get(email=sys.argv[1])
print(mfa.totp_verify(user=user, code=sys.argv[2], now=float(sys.argv[3])))
"""


@pytest.mark.django_db(transaction=True)
def test_a_code_accepted_here_is_refused_in_another_process_and_two_at_once_accept_it_once(
    admin,
):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory")
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@"
        f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/"
        f"{settings_dict['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    totp = app_for(admin)
    now = time.time()

    def run(code):
        return subprocess.Popen(
            [sys.executable, "-c", _VERIFY_IN_ANOTHER_PROCESS, admin.email, code, str(now)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )

    assert mfa.totp_verify(user=admin, code=totp.at(now), now=now)
    replay = run(totp.at(now))
    assert replay.communicate(timeout=120)[0].strip() == "False"

    later = totp.at(now + 30)
    racers = [run(later), run(later)]
    answers = sorted(racer.communicate(timeout=120)[0].strip() for racer in racers)
    assert answers == ["False", "True"]


def test_an_administrator_resets_a_colleagues_lost_second_factors_and_ends_their_sessions(
    client, admin
):
    from django.test import Client
    from django.urls import reverse

    from steward.staff.middleware import MFA_STATE

    dpo = UserFactory(email="dora.dpo@example.com", role=Role.DPO)
    app_for(dpo)
    mfa.recovery_codes_generate(actor=dpo, user=dpo)
    theirs = Client()
    theirs.force_login(dpo)
    client.force_login(admin)

    response = client.post(reverse("staff:staff_second_factors_reset", args=[dpo.pk]))

    assert response.status_code == 302
    assert not mfa.has_second_factor(dpo)
    assert not RecoveryCode.objects.filter(user=dpo).exists()
    assert theirs.get(reverse("dashboard")).url.startswith(reverse("login"))
    assert AuditEvent.objects.filter(action="staff.mfa_reset", object_id=str(dpo.pk)).exists()
    assert MFA_STATE in client.session


def test_nobody_resets_their_own_second_factors_and_only_administrators_reset_others(admin, owner):
    from steward.core.errors import PermissionDenied

    app_for(admin)
    app_for(owner)

    with pytest.raises(ValidationFailed):
        mfa.second_factors_reset(actor=admin, user=admin)
    with pytest.raises(PermissionDenied):
        mfa.second_factors_reset(actor=owner, user=admin)

    assert mfa.has_second_factor(admin) and mfa.has_second_factor(owner)
    assert not AuditEvent.objects.filter(action="staff.mfa_reset").exists()
