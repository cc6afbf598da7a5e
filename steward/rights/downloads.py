"""The person's export, produced when they download it (never stored): the access export
(Art. 15) as JSON or readable HTML, the portability export (Art. 20) as JSON or CSV, from
steward.rights.access_export and steward.rights.portability. See docs/decisions/0021."""

import datetime
import importlib.util
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from steward.core.actor import SystemActor
from steward.rights.choices import RequestKind, RequestStatus
from steward.rights.models import RightsRequest

FORMATS = {RequestKind.ACCESS: ("json", "html"), RequestKind.PORTABILITY: ("json", "csv")}
PORTAL = SystemActor("portal")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


_EXPORTERS = {
    RequestKind.ACCESS: "steward.rights.access_export",
    RequestKind.PORTABILITY: "steward.rights.portability",
}


def _exporter_installed(kind: str) -> bool:
    return importlib.util.find_spec(_EXPORTERS[kind]) is not None


def export_available_until(request: RightsRequest) -> datetime.datetime | None:
    """Until when the person may download their export; None when there is none."""
    if (
        request.kind not in FORMATS
        or not _exporter_installed(request.kind)
        or request.status != RequestStatus.COMPLETED
        or request.contact_id is None
        or request.closed_at is None
    ):
        return None
    until = request.closed_at + datetime.timedelta(days=settings.STEWARD_RIGHTS_EXPORT_DAYS)
    return until if until > timezone.now() else None


def export_produce(request: RightsRequest, fmt: str) -> ExportFile | None:
    """The export in `fmt`, or None when the request offers none (any more)."""
    if export_available_until(request) is None or fmt not in FORMATS[request.kind]:
        return None
    stem = f"{request.reference}-{request.kind}"
    if request.kind == RequestKind.ACCESS:
        from steward.rights.access_export import access_export, access_export_html

        document = access_export(actor=PORTAL, contact=request.contact)
        if fmt == "html":
            html = access_export_html(document)
            return ExportFile(html.encode(), "text/html; charset=utf-8", f"{stem}.html")
        body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        return ExportFile(body.encode(), "application/json", f"{stem}.json")
    from steward.rights.portability import portability_export

    export = portability_export(actor=PORTAL, contact=request.contact)
    if fmt == "csv":
        return ExportFile(export.csv, "text/csv; charset=utf-8", f"{stem}.csv")
    return ExportFile(export.json, "application/json", f"{stem}.json")
