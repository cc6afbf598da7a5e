"""/subscriptions: the public sign-up of steward.email for the company's own site or app
(no token: anyone may ask, nobody can subscribe someone else). A sign-up only records a
pending request and mails the confirmation link; the person confirms in their mailbox.
Rate limited per client address like the sign-up page."""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from steward.api.errors import error_body, errors
from steward.api.schemas import RequestBody, Text
from steward.email import services
from steward.email.public_views import request_evidence, signup_rate_limited
from steward.email.selectors import topics_public

router = Router(tags=["subscriptions"])


class TopicOut(Schema):
    key: str
    name: str
    description: str


class SignUpIn(RequestBody):
    email: Text(254, min_length=3)
    topics: list[Text(50, min_length=1)]
    given_name: Text(100) = ""
    # The page of the company's site the form was on, kept with the sign-up's evidence.
    page: Text(500) = ""


class SignUpOut(Schema):
    detail: str


@router.get("/topics", auth=None, response={200: list[TopicOut]})
def list_topics(request: HttpRequest):
    """The topics one can subscribe to."""
    return [{"key": t.key, "name": t.name, "description": t.description} for t in topics_public()]


@router.post("", auth=None, response={202: SignUpOut, **errors(409, 422, 429)})
def sign_up(request: HttpRequest, payload: SignUpIn):
    """Asks for a subscription: mails a confirmation link to the address. The answer is the
    same whether or not the address is known."""
    if signup_rate_limited(request, scope="signup-api"):
        return Status(429, error_body("Too many sign-ups from this address; wait a minute."))
    try:
        services.signup_request(
            email=payload.email,
            topics=payload.topics,
            given_name=payload.given_name,
            evidence=request_evidence(request, page=payload.page, form="api"),
        )
    except services.SignUpThrottled as error:
        return Status(429, error_body(error.message))
    return Status(202, {"detail": "A confirmation link was sent to the address."})
