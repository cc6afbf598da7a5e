"""The review of a finding from the contact page: confirm or dismiss (Art. 9, roles allowed
to see special-category data). A thin view over steward.detection.services.finding_review;
to any other role a finding does not exist (404), and nothing changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.detection.choices import FindingStatus
from steward.detection.selectors import finding_get
from steward.detection.services import finding_review

DECISIONS = {"confirm": FindingStatus.CONFIRMED, "dismiss": FindingStatus.DISMISSED}


@login_required
@require_POST
def review(request, pk):
    try:
        finding = finding_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such finding.") from None
    decision = DECISIONS.get(request.POST.get("decision", ""))
    back = _page_of(finding)
    if decision is None:
        messages.error(request, "Choose confirm or dismiss.")
        return redirect(back)
    try:
        finding_review(actor=request.user, finding=finding, status=decision)
    except (Conflict, ValidationFailed) as error:
        messages.error(request, error.message)
    else:
        verb = "confirmed" if decision == FindingStatus.CONFIRMED else "dismissed"
        messages.success(request, f"Finding “{finding.evidence}” {verb}.")
    return redirect(back)


def _page_of(finding) -> str:
    """The contact page the finding is shown on (its notice), else the record's page."""
    if finding.contact_id:
        return reverse("contacts:detail", args=[finding.contact_id]) + "#special-category-data"
    return reverse("dashboard")
