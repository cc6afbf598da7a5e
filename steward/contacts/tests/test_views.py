import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.choices import CustomFieldType, LifecycleStage
from steward.contacts.models import Contact, ContactMethod, CustomFieldDefinition, Organisation
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.crypto.keyring import keyring
from steward.deals.tests.factories import DealFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _contact_of(user, **fields):
    return ContactFactory(owner=user, team=user.team, **fields)


def _organisation_of(user, **fields):
    return OrganisationFactory(owner=user, team=user.team, **fields)


def _names_listed(response) -> list[str]:
    """The contact names in the list table, in order."""
    html = response.content.decode()
    return re.findall(r'<th scope="row" class="name-cell">\s*<a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def as_owner(client, owner):
    client.force_login(owner)
    return client


# -- The list ---------------------------------------------------------------------------


def test_the_list_needs_a_login(client):
    response = client.get(reverse("contacts:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_shows_team_contacts_and_hides_an_outsiders(as_owner, owner, colleague, outsider):
    _contact_of(owner, given_name="Mara", family_name="Lindqvist")
    _contact_of(colleague, given_name="Jonas", family_name="Brandt")
    _contact_of(outsider, given_name="Hidden", family_name="Stranger")

    response = as_owner.get(reverse("contacts:list"))

    assert response.status_code == 200
    assert _names_listed(response) == ["Jonas Brandt", "Mara Lindqvist"]
    assert "2 contacts" in response.content.decode()


def test_it_searches_names_and_organisations_by_prefix_and_whole_emails(as_owner, owner):
    harbour = _organisation_of(owner, name="Harbour Foods")
    _contact_of(owner, given_name="Mara", family_name="Lindqvist", email="m.l@example.org")
    _contact_of(owner, given_name="Ines", family_name="Moreau", email="ines@example.org")
    _contact_of(owner, given_name="Tomas", family_name="Novak", organisation=harbour)

    by_name = as_owner.get(reverse("contacts:list"), {"q": "lind"})
    by_full_name = as_owner.get(reverse("contacts:list"), {"q": "mara LIND"})
    by_email = as_owner.get(reverse("contacts:list"), {"q": "Ines@Example.org"})
    by_partial_email = as_owner.get(reverse("contacts:list"), {"q": "ines@example"})
    by_organisation = as_owner.get(reverse("contacts:list"), {"q": "harb"})

    assert _names_listed(by_name) == ["Mara Lindqvist"]
    assert _names_listed(by_full_name) == ["Mara Lindqvist"]
    assert _names_listed(by_email) == ["Ines Moreau"]
    assert _names_listed(by_partial_email) == []
    assert _names_listed(by_organisation) == ["Tomas Novak"]


def test_it_filters_by_stage_owner_tag_and_country(as_owner, owner, colleague):
    from steward.contacts.services import contact_create

    contact_create(
        actor=owner,
        data={"given_name": "Ada", "family_name": "Quist", "country": "SE"},
        tags=["vip"],
    )
    _contact_of(
        owner, given_name="Ivo", family_name="Horvat", lifecycle_stage=LifecycleStage.CUSTOMER
    )
    _contact_of(colleague, given_name="Lea", family_name="Berg", country="SE")

    by_stage = as_owner.get(reverse("contacts:list"), {"stage": "customer"})
    by_owner = as_owner.get(reverse("contacts:list"), {"owner": str(colleague.pk)})
    by_tag = as_owner.get(reverse("contacts:list"), {"tag": "VIP"})
    by_country = as_owner.get(reverse("contacts:list"), {"country": "SE"})

    assert _names_listed(by_stage) == ["Ivo Horvat"]
    assert _names_listed(by_owner) == ["Lea Berg"]
    assert _names_listed(by_tag) == ["Ada Quist"]
    assert _names_listed(by_country) == ["Lea Berg", "Ada Quist"]


def test_it_sorts_by_newest_and_no_longer_by_email(as_owner, owner):
    _contact_of(owner, given_name="A", family_name="Zed", email="b@example.org")
    _contact_of(owner, given_name="B", family_name="Yew", email="c@example.org")
    _contact_of(owner, given_name="C", family_name="Xu", email="a@example.org")

    newest_first = as_owner.get(reverse("contacts:list"), {"sort": "-created"})
    # Addresses are encrypted: an old link sorting by email gets the list by name.
    by_email = as_owner.get(reverse("contacts:list"), {"sort": "email"})

    assert _names_listed(newest_first) == ["C Xu", "B Yew", "A Zed"]
    assert 'aria-sort="descending"' in newest_first.content.decode()
    assert _names_listed(by_email) == ["C Xu", "B Yew", "A Zed"]


def test_it_pages_by_fifty_and_links_keep_the_filters(as_owner, owner):
    for n in range(51):
        _contact_of(
            owner,
            given_name="",
            family_name=f"Person{n:03}",
            lifecycle_stage=LifecycleStage.PROSPECT,
        )

    first = as_owner.get(reverse("contacts:list"), {"stage": "prospect"})
    second = as_owner.get(reverse("contacts:list"), {"stage": "prospect", "page": "2"})

    assert len(_names_listed(first)) == 50
    assert _names_listed(second) == ["Person050"]
    html = first.content.decode()
    assert "51 contacts, showing 1–50" in html
    assert 'href="?stage=prospect&amp;page=2"' in html


def test_a_search_with_more_matches_than_a_page_does_not_count_them(
    as_owner, owner, django_assert_max_num_queries
):
    for n in range(51):
        _contact_of(owner, family_name=f"Lind{n:03}")

    with django_assert_max_num_queries(12):
        response = as_owner.get(reverse("contacts:list"), {"q": "lind"})

    assert len(_names_listed(response)) == 50
    assert "Showing 1–50; more match." in response.content.decode()


def test_the_list_takes_the_same_number_of_queries_for_many_rows(
    as_owner, owner, django_assert_num_queries
):
    organisation = _organisation_of(owner)
    for _ in range(3):
        _contact_of(owner, organisation=organisation)
    as_owner.get(reverse("contacts:list"))  # warms the session and the template cache
    keyring().forget()  # both pages fetch their rows' data keys (one query for all)
    with CaptureQueriesContext(connection) as few:
        as_owner.get(reverse("contacts:list"))
    for _ in range(20):
        _contact_of(owner, organisation=_organisation_of(owner))
    keyring().forget()

    with django_assert_num_queries(len(few.captured_queries)):
        response = as_owner.get(reverse("contacts:list"))

    assert len(_names_listed(response)) == 23


def test_an_htmx_search_gets_only_the_results_and_the_count(as_owner, owner):
    _contact_of(owner, given_name="Mara", family_name="Lindqvist")

    response = as_owner.get(reverse("contacts:list"), {"q": "mara"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert _names_listed(response) == ["Mara Lindqvist"]
    assert 'id="contact-count" hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(as_owner):
    response = as_owner.get(
        reverse("contacts:list"), {"q": "x"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )

    assert "<html" in response.content.decode()


def test_malformed_filters_are_ignored_not_an_error(as_owner, owner):
    _contact_of(owner, family_name="Still")

    response = as_owner.get(
        reverse("contacts:list"),
        {"owner": "not-a-user", "sort": "password", "page": "-3", "organisation": "x"},
    )

    assert response.status_code == 200
    assert _names_listed(response) == [response.context["page"].contacts[0].full_name]


def test_an_organisation_filter_for_an_invisible_organisation_is_404(as_owner, outsider):
    theirs = _organisation_of(outsider)

    response = as_owner.get(reverse("contacts:list"), {"organisation": str(theirs.pk)})

    assert response.status_code == 404


def test_the_export_link_carries_the_filters_for_those_who_may_export(client, admin):
    _contact_of(admin, family_name="Exported")
    client.force_login(admin)

    response = client.get(reverse("contacts:list"), {"q": "exp", "stage": "lead"})

    html = response.content.decode()
    try:
        export_url = reverse("imports:export")
    except NoReverseMatch:  # the export page is built separately; without it, no link
        assert "contacts (CSV)" not in html
    else:
        assert f'href="{export_url}?q=exp&amp;stage=lead"' in html


# -- The contact page -------------------------------------------------------------------


def test_the_contact_page_shows_fields_addresses_deals_and_timeline(as_owner, owner):
    organisation = _organisation_of(owner, name="Bluebell Works")
    contact = _contact_of(
        owner,
        given_name="Mara",
        family_name="Lindqvist",
        organisation=organisation,
        city="Malmö",
        country="SE",
        custom={"shoe_size": "42"},
    )
    CustomFieldDefinition.objects.create(
        key="shoe_size",
        label="Shoe size",
        field_type=CustomFieldType.TEXT,
        category="commercial.profile",
    )
    ContactMethod.objects.create(contact=contact, kind="email", value="mara@example.com")
    DealFactory(contact=contact, owner=owner, team=owner.team, title="Fleet renewal")
    ActivityFactory(contact=contact, owner=owner, team=owner.team, subject="Called about Q3")

    response = as_owner.get(reverse("contacts:detail", args=[contact.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("Mara", "Bluebell Works", "Malmö", "Sweden", "Shoe size", "42"):
        assert shown in html
    assert "mara@example.com" in html
    assert "Fleet renewal" in html
    assert "Called about Q3" in html
    assert 'action="/activities/log/"' in html


def test_the_contact_page_takes_the_same_number_of_queries_however_full(as_owner, owner, colleague):
    contact = _contact_of(owner)
    url = reverse("contacts:detail", args=[contact.pk])
    # One entry from the start: opening its encrypted text costs one key query, whatever
    # the number of entries (steward.crypto); each request starts with no key cached.
    ActivityFactory(contact=contact, owner=owner, team=owner.team, author=owner)
    as_owner.get(url)
    keyring().forget()
    with CaptureQueriesContext(connection) as sparse:
        as_owner.get(url)
    for author in (owner, colleague, owner):
        ActivityFactory(contact=contact, owner=author, team=author.team, author=author)
        DealFactory(contact=contact, owner=owner, team=owner.team)
    ContactMethod.objects.create(contact=contact, kind="phone", value="+4940111111")
    keyring().forget()

    with CaptureQueriesContext(connection) as full:
        response = as_owner.get(url)

    assert len(response.context["timeline"]) == 4
    assert len(full.captured_queries) == len(sparse.captured_queries)


@pytest.mark.parametrize("url_name", ["contacts:detail", "contacts:edit", "contacts:delete"])
def test_an_outsider_gets_404_for_a_contact_page(client, owner, outsider, url_name):
    contact = _contact_of(owner)
    client.force_login(outsider)

    response = client.get(reverse(url_name, args=[contact.pk]))

    assert response.status_code == 404


def test_an_outsider_cannot_edit_delete_or_add_an_address_and_nothing_changes(
    client, owner, outsider
):
    contact = _contact_of(owner, family_name="Kept")
    outsider.role = "manager"  # may delete in principle; only the scope stands in the way
    outsider.save()
    client.force_login(outsider)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("steward.staff.roles.SEES_ALL_RECORDS", frozenset())
        patch.setattr("steward.core.scoping.SEES_ALL_RECORDS", frozenset())
        edit = client.post(reverse("contacts:edit", args=[contact.pk]), {"family_name": "Hacked"})
        delete = client.post(reverse("contacts:delete", args=[contact.pk]))
        method = client.post(
            reverse("contacts:method_add", args=[contact.pk]),
            {"method-kind": "email", "method-value": "x@example.org"},
        )

    assert (edit.status_code, delete.status_code, method.status_code) == (404, 404, 404)
    contact.refresh_from_db()
    assert contact.family_name == "Kept"
    assert not contact.methods.exists()
    assert not AuditEvent.objects.exists()


# -- Create and edit --------------------------------------------------------------------


def _form_data(**fields) -> dict:
    data = {"lifecycle_stage": "lead", "source": "manual", "owner": "", "country": ""}
    return data | fields


def test_it_creates_a_contact_with_tags_an_organisation_and_custom_fields(as_owner, owner):
    organisation = _organisation_of(owner, name="Granite Energy", domain="granite.example.org")
    CustomFieldDefinition.objects.create(
        key="newsletter_since",
        label="Since",
        field_type=CustomFieldType.DATE,
        category="commercial.profile",
    )

    response = as_owner.post(
        reverse("contacts:create"),
        _form_data(
            given_name="Otto",
            family_name="Keller",
            email="Otto.Keller@Example.org",
            organisation="Granite Energy (granite.example.org)",
            tags="vip, trade-fair ,",
            owner=str(owner.pk),
            custom_newsletter_since="2025-03-01",
        ),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert contact.email == "otto.keller@example.org"
    assert contact.organisation == organisation
    assert sorted(contact.tags.values_list("name", flat=True)) == ["trade-fair", "vip"]
    assert contact.custom == {"newsletter_since": "2025-03-01"}
    assert AuditEvent.objects.filter(action="contact.created", object_id=str(contact.pk)).exists()


def test_a_bare_organisation_name_is_enough_when_it_is_unambiguous(as_owner, owner):
    organisation = _organisation_of(owner, name="Cedar Media")

    as_owner.post(
        reverse("contacts:create"), _form_data(family_name="Weber", organisation="cedar media")
    )

    assert Contact.objects.get().organisation == organisation


def test_an_invalid_email_is_shown_on_its_field_and_nothing_is_created(as_owner):
    response = as_owner.post(
        reverse("contacts:create"), _form_data(family_name="Doe", email="not-an-address")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    # The message is tied to its input for screen readers, and listed in the summary.
    assert 'aria-describedby="id_email_error"' in html
    assert 'id="id_email_error"' in html
    assert 'href="#id_email"' in html
    assert Contact.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_duplicate_email_is_refused_on_the_email_field(as_owner, owner):
    _contact_of(owner, email="taken@example.org")

    response = as_owner.post(
        reverse("contacts:create"), _form_data(family_name="Twin", email="TAKEN@example.org")
    )

    assert "already exists" in response.context["form"].errors["email"][0]
    assert Contact.objects.count() == 1


def test_an_unknown_or_invisible_organisation_is_refused(as_owner, outsider):
    _organisation_of(outsider, name="Secret Holdings")

    response = as_owner.post(
        reverse("contacts:create"), _form_data(family_name="Doe", organisation="Secret Holdings")
    )

    assert "no organisation called" in response.context["form"].errors["organisation"][0]
    assert Contact.objects.count() == 0


def test_a_bad_custom_value_is_shown_on_its_field(as_owner):
    CustomFieldDefinition.objects.create(
        key="seats", label="Seats", field_type=CustomFieldType.NUMBER, category="commercial.profile"
    )

    response = as_owner.post(
        reverse("contacts:create"), _form_data(family_name="Doe", custom_seats="many")
    )

    assert response.context["form"].errors["custom_seats"]
    assert Contact.objects.count() == 0


def test_a_contact_without_name_or_email_is_refused(as_owner):
    response = as_owner.post(reverse("contacts:create"), _form_data())

    assert response.context["form"].errors["family_name"]
    assert Contact.objects.count() == 0


def test_a_read_only_user_cannot_open_or_submit_the_new_contact_form(client, reader):
    client.force_login(reader)

    page = client.get(reverse("contacts:create"))
    post = client.post(reverse("contacts:create"), _form_data(family_name="Nope"))
    listing = client.get(reverse("contacts:list"))

    assert (page.status_code, post.status_code) == (403, 403)
    assert Contact.objects.count() == 0
    assert reverse("contacts:create") not in listing.content.decode()


def test_the_edit_form_is_filled_in_and_a_colleague_may_save_it(client, owner, colleague):
    contact = _contact_of(owner, given_name="Ruth", family_name="Dorn", email="ruth@example.org")
    client.force_login(colleague)

    page = client.get(reverse("contacts:edit", args=[contact.pk]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["city"] = "Utrecht"
    response = client.post(reverse("contacts:edit", args=[contact.pk]), data)

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.city == "Utrecht"
    assert contact.email == "ruth@example.org"
    event = AuditEvent.objects.get(action="contact.updated")
    assert event.changes == {"city": ["", "Utrecht"]}


def test_saving_an_unchanged_edit_form_writes_nothing(as_owner, owner):
    from steward.contacts.services import contact_create, custom_field_create
    from steward.core.actor import SystemActor

    system = SystemActor("test")
    custom_field_create(
        actor=system, key="seats", label="Seats", field_type="number", category="commercial.profile"
    )
    custom_field_create(
        actor=system,
        key="newsletter",
        label="News",
        field_type="boolean",
        category="commercial.profile",
    )
    organisation = _organisation_of(owner, name="Tidal Works", domain="tidal.example.org")
    contact = contact_create(
        actor=owner,
        data={
            "given_name": "Emil",
            "family_name": "Laine",
            "phone": "+358401234567",
            "organisation": organisation,
            "country": "FI",
            "custom": {"seats": "25", "newsletter": False},
        },
        tags=["vip", "partner"],
    )
    events_before = AuditEvent.objects.count()

    form = as_owner.get(reverse("contacts:edit", args=[contact.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = as_owner.post(reverse("contacts:edit", args=[contact.pk]), data)

    assert response.status_code == 302
    assert AuditEvent.objects.count() == events_before
    contact.refresh_from_db()
    assert contact.custom == {"seats": "25", "newsletter": False}


def test_an_invalid_edit_changes_nothing(as_owner, owner):
    contact = _contact_of(owner, family_name="Same", email="same@example.org", phone="")

    response = as_owner.post(
        reverse("contacts:edit", args=[contact.pk]),
        _form_data(family_name="Changed", email="broken@", phone="12"),
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"email"}
    contact.refresh_from_db()
    assert (contact.family_name, contact.email) == ("Same", "same@example.org")
    assert not AuditEvent.objects.filter(action="contact.updated").exists()


# -- Delete -----------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_with_an_audit_row(client, admin, owner):
    contact = _contact_of(owner, family_name="Gone")
    client.force_login(admin)

    confirm = client.get(reverse("contacts:delete", args=[contact.pk]))
    response = client.post(reverse("contacts:delete", args=[contact.pk]))

    assert "cannot be undone" in confirm.content.decode()
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert AuditEvent.objects.filter(action="contact.deleted", object_id=str(contact.pk)).exists()


def test_a_sales_user_may_not_delete(as_owner, owner):
    contact = _contact_of(owner)

    response = as_owner.post(reverse("contacts:delete", args=[contact.pk]))

    assert response.status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


# -- Further addresses ------------------------------------------------------------------


def test_an_address_is_added_in_place_with_htmx(as_owner, owner):
    contact = _contact_of(owner)

    response = as_owner.post(
        reverse("contacts:method_add", args=[contact.pk]),
        {"method-kind": "email", "method-value": "Second@Example.org", "method-label": "private"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="contact-methods"')
    assert "second@example.org" in html
    assert contact.methods.get().value == "second@example.org"
    assert AuditEvent.objects.filter(action="contact.method_added").exists()


def test_a_bad_address_comes_back_with_its_error_and_nothing_is_added(as_owner, owner):
    contact = _contact_of(owner)

    response = as_owner.post(
        reverse("contacts:method_add", args=[contact.pk]),
        {"method-kind": "email", "method-value": "nope"},
        **HTMX,
    )

    html = response.content.decode()
    assert 'id="id_method-value_error"' in html
    assert '<details class="add-method" open>' in html
    assert not contact.methods.exists()


def test_an_address_is_removed_and_without_js_the_page_redirects_back(as_owner, owner):
    contact = _contact_of(owner)
    method = ContactMethod.objects.create(contact=contact, kind="phone", value="+4940123456")

    response = as_owner.post(reverse("contacts:method_remove", args=[contact.pk, method.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert not contact.methods.exists()
    assert AuditEvent.objects.filter(action="contact.method_removed").exists()


def test_an_address_of_another_contact_cannot_be_removed_through_this_one(as_owner, owner):
    contact = _contact_of(owner)
    other = _contact_of(owner)
    method = ContactMethod.objects.create(contact=other, kind="phone", value="+4940123456")

    response = as_owner.post(reverse("contacts:method_remove", args=[contact.pk, method.pk]))

    assert response.status_code == 404
    assert other.methods.exists()


# -- Organisations ----------------------------------------------------------------------


def test_the_organisation_list_searches_and_counts_contacts(as_owner, owner, outsider):
    harbour = _organisation_of(owner, name="Harbour Foods", domain="harbour.example.org")
    _organisation_of(owner, name="Summit Works")
    _organisation_of(outsider, name="Harbour Secrets")
    _contact_of(owner, organisation=harbour)
    _contact_of(owner, organisation=harbour)

    response = as_owner.get(reverse("contacts:organisation_list"), {"q": "harb"})

    page = response.context["page"]
    assert [(o.name, o.contact_count) for o in page.organisations] == [("Harbour Foods", 2)]
    assert "1 organisation" in response.content.decode()


def test_the_organisation_page_shows_its_contacts_deals_and_timeline(as_owner, owner):
    organisation = _organisation_of(owner, name="Amber Logistics")
    _contact_of(owner, given_name="Nina", family_name="Petrov", organisation=organisation)
    DealFactory(organisation=organisation, owner=owner, team=owner.team, title="Warehouse")
    ActivityFactory(organisation=organisation, owner=owner, team=owner.team, subject="Site visit")

    response = as_owner.get(reverse("contacts:organisation_detail", args=[organisation.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("Amber Logistics", "Nina Petrov", "Warehouse", "Site visit"):
        assert shown in html


@pytest.mark.parametrize(
    "url_name",
    ["contacts:organisation_detail", "contacts:organisation_edit", "contacts:organisation_delete"],
)
def test_an_outsider_gets_404_for_an_organisation_page(client, owner, outsider, url_name):
    organisation = _organisation_of(owner)
    client.force_login(outsider)

    response = client.get(reverse(url_name, args=[organisation.pk]))

    assert response.status_code == 404


def test_an_organisation_is_created_edited_and_deleted(client, admin):
    client.force_login(admin)
    data = {"name": "Falcon Health", "domain": "falcon.example.org", "country": "NL"}

    created = client.post(reverse("contacts:organisation_create"), data | {"owner": ""})
    organisation = Organisation.objects.get()
    edited = client.post(
        reverse("contacts:organisation_edit", args=[organisation.pk]),
        data | {"owner": "", "city": "Utrecht"},
    )
    organisation.refresh_from_db()
    deleted = client.post(reverse("contacts:organisation_delete", args=[organisation.pk]))

    assert created.status_code == edited.status_code == deleted.status_code == 302
    assert organisation.city == "Utrecht"
    assert not Organisation.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"organisation.created", "organisation.updated", "organisation.deleted"} <= actions


def test_an_organisation_without_a_name_is_refused(as_owner):
    response = as_owner.post(reverse("contacts:organisation_create"), {"name": "", "owner": ""})

    assert response.context["form"].errors["name"]
    assert not Organisation.objects.exists()


def test_the_organisation_chooser_suggests_only_visible_organisations(as_owner, owner, outsider):
    _organisation_of(owner, name="Orchid Software", domain="orchid.example.org")
    _organisation_of(outsider, name="Orchid Secrets")

    response = as_owner.get(reverse("contacts:organisation_options"), {"organisation": "orch"})

    html = response.content.decode()
    assert '<option value="Orchid Software (orchid.example.org)">' in html
    assert "Secrets" not in html
