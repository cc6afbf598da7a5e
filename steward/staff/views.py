"""Signing staff in: the password, then the second factor where the user has one (or must
enrol one), all throttled. Signing out is Django's LogoutView, which accepts POST only, so a
link or an image on another site cannot sign someone out."""

import base64
import json

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from steward.staff import login_throttle as throttle
from steward.staff import mfa
from steward.staff.forms import CODE_REFUSED, THROTTLED, SecondFactorForm, StaffLoginForm
from steward.staff.middleware import MFA_EXEMPT, MFA_STATE, MFA_VERIFIED, mark_signed_in

WEBAUTHN_LOGIN_CHALLENGE = "steward_webauthn_login_challenge"


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


def safe_next(request, fallback: str | None = None) -> str:
    """The `next` page asked for, if it is on this site; else `fallback` (the dashboard)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def second_factor_settled(request) -> None:
    """Marks the session as having passed its second factor, under a new session key."""
    request.session.cycle_key()
    request.session[MFA_STATE] = MFA_VERIFIED


class StaffLoginView(auth_views.LoginView):
    """The password step. Throttled per address typed and per client address; an unknown
    address gets the same answer, after the same work, as a wrong password."""

    form_class = StaffLoginForm
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def _throttle_keys(self) -> list[tuple[throttle.ThrottleRule, str]]:
        typed = self.request.POST.get("username", "")
        return [
            (throttle.PASSWORD_ACCOUNT, throttle.account_key(typed)),
            (throttle.ADDRESS, throttle.client_address(self.request)),
        ]

    def post(self, request, *args, **kwargs):
        wait = throttle.retry_after_any(self._throttle_keys())
        if wait:
            # Refused before the form is cleaned: a throttled attempt costs no password hash
            # and no database look-up, and says nothing about the account.
            form = self.form_class(
                self.request, initial={"username": request.POST.get("username", "")[:254]}
            )
            context = self.get_context_data(
                form=form, refusal=THROTTLED.format(wait=_wait_text(wait))
            )
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if self.request.POST.get("username") and self.request.POST.get("password"):
            for rule, key in self._throttle_keys():
                throttle.record_failure(rule, key)
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        throttle.reset(throttle.PASSWORD_ACCOUNT, throttle.account_key(user.email))
        auth_login(self.request, user)
        mark_signed_in(self.request)
        next_url = self.get_success_url()
        if mfa.has_second_factor(user):
            return HttpResponseRedirect(_with_next("login_verify", next_url))
        if mfa.mfa_required_for(user):
            return HttpResponseRedirect(_with_next("account_security", next_url))
        self.request.session[MFA_STATE] = MFA_EXEMPT
        return HttpResponseRedirect(next_url)


def _mfa_throttle_keys(request) -> list[tuple[throttle.ThrottleRule, str]]:
    return [
        (throttle.MFA_ACCOUNT, str(request.user.pk)),
        (throttle.ADDRESS, throttle.client_address(request)),
    ]


def _mfa_failed(request) -> None:
    for rule, key in _mfa_throttle_keys(request):
        throttle.record_failure(rule, key)


def _mfa_pending(request) -> bool:
    return request.user.is_authenticated and request.session.get(MFA_STATE) != MFA_VERIFIED


def login_verify(request):
    """The second-factor step: a code from the authenticator app, a recovery code, or a
    security key (through static/staff/webauthn.js and the two endpoints below)."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    next_url = safe_next(request)
    if not _mfa_pending(request) or not mfa.has_second_factor(request.user):
        return redirect(next_url)
    status, wait, error = 200, 0, None
    if request.method == "POST":
        form = SecondFactorForm(request.POST)
        wait = throttle.retry_after_any(_mfa_throttle_keys(request))
        if wait:
            status, error = 429, THROTTLED.format(wait=_wait_text(wait))
        elif form.is_valid() and mfa.second_factor_verify(
            user=request.user, code=form.cleaned_data["code"]
        ):
            throttle.reset(throttle.MFA_ACCOUNT, str(request.user.pk))
            second_factor_settled(request)
            return redirect(next_url)
        else:
            _mfa_failed(request)
            error = CODE_REFUSED
    response = render(
        request,
        "staff/login_verify.html",
        {
            "form": SecondFactorForm(),
            "error": error,
            "next": next_url,
            "factors": mfa.second_factors_of(request.user),
            "second_factor_pending": True,
        },
        status=status,
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


@require_POST
def login_webauthn_options(request):
    """The challenge for signing in with a security key (kept in the session, used once)."""
    if not _mfa_pending(request):
        return JsonResponse({"error": "Nothing to verify."}, status=400)
    options, challenge = mfa.webauthn_authentication_options(user=request.user)
    request.session[WEBAUTHN_LOGIN_CHALLENGE] = _b64(challenge)
    return JsonResponse(json.loads(options))


@require_POST
def login_webauthn_verify(request):
    """Checks the security key's signature; the challenge is spent whatever the outcome."""
    challenge = request.session.pop(WEBAUTHN_LOGIN_CHALLENGE, None)
    if not _mfa_pending(request) or challenge is None:
        return JsonResponse({"error": "Start again."}, status=400)
    wait = throttle.retry_after_any(_mfa_throttle_keys(request))
    if wait:
        return JsonResponse(
            {"error": THROTTLED.format(wait=_wait_text(wait))},
            status=429,
            headers={"Retry-After": str(wait)},
        )
    ok = mfa.webauthn_authenticate(
        user=request.user,
        credential=request.body.decode("utf-8", "replace"),
        challenge=base64.urlsafe_b64decode(challenge),
    )
    if not ok:
        _mfa_failed(request)
        return JsonResponse({"error": "The security key was not accepted."}, status=400)
    throttle.reset(throttle.MFA_ACCOUNT, str(request.user.pk))
    second_factor_settled(request)
    return JsonResponse({"next": safe_next(request)})
