"""The sales dashboard's figures. Each is one aggregate query over what the actor may see
(restrict), so the page costs the same few queries with 100 contacts or 100,000.

Figures about people (contacts, and deals with a person) are analytics: they count only the
people the processing gate allows for the register's "analytics" purpose, so a restricted
person or one whose objection was upheld is not counted (docs/decisions/0015-processing-gate.md).
Deals with an organisation alone are no one's personal data and always count."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from steward.activities.models import Activity
from steward.activities.selectors import open_tasks_for
from steward.contacts.models import Contact
from steward.core.actor import Actor
from steward.core.scoping import restrict
from steward.deals.choices import StageOutcome
from steward.deals.models import Deal, Pipeline, Stage
from steward.processing.errors import UnknownPurpose
from steward.processing.gate import contacts_allowed, exclusions, exclusions_as_seen_by

CENT = Decimal("0.01")
# The purpose of the register the dashboard's figures about people serve.
ANALYTICS_PURPOSE = "analytics"


def _counted(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """`contacts` narrowed to those the gate allows for analytics; nobody when the register
    has no such purpose in force (then no figure about people may be computed)."""
    try:
        return contacts_allowed(ANALYTICS_PURPOSE, queryset=contacts)
    except UnknownPurpose:
        return contacts.none()


def _counted_deals(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """Deals with nobody, or with a person the gate allows for analytics."""
    try:
        people = contacts_allowed(ANALYTICS_PURPOSE)
    except UnknownPurpose:
        return deals.filter(contact__isnull=True)
    return deals.filter(Q(contact__isnull=True) | Q(contact__in=people.values("pk")))


@dataclass(frozen=True)
class AnalyticsScope:
    """What the page says about whom its figures count: whether the purpose is in force,
    and how many of the people the actor may see were left out, and why."""

    active: bool
    excluded: dict[str, int]

    @property
    def excluded_count(self) -> int:
        return sum(self.excluded.values())


def analytics_scope(*, actor: Actor) -> AnalyticsScope:
    try:
        excluded = exclusions(ANALYTICS_PURPOSE, restrict(Contact.objects.all(), actor))
    except UnknownPurpose:
        return AnalyticsScope(active=False, excluded={})
    return AnalyticsScope(active=True, excluded=exclusions_as_seen_by(excluded, actor))


@dataclass(frozen=True)
class Money:
    """An amount in one currency. Deals may be in several currencies, and adding euros to
    dollars gives a number that means nothing, so sums are kept per currency."""

    currency: str
    amount: Decimal


def _by_amount(sums: dict[str, Decimal]) -> list[Money]:
    """Non-zero sums, largest first (the team's main currency leads)."""
    return [
        Money(currency, amount.quantize(CENT))
        for currency, amount in sorted(sums.items(), key=lambda pair: (-pair[1], pair[0]))
        if amount
    ]


@dataclass(frozen=True)
class ContactFigures:
    total: int
    new: int


def contact_figures(*, actor: Actor, days: int = 30) -> ContactFigures:
    """All contacts the actor may see (and analytics may count), and how many of them were
    added in the last `days`."""
    since = timezone.now() - datetime.timedelta(days=days)
    row = _counted(restrict(Contact.objects.all(), actor)).aggregate(
        total=Count("id"), new=Count("id", filter=Q(created_at__gte=since))
    )
    return ContactFigures(total=row["total"], new=row["new"])


@dataclass(frozen=True)
class DealFigures:
    open_count: int
    open_value: list[Money]
    # Each open deal's amount times its stage's chance of winning: what the pipeline is
    # likely to bring in, as opposed to what it would bring if everything closed.
    weighted_value: list[Money]
    won_count: int
    won_value: list[Money]


def deal_figures(*, actor: Actor, days: int = 30) -> DealFigures:
    """Open deals (count, value, weighted value) and deals won in the last `days`."""
    since = timezone.now() - datetime.timedelta(days=days)
    is_open = Q(stage__outcome=StageOutcome.OPEN)
    won_recently = Q(stage__outcome=StageOutcome.WON, closed_at__gte=since)
    rows = (
        _counted_deals(restrict(Deal.objects.all(), actor))
        .filter(is_open | won_recently)
        .values("currency")
        .annotate(
            open_count=Count("id", filter=is_open),
            open_value=Sum("amount", filter=is_open),
            # Percent points: divided by 100 below, after summing, to keep the cents exact.
            weighted=Sum(
                F("amount") * F("stage__probability"),
                filter=is_open,
                output_field=DecimalField(max_digits=20, decimal_places=2),
            ),
            won_count=Count("id", filter=won_recently),
            won_value=Sum("amount", filter=won_recently),
        )
        .order_by()
    )
    open_value, weighted, won_value = {}, {}, {}
    open_count = won_count = 0
    for row in rows:
        currency = row["currency"]
        open_count += row["open_count"]
        won_count += row["won_count"]
        open_value[currency] = row["open_value"] or Decimal(0)
        weighted[currency] = (row["weighted"] or Decimal(0)) / 100
        won_value[currency] = row["won_value"] or Decimal(0)
    return DealFigures(
        open_count=open_count,
        open_value=_by_amount(open_value),
        weighted_value=_by_amount(weighted),
        won_count=won_count,
        won_value=_by_amount(won_value),
    )


@dataclass
class StageFigure:
    stage: Stage
    count: int = 0
    values: list[Money] = field(default_factory=list)


def pipeline_by_stage(*, actor: Actor, pipeline: Pipeline) -> list[StageFigure]:
    """The open stages of `pipeline` in order, each with its visible deals' count and value."""
    stages = {
        stage.pk: StageFigure(stage=stage)
        for stage in pipeline.stages.filter(outcome=StageOutcome.OPEN).order_by("position")
    }
    sums: dict = {}
    rows = (
        _counted_deals(restrict(Deal.objects.filter(stage__in=list(stages)), actor))
        .values("stage_id", "currency")
        .annotate(count=Count("id"), value=Sum("amount"))
        .order_by()
    )
    for row in rows:
        stages[row["stage_id"]].count += row["count"]
        sums.setdefault(row["stage_id"], {})[row["currency"]] = row["value"] or Decimal(0)
    for stage_id, by_currency in sums.items():
        stages[stage_id].values = _by_amount(by_currency)
    return list(stages.values())


@dataclass(frozen=True)
class WeekCount:
    week_start: datetime.date
    count: int


def new_contacts_per_week(*, actor: Actor, weeks: int = 12) -> list[WeekCount]:
    """Contacts added per calendar week (Monday first, in the site's time zone) over the
    last `weeks` weeks including this one; weeks without any are counted as zero."""
    today = timezone.localdate()
    starts = [
        today - datetime.timedelta(days=today.weekday(), weeks=weeks - 1 - n) for n in range(weeks)
    ]
    # Week boundaries are computed here as aware datetimes (right across DST changes) and
    # each contact is put in its week by a CASE over the created_at range, in one grouped
    # pass: SQLite truncates dates (TruncWeek) in a Python function called per row, which
    # takes seconds over 100,000 contacts.
    bounds = [
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        for day in [*starts, starts[-1] + datetime.timedelta(weeks=1)]
    ]
    week = Case(
        *[When(created_at__lt=bounds[n + 1], then=Value(n)) for n in range(weeks)],
        output_field=IntegerField(),
    )
    rows = (
        _counted(
            restrict(
                Contact.objects.filter(created_at__gte=bounds[0], created_at__lt=bounds[-1]),
                actor,
            )
        )
        .annotate(week=week)
        .values("week")
        # COUNT(*), not COUNT(id): the created_at index alone then answers the query.
        .annotate(count=Count("*"))
        .order_by()
    )
    counts = {row["week"]: row["count"] for row in rows}
    return [WeekCount(week_start=start, count=counts.get(n, 0)) for n, start in enumerate(starts)]


@dataclass(frozen=True)
class TaskList:
    tasks: list[Activity]
    total: int
    overdue: int


def my_open_tasks(*, actor: Actor, limit: int = 8) -> TaskList:
    """The actor's open tasks, soonest due first, with how many there are and how many are
    overdue (the list shows the first `limit`)."""
    mine = open_tasks_for(actor=actor)
    counts = mine.aggregate(
        total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=timezone.now()))
    )
    tasks = list(mine.select_related("deal", "organisation")[:limit])
    return TaskList(tasks=tasks, total=counts["total"], overdue=counts["overdue"])
