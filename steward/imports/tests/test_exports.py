import csv
import datetime
import io
import json

import pytest

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact, ContactMethod, Organisation, Tag
from steward.contacts.selectors import ContactFilters
from steward.contacts.services import contact_method_add, custom_field_create
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.core.actor import SystemActor
from steward.core.errors import PermissionDenied, ValidationFailed
from steward.deals.tests.factories import DealFactory
from steward.imports.exports import contacts_export, contacts_export_preview, spreadsheet_safe
from steward.processing.errors import UnknownPurpose

from .conftest import run_import

FIELDS = (
    "given_name", "family_name", "email", "phone", "job_title", "street", "postal_code", "city",
    "region", "country", "date_of_birth", "language", "lifecycle_stage", "custom",
)  # fmt: skip


@pytest.fixture
def people(importer, other_importer):
    custom_field_create(
        actor=SystemActor("test"),
        key="vat_id",
        label="VAT number",
        field_type="text",
        category="commercial.profile",
    )
    engines = OrganisationFactory(name="Analytical Engines", owner=importer, team=importer.team)
    ada = ContactFactory(
        given_name="Ada", family_name="Lovelace", email="ada@example.org", phone="+442079460018",
        job_title="Analyst", organisation=engines, street="12 St James's Square",
        postal_code="SW1Y 4JH",
        city="London", region="London", country="GB", date_of_birth=datetime.date(1985, 12, 10),
        language="en", lifecycle_stage="customer", custom={"vat_id": "GB123"},
        owner=importer, team=importer.team,
    )  # fmt: skip
    ada.tags.set([Tag.objects.create(name="vip"), Tag.objects.create(name="engines")])
    contact_method_add(actor=importer, contact=ada, kind="email", value="countess@example.org")
    contact_method_add(actor=importer, contact=ada, kind="phone", value="+447700900123")
    alan = ContactFactory(
        given_name="Alan", family_name="=Turing", email="alan@example.org", owner=importer,
        team=importer.team, lifecycle_stage="prospect",
    )  # fmt: skip
    # A prospect with an open deal: steps before a contract, so customer management may
    # process his data (the export's default purpose asks the processing gate).
    DealFactory(contact=alan, title="Difference engine", owner=importer, team=importer.team)
    hidden = ContactFactory(
        email="hidden@example.org", owner=other_importer, team=other_importer.team
    )
    return ada, alan, hidden


def _export(actor, fmt="csv", filters=None) -> str:
    out = io.StringIO()
    contacts_export(actor=actor, filters=filters, format=fmt, stream=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_csv_export_holds_every_field_and_imports_back_unchanged(importer, people):
    before = {c.email: c for c in Contact.objects.filter(owner=importer)}
    snapshot = {
        email: ({f: getattr(c, f) for f in FIELDS}, sorted(c.tags.values_list("name", flat=True)),
                sorted([m.value for m in c.methods.all()]),
                c.organisation.name if c.organisation else "")
        for email, c in before.items()
    }  # fmt: skip
    text = _export(importer)
    Contact.objects.all().delete()
    Organisation.objects.all().delete()

    job = run_import(importer, text)

    assert job.status == "completed", job.message
    after = {c.email: c for c in Contact.objects.all()}
    assert set(after) == set(snapshot)
    for email, (fields, tags, methods, organisation) in snapshot.items():
        contact = after[email]
        assert {f: getattr(contact, f) for f in FIELDS} == fields
        assert sorted(contact.tags.values_list("name", flat=True)) == tags
        assert sorted([m.value for m in contact.methods.all()]) == methods
        assert (contact.organisation.name if contact.organisation else "") == organisation


@pytest.mark.django_db
def test_a_json_export_holds_every_field(importer, people):
    records = {r["email"]: r for r in json.loads(_export(importer, "json"))}

    ada = records["ada@example.org"]
    assert ada["organisation"] == "Analytical Engines"
    assert ada["tags"] == ["engines", "vip"]
    assert ada["further_emails"] == ["countess@example.org"]
    assert ada["further_phones"] == ["+447700900123"]
    assert ada["custom"] == {"vat_id": "GB123"}
    assert ada["date_of_birth"] == "1985-12-10"
    assert ada["country"] == "GB"
    assert ada["owner"] == importer.email


@pytest.mark.django_db
def test_an_export_holds_only_contacts_the_actor_may_see(importer, people):
    csv_emails = [row["Email"] for row in csv.DictReader(io.StringIO(_export(importer)))]
    json_emails = [r["email"] for r in json.loads(_export(importer, "json"))]

    assert sorted(csv_emails) == sorted(json_emails) == ["ada@example.org", "alan@example.org"]


@pytest.mark.django_db
def test_an_export_follows_the_contact_list_filters(importer, people):
    rows = list(
        csv.DictReader(
            io.StringIO(_export(importer, filters=ContactFilters(lifecycle_stage="prospect")))
        )
    )

    assert [row["Email"] for row in rows] == ["alan@example.org"]


@pytest.mark.django_db
def test_an_export_is_audited_with_who_how_many_and_which_filters(importer, people):
    _export(importer, filters=ContactFilters(tag="vip"))

    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.actor == importer
    assert event.changes["count"] == [None, 1]
    assert event.changes["filters"] == [None, {"tag": "vip", "sort": "name"}]


@pytest.mark.django_db
def test_a_user_without_the_export_right_gets_nothing_and_no_audit_row(owner, people):
    with pytest.raises(PermissionDenied):
        _export(owner)

    assert not AuditEvent.objects.filter(action="contacts.exported").exists()


@pytest.mark.django_db
def test_an_unknown_format_is_refused(importer):
    with pytest.raises(ValidationFailed):
        _export(importer, "xlsx")


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised():
    assert spreadsheet_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-2+3") == "'-2+3"
    assert spreadsheet_safe("-12.5") == "-12.5"
    assert spreadsheet_safe("-cmd") == "'-cmd"
    assert spreadsheet_safe("+44 20 7946 0018") == "+44 20 7946 0018"
    assert spreadsheet_safe("Ada") == "Ada"


@pytest.mark.django_db
def test_a_formula_looking_name_survives_the_round_trip(importer, people):
    text = _export(importer)
    assert "'=Turing" in text
    Contact.objects.all().delete()

    run_import(importer, text)

    assert Contact.objects.with_email("alan@example.org").get().family_name == "=Turing"
    assert ContactMethod.objects.count() == 2


# -- The processing gate --------------------------------------------------------------------


def test_an_export_holds_only_the_people_the_gate_allows_for_its_purpose(importer, people):
    ada, alan, _ = people
    lead = ContactFactory(email="lead@example.org", owner=importer, team=importer.team)

    text = _export(importer)

    emails = [row["Email"] for row in csv.DictReader(io.StringIO(text))]
    assert sorted(emails) == ["ada@example.org", "alan@example.org"]
    assert lead.email not in text
    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.changes["purpose"] == [None, "customer-management"]
    assert event.changes["excluded"] == [None, {"no_contract": 1}]
    assert event.changes["count"] == [None, 2]


def test_an_export_for_another_purpose_asks_the_gate_about_that_purpose(importer, people):
    out = io.StringIO()

    export = contacts_export(actor=importer, purpose="direct-marketing", stream=out)

    assert export.count == 0
    assert export.excluded == {"no_consent": 2}
    assert list(csv.DictReader(io.StringIO(out.getvalue()))) == []


def test_an_export_for_an_unknown_purpose_is_refused_and_not_audited(importer, people):
    with pytest.raises(UnknownPurpose):
        contacts_export(actor=importer, purpose="selling-lists", stream=io.StringIO())

    assert not AuditEvent.objects.filter(action="contacts.exported").exists()


def test_the_preview_counts_without_exporting_or_auditing(importer, people):
    preview = contacts_export_preview(actor=importer)

    assert (preview.count, preview.excluded) == (2, {})
    assert not AuditEvent.objects.filter(action="contacts.exported").exists()


def test_a_reason_that_would_reveal_special_category_data_is_withheld_but_audited(importer, people):
    from steward.processing.tests.factories_gate import gate_world, mark_special

    ada, _, _ = people
    world = gate_world()
    mark_special(ada)

    export = contacts_export(
        actor=importer, purpose=world.contract_unconditioned.key, stream=io.StringIO()
    )

    assert export.excluded == {"withheld": 1}  # a marketing role may not see the mark
    event = AuditEvent.objects.get(action="contacts.exported")
    assert event.changes["excluded"] == [None, {"special_category_without_condition": 1}]
