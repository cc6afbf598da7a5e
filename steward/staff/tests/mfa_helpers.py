"""Helpers for tests of the second factor: an authenticator app set up through the services,
and codes of a given moment."""

import time

import pyotp

from steward.staff import mfa
from steward.staff.models import TotpDevice


def app_for(user) -> pyotp.TOTP:
    """Sets up and confirms an authenticator app for `user`; returns its TOTP generator. The
    confirmation uses the previous step's code, so the current code is still unused."""
    device = mfa.totp_enrolment_start(actor=user, user=user)
    totp = pyotp.TOTP(mfa.totp_secret(device))
    mfa.totp_enrolment_confirm(actor=user, user=user, code=totp.at(time.time() - 30))
    return totp


def device_of(user) -> TotpDevice:
    return TotpDevice.objects.get(user=user)
