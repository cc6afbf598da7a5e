"""Public pages of steward.email (no login): the sign-up (embeddable in the company's site),
the confirmation of a sign-up, the preference centre and one-click unsubscribe.

Nothing here grants anything on a GET: mail scanners and link previews open every link in a
message, so confirming and unsubscribing happen on a POST only (RFC 8058 one-click is that
POST, sent by the mail client)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from steward.consent.selectors import notice_version_current_for
from steward.contacts.models import Contact
from steward.core.errors import DomainError, ValidationFailed
from steward.core.web import put_errors_on_form
from steward.email import links, services
from steward.email.forms import SignUpForm
from steward.email.models import Topic
from steward.email.selectors import confirmed_topic_keys, topics_public
from steward.staff.login_throttle import client_address

INVALID_LINK = {
    "forged": (
        "This link is not valid",
        "The link was changed or is incomplete, so it confirms nothing. Copy the whole link "
        "from the email, or sign up again.",
    ),
    "expired": (
        "This link has expired",
        "Confirmation links work for a limited time. Nothing was confirmed; sign up again to "
        "get a new link.",
    ),
    "erased": (
        "This address cannot be subscribed",
        "Its owner asked us to erase their data, so we do not store it again. Nothing was "
        "confirmed. If you are that person and want our emails again, write to our privacy "
        "contact.",
    ),
    "used": (
        "This link was already used",
        "A confirmation link works once, and this one already confirmed the subscription. "
        "Nothing else was changed.",
    ),
}


def frame_policy() -> dict:
    """The site's CSP with the company's own sites (STEWARD_SITE_ORIGINS) allowed to frame
    the sign-up page; every other page keeps frame-ancestors 'none'."""
    return {
        **settings.SECURE_CSP,
        "frame-ancestors": [CSP.SELF, *settings.STEWARD_SITE_ORIGINS],
    }


def embeddable(view):
    """The sign-up page may be framed by the company's sites: no X-Frame-Options, and the
    CSP's frame-ancestors built from the settings at response time."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response._csp_config = frame_policy()
        return response

    return xframe_options_exempt(wrapper)


def signup_rate_limited(request, scope: str = "signup") -> bool:
    """Fixed one-minute windows per client address in the shared cache, so every web
    process counts together (as the cookie endpoint does)."""
    window = int(timezone.now().timestamp() // 60)
    key = f"email:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)
        count = 1
    return count > settings.STEWARD_SIGNUP_RATE_LIMIT


def request_evidence(request, **extra) -> dict:
    return {
        "ip": client_address(request),
        "user_agent": request.headers.get("User-Agent", ""),
        **extra,
    }


def _statements(topics) -> list[tuple[Topic, str]]:
    found = []
    for topic in topics:
        version = notice_version_current_for(topic.purpose)
        statement = ""
        if version is not None:
            statement = next(
                (
                    s.statement
                    for s in version.purpose_statements.all()
                    if s.purpose_id == topic.purpose_id
                ),
                "",
            )
        found.append((topic, statement))
    return found


@embeddable
@csrf_exempt  # the form grants nothing: only the link in the mailbox does (0019)
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """The sign-up page: address, optional first name, topics. A POST only records a pending
    sign-up and mails the confirmation link."""
    topics = list(topics_public())
    form = SignUpForm(request.POST or None, topics=topics)
    status = 200
    if request.method == "POST":
        if signup_rate_limited(request):
            form.is_valid()
            form.add_error(None, "Too many sign-ups from your network; try again in a minute.")
            status = 429
        elif form.is_valid():
            if form.cleaned_data["website"]:
                # A bot: answer as for a person, record nothing.
                return render(request, "email/public/check_mailbox.html", {"email": ""})
            try:
                services.signup_request(
                    email=form.cleaned_data["email"],
                    given_name=form.cleaned_data["given_name"],
                    topics=form.cleaned_data["topics"],
                    evidence=request_evidence(
                        request,
                        page=request.headers.get("Referer", request.build_absolute_uri()),
                        form="/subscribe",
                    ),
                )
            except services.SignUpThrottled as error:
                form.add_error(None, error.message)
                status = 429
            except DomainError as error:
                put_errors_on_form(form, error)
                status = 422
            else:
                return render(
                    request,
                    "email/public/check_mailbox.html",
                    {"email": form.cleaned_data["email"]},
                )
        else:
            status = 422
    return render(
        request,
        "email/public/subscribe.html",
        {"form": form, "statements": _statements(topics)},
        status=status,
    )


def _invalid(request, reason: str) -> HttpResponse:
    title, text = INVALID_LINK.get(reason, INVALID_LINK["forged"])
    return render(
        request,
        "email/public/invalid_link.html",
        {"title": title, "text": text, "reason": reason},
        status={"expired": 410, "used": 410, "erased": 409}.get(reason, 400),
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET: what the link would confirm and a Confirm button (scanners fetch links; a GET
    changes nothing). POST: confirms, records the consent events, shows the result."""
    try:
        signup, topics = services.signup_preview(token)
    except links.LinkInvalid as error:
        return _invalid(request, error.reason)
    if request.method == "GET":
        return render(
            request,
            "email/public/confirm.html",
            {"signup": signup, "topics": topics, "token": token},
        )
    try:
        result = services.signup_confirm(
            token=token, evidence=request_evidence(request, page=request.build_absolute_uri())
        )
    except links.LinkInvalid as error:
        return _invalid(request, error.reason)
    return render(
        request,
        "email/public/confirmed.html",
        {
            "topics": result.topics,
            "preferences_url": links.preferences_url(result.contact.pk),
        },
    )


def _contact_of_preferences(token: str) -> Contact | None:
    try:
        contact_id = links.preferences_contact_id(token)
    except links.LinkInvalid:
        return None
    return Contact.objects.filter(pk=services._uuid_or_none(contact_id)).first()


@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    """The preference centre: the person's topics, each to keep or leave, and "withdraw
    all"; reached by the signed link in every email (no account)."""
    contact = _contact_of_preferences(token)
    if contact is None:
        return _invalid(request, "forged")
    changes = None
    error = ""
    withdrawn = None
    if request.method == "POST" and request.POST.get("withdraw_purpose"):
        # One click withdraws one consent (Art. 7(3): as easy as giving it).
        try:
            withdrawn = services.consent_withdraw_by_person(
                contact=contact,
                purpose_key=request.POST["withdraw_purpose"],
                evidence=request_evidence(request, page="preference centre"),
            ).purpose
        except ValidationFailed as failure:
            error = failure.message
    elif request.method == "POST":
        wanted = [] if "withdraw_all" in request.POST else request.POST.getlist("topics")
        try:
            changes = services.preferences_update(
                contact=contact,
                wanted=wanted,
                evidence=request_evidence(request, page="preference centre"),
            )
        except ValidationFailed as failure:
            error = failure.message
    held = confirmed_topic_keys(contact)
    topics = list(topics_public())
    return render(
        request,
        "email/public/preferences.html",
        {
            "contact": contact,
            "topics": [(t, t.key in held) for t in topics],
            "changes": changes,
            "error": error,
            "token": token,
            "other_consents": services.other_consents_held(contact),
            "withdrawn": withdrawn,
        },
        status=422 if error else 200,
    )


@csrf_exempt  # RFC 8058: the mail client POSTs without any cookie or token of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """RFC 8058 one-click unsubscribe: a POST (body "List-Unsubscribe=One-Click", or the
    page's own button) withdraws the consent for the topic at once. A GET shows the button
    and changes nothing."""
    try:
        contact_id, topic_key = links.unsubscribe_claim(token)
    except links.LinkInvalid:
        return _invalid(request, "forged")
    contact = Contact.objects.filter(pk=services._uuid_or_none(contact_id)).first()
    topic = Topic.objects.filter(key=topic_key).select_related("purpose").first()
    if contact is None or topic is None:
        return _invalid(request, "forged")
    done = None
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        done = services.unsubscribe_one_click(
            contact=contact,
            topic=topic,
            evidence=request_evidence(request, one_click=one_click),
        )
        if one_click:
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
    return render(
        request,
        "email/public/unsubscribe.html",
        {
            "topic": topic,
            "done": done,
            "token": token,
            "preferences_url": links.preferences_url(contact.pk),
        },
    )
