import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.tests.factories import ActivityFactory
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory
from steward.dashboard.selectors import (
    Money,
    analytics_scope,
    contact_figures,
    deal_figures,
    my_open_tasks,
    new_contacts_per_week,
    pipeline_by_stage,
)
from steward.deals.choices import StageOutcome
from steward.deals.tests.factories import DealFactory, PipelineFactory, StageFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _added(contact, ago: datetime.timedelta):
    # created_at is set on insert; tests back-date it to place a contact in the past.
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - ago)


@pytest.fixture
def stages(db):
    pipeline = PipelineFactory(name="Sales", is_default=True)
    return {
        "qualification": StageFactory(pipeline=pipeline, name="Qualification", position=0,
                                      probability=10),
        "proposal": StageFactory(pipeline=pipeline, name="Proposal", position=1, probability=50),
        "won": StageFactory(pipeline=pipeline, name="Won", position=2, probability=100,
                            outcome=StageOutcome.WON),
        "lost": StageFactory(pipeline=pipeline, name="Lost", position=3, probability=0,
                             outcome=StageOutcome.LOST),
    }  # fmt: skip


@pytest.fixture
def deals(stages, owner, colleague, outsider):
    """Open, won, lost and invisible deals of known amounts."""

    def deal(stage, amount, *, by=owner, currency="EUR", closed=None):
        return DealFactory(
            stage=stages[stage], amount=Decimal(amount), currency=currency, owner=by,
            team=by.team, closed_at=timezone.now() - closed if closed else None,
        )  # fmt: skip

    deal("qualification", "1000.00")
    deal("proposal", "3000.50", by=colleague)
    deal("proposal", "400", currency="USD")
    deal("won", "2000", closed=5 * DAY)
    deal("won", "500", closed=60 * DAY)
    deal("lost", "700", closed=2 * DAY)
    deal("proposal", "9999", by=outsider)
    deal("won", "8888", by=outsider, closed=DAY)


def test_contact_figures_count_what_the_user_may_see_and_who_was_added_lately(
    owner, colleague, outsider
):
    _added(ContactFactory(owner=owner, team=owner.team), 40 * DAY)
    ContactFactory(owner=owner, team=owner.team)
    ContactFactory(owner=colleague, team=colleague.team)
    ContactFactory(owner=outsider, team=outsider.team)

    figures = contact_figures(actor=owner)

    assert figures.total == 3
    assert figures.new == 2


def test_deal_figures_add_up_open_weighted_and_recently_won_deals_per_currency(owner, deals):
    figures = deal_figures(actor=owner)

    assert figures.open_count == 3
    assert figures.open_value == [Money("EUR", Decimal("4000.50")), Money("USD", Decimal("400"))]
    # 1000 x 10% + 3000.50 x 50% = 100 + 1500.25; 400 x 50% = 200
    assert figures.weighted_value == [
        Money("EUR", Decimal("1600.25")),
        Money("USD", Decimal("200.00")),
    ]
    assert figures.won_count == 1
    assert figures.won_value == [Money("EUR", Decimal("2000.00"))]


def test_deal_figures_leave_out_what_another_team_owns(outsider, deals):
    figures = deal_figures(actor=outsider)

    assert figures.open_count == 1
    assert figures.open_value == [Money("EUR", Decimal("9999.00"))]
    assert figures.won_count == 1


def test_deal_figures_are_zero_with_no_deals(owner):
    figures = deal_figures(actor=owner)

    assert (figures.open_count, figures.won_count) == (0, 0)
    assert figures.open_value == figures.weighted_value == figures.won_value == []


def test_pipeline_by_stage_counts_and_values_the_visible_open_stages_in_order(owner, stages, deals):
    figures = pipeline_by_stage(actor=owner, pipeline=stages["proposal"].pipeline)

    assert [f.stage.name for f in figures] == ["Qualification", "Proposal"]
    assert [f.count for f in figures] == [1, 2]
    assert figures[0].values == [Money("EUR", Decimal("1000.00"))]
    assert figures[1].values == [
        Money("EUR", Decimal("3000.50")),
        Money("USD", Decimal("400.00")),
    ]


def test_new_contacts_per_week_fills_twelve_weeks_ending_with_this_one(owner, outsider):
    ContactFactory(owner=owner, team=owner.team)
    ContactFactory(owner=owner, team=owner.team)
    _added(ContactFactory(owner=owner, team=owner.team), 21 * DAY)
    _added(ContactFactory(owner=owner, team=owner.team), 13 * 7 * DAY)
    ContactFactory(owner=outsider, team=outsider.team)

    weeks = new_contacts_per_week(actor=owner)

    assert len(weeks) == 12
    today = timezone.localdate()
    assert weeks[-1].week_start == today - datetime.timedelta(days=today.weekday())
    assert all(w.week_start.weekday() == 0 for w in weeks)
    assert [w.count for w in weeks] == [0] * 8 + [1, 0, 0, 2]


def test_my_open_tasks_lists_only_my_unfinished_tasks_soonest_first(owner, colleague):
    now = timezone.now()

    def task(by, due, **extra):
        return ActivityFactory(kind=ActivityKind.TASK, owner=by, team=by.team, due_at=due, **extra)

    later = task(owner, now + 2 * DAY, subject="Send the contract")
    overdue = task(owner, now - DAY, subject="Call back")
    task(owner, now - 3 * DAY, completed_at=now)
    task(colleague, now - DAY)

    tasks = my_open_tasks(actor=owner)

    assert tasks.tasks == [overdue, later]
    assert (tasks.total, tasks.overdue) == (2, 1)


# -- Figures about people ask the processing gate (purpose "analytics") ---------------------


def _restricted(contact):
    from steward.core.actor import SystemActor
    from steward.processing.services import restriction_start

    restriction_start(actor=SystemActor("test"), contact=contact, reason="Accuracy contested.")


def test_people_the_gate_refuses_for_analytics_are_not_counted(owner, stages):
    counted = ContactFactory(owner=owner, team=owner.team)
    restricted = ContactFactory(owner=owner, team=owner.team)
    _restricted(restricted)
    DealFactory(stage=stages["proposal"], contact=counted, amount=100, owner=owner, team=owner.team)
    DealFactory(
        stage=stages["proposal"], contact=restricted, amount=900, owner=owner, team=owner.team
    )
    DealFactory(stage=stages["proposal"], amount=50, owner=owner, team=owner.team)  # nobody's

    figures = contact_figures(actor=owner)
    weeks = new_contacts_per_week(actor=owner)
    deals = deal_figures(actor=owner)
    by_stage = {
        f.stage.name: f.count
        for f in pipeline_by_stage(actor=owner, pipeline=stages["proposal"].pipeline)
    }
    scope = analytics_scope(actor=owner)

    assert (figures.total, figures.new) == (1, 1)
    assert sum(w.count for w in weeks) == 1
    assert deals.open_count == 2
    assert deals.open_value == [Money("EUR", Decimal("150.00"))]
    assert by_stage["Proposal"] == 2
    assert scope.active and scope.excluded == {"restricted": 1}


def test_without_an_analytics_purpose_in_force_no_person_is_counted(owner, stages):
    from steward.processing.models import Purpose

    ContactFactory(owner=owner, team=owner.team)
    DealFactory(stage=stages["proposal"], amount=50, owner=owner, team=owner.team)
    Purpose.objects.filter(key="analytics").update(active=False)

    assert contact_figures(actor=owner).total == 0
    assert deal_figures(actor=owner).open_count == 1
    assert analytics_scope(actor=owner).active is False
