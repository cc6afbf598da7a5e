"""Staff pages: who may see the queue and a request, who may act, and the steps as buttons."""

import pytest
from django.urls import reverse

from steward.rights import services
from steward.rights.choices import RequestStatus
from steward.rights.models import RequestEvent, RightsRequest


@pytest.fixture
def rights_request(dpo, person):
    return services.request_log(actor=dpo, kind="access", channel="letter", contact=person)


@pytest.mark.parametrize("role_user", ["owner", "colleague", "outsider", "reader"])
def test_roles_without_rights_view_get_403_on_the_queue_and_the_request(
    client, request, rights_request, role_user
):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get(reverse("rights:queue")).status_code == 403
    assert client.get(reverse("rights:detail", args=[rights_request.pk])).status_code == 403


@pytest.mark.parametrize("role_user", ["owner", "outsider", "reader", "manager"])
def test_roles_without_rights_manage_cannot_take_a_step_and_nothing_changes(
    client, request, rights_request, role_user
):
    client.force_login(request.getfixturevalue(role_user))
    events = RequestEvent.objects.count()
    response = client.post(
        reverse("rights:step", args=[rights_request.pk, "verify"]), {"text": "Called back"}
    )
    assert response.status_code == 403
    rights_request.refresh_from_db()
    assert rights_request.status == RequestStatus.RECEIVED
    assert RequestEvent.objects.count() == events
    assert client.get(reverse("rights:log")).status_code == 403


def test_a_manager_follows_the_queue_without_the_buttons(client, manager, rights_request):
    client.force_login(manager)
    queue = client.get(reverse("rights:queue"))
    assert queue.status_code == 200 and rights_request.reference.encode() in queue.content
    page = client.get(reverse("rights:detail", args=[rights_request.pk]))
    assert page.status_code == 200 and b"Next steps" not in page.content


def test_the_queue_filters_by_status_kind_due_and_assignee(client, dpo, person, rights_request):
    other = services.request_log(actor=dpo, kind="erasure", channel="phone", contact=person)
    services.request_assign(actor=dpo, request=other, assignee=dpo)
    client.force_login(dpo)

    def refs(**query):
        content = client.get(reverse("rights:queue"), query).content
        return {r.reference for r in (rights_request, other) if r.reference.encode() in content}

    assert refs() == {rights_request.reference, other.reference}
    assert refs(kind="erasure") == {other.reference}
    assert refs(assignee="me") == {other.reference}
    assert refs(assignee="none") == {rights_request.reference}
    assert refs(due="overdue") == set()
    assert refs(status="completed") == set()


def test_the_dpo_takes_a_request_through_its_steps_with_the_buttons(client, dpo, rights_request):
    client.force_login(dpo)
    page = client.get(reverse("rights:detail", args=[rights_request.pk]))
    assert b"Identity verified" in page.content and b"Complete the request" not in page.content

    def step(name, **data):
        response = client.post(reverse("rights:step", args=[rights_request.pk, name]), data)
        assert response.status_code == 302
        rights_request.refresh_from_db()

    step("verify", text="Signature on the letter matches the contract")
    assert rights_request.status == RequestStatus.VERIFIED
    step("start")
    assert rights_request.status == RequestStatus.IN_PROGRESS
    page = client.get(reverse("rights:detail", args=[rights_request.pk]))
    assert b"Complete the request" in page.content
    step("complete")
    assert rights_request.status == RequestStatus.COMPLETED


def test_a_step_the_table_refuses_shows_why_and_changes_nothing(client, dpo, rights_request):
    client.force_login(dpo)
    response = client.post(
        reverse("rights:step", args=[rights_request.pk, "complete"]), follow=True
    )
    assert b"cannot become completed" in response.content
    rights_request.refresh_from_db()
    assert rights_request.status == RequestStatus.RECEIVED


def test_staff_log_a_request_received_by_phone(client, dpo, person):
    client.force_login(dpo)
    response = client.post(
        reverse("rights:log"),
        {
            "kind": "rectification",
            "channel": "phone",
            "requester_email": person.email,
            "details": "Street is Lindenweg 4, not 14",
        },
    )
    created = RightsRequest.objects.get()
    assert response.status_code == 302 and created.contact == person
    assert created.channel == "phone"


def test_the_contact_page_lists_the_persons_requests_for_those_who_may_see_them(
    client, dpo, owner, rights_request, person
):
    client.force_login(dpo)
    page = client.get(reverse("contacts:detail", args=[person.pk]))
    assert rights_request.reference.encode() in page.content
    client.force_login(owner)
    page = client.get(reverse("contacts:detail", args=[person.pk]))
    assert page.status_code == 200 and rights_request.reference.encode() not in page.content


def test_the_dpo_assigns_a_request_and_the_queue_filters_by_that_assignee(
    client, dpo, admin, rights_request
):
    client.force_login(dpo)
    response = client.post(
        reverse("rights:step", args=[rights_request.pk, "assign"]), {"assignee": str(admin.pk)}
    )
    assert response.status_code == 302
    rights_request.refresh_from_db()
    assert rights_request.assignee == admin
    listed = client.get(reverse("rights:queue"), {"assignee": str(admin.pk)})
    assert rights_request.reference.encode() in listed.content
    listed = client.get(reverse("rights:queue"), {"assignee": str(dpo.pk)})
    assert rights_request.reference.encode() not in listed.content


@pytest.mark.parametrize(
    ("kind", "extra", "shows"),
    [
        ("access", {}, b"export available"),
        ("portability", {}, b"export available"),
        ("rectification", {"details": "Wrong street"}, b"Correct the data"),
        ("erasure", {}, b"Carrying it out"),
        ("restriction", {}, b"Restrict processing"),
        ("objection", {"objection_ground": "legitimate_interests", "details": "x"}, b"Decide"),
    ],
)
def test_the_request_page_offers_the_action_of_each_kind(client, dpo, person, kind, extra, shows):
    request = services.request_log(actor=dpo, kind=kind, channel="email", contact=person, **extra)
    request = services.request_verify(actor=dpo, request=request, method="Reply from address")
    services.request_move(actor=dpo, request=request, target=RequestStatus.IN_PROGRESS)
    client.force_login(dpo)
    page = client.get(reverse("rights:detail", args=[request.pk]))
    assert page.status_code == 200 and shows in page.content
    if kind in ("rectification", "erasure", "restriction"):
        assert b"Recipients to tell (Art. 19)" in page.content
