from decimal import Decimal

import pytest

from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.core.errors import NotFound
from steward.deals.selectors import (
    party_get,
    party_search,
    pipeline_board,
    pipeline_default,
    pipeline_get,
    stage_get,
)
from steward.deals.tests.factories import DealFactory, PipelineFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db):
    pipeline = PipelineFactory(name="Sales", is_default=True)
    StageFactory(pipeline=pipeline, name="Qualification", position=0)
    StageFactory(pipeline=pipeline, name="Proposal", position=1)
    return pipeline


def test_the_board_counts_and_totals_each_stage_per_currency_over_visible_deals(
    owner, colleague, outsider, pipeline
):
    first, second = pipeline.stages.order_by("position")
    DealFactory(stage=first, owner=owner, team=owner.team, amount=1000)
    DealFactory(stage=first, owner=colleague, team=colleague.team, amount=250)
    DealFactory(stage=first, owner=owner, team=owner.team, amount=80, currency="USD")
    DealFactory(stage=second, owner=outsider, team=outsider.team, amount=5000)

    columns = pipeline_board(actor=owner, pipeline=pipeline)

    assert [c["stage"] for c in columns] == [first, second]
    assert [c["count"] for c in columns] == [3, 0]
    assert columns[0]["totals"] == [("EUR", Decimal("1250.00")), ("USD", Decimal("80.00"))]
    assert columns[1]["totals"] == [] and columns[1]["deals"] == []


def test_the_board_shows_at_most_the_asked_number_of_deals_per_stage(owner, pipeline):
    stage = pipeline.stages.first()
    for _ in range(4):
        DealFactory(stage=stage, owner=owner, team=owner.team)

    columns = pipeline_board(actor=owner, pipeline=pipeline, per_stage=3)

    assert columns[0]["count"] == 4
    assert len(columns[0]["deals"]) == 3


def test_the_default_pipeline_comes_first_and_unknown_ones_are_not_found(pipeline):
    PipelineFactory(name="Another", is_default=False)

    assert pipeline_default() == pipeline
    assert pipeline_get(pk=pipeline.pk) == pipeline
    with pytest.raises(NotFound):
        pipeline_get(pk="not-a-uuid")


def test_a_stage_is_found_only_in_its_own_pipeline(pipeline):
    other = StageFactory(pipeline=PipelineFactory(name="Renewals", is_default=False))

    assert stage_get(pipeline=pipeline, pk=pipeline.stages.first().pk).pipeline == pipeline
    with pytest.raises(NotFound):
        stage_get(pipeline=pipeline, pk=other.pk)


def test_party_search_returns_at_most_twenty_visible_matches(owner, outsider):
    for n in range(25):
        ContactFactory(family_name=f"Lindqvist{n}", owner=owner, team=owner.team)
    ContactFactory(family_name="Lindqvist-hidden", owner=outsider, team=outsider.team)

    matches = party_search(actor=owner, kind="contact", query="lindq")

    assert len(matches) == 20
    assert all(m.owner == owner for m in matches)
    assert party_search(actor=outsider, kind="contact", query="lindq")[0].owner == outsider


def test_party_search_and_get_find_organisations_the_user_may_see(owner, outsider):
    visible = OrganisationFactory(name="Kestrel Analytics", owner=owner, team=owner.team)
    hidden = OrganisationFactory(name="Kestrel Holdings", owner=outsider, team=outsider.team)

    assert party_search(actor=owner, kind="organisation", query="kestrel") == [visible]
    assert party_get(actor=owner, kind="organisation", pk=visible.pk) == visible
    with pytest.raises(NotFound):
        party_get(actor=owner, kind="organisation", pk=hidden.pk)
