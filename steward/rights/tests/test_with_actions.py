"""The workflow calling helper "actions"' functions (issue 7's contract): the erasure run
from a request, and the access export offered after completion. Skipped, with the reason,
until steward.erasure and steward.rights.access_export are in the tree."""

import pytest

from steward.rights import services
from steward.rights.choices import RequestStatus
from steward.rights.downloads import export_produce
from steward.rights.models import RequestEvent, RightsRequest


def _in_progress(dpo, person, kind):
    request = services.request_log(actor=dpo, kind=kind, channel="letter", contact=person)
    request = services.request_verify(actor=dpo, request=request, method="Signed letter")
    return services.request_move(actor=dpo, request=request, target=RequestStatus.IN_PROGRESS)


def test_an_erasure_request_erases_completes_and_keeps_no_identifying_data(
    dpo, person, smtp_server
):
    pytest.importorskip("steward.erasure.services", reason="steward.erasure has not landed")
    earlier = services.request_log(actor=dpo, kind="access", channel="phone", contact=person)
    request = _in_progress(dpo, person, "erasure")
    done = services.request_erase(actor=dpo, request=request)
    assert done.status == RequestStatus.COMPLETED
    for kept in RightsRequest.objects.filter(pk__in=[request.pk, earlier.pk]):
        assert kept.requester_email == "" and kept.requester_name == ""
        assert kept.contact_id is None
    assert not RequestEvent.objects.exclude(note="").filter(request=request).exists()
    # The person was told before their address was gone.
    mail = smtp_server.wait_for(2)[-1]
    assert mail.rcpt_tos == ["petra.quellwasser@example.org"]
    assert request.reference in mail.subject


def test_a_completed_access_request_offers_the_access_export(dpo, person):
    pytest.importorskip("steward.rights.access_export", reason="access_export has not landed")
    request = _in_progress(dpo, person, "access")
    services.request_complete(actor=dpo, request=request)
    request.refresh_from_db()
    export = export_produce(request, "json")
    assert export is not None and person.email.encode() in export.content
    html = export_produce(request, "html")
    assert html is not None and html.content_type.startswith("text/html")
    assert export_produce(request, "csv") is None
