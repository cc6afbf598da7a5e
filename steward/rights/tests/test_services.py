"""The rights workflow's services: receiving, the transition table, deadlines in use,
extension, refusal, fees, questions, carrying requests out, reminders."""

import datetime
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.processing.models import Objection, ObjectionStatus, Restriction
from steward.rights import services
from steward.rights.choices import EventKind, RequestKind, RequestStatus
from steward.rights.models import RequestEvent, RightsRequest
from steward.rights.workflow import ALLOWED_TRANSITIONS

S = RequestStatus


def _log(actor, person, kind=RequestKind.ACCESS, **extra):
    return services.request_log(actor=actor, kind=kind, channel="phone", contact=person, **extra)


def _at(request, status):
    RightsRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()
    return request


def _counts():
    return (RightsRequest.objects.count(), RequestEvent.objects.count(), AuditEvent.objects.count())


def test_a_request_logged_by_staff_is_received_with_its_legal_due_date_and_audited(dpo, person):
    received = timezone.make_aware(datetime.datetime(2026, 1, 31, 10, 0))
    request = _log(dpo, person, received_at=received, requester_name="Petra Q.")
    assert request.status == S.RECEIVED
    assert request.due_on == datetime.date(2026, 3, 2)  # 28 Feb 2026 is a Saturday
    assert request.requester_email == person.email
    assert request.reference.startswith("R-")
    assert [e.kind for e in request.events.all()] == [EventKind.RECEIVED]
    audit = AuditEvent.objects.get(action="rights_request.received", object_id=str(request.pk))
    assert audit.changes["kind"] == [None, "access"]
    # The trail names no identifying value of the person.
    assert person.email not in str(audit.changes) and "Petra" not in str(audit.changes)


def test_a_request_received_in_the_future_is_refused_and_nothing_written(dpo, person):
    before = _counts()
    with pytest.raises(ValidationFailed) as error:
        _log(dpo, person, received_at=timezone.now() + datetime.timedelta(hours=2))
    assert "received_at" in error.value.field_errors
    assert _counts() == before


def test_a_rectification_without_what_to_correct_is_refused(dpo, person):
    before = _counts()
    with pytest.raises(ValidationFailed) as error:
        _log(dpo, person, kind=RequestKind.RECTIFICATION)
    assert "details" in error.value.field_errors
    assert _counts() == before


DISALLOWED = [
    (current, target)
    for current, target in itertools.product(S.values, S.values)
    if target not in ALLOWED_TRANSITIONS[current]
]


@pytest.mark.parametrize(("current", "target"), DISALLOWED)
def test_every_transition_the_table_does_not_list_is_refused_and_nothing_written(
    dpo, person, current, target
):
    request = _at(_log(dpo, person), current)
    before = _counts()
    with pytest.raises(Conflict), transaction.atomic():
        services._transition(actor=dpo, request=request, target=target)
    request.refresh_from_db()
    assert request.status == current
    assert _counts() == before


ALLOWED = [(c, t) for c, targets in ALLOWED_TRANSITIONS.items() for t in sorted(targets)]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_every_allowed_transition_is_recorded_as_an_event_and_audited(dpo, person, current, target):
    request = _at(_log(dpo, person), current)
    with transaction.atomic():
        services._transition(actor=dpo, request=request, target=target)
    request.refresh_from_db()
    assert request.status == target
    event = request.events.last()
    assert (event.from_status, event.to_status) == (current, target)
    audit = AuditEvent.objects.filter(
        action="rights_request.status_changed", object_id=str(request.pk)
    ).last()
    assert audit.changes["status"] == [current, target]


def test_completing_a_request_that_was_never_verified_is_refused(dpo, person):
    request = _log(dpo, person)
    before = _counts()
    with pytest.raises(Conflict):
        services.request_complete(actor=dpo, request=request)
    request.refresh_from_db()
    assert request.status == S.RECEIVED and request.closed_at is None
    assert _counts() == before


def test_a_closed_request_moves_nowhere(dpo, person):
    request = _at(_log(dpo, person), S.REFUSED)
    for target in (S.VERIFIED, S.IN_PROGRESS, S.COMPLETED):
        with pytest.raises(Conflict), transaction.atomic():
            services._transition(actor=dpo, request=request, target=target)
    request.refresh_from_db()
    assert request.status == S.REFUSED


@pytest.mark.parametrize("role_user", ["owner", "colleague", "outsider", "reader", "manager"])
def test_roles_without_rights_manage_cannot_log_or_move_requests(request, dpo, person, role_user):
    user = request.getfixturevalue(role_user)
    rights_request = _log(dpo, person)
    before = _counts()
    with pytest.raises(PermissionDenied):
        _log(user, person)
    with pytest.raises(PermissionDenied):
        services.request_verify(actor=user, request=rights_request, method="Called back")
    rights_request.refresh_from_db()
    assert rights_request.status == S.RECEIVED
    assert _counts() == before


def test_staff_verify_a_request_saying_how(dpo, person, smtp_server):
    request = services.request_verify(
        actor=dpo, request=_log(dpo, person), method="Called back on the number on file"
    )
    assert request.status == S.VERIFIED and request.verified_at is not None
    assert request.verification_method == "Called back on the number on file"
    mail = smtp_server.wait_for(1)[0]
    assert mail.rcpt_tos == [person.email]
    assert "/privacy/request/" in mail.text()


def test_verifying_needs_the_method_and_changes_nothing_without_it(dpo, person):
    request = _log(dpo, person)
    before = _counts()
    with pytest.raises(ValidationFailed):
        services.request_verify(actor=dpo, request=request, method="  ")
    assert _counts() == before


# -- Extension (Art. 12(3)) ------------------------------------------------------------------


def _verified(dpo, person, **extra):
    return services.request_verify(actor=dpo, request=_log(dpo, person, **extra), method="Call")


def test_an_extension_within_the_first_month_adds_two_months_and_tells_the_person(
    dpo, person, smtp_server
):
    received = timezone.make_aware(datetime.datetime(2026, 1, 31, 9, 0))
    request = _verified(dpo, person, received_at=received)
    smtp_server.wait_for(1)
    extended = services.request_extend(
        actor=dpo,
        request=request,
        reason="Twelve years of records across three systems",
        today=datetime.date(2026, 2, 20),
    )
    assert extended.status == S.EXTENDED
    assert extended.extended_due_on == datetime.date(2026, 4, 28)
    assert extended.effective_due_on == datetime.date(2026, 4, 28)
    assert extended.extension_notified_at is not None
    mail = smtp_server.wait_for(2)[1]
    assert "Twelve years of records" in mail.text()
    assert "28 April 2026" in mail.text()


def test_an_extension_after_the_first_month_is_refused_and_nothing_written(dpo, person):
    received = timezone.make_aware(datetime.datetime(2026, 1, 31, 9, 0))
    request = _verified(dpo, person, received_at=received)
    before = _counts()
    with pytest.raises(Conflict, match="within it"):
        services.request_extend(
            actor=dpo, request=request, reason="Complex", today=datetime.date(2026, 3, 3)
        )
    request.refresh_from_db()
    assert request.status == S.VERIFIED and request.extended_due_on is None
    assert _counts() == before


def test_a_second_extension_is_refused(dpo, person):
    request = _verified(dpo, person)
    request = services.request_extend(actor=dpo, request=request, reason="Complex")
    request = services.request_move(actor=dpo, request=request, target=S.IN_PROGRESS)
    before = _counts()
    with pytest.raises(Conflict, match="once"):
        services.request_extend(actor=dpo, request=request, reason="Still complex")
    assert _counts() == before


def test_an_extension_without_a_reason_is_refused(dpo, person):
    request = _verified(dpo, person)
    with pytest.raises(ValidationFailed):
        services.request_extend(actor=dpo, request=request, reason="")
    request.refresh_from_db()
    assert request.extended_due_on is None


# -- Refusal (Art. 12(4)-(5)) ------------------------------------------------------------------


def test_a_refusal_tells_the_person_its_reasons_and_their_right_to_complain(
    dpo, person, smtp_server
):
    request = services.request_refuse(
        actor=dpo,
        request=_log(dpo, person),
        ground="excessive",
        reasons="The fourth identical request this month; each was answered in full.",
    )
    assert request.status == S.REFUSED and request.closed_at is not None
    text = smtp_server.wait_for(1)[0].text()
    assert "The fourth identical request this month" in text
    assert "Excessive" in text
    assert "supervisory authority" in text and "Art. 77" in text


def test_a_refusal_without_reasons_or_ground_is_refused(dpo, person):
    request = _log(dpo, person)
    before = _counts()
    with pytest.raises(ValidationFailed):
        services.request_refuse(actor=dpo, request=request, ground="excessive", reasons="")
    with pytest.raises(ValidationFailed):
        services.request_refuse(actor=dpo, request=request, ground="bored", reasons="x")
    assert _counts() == before


def test_a_fee_for_an_excessive_request_is_recorded_with_its_reason(dpo, person, smtp_server):
    request = services.request_fee_charge(
        actor=dpo, request=_log(dpo, person), amount="25", reason="Third full copy this year"
    )
    assert str(request.fee_amount) == "25.00"
    assert "Third full copy" in smtp_server.wait_for(1)[0].text()
    with pytest.raises(Conflict):
        services.request_fee_charge(actor=dpo, request=request, amount="5", reason="Again")


# -- Two requests at once -------------------------------------------------------------------


def test_two_requests_of_one_person_are_both_recorded_and_the_second_is_linked(dpo, person):
    first = _log(dpo, person)
    second = _log(dpo, person, kind=RequestKind.ERASURE)
    assert RightsRequest.objects.filter(contact=person).count() == 2
    assert second.related_to_id == first.pk
    assert first.related_to_id is None


def test_a_request_after_the_first_was_closed_is_not_linked(dpo, person):
    first = services.request_refuse(
        actor=dpo, request=_log(dpo, person), ground="identity", reasons="No answer"
    )
    second = _log(dpo, person)
    assert first.status == S.REFUSED and second.related_to_id is None


# -- Art. 12(6) questions ---------------------------------------------------------------------


def test_the_dpo_asks_for_more_and_the_person_answers(dpo, person, smtp_server):
    request = _verified(dpo, person)
    asked = services.request_information_ask(
        actor=dpo, request=request, question="Which town did you order from?"
    )
    request.refresh_from_db()
    assert request.status == S.IDENTITY_UNVERIFIED
    assert "Which town" in smtp_server.wait_for(2)[1].text()
    services.request_information_answer(request=request, answer="Leipzig")
    asked.refresh_from_db()
    assert asked.answer == "Leipzig" and asked.answered_at is not None
    with pytest.raises(Conflict):
        services.request_information_answer(request=request, answer="Again")


# -- Carrying out -----------------------------------------------------------------------------


def _in_progress(dpo, person, kind, **extra):
    request = _verified(dpo, person, kind=kind, **extra)
    return services.request_move(actor=dpo, request=request, target=S.IN_PROGRESS)


def test_a_rectification_goes_through_the_contact_service_with_old_and_new_values(dpo, person):
    request = _in_progress(
        dpo, person, RequestKind.RECTIFICATION, details="My surname is Quellwaßer"
    )
    services.request_rectify(actor=dpo, request=request, changes={"family_name": "Quellwaßer"})
    person.refresh_from_db()
    assert person.family_name == "Quellwaßer"
    audit = AuditEvent.objects.get(action="contact.updated", object_id=str(person.pk))
    assert audit.changes["family_name"] == ["Quellwasser", "Quellwaßer"]
    assert audit.context["rights_request"] == request.reference
    assert request.events.filter(kind=EventKind.CARRIED_OUT).exists()


def test_a_rectification_of_a_field_not_offered_is_refused_and_nothing_changes(dpo, person):
    request = _in_progress(dpo, person, RequestKind.RECTIFICATION, details="x")
    with pytest.raises(ValidationFailed):
        services.request_rectify(actor=dpo, request=request, changes={"owner": None})
    person.refresh_from_db()
    assert person.owner is not None


def test_a_restriction_is_lifted_only_after_the_person_was_told(dpo, person, smtp_server):
    request = _in_progress(dpo, person, RequestKind.RESTRICTION, details="Accuracy contested")
    services.request_restrict(actor=dpo, request=request)
    assert Restriction.objects.filter(contact=person, lifted_at__isnull=True).exists()
    with pytest.raises(Conflict, match="Art. 18"):
        services.request_restriction_lift(actor=dpo, request=request)
    assert Restriction.objects.filter(contact=person, lifted_at__isnull=True).exists()
    request = services.restriction_lift_notice_send(
        actor=dpo, request=request, reason="The address was checked and is correct"
    )
    assert "The address was checked" in smtp_server.wait_for(2)[-1].text()
    services.request_restriction_lift(actor=dpo, request=request)
    assert not Restriction.objects.filter(contact=person, lifted_at__isnull=True).exists()


def test_an_objection_to_direct_marketing_is_upheld_at_once(dpo, person):
    request = _in_progress(dpo, person, RequestKind.OBJECTION, objection_ground="direct_marketing")
    objection = services.request_object(actor=dpo, request=request)
    assert objection.status == ObjectionStatus.UPHELD


def test_an_objection_on_legitimate_interests_is_assessed_and_a_rejection_refuses(
    dpo, person, smtp_server
):
    request = _in_progress(
        dpo,
        person,
        RequestKind.OBJECTION,
        objection_ground="legitimate_interests",
        details="I moved away; your visits upset my family.",
    )
    objection = services.request_object(actor=dpo, request=request)
    assert objection.status == ObjectionStatus.RECEIVED
    request = services.request_objection_decide(
        actor=dpo, request=request, upheld=False, reason="Fraud prevention outweighs it."
    )
    assert request.status == S.REFUSED
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.REJECTED
    assert "supervisory authority" in smtp_server.wait_for(2)[-1].text()


def test_art_19_notification_of_a_recipient_is_recorded_once(dpo, person):
    from steward.processing.models import Recipient

    recipient = Recipient.objects.create(
        name="Mailhouse Example GmbH", kind="processor", service="Sends newsletters"
    )
    request = _in_progress(dpo, person, RequestKind.RECTIFICATION, details="x")
    services.recipient_notification_record(actor=dpo, request=request, recipient=recipient)
    with pytest.raises(Conflict):
        services.recipient_notification_record(actor=dpo, request=request, recipient=recipient)
    assert request.notifications.count() == 1


# -- Reminders --------------------------------------------------------------------------------


def test_reminders_reach_the_assignee_and_the_dpo_once_a_day(dpo, person, smtp_server, settings):
    settings.STEWARD_DPO_EMAIL = "dpo-desk@example.com"
    received = timezone.now() - datetime.timedelta(days=40)
    overdue = _log(dpo, person, received_at=received)
    services.request_assign(actor=dpo, request=overdue, assignee=dpo)
    unassigned = _log(
        dpo, ContactFactory(), received_at=timezone.now() - datetime.timedelta(days=27)
    )
    far = _log(dpo, ContactFactory())  # due in a month: no reminder
    sent = services.rights_reminders_send(actor=SystemActor("worker"))
    assert sent == 2
    mails = smtp_server.wait_for(2)
    by_address = {m.rcpt_tos[0]: m for m in mails}
    assert set(by_address) == {dpo.email, "dpo-desk@example.com"}
    assert overdue.reference in by_address[dpo.email].text()
    assert "OVERDUE" in by_address[dpo.email].text()
    desk = by_address["dpo-desk@example.com"].text()
    assert unassigned.reference in desk and overdue.reference in desk
    assert far.reference not in desk
    assert services.rights_reminders_send(actor=SystemActor("worker")) == 0


def test_art_19_lists_the_recipients_of_purposes_the_persons_data_went_to(dpo, person):
    from steward.processing.models import Purpose, Recipient
    from steward.rights.selectors import recipients_for

    # Given a recipient of analytics (legitimate interests: the person's data goes there)
    # and one of direct marketing (consent, which this person never gave)
    analytics = Recipient.objects.create(
        name="Counting Example BV", kind="processor", service="Web analytics", status="active"
    )
    analytics.purposes.set([Purpose.objects.get(key="analytics")])
    marketing = Recipient.objects.create(
        name="Mailhouse Example GmbH", kind="processor", service="Newsletters", status="active"
    )
    marketing.purposes.set([Purpose.objects.get(key="direct-marketing")])

    # Then only the first is listed for them
    assert [r.name for r in recipients_for(person)] == ["Counting Example BV"]


def test_the_reminders_are_a_daily_periodic_job():
    from steward.core.scheduling import PERIODIC_JOBS
    from steward.rights.tasks import rights_reminders_task

    (job,) = [j for j in PERIODIC_JOBS if j.name == "rights-reminders"]
    assert job.daily_at is not None
    assert job.resolved_task.func is rights_reminders_task.func


def test_a_request_finds_the_person_by_a_further_address_in_any_case(owner):
    from steward.contacts.services import contact_create, contact_method_add

    contact = contact_create(
        actor=owner, data={"family_name": "Okafor", "email": "main@example.org"}
    )
    contact_method_add(actor=owner, contact=contact, kind="email", value="Old.Box@Example.com")

    # Addresses are encrypted: found through their blind indexes (decision 0018).
    assert services.contact_for_address("old.box@EXAMPLE.com") == contact
    assert services.contact_for_address(" MAIN@example.org") == contact
    assert services.contact_for_address("nobody@example.org") is None
