import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.deals.choices import StageOutcome
from steward.deals.models import Pipeline, Stage
from steward.deals.services import (
    pipeline_create,
    pipeline_revise,
    pipeline_set_default,
    pipeline_update,
    stage_add,
    stage_delete,
    stage_update,
    stages_reorder,
)
from steward.deals.tests.factories import DealFactory
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OPEN, WON, LOST = StageOutcome.OPEN, StageOutcome.WON, StageOutcome.LOST


@pytest.fixture
def manager(team):
    return UserFactory(
        email="mia.manager@example.com", full_name="Mia Manager", role=Role.MANAGER, team=team
    )


@pytest.fixture
def sales(admin):
    return pipeline_create(
        actor=admin,
        name="Sales",
        stages=[("Lead", 10, OPEN), ("Offer", 50, OPEN), ("Won", 100, WON), ("Lost", 0, LOST)],
    )


def _names(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.order_by("position").values_list("name", flat=True))


def _stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


def _defaults() -> list[str]:
    return list(Pipeline.objects.filter(is_default=True).values_list("name", flat=True))


# -- Default pipeline -------------------------------------------------------------------


def test_the_first_pipeline_becomes_the_default(sales):
    assert _defaults() == ["Sales"]


def test_a_pipeline_created_as_default_takes_over_and_one_default_remains(admin, sales):
    pipeline_create(actor=admin, name="Renewals", is_default=True)

    assert _defaults() == ["Renewals"]


def test_choosing_another_default_leaves_exactly_one(admin, sales):
    renewals = pipeline_create(actor=admin, name="Renewals")
    assert _defaults() == ["Sales"]

    pipeline_set_default(actor=admin, pipeline=renewals)
    pipeline_set_default(actor=admin, pipeline=renewals)

    assert _defaults() == ["Renewals"]
    changes = [e.changes for e in AuditEvent.objects.filter(action="pipeline.updated")]
    assert changes == [{"is_default": [True, False]}, {"is_default": [False, True]}]


# -- Stages -----------------------------------------------------------------------------


def test_a_new_open_stage_goes_before_won_and_lost_and_a_closed_one_last(admin, sales):
    stage_add(actor=admin, pipeline=sales, name="Negotiation", probability=75)
    stage_add(actor=admin, pipeline=sales, name="Cancelled", outcome=LOST)

    assert _names(sales) == ["Lead", "Offer", "Negotiation", "Won", "Lost", "Cancelled"]
    assert AuditEvent.objects.filter(action="stage.added").count() == 2


def test_it_refuses_a_stage_name_the_pipeline_already_has(admin, sales):
    with pytest.raises(ValidationFailed) as refusal:
        stage_add(actor=admin, pipeline=sales, name="offer")

    assert "name" in refusal.value.field_errors
    assert _names(sales) == ["Lead", "Offer", "Won", "Lost"]


def test_stages_are_renamed_and_their_probability_changed(admin, sales):
    stage_update(
        actor=admin, stage=_stage(sales, "Offer"), data={"name": "Proposal", "probability": 60}
    )

    proposal = _stage(sales, "Proposal")
    assert proposal.probability == 60
    event = AuditEvent.objects.get(action="stage.updated")
    assert event.changes == {"name": ["Offer", "Proposal"], "probability": [50, 60]}


def test_a_probability_over_100_is_refused(admin, sales):
    with pytest.raises(ValidationFailed) as refusal:
        stage_update(actor=admin, stage=_stage(sales, "Offer"), data={"probability": 101})

    assert "probability" in refusal.value.field_errors
    assert _stage(sales, "Offer").probability == 50


def test_the_outcome_of_a_stage_with_deals_stays(admin, sales):
    DealFactory(stage=_stage(sales, "Offer"))

    with pytest.raises(ValidationFailed) as refusal:
        stage_update(actor=admin, stage=_stage(sales, "Offer"), data={"outcome": WON})

    assert "1 deal is in “Offer”" in refusal.value.message
    assert _stage(sales, "Offer").outcome == OPEN


def test_a_stage_with_deals_is_not_deleted_and_the_refusal_says_how_many(admin, sales):
    offer = _stage(sales, "Offer")
    DealFactory(stage=offer)
    DealFactory(stage=offer)

    with pytest.raises(Conflict) as refusal:
        stage_delete(actor=admin, stage=offer)

    assert "2 deals are in “Offer”" in refusal.value.message
    assert "Move them to another stage first" in refusal.value.message
    assert Stage.objects.filter(pk=offer.pk).exists()
    assert not AuditEvent.objects.filter(action="stage.deleted").exists()


def test_an_empty_stage_is_deleted_with_an_audit_row(admin, sales):
    offer = _stage(sales, "Offer")

    stage_delete(actor=admin, stage=offer)

    assert _names(sales) == ["Lead", "Won", "Lost"]
    event = AuditEvent.objects.get(action="stage.deleted", object_id=str(offer.pk))
    assert event.changes["name"] == ["Offer", None]


def test_a_pipeline_keeps_at_least_one_open_stage(admin, sales):
    stage_delete(actor=admin, stage=_stage(sales, "Offer"))

    with pytest.raises(ValidationFailed):
        stage_delete(actor=admin, stage=_stage(sales, "Lead"))
    with pytest.raises(ValidationFailed):
        stage_update(actor=admin, stage=_stage(sales, "Lead"), data={"outcome": WON})

    assert _stage(sales, "Lead").outcome == OPEN


def test_reordering_puts_the_stages_in_the_given_order(admin, sales):
    lead, offer, won, lost = (_stage(sales, n) for n in ("Lead", "Offer", "Won", "Lost"))

    stages_reorder(actor=admin, pipeline=sales, stages=[offer, lead, lost, won])

    assert _names(sales) == ["Offer", "Lead", "Lost", "Won"]
    assert sorted(sales.stages.values_list("position", flat=True)) == [0, 1, 2, 3]
    event = AuditEvent.objects.get(action="pipeline.stages_reordered")
    assert event.changes["stages"][1] == ["Offer", "Lead", "Lost", "Won"]


def test_reordering_needs_every_stage_exactly_once(admin, sales):
    lead, offer = _stage(sales, "Lead"), _stage(sales, "Offer")

    with pytest.raises(ValidationFailed):
        stages_reorder(actor=admin, pipeline=sales, stages=[offer, lead])
    with pytest.raises(ValidationFailed):
        stages_reorder(actor=admin, pipeline=sales, stages=[offer, lead, lead, offer])

    assert _names(sales) == ["Lead", "Offer", "Won", "Lost"]


def test_a_revision_that_fails_on_one_stage_changes_nothing(admin, sales):
    DealFactory(stage=_stage(sales, "Offer"))
    lead, offer, won, lost = (_stage(sales, n) for n in ("Lead", "Offer", "Won", "Lost"))

    with pytest.raises(ValidationFailed) as refusal:
        pipeline_revise(
            actor=admin,
            pipeline=sales,
            name="New business",
            stages=[
                (lead, {"name": "First call"}),
                (offer, {"outcome": LOST}),
            ],
            order=[offer, lead, won, lost],
        )

    assert f"stages.{offer.pk}.outcome" in refusal.value.field_errors
    assert Pipeline.objects.get(pk=sales.pk).name == "Sales"
    assert _names(sales) == ["Lead", "Offer", "Won", "Lost"]


@pytest.mark.parametrize("who", ["manager", "owner"])
def test_only_administrators_change_pipelines_and_nothing_changes_otherwise(request, who, sales):
    actor = request.getfixturevalue(who)
    lead, offer, won, lost = (_stage(sales, n) for n in ("Lead", "Offer", "Won", "Lost"))
    calls = [
        lambda: pipeline_create(actor=actor, name="Shadow"),
        lambda: pipeline_update(actor=actor, pipeline=sales, data={"name": "Mine"}),
        lambda: pipeline_set_default(actor=actor, pipeline=sales),
        lambda: stage_add(actor=actor, pipeline=sales, name="Extra"),
        lambda: stage_update(actor=actor, stage=lead, data={"name": "Renamed"}),
        lambda: stage_delete(actor=actor, stage=offer),
        lambda: stages_reorder(actor=actor, pipeline=sales, stages=[lost, won, offer, lead]),
    ]

    for call in calls:
        with pytest.raises(PermissionDenied):
            call()

    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Sales"]
    assert _names(sales) == ["Lead", "Offer", "Won", "Lost"]


# -- Pages ------------------------------------------------------------------------------


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def _edit_form(pipeline: Pipeline, **overrides) -> dict:
    data = {"name": pipeline.name}
    for index, stage in enumerate(pipeline.stages.order_by("position")):
        prefix = f"stage-{stage.pk}-"
        data |= {
            prefix + "order": index + 1,
            prefix + "name": stage.name,
            prefix + "probability": stage.probability,
            prefix + "outcome": stage.outcome,
        }
    return data | overrides


def test_the_list_shows_each_pipeline_with_its_stages_and_deal_counts(as_admin, sales):
    DealFactory(stage=_stage(sales, "Offer"))

    html = as_admin.get(reverse("staff:pipeline_list")).content.decode()

    assert "Sales" in html and "Default" in html
    assert "Offer" in html and "1 deal" in html


def test_a_pipeline_is_created_with_the_stages_typed_and_empty_rows_skipped(as_admin, sales):
    response = as_admin.post(
        reverse("staff:pipeline_create"),
        {
            "name": "Partners",
            "row-0-name": "Intro",
            "row-0-probability": "20",
            "row-0-outcome": OPEN,
            "row-1-name": "Signed",
            "row-1-probability": "100",
            "row-1-outcome": WON,
            "row-2-name": "",
            "row-2-probability": "",
            "row-2-outcome": OPEN,
        },
    )

    assert response.status_code == 302
    partners = Pipeline.objects.get(name="Partners")
    assert _names(partners) == ["Intro", "Signed"]
    assert not partners.is_default


def test_the_edit_page_renames_changes_probabilities_and_reorders(as_admin, sales):
    lead, offer = _stage(sales, "Lead"), _stage(sales, "Offer")
    data = _edit_form(sales, name="New business")
    data |= {
        f"stage-{lead.pk}-order": 2,
        f"stage-{offer.pk}-order": 1,
        f"stage-{offer.pk}-name": "Proposal",
        f"stage-{offer.pk}-probability": 40,
    }

    response = as_admin.post(reverse("staff:pipeline_edit", args=[sales.pk]), data)

    assert response.status_code == 302
    sales = Pipeline.objects.get(pk=sales.pk)
    assert sales.name == "New business"
    assert _names(sales) == ["Proposal", "Lead", "Won", "Lost"]
    assert _stage(sales, "Proposal").probability == 40


def test_a_refused_stage_change_is_shown_on_its_row_and_nothing_is_saved(as_admin, sales):
    offer = _stage(sales, "Offer")
    data = _edit_form(sales, name="Renamed")
    data[f"stage-{offer.pk}-name"] = "Lead"

    response = as_admin.post(reverse("staff:pipeline_edit", args=[sales.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Stage 2, stage name: Another stage has this name." in html
    assert Pipeline.objects.get(pk=sales.pk).name == "Sales"
    assert _names(sales) == ["Lead", "Offer", "Won", "Lost"]


def test_a_refusal_by_the_service_is_shown_on_the_stage_it_is_about(as_admin, sales):
    lead, offer = _stage(sales, "Lead"), _stage(sales, "Offer")
    data = _edit_form(sales, name="Renamed")
    # Swapped names pass the form (no two rows alike) but not the service, which renames
    # one stage at a time.
    data[f"stage-{lead.pk}-name"] = "Offer"
    data[f"stage-{offer.pk}-name"] = "Lead"

    response = as_admin.post(reverse("staff:pipeline_edit", args=[sales.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Stage 1, stage name: Another stage of this pipeline is called “Offer”." in html
    assert Pipeline.objects.get(pk=sales.pk).name == "Sales"
    assert _names(sales) == ["Lead", "Offer", "Won", "Lost"]


def test_the_outcome_of_a_stage_with_deals_is_not_offered_on_the_edit_page(as_admin, sales):
    offer = _stage(sales, "Offer")
    DealFactory(stage=offer)
    data = _edit_form(sales)
    data[f"stage-{offer.pk}-outcome"] = LOST

    page = as_admin.get(reverse("staff:pipeline_edit", args=[sales.pk])).content.decode()
    as_admin.post(reverse("staff:pipeline_edit", args=[sales.pk]), data)

    assert f'name="stage-{offer.pk}-outcome" disabled' in page
    assert _stage(sales, "Offer").outcome == OPEN


def test_a_stage_is_added_from_the_edit_page(as_admin, sales):
    as_admin.post(
        reverse("staff:stage_add", args=[sales.pk]),
        {"name": "Demo", "probability": 30, "outcome": OPEN},
    )

    assert _names(sales) == ["Lead", "Offer", "Demo", "Won", "Lost"]


def test_deleting_a_stage_with_deals_asks_to_move_them_first(as_admin, sales):
    offer = _stage(sales, "Offer")
    DealFactory(stage=offer)
    DealFactory(stage=offer)
    DealFactory(stage=offer)
    url = reverse("staff:stage_delete", args=[sales.pk, offer.pk])

    page = as_admin.get(url).content.decode()
    refused = as_admin.post(url)

    assert "3 deals are in “Offer”" in page and "Move them to another stage" in page
    assert refused.status_code == 409
    assert "3 deals are in “Offer”" in refused.content.decode()
    assert Stage.objects.filter(pk=offer.pk).exists()


def test_an_empty_stage_is_deleted_from_its_page(as_admin, sales):
    offer = _stage(sales, "Offer")

    response = as_admin.post(reverse("staff:stage_delete", args=[sales.pk, offer.pk]))

    assert response.status_code == 302
    assert not Stage.objects.filter(pk=offer.pk).exists()


def test_the_default_is_chosen_from_the_list(as_admin, admin, sales):
    renewals = pipeline_create(actor=admin, name="Renewals")

    as_admin.post(reverse("staff:pipeline_default", args=[renewals.pk]))

    assert _defaults() == ["Renewals"]


def test_a_manager_cannot_change_pipelines_through_the_pages(client, manager, admin, sales):
    renewals = pipeline_create(actor=admin, name="Renewals")
    offer = _stage(sales, "Offer")
    client.force_login(manager)

    answers = [
        client.post(reverse("staff:pipeline_default", args=[renewals.pk])),
        client.post(reverse("staff:stage_delete", args=[sales.pk, offer.pk])),
        client.post(reverse("staff:pipeline_edit", args=[sales.pk]), _edit_form(sales, name="X")),
        client.post(reverse("staff:stage_add", args=[sales.pk]), {"name": "Extra"}),
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert _defaults() == ["Sales"]
    assert _names(sales) == ["Lead", "Offer", "Won", "Lost"]
    assert Pipeline.objects.get(pk=sales.pk).name == "Sales"
