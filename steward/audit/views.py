"""The security events page (/security/): unusual access to personal data, for the
administrators and the DPO. A thin view over steward.audit.security."""

from django.conf import settings
from django.shortcuts import render

from steward.audit.security import VIEW_PERMISSION, security_events
from steward.core.web import permission_required

SHOWN = 200


@permission_required(VIEW_PERMISSION)
def events(request):
    rows = list(security_events(actor=request.user)[:SHOWN])
    return render(
        request,
        "audit/security_events.html",
        {
            "events": rows,
            "shown": SHOWN,
            "floor": settings.STEWARD_READ_ALERT_FLOOR,
            "factor": settings.STEWARD_READ_ALERT_FACTOR,
            "days": settings.STEWARD_READ_ALERT_BASELINE_DAYS,
        },
    )
