"""Per-request guards of staff sessions: timeouts, the second-factor gate, and the security
headers Django has no setting for."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from steward.staff import mfa

# Session keys. LOGIN_AT: when the password was accepted (absolute timeout); SEEN_AT: the
# last request (idle timeout); MFA_STATE: how the second-factor question was settled.
LOGIN_AT = "steward_login_at"
SEEN_AT = "steward_seen_at"
MFA_STATE = "steward_mfa"
MFA_VERIFIED = "verified"  # a second factor was checked in this session
MFA_EXEMPT = "exempt"  # the user has no second factor and their role needs none

# The idle clock is written at most this often: a session row is not rewritten on every
# request just to move a timestamp by a few seconds.
_SEEN_AT_RESOLUTION = 60


def mark_signed_in(request) -> None:
    """Starts the timeout clocks of a session that has just accepted a password."""
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session.pop(MFA_STATE, None)


class SessionTimeoutMiddleware:
    """Ends a session after STEWARD_SESSION_IDLE_TIMEOUT seconds without a request, and
    STEWARD_SESSION_ABSOLUTE_TIMEOUT seconds after the password was given, whatever
    happened since (ASVS V7.3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT)
            if login_at is None or seen_at is None:
                # A session started outside the login view (tests' force_login, or one
                # older than these clocks): its clocks start now.
                session.setdefault(LOGIN_AT, now)
                session[SEEN_AT] = now
            elif now - login_at > settings.STEWARD_SESSION_ABSOLUTE_TIMEOUT:
                self._end(request, "Your session ended after its maximum length; log in again.")
            elif now - seen_at > settings.STEWARD_SESSION_IDLE_TIMEOUT:
                self._end(request, "You were logged out after a period of inactivity.")
            elif now - seen_at >= _SEEN_AT_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, message: str) -> None:
        logout(request)
        messages.info(request, message)


# Pages a signed-in user may reach before the second factor is settled.
_VERIFY_PAGES = {"login_verify", "login_webauthn_options", "login_webauthn_verify", "logout"}
_ENROL_PAGES = {
    "account_security",
    "account_totp_enrol",
    "account_webauthn_options",
    "account_webauthn_register",
    "account_recovery_codes",
    "logout",
}


class SecondFactorMiddleware:
    """Lets a signed-in user past the password only as far as their second factor allows:
    a user who has one must give it (every other page redirects to the verify page); a user
    whose role requires one and who has none may only enrol. The decision is kept in the
    session, so a settled session costs no query; a role change is seen at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            state = request.session.get(MFA_STATE)
            if state == MFA_VERIFIED or (state == MFA_EXEMPT and not mfa.mfa_required_for(user)):
                return self.get_response(request)
            if mfa.has_second_factor(user):
                return self._only(request, _VERIFY_PAGES, "login_verify")
            if mfa.mfa_required_for(user):
                return self._only(request, _ENROL_PAGES, "account_security")
            request.session[MFA_STATE] = MFA_EXEMPT
        return self.get_response(request)

    def _only(self, request, allowed: set[str], target: str):
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in allowed:
            return self.get_response(request)
        location = reverse(target)
        if request.method == "GET" and not request.path_info.startswith("/api/"):
            location += "?" + urlencode({"next": request.get_full_path()})
        response = HttpResponseRedirect(location)
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = location
        return response


class SecurityHeadersMiddleware:
    """Headers without a Django setting: Permissions-Policy (no camera, microphone,
    location... ; WebAuthn only from this origin) and Cross-Origin-Resource-Policy."""

    PERMISSIONS_POLICY = ", ".join(
        [
            "accelerometer=()",
            "camera=()",
            "display-capture=()",
            "geolocation=()",
            "gyroscope=()",
            "magnetometer=()",
            "microphone=()",
            "payment=()",
            "usb=()",
            "publickey-credentials-create=(self)",
            "publickey-credentials-get=(self)",
        ]
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
