from decimal import Decimal

import pytest

from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import NotFound, PermissionDenied, ValidationFailed
from steward.deals.choices import StageOutcome
from steward.deals.models import Deal, Pipeline
from steward.deals.services import deal_create, deal_delete, deal_move, deal_update
from steward.deals.tests.factories import DealFactory, PipelineFactory, StageFactory
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages(db):
    pipeline = PipelineFactory(name="Sales", is_default=True)
    return {
        "first": StageFactory(pipeline=pipeline, name="Qualification", position=0),
        "second": StageFactory(pipeline=pipeline, name="Proposal", position=1),
        "won": StageFactory(pipeline=pipeline, name="Won", position=2, probability=100,
                            outcome=StageOutcome.WON),
    }  # fmt: skip


@pytest.fixture
def deal(owner, stages):
    return DealFactory(stage=stages["first"], owner=owner, team=owner.team, amount=1200)


def test_a_new_deal_starts_in_the_first_stage_owned_by_its_creator_with_an_audit_event(
    owner, stages
):
    deal = deal_create(actor=owner, data={"title": "Fleet upgrade", "amount": Decimal("900")})

    deal.refresh_from_db()
    assert deal.stage == stages["first"]
    assert deal.pipeline == stages["first"].pipeline
    assert (deal.owner, deal.team) == (owner, owner.team)
    event = AuditEvent.objects.get(object_id=str(deal.pk))
    assert event.action == "deal.created"
    assert event.actor == owner


def test_the_first_deal_sets_up_the_standard_pipeline(owner):
    deal = deal_create(actor=owner, data={"title": "First sale"})

    assert Pipeline.objects.count() == 1
    assert deal.stage.position == 0
    assert deal.pipeline.stages.count() > 1


def test_a_read_only_user_cannot_open_a_deal(reader, stages):
    with pytest.raises(PermissionDenied):
        deal_create(actor=reader, data={"title": "Not allowed"})

    assert Deal.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_it_refuses_a_contact_the_user_may_not_see(owner, outsider, stages):
    hidden = ContactFactory(owner=outsider, team=outsider.team)

    with pytest.raises(NotFound):
        deal_create(actor=owner, data={"title": "Poaching", "contact": hidden})

    assert Deal.objects.count() == 0


def test_it_rejects_a_negative_amount_naming_the_field_and_changes_nothing(owner, deal):
    with pytest.raises(ValidationFailed) as error:
        deal_update(actor=owner, deal=deal, data={"amount": Decimal("-5")})

    assert "amount" in error.value.field_errors
    deal.refresh_from_db()
    assert deal.amount == Decimal("1200")
    assert not AuditEvent.objects.filter(action="deal.updated").exists()


def test_moving_a_deal_records_the_old_and_new_stage(colleague, deal, stages):
    deal_move(actor=colleague, deal=deal, stage=stages["second"])

    deal.refresh_from_db()
    assert deal.stage == stages["second"]
    event = AuditEvent.objects.get(action="deal.updated", object_id=str(deal.pk))
    assert event.actor == colleague
    assert event.changes["stage"] == [str(stages["first"].pk), str(stages["second"].pk)]


def test_moving_into_a_won_stage_closes_the_deal_and_moving_back_reopens_it(owner, deal, stages):
    deal_move(actor=owner, deal=deal, stage=stages["won"])
    deal.refresh_from_db()
    assert deal.closed_at is not None

    deal_move(actor=owner, deal=deal, stage=stages["second"])
    deal.refresh_from_db()
    assert deal.closed_at is None


def test_an_outsider_cannot_move_a_deal_and_nothing_changes(outsider, deal, stages):
    with pytest.raises(NotFound):
        deal_move(actor=outsider, deal=deal, stage=stages["second"])

    deal.refresh_from_db()
    assert deal.stage == stages["first"]
    assert not AuditEvent.objects.filter(action="deal.updated").exists()


def test_a_stage_of_another_pipeline_is_refused(owner, deal):
    other = StageFactory(pipeline=PipelineFactory(name="Renewals", is_default=False))

    with pytest.raises(ValidationFailed) as error:
        deal_update(actor=owner, deal=deal, data={"stage": other, "pipeline": deal.pipeline})

    assert "stage" in error.value.field_errors
    deal.refresh_from_db()
    assert deal.stage.pipeline.name == "Sales"


def test_only_roles_allowed_to_delete_may_delete_a_deal(owner, team, deal):
    with pytest.raises(PermissionDenied):
        deal_delete(actor=owner, deal=deal)
    assert Deal.objects.filter(pk=deal.pk).exists()

    manager = UserFactory(email="mia.manager@example.com", role=Role.MANAGER, team=team)
    deal_delete(actor=manager, deal=deal)

    assert not Deal.objects.filter(pk=deal.pk).exists()
    event = AuditEvent.objects.get(action="deal.deleted")
    assert event.changes["title"][0] == deal.title
