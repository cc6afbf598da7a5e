import pytest

from steward.contacts.selectors import (
    ContactFilters,
    contact_get,
    contact_list,
    contact_page,
    organisation_choices,
    organisation_find_by_label,
    organisation_page,
)
from steward.contacts.services import contact_create, contact_method_add
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.core.errors import NotFound

pytestmark = pytest.mark.django_db


def _contact_of(user, **fields):
    return ContactFactory(owner=user, team=user.team, **fields)


def _organisation_of(user, **fields):
    return OrganisationFactory(owner=user, team=user.team, **fields)


def _found(actor, search: str) -> set[str]:
    return {c.family_name for c in contact_list(actor=actor, filters=ContactFilters(search=search))}


def test_a_search_matches_name_prefixes_case_insensitively(owner):
    _contact_of(owner, given_name="Mara", family_name="Lindqvist")
    _contact_of(owner, given_name="Lindsay", family_name="Okafor")
    _contact_of(owner, given_name="Tomas", family_name="Blind")

    assert _found(owner, "LIND") == {"Lindqvist", "Okafor"}


def test_every_word_of_a_search_must_match_something(owner):
    _contact_of(owner, given_name="Mara", family_name="Lindqvist")
    _contact_of(owner, given_name="Ines", family_name="Lindqvist")

    found = contact_list(actor=owner, filters=ContactFilters(search="lindqvist mar"))

    assert {c.given_name for c in found} == {"Mara"}


def test_an_address_like_search_matches_a_whole_address_in_any_case(owner):
    _contact_of(owner, family_name="Moreau", email="ines.moreau@example.org")
    _contact_of(owner, family_name="Other", email="moreau@example.com")

    assert _found(owner, " Ines.Moreau@EXAMPLE.org ") == {"Moreau"}


def test_the_start_of_an_address_finds_nobody_now_that_addresses_are_encrypted(owner):
    _contact_of(owner, family_name="Moreau", email="ines.moreau@example.org")

    assert _found(owner, "ines.moreau@ex") == set()
    assert _found(owner, "ines") == set()


def test_a_further_address_of_a_contact_finds_them(owner):
    contact = _contact_of(owner, family_name="Moreau", email="ines@example.org")
    contact_method_add(actor=owner, contact=contact, kind="email", value="I.Moreau@Example.com")

    assert _found(owner, "i.moreau@example.COM") == {"Moreau"}


def test_a_phone_search_matches_the_number_however_it_is_spaced(owner):
    contact_create(
        actor=owner, data={"family_name": "Novak", "phone": "+49 30 1234567", "country": "DE"}
    )
    _contact_of(owner, family_name="Other", phone="+4930765432")

    assert _found(owner, "+49 (30) 123-4567") == {"Novak"}
    assert _found(owner, "+49301234567") == {"Novak"}
    assert _found(owner, "+49 30 1234") == set()


def test_a_search_matches_the_start_of_the_organisation_name(owner):
    harbour = _organisation_of(owner, name="Harbour Foods")
    _contact_of(owner, family_name="Novak", organisation=harbour)
    _contact_of(owner, family_name="Rossi")

    assert _found(owner, "harbour f") == {"Novak"}


def test_the_list_holds_only_what_the_actor_may_see(owner, colleague, outsider, admin):
    _contact_of(owner, family_name="Mine")
    _contact_of(colleague, family_name="Team")
    _contact_of(outsider, family_name="Theirs")

    assert _found(owner, "") == {"Mine", "Team"}
    assert _found(outsider, "") == {"Theirs"}
    assert _found(admin, "") == {"Mine", "Team", "Theirs"}


def test_a_page_knows_its_total_and_whether_another_follows(owner):
    for n in range(5):
        _contact_of(owner, family_name=f"P{n}")

    first = contact_page(actor=owner, number=1, per_page=2)
    last = contact_page(actor=owner, number=3, per_page=2)

    assert [c.family_name for c in first.contacts] == ["P0", "P1"]
    assert (first.total, first.has_next, first.num_pages) == (5, True, 3)
    assert [c.family_name for c in last.contacts] == ["P4"]
    assert (last.has_next, last.has_previous, last.start_index, last.end_index) == (
        False,
        True,
        5,
        5,
    )


def test_a_search_page_leaves_the_total_unknown_until_the_matches_end(owner):
    for n in range(3):
        _contact_of(owner, family_name=f"Lind{n}")

    first = contact_page(actor=owner, filters=ContactFilters(search="lind"), per_page=2)
    second = contact_page(actor=owner, filters=ContactFilters(search="lind"), number=2, per_page=2)

    assert (first.total, first.has_next) == (None, True)
    assert (second.total, second.has_next) == (3, False)


def test_a_count_stops_at_its_limit_and_says_more_than(owner, monkeypatch):
    monkeypatch.setattr("steward.contacts.selectors.COUNT_LIMIT", 3)
    for n in range(5):
        _contact_of(owner, family_name=f"P{n}")

    page = contact_page(actor=owner, per_page=2)

    assert (page.total, page.more_than, page.num_pages) == (None, 3, None)


def test_a_page_past_the_end_is_empty(owner):
    _contact_of(owner)

    page = contact_page(actor=owner, number=9)

    assert page.contacts == []
    assert page.total == 1


def test_a_page_carries_organisation_owner_and_tags_in_the_order_asked(owner):
    organisation = _organisation_of(owner, name="Copper Works")
    _contact_of(owner, family_name="B", email="a@example.org", organisation=organisation)
    _contact_of(owner, family_name="A", email="b@example.org")

    page = contact_page(actor=owner, filters=ContactFilters(sort="-name"))

    assert [c.family_name for c in page.contacts] == ["B", "A"]
    assert page.contacts[0].organisation.name == "Copper Works"
    assert page.contacts[0].owner == owner


def test_an_outsider_cannot_get_a_contact_nor_can_a_malformed_id(owner, outsider):
    contact = _contact_of(owner)

    with pytest.raises(NotFound):
        contact_get(actor=outsider, pk=contact.pk)
    with pytest.raises(NotFound):
        contact_get(actor=owner, pk="not-a-uuid")


def test_an_organisation_page_counts_contacts_of_its_rows(owner, outsider):
    amber = _organisation_of(owner, name="Amber Media")
    _organisation_of(owner, name="Beacon Energy")
    _organisation_of(outsider, name="Amber Secrets")
    for _ in range(3):
        _contact_of(owner, organisation=amber)

    page = organisation_page(actor=owner)

    assert [(o.name, o.contact_count) for o in page.organisations] == [
        ("Amber Media", 3),
        ("Beacon Energy", 0),
    ]
    assert page.total == 2


def test_an_organisation_search_matches_name_parts_and_domain_starts(owner):
    _organisation_of(owner, name="Northwind Trading", domain="nw.example.org")
    _organisation_of(owner, name="Summit Foods", domain="summit.example.org")

    assert [o.name for o in organisation_page(actor=owner, search="trad").organisations] == [
        "Northwind Trading"
    ]
    assert [o.name for o in organisation_page(actor=owner, search="summit.ex").organisations] == [
        "Summit Foods"
    ]


def test_a_chooser_label_with_a_domain_picks_one_of_two_namesakes(owner):
    _organisation_of(owner, name="Delta Works", domain="delta-one.example.org")
    two = _organisation_of(owner, name="Delta Works", domain="delta-two.example.org")

    assert organisation_find_by_label(actor=owner, label="Delta Works (delta-two.example.org)") == [
        two
    ]
    assert len(organisation_find_by_label(actor=owner, label="delta works")) == 2


def test_a_chooser_label_never_finds_an_invisible_organisation(owner, outsider):
    _organisation_of(outsider, name="Hidden Holdings")

    assert organisation_find_by_label(actor=owner, label="Hidden Holdings") == []


def test_chooser_suggestions_are_visible_prefix_matches(owner, outsider):
    _organisation_of(owner, name="Willow Health")
    _organisation_of(owner, name="Ember Willow")
    _organisation_of(outsider, name="Willow Secrets")

    assert [o.name for o in organisation_choices(actor=owner, text="WILL")] == ["Willow Health"]
    assert organisation_choices(actor=owner, text="  ") == []
