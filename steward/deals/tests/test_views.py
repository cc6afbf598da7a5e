from decimal import Decimal

import pytest
from django.urls import reverse

from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.deals.models import Deal
from steward.deals.tests.factories import DealFactory, PipelineFactory, StageFactory
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def stages(db):
    pipeline = PipelineFactory(name="Sales", is_default=True)
    return [
        StageFactory(pipeline=pipeline, name="Qualification", position=0, probability=10),
        StageFactory(pipeline=pipeline, name="Proposal", position=1, probability=50),
    ]


@pytest.fixture
def deal(owner, stages):
    return DealFactory(
        title="Fleet upgrade for Kestrel", stage=stages[0], owner=owner, team=owner.team,
        amount=Decimal("4800"),
    )  # fmt: skip


def _deal_form(**values):
    return {"title": "Pilot project", "amount": "1500", "currency": "eur", **values}


# Seeing deals


def test_signed_out_visitors_are_sent_to_the_login_page(client, deal):
    for url in (
        reverse("deals:board"),
        reverse("deals:detail", args=[deal.pk]),
        reverse("deals:edit", args=[deal.pk]),
        reverse("deals:pick_contact"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_owner_sees_their_deal_on_the_board_and_on_its_page(client, owner, deal):
    client.force_login(owner)

    board = client.get(reverse("deals:board"))
    page = client.get(reverse("deals:detail", args=[deal.pk]))

    assert deal.title in board.content.decode()
    assert page.status_code == 200
    assert deal.title in page.content.decode()


def test_a_colleague_sees_the_teams_deal(client, colleague, deal):
    client.force_login(colleague)

    assert deal.title in client.get(reverse("deals:board")).content.decode()
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 200


def test_an_outsider_neither_sees_the_deal_nor_reaches_its_pages(client, outsider, deal):
    client.force_login(outsider)

    assert deal.title not in client.get(reverse("deals:board")).content.decode()
    for name in ("deals:detail", "deals:edit", "deals:delete"):
        assert client.get(reverse(name, args=[deal.pk])).status_code == 404


def test_the_board_shows_each_stage_with_its_count_and_total(client, owner, stages, deal):
    DealFactory(stage=stages[0], owner=owner, team=owner.team, amount=Decimal("200"))
    client.force_login(owner)

    columns = client.get(reverse("deals:board")).context["columns"]

    assert [c["stage"].name for c in columns] == ["Qualification", "Proposal"]
    assert [c["count"] for c in columns] == [2, 0]
    assert columns[0]["totals"] == [("EUR", Decimal("5000.00"))]


def test_the_board_shows_the_chosen_pipeline_and_refuses_an_unknown_one(client, owner, stages):
    renewals = PipelineFactory(name="Renewals", is_default=False)
    StageFactory(pipeline=renewals, name="Due for renewal", position=0)
    client.force_login(owner)

    default = client.get(reverse("deals:board"))
    chosen = client.get(reverse("deals:board"), {"pipeline": renewals.pk})
    unknown = client.get(reverse("deals:board"), {"pipeline": "not-a-pipeline"})

    assert default.context["pipeline"].name == "Sales"
    assert 'id="pipeline-choice"' in default.content.decode()
    assert [c["stage"].name for c in chosen.context["columns"]] == ["Due for renewal"]
    assert unknown.status_code == 404


def test_the_deal_page_shows_its_activities(client, owner, deal):
    ActivityFactory(deal=deal, owner=owner, team=owner.team, subject="Kick-off call held")
    client.force_login(owner)

    page = client.get(reverse("deals:detail", args=[deal.pk]))

    html = page.content.decode()
    assert "Kick-off call held" in html
    assert f'name="deal" value="{deal.pk}"' in html  # the log form files new entries here


def test_a_read_only_user_sees_the_timeline_without_the_log_form(client, reader, deal):
    ActivityFactory(deal=deal, owner=reader, team=reader.team, subject="Kick-off call held")
    client.force_login(reader)

    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert "Kick-off call held" in html
    assert 'id="log-activity"' not in html
    assert reverse("deals:edit", args=[deal.pk]) not in html


# Moving deals on the board


def test_moving_a_deal_with_htmx_answers_with_the_updated_board_and_audits_it(
    client, owner, stages, deal
):
    client.force_login(owner)

    response = client.post(reverse("deals:move", args=[deal.pk]), {"stage": stages[1].pk}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "<html" not in html
    assert [c["count"] for c in response.context["columns"]] == [0, 1]
    deal.refresh_from_db()
    assert deal.stage == stages[1]
    event = AuditEvent.objects.get(action="deal.updated", object_id=str(deal.pk))
    assert event.actor == owner
    assert event.context["channel"] == "web"


def test_moving_a_deal_without_javascript_redirects_back_to_the_board(
    client, colleague, stages, deal
):
    client.force_login(colleague)

    response = client.post(reverse("deals:move", args=[deal.pk]), {"stage": stages[1].pk})

    assert response.status_code == 302
    assert response.url.startswith(reverse("deals:board"))
    deal.refresh_from_db()
    assert deal.stage == stages[1]


def test_an_outsider_cannot_move_the_deal_and_nothing_changes(client, outsider, stages, deal):
    client.force_login(outsider)

    response = client.post(reverse("deals:move", args=[deal.pk]), {"stage": stages[1].pk}, **HTMX)

    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.stage == stages[0]
    assert not AuditEvent.objects.filter(action="deal.updated").exists()


def test_a_read_only_user_cannot_move_a_deal_they_see(client, reader, stages, deal):
    client.force_login(reader)

    board = client.get(reverse("deals:board")).content.decode()
    response = client.post(reverse("deals:move", args=[deal.pk]), {"stage": stages[1].pk})

    assert deal.title in board and "move-form" not in board
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.stage == stages[0]


def test_a_stage_of_another_pipeline_does_not_move_the_deal(client, owner, deal, stages):
    foreign = StageFactory(pipeline=PipelineFactory(name="Renewals", is_default=False))
    client.force_login(owner)

    response = client.post(reverse("deals:move", args=[deal.pk]), {"stage": foreign.pk}, **HTMX)

    assert response.status_code == 200
    assert "Not moved" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == stages[0]


def test_moving_is_post_only(client, owner, deal):
    client.force_login(owner)

    assert client.get(reverse("deals:move", args=[deal.pk])).status_code == 405


# Creating and editing


def test_creating_a_deal_with_a_picked_contact_opens_it_for_the_owner(client, owner, stages):
    contact = ContactFactory(owner=owner, team=owner.team)
    client.force_login(owner)

    response = client.post(
        reverse("deals:create"), _deal_form(stage=stages[1].pk, contact=contact.pk)
    )

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("deals:detail", args=[deal.pk])
    assert (deal.contact, deal.stage, deal.owner) == (contact, stages[1], owner)
    assert deal.currency == "EUR"
    assert AuditEvent.objects.filter(action="deal.created", object_id=str(deal.pk)).exists()


def test_a_new_deal_from_a_contact_page_starts_with_the_contact_and_their_organisation(
    client, owner
):
    organisation = OrganisationFactory(owner=owner, team=owner.team)
    contact = ContactFactory(owner=owner, team=owner.team, organisation=organisation)
    client.force_login(owner)

    form = client.get(reverse("deals:create"), {"contact": contact.pk}).context["form"]

    assert form.picked == {"contact": contact, "organisation": organisation}


def test_typing_an_email_address_that_matches_one_contact_picks_it(client, owner, stages):
    contact = ContactFactory(email="mara.lindqvist@example.org", owner=owner, team=owner.team)
    client.force_login(owner)

    client.post(reverse("deals:create"), _deal_form(contact_q="mara.lindqvist@example.org"))

    assert Deal.objects.get().contact == contact


def test_a_contact_the_user_may_not_see_is_refused_on_its_field(client, owner, outsider, stages):
    hidden = ContactFactory(owner=outsider, team=outsider.team)
    client.force_login(owner)

    response = client.post(reverse("deals:create"), _deal_form(contact=hidden.pk))

    assert response.status_code == 200
    assert "contact" in response.context["form"].errors
    assert 'id="contact-errors"' in response.content.decode()
    assert not Deal.objects.exists()


def test_a_search_text_matching_several_contacts_asks_to_pick_one(client, owner, stages):
    ContactFactory(family_name="Brandt", owner=owner, team=owner.team)
    ContactFactory(family_name="Brandt", owner=owner, team=owner.team)
    client.force_login(owner)

    response = client.post(reverse("deals:create"), _deal_form(contact_q="Brandt"))

    assert "pick one" in response.context["form"].errors["contact"][0]
    assert not Deal.objects.exists()


def test_a_service_refusal_is_shown_on_the_field_it_names(client, owner, stages):
    client.force_login(owner)

    response = client.post(reverse("deals:create"), _deal_form(amount="-5"))

    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert 'id="id_amount_error"' in response.content.decode()
    assert not Deal.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_read_only_user_cannot_create_a_deal(client, reader, stages):
    client.force_login(reader)

    assert client.get(reverse("deals:create")).status_code == 403
    assert client.post(reverse("deals:create"), _deal_form()).status_code == 403
    assert not Deal.objects.exists()
    assert "New deal" not in client.get(reverse("deals:board")).content.decode()


def test_editing_a_deal_saves_only_what_changed(client, colleague, deal):
    client.force_login(colleague)
    form = client.get(reverse("deals:edit", args=[deal.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}

    response = client.post(reverse("deals:edit", args=[deal.pk]), {**data, "amount": "5100"})

    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal("5100")
    event = AuditEvent.objects.get(action="deal.updated")
    assert set(event.changes) == {"amount"}


def test_an_outsider_cannot_edit_the_deal_and_nothing_changes(client, outsider, deal):
    client.force_login(outsider)

    response = client.post(
        reverse("deals:edit", args=[deal.pk]), _deal_form(title="Taken over", amount="1")
    )

    assert response.status_code == 404
    deal.refresh_from_db()
    assert (deal.title, deal.amount) == ("Fleet upgrade for Kestrel", Decimal("4800"))
    assert not AuditEvent.objects.exists()


# Deleting


def test_deleting_asks_for_confirmation_then_deletes(client, team, deal):
    manager = UserFactory(email="mia.manager@example.com", role=Role.MANAGER, team=team)
    client.force_login(manager)

    confirm = client.get(reverse("deals:delete", args=[deal.pk]))
    assert confirm.status_code == 200
    assert Deal.objects.filter(pk=deal.pk).exists()

    response = client.post(reverse("deals:delete", args=[deal.pk]))

    assert response.url == reverse("deals:board")
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert AuditEvent.objects.filter(action="deal.deleted", object_id=str(deal.pk)).exists()


def test_a_role_without_delete_rights_cannot_delete(client, owner, deal):
    client.force_login(owner)

    assert client.post(reverse("deals:delete", args=[deal.pk])).status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()


# The contact and organisation pickers


def test_the_picker_offers_at_most_twenty_contacts_the_user_may_see(client, owner, outsider):
    for n in range(22):
        ContactFactory(given_name="Ines", family_name=f"Moreau{n}", owner=owner, team=owner.team)
    ContactFactory(given_name="Ines", family_name="Hidden", owner=outsider, team=outsider.team)
    client.force_login(owner)

    response = client.get(reverse("deals:pick_contact"), {"contact_q": "ines"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("?choose=") == 20
    assert "Hidden" not in html


def test_choosing_a_contact_puts_its_id_in_the_form(client, owner, outsider):
    contact = ContactFactory(owner=owner, team=owner.team)
    hidden = ContactFactory(owner=outsider, team=outsider.team)
    client.force_login(owner)

    chosen = client.get(reverse("deals:pick_contact"), {"choose": contact.pk})
    refused = client.get(reverse("deals:pick_contact"), {"choose": hidden.pk})

    assert f'name="contact" value="{contact.pk}"' in chosen.content.decode()
    assert refused.status_code == 404
