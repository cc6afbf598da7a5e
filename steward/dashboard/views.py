"""The dashboard: the figures a sales team looks at first, over what the user may see."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as date_format

from steward.dashboard import charts
from steward.dashboard.selectors import (
    analytics_scope,
    contact_figures,
    deal_figures,
    my_open_tasks,
    new_contacts_per_week,
    pipeline_by_stage,
)
from steward.dashboard.templatetags.money import money_text
from steward.deals.selectors import pipeline_default
from steward.processing.gate import EXCLUSION_LABELS


def _pipeline_chart(stages) -> dict:
    """Bars compare values in the currency that carries the most; a stage's other
    currencies are named in its note rather than added to it."""
    totals: dict[str, Decimal] = {}
    for figure in stages:
        for m in figure.values:
            totals[m.currency] = totals.get(m.currency, Decimal(0)) + m.amount
    lead = max(totals, key=totals.get) if totals else ""
    rows = []
    for figure in stages:
        value = next((m.amount for m in figure.values if m.currency == lead), Decimal(0))
        deals = "1 deal" if figure.count == 1 else f"{figure.count} deals"
        rows.append((figure.stage.name, value, f"{deals} · {money_text(figure.values)}"))
    return {
        "chart": charts.horizontal_bars(rows),
        "lead_currency": lead,
        "mixed_currencies": len(totals) > 1,
    }


def _weekly_chart(weeks) -> charts.ColumnChart:
    return charts.columns([(date_format(w.week_start, "j M"), w.count) for w in weeks])


@login_required
def dashboard(request):
    actor = request.user
    pipeline = pipeline_default()
    stages = pipeline_by_stage(actor=actor, pipeline=pipeline) if pipeline else []
    weeks = new_contacts_per_week(actor=actor)
    # Figures about people count only those analytics may use: the page says whom it left out.
    scope = analytics_scope(actor=actor)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "contacts": contact_figures(actor=actor),
            "deals": deal_figures(actor=actor),
            "tasks": my_open_tasks(actor=actor),
            "now": timezone.now(),
            "pipeline": pipeline,
            "stages": stages,
            "pipeline_chart": _pipeline_chart(stages),
            "weeks": weeks,
            "weekly_chart": _weekly_chart(weeks),
            "new_in_period": sum(w.count for w in weeks),
            "can_add_deal": actor.can("deals.add"),
            "analytics": scope,
            "analytics_excluded": [
                (EXCLUSION_LABELS.get(code, code), count)
                for code, count in sorted(scope.excluded.items(), key=lambda pair: -pair[1])
            ],
        },
    )
