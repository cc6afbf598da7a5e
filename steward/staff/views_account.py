"""A staff member's own sign-in security: the authenticator app, security keys and recovery
codes. Reached from the user menu, and straight after the password by a user whose role
requires a second factor and who has none yet (steward.staff.middleware)."""

import base64
import json

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from steward.core.errors import DomainError
from steward.core.web import put_errors_on_form
from steward.staff import mfa
from steward.staff.forms import TotpConfirmForm
from steward.staff.middleware import MFA_STATE, MFA_VERIFIED
from steward.staff.views import safe_next, second_factor_settled

WEBAUTHN_REGISTER_CHALLENGE = "steward_webauthn_register_challenge"


def _enrolment_required(request) -> bool:
    return request.session.get(MFA_STATE) != MFA_VERIFIED and mfa.mfa_required_for(request.user)


@login_required
def account_security(request):
    """The user's second factors, and what they can add or remove."""
    return render(
        request,
        "staff/account/security.html",
        {
            "factors": mfa.second_factors_of(request.user),
            "enrolment_required": _enrolment_required(request),
            "second_factor_pending": _enrolment_required(request),
            "next": safe_next(request),
        },
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def account_totp_enrol(request):
    """Sets up an authenticator app: a QR code (and the secret as text, for typing in), then
    a code from the app to prove it works before it counts."""
    next_url = safe_next(request)
    device = mfa.totp_pending_device(request.user)
    if device is None:
        try:
            device = mfa.totp_enrolment_start(actor=request.user, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("account_security")
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_enrolment_confirm(
                actor=request.user, user=request.user, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            second_factor_settled(request)
            if codes:
                return _show_recovery_codes(request, codes, next_url)
            messages.success(request, "Your authenticator app is set up.")
            return redirect(next_url)
    uri = mfa.totp_provisioning_uri(device)
    return render(
        request,
        "staff/account/totp_enrol.html",
        {
            "form": form,
            "qr_svg": segno.make(uri, error="m").svg_inline(scale=5, title="QR code"),
            "secret": _grouped(mfa.totp_secret(device)),
            "next": next_url,
            "enrolment_required": _enrolment_required(request),
            "second_factor_pending": _enrolment_required(request),
        },
    )


@login_required
@require_POST
def account_totp_remove(request):
    try:
        mfa.totp_remove(actor=request.user, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The authenticator app was removed.")
    return redirect("account_security")


def _show_recovery_codes(request, codes: list[str], next_url: str):
    # Rendered straight into the response, never kept: the codes exist in clear only here.
    response = render(
        request, "staff/account/recovery_codes.html", {"codes": codes, "next": next_url}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_recovery_codes(request):
    """A new set of recovery codes (the old set stops working), shown once."""
    try:
        codes = mfa.recovery_codes_generate(actor=request.user, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("account_security")
    return _show_recovery_codes(request, codes, safe_next(request))


@login_required
@require_POST
def account_webauthn_options(request):
    """The options for registering a security key; the challenge stays in the session."""
    options, challenge = mfa.webauthn_registration_options(user=request.user)
    request.session[WEBAUTHN_REGISTER_CHALLENGE] = base64.urlsafe_b64encode(challenge).decode()
    return JsonResponse(json.loads(options))


@login_required
@require_POST
def account_webauthn_register(request):
    """Registers the security key's answer (JSON: {"name", "credential"})."""
    challenge = request.session.pop(WEBAUTHN_REGISTER_CHALLENGE, None)
    if challenge is None:
        return JsonResponse({"error": "Start again."}, status=400)
    try:
        body = json.loads(request.body)
        mfa.webauthn_register(
            actor=request.user,
            user=request.user,
            name=str(body.get("name", "")),
            credential=body.get("credential") or {},
            challenge=base64.urlsafe_b64decode(challenge),
        )
    except (ValueError, AttributeError):
        return JsonResponse({"error": "The security key's answer could not be read."}, status=400)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=400)
    second_factor_settled(request)
    return JsonResponse(
        {
            "next": safe_next(request, reverse("account_security")),
            "recovery_codes": mfa.recovery_codes_left(request.user) == 0,
        }
    )


@login_required
@require_POST
def account_webauthn_remove(request, key_id):
    try:
        mfa.webauthn_remove(actor=request.user, user=request.user, key_id=key_id)
    except (DomainError, ValidationError) as error:
        messages.error(request, getattr(error, "message", "No such security key."))
    else:
        messages.success(request, "The security key was removed.")
    return redirect("account_security")
