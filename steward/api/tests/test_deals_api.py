import pytest

from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.deals.models import Deal
from steward.deals.services import pipeline_create
from steward.deals.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db):
    return pipeline_create(actor=SystemActor("test"), name="Sales", is_default=True)


def _deal_of(user, pipeline, **fields):
    stage = pipeline.stages.order_by("position").first()
    return DealFactory(owner=user, team=user.team, stage=stage, pipeline=pipeline, **fields)


def _row(deal) -> dict:
    return Deal.objects.filter(pk=deal.pk).values().get()


def test_it_opens_a_deal_in_the_first_stage_of_the_default_pipeline(owner, pipeline, api_as):
    contact = ContactFactory(owner=owner, team=owner.team)

    response = api_as(owner).post(
        "/deals",
        {"title": "Annual licence", "amount": "1200.5", "contact": str(contact.pk)},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["stage"] == str(pipeline.stages.order_by("position").first().pk)
    assert body["outcome"] == "open"
    assert body["amount"] == "1200.50"
    assert Deal.objects.get(pk=body["id"]).contact == contact
    assert AuditEvent.objects.get(action="deal.created").actor == owner


def test_moving_a_deal_to_a_won_stage_closes_it(owner, pipeline, api_as):
    deal = _deal_of(owner, pipeline)
    won = pipeline.stages.get(name="Won")

    response = api_as(owner).patch(f"/deals/{deal.pk}", {"stage": str(won.pk)})

    assert response.status_code == 200
    assert response.json()["outcome"] == "won"
    assert response.json()["closed_at"] is not None


def test_it_refuses_a_stage_of_another_pipeline(owner, pipeline, api_as):
    deal = _deal_of(owner, pipeline)
    other = pipeline_create(actor=SystemActor("test"), name="Renewals")
    before = _row(deal)

    response = api_as(owner).patch(
        f"/deals/{deal.pk}",
        {"pipeline": str(pipeline.pk), "stage": str(other.stages.first().pk)},
    )

    assert response.status_code == 422
    assert "stage" in response.json()["errors"]
    assert _row(deal) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"amount": "0.001"}, "amount"),
        ({"currency": "euro"}, "currency"),
        ({"title": ""}, "title"),
        ({"stage": "00000000-0000-0000-0000-000000000000"}, "stage"),
    ],
)
def test_it_rejects_invalid_values_naming_the_field(owner, pipeline, api_as, body, field):
    deal = _deal_of(owner, pipeline)
    before = _row(deal)

    response = api_as(owner).patch(f"/deals/{deal.pk}", body)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert _row(deal) == before


def test_the_outsider_neither_sees_nor_changes_nor_deletes_it(owner, outsider, pipeline, api_as):
    deal = _deal_of(owner, pipeline)
    before = _row(deal)
    api = api_as(outsider)

    assert api.get(f"/deals/{deal.pk}").status_code == 404
    assert api.patch(f"/deals/{deal.pk}", {"title": "Mine now"}).status_code == 404
    assert api.delete(f"/deals/{deal.pk}").status_code == 404
    assert api.get("/deals").json()["count"] == 0
    assert _row(deal) == before


def test_a_reader_can_read_but_not_write(owner, reader, pipeline, api_as):
    deal = _deal_of(owner, pipeline)
    before = _row(deal)
    api = api_as(reader)

    assert api.get(f"/deals/{deal.pk}").status_code == 200
    assert api.post("/deals", {"title": "New"}).status_code == 403
    assert api.patch(f"/deals/{deal.pk}", {"title": "X"}).status_code == 403
    assert api.delete(f"/deals/{deal.pk}").status_code == 403
    assert _row(deal) == before
    assert Deal.objects.count() == 1


def test_a_manager_deletes_a_deal(owner, admin, pipeline, api_as):
    deal = _deal_of(owner, pipeline)

    response = api_as(admin).delete(f"/deals/{deal.pk}")

    assert response.status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert AuditEvent.objects.get(action="deal.deleted").actor == admin


def test_it_filters_open_deals_and_by_stage(owner, pipeline, api_as):
    open_deal = _deal_of(owner, pipeline)
    won_deal = _deal_of(owner, pipeline)
    api = api_as(owner)
    api.patch(f"/deals/{won_deal.pk}", {"stage": str(pipeline.stages.get(name="Won").pk)})

    open_only = api.get("/deals", open="true").json()
    in_stage = api.get("/deals", stage=str(open_deal.stage_id)).json()

    assert [d["id"] for d in open_only["results"]] == [str(open_deal.pk)]
    assert [d["id"] for d in in_stage["results"]] == [str(open_deal.pk)]


def test_it_lists_pipelines_with_their_stages_in_order(owner, pipeline, api_as):
    body = api_as(owner).get("/pipelines").json()

    assert [p["name"] for p in body] == ["Sales"]
    assert [s["name"] for s in body[0]["stages"]][:2] == ["Qualification", "Needs analysis"]
    assert body[0]["stages"][-1]["outcome"] == "lost"
