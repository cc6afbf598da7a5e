"""The register's pages: who may read them, who may change them, and that a refused request
changes nothing. The register is not scoped by record: every holder of processing.view reads
all of it; the owner, colleague and outsider (sales roles) and a read-only user read none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.processing.models import LawfulBasis, Purpose, Recipient
from steward.processing.selectors import purpose_get
from steward.processing.tests.factories import make_recipient

pytestmark = pytest.mark.django_db

READ_PAGES = [
    ("processing:register", {}),
    ("processing:purpose_detail", {"key": "customer-management"}),
    ("processing:recipients", {}),
    ("processing:record", {}),
    ("processing:record_csv", {}),
    ("processing:record_json", {}),
]
MANAGE_PAGES = [
    ("processing:purpose_create", {}),
    ("processing:purpose_edit", {"key": "customer-management"}),
    ("processing:recipient_create", {}),
]


@pytest.fixture
def as_dpo(client, dpo):
    client.force_login(dpo)
    return client


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _purpose_post(**overrides) -> dict:
    return {
        "key": "event-bookings",
        "name": "Event bookings",
        "description": "Managing the bookings people make for our workshops.",
        "lawful_basis": "contract",
        "data_categories": ["identity.name", "contact.email"],
        "subject_categories": "Workshop participants\nTheir companions",
        "retention_months": "24",
        "retention_trigger": "contract_end",
        "security_measures": "Access by role; TLS.",
        "active": "on",
        **overrides,
    }


# -- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES + MANAGE_PAGES)
def test_the_pages_need_a_login(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider", "reader"])
@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES + MANAGE_PAGES)
def test_roles_without_processing_view_are_refused_every_page(client, request, who, name, kwargs):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES)
def test_a_manager_reads_the_register_and_the_record(as_manager, name, kwargs):
    assert as_manager.get(reverse(name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), MANAGE_PAGES)
def test_a_manager_may_not_open_the_forms(as_manager, name, kwargs):
    assert as_manager.get(reverse(name, kwargs=kwargs)).status_code == 403


def test_a_manager_posting_an_edit_is_refused_and_nothing_changes(as_manager):
    url = reverse("processing:purpose_edit", kwargs={"key": "customer-management"})
    events = AuditEvent.objects.count()

    response = as_manager.post(url, _purpose_post(name="Renamed", key="customer-management"))

    assert response.status_code == 403
    assert purpose_get("customer-management").name == "Customer management"
    assert AuditEvent.objects.count() == events


def test_a_reader_posting_a_new_purpose_is_refused_and_nothing_is_written(client, reader):
    client.force_login(reader)
    purposes = Purpose.objects.count()

    response = client.post(reverse("processing:purpose_create"), _purpose_post())

    assert response.status_code == 403
    assert Purpose.objects.count() == purposes


def test_the_register_link_shows_only_to_readers_of_the_register(client, owner, manager):
    client.force_login(owner)
    assert reverse("processing:register") not in client.get(reverse("dashboard")).content.decode()

    client.force_login(manager)
    assert reverse("processing:register") in client.get(reverse("dashboard")).content.decode()


def test_an_unknown_purpose_is_404(as_dpo):
    url = reverse("processing:purpose_detail", kwargs={"key": "no-such-purpose"})

    assert as_dpo.get(url).status_code == 404


# -- The register --------------------------------------------------------------------------


def test_the_register_lists_each_purpose_with_basis_condition_retention_and_recipients(
    as_manager,
):
    make_recipient(name="Example Mail GmbH", purposes=["direct-marketing"])

    page = as_manager.get(reverse("processing:register")).content.decode()

    assert 'data-purpose="invoicing"' in page
    assert "Legal obligation (Art. 6(1)(c))" in page
    assert "10 years after the end of the fiscal year of the record" in page
    row = page.split('data-purpose="direct-marketing"')[1].split("</tr>")[0]
    assert "Example Mail GmbH" in row
    assert "Consent (Art. 6(1)(a))" in row
    assert "Add a purpose" not in page


def test_a_purposes_page_shows_its_categories_from_the_taxonomy_and_where_they_are_held(
    as_manager,
):
    page = as_manager.get(
        reverse("processing:purpose_detail", kwargs={"key": "direct-marketing"})
    ).content.decode()

    assert "Email address" in page
    assert "contacts.Contact.email" in page
    assert "24 months" in page


def test_the_dpo_adds_a_purpose_and_the_write_is_audited_in_their_name(as_dpo, dpo):
    response = as_dpo.post(reverse("processing:purpose_create"), _purpose_post())

    purpose = purpose_get("event-bookings")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "processing:purpose_detail", kwargs={"key": "event-bookings"}
    )
    assert purpose.subject_categories == ["Workshop participants", "Their companions"]
    assert AuditEvent.objects.get(action="purpose.created").actor == dpo


def test_legitimate_interests_without_an_assessment_are_shown_as_an_error_and_not_saved(as_dpo):
    response = as_dpo.post(
        reverse("processing:purpose_create"),
        _purpose_post(lawful_basis="legitimate_interests"),
    )

    assert response.status_code == 422
    assert "legitimate-interest assessment" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Purpose.objects.filter(key="event-bookings").exists()


def test_special_category_data_without_a_condition_is_shown_as_an_error(as_dpo):
    response = as_dpo.post(
        reverse("processing:purpose_create"),
        _purpose_post(data_categories=["special.health"]),
    )

    assert response.status_code == 422
    assert "Art. 9(2) condition" in response.content.decode()
    assert not Purpose.objects.filter(key="event-bookings").exists()


def test_the_dpo_edits_a_purpose(as_dpo, dpo):
    purpose = purpose_get("analytics")
    url = reverse("processing:purpose_edit", kwargs={"key": "analytics"})
    form = as_dpo.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data["data_categories"] = [*purpose.data_categories, "demographic.language"]

    response = as_dpo.post(url, data | {"active": "on"})

    assert response.status_code == 302
    purpose.refresh_from_db()
    assert "demographic.language" in purpose.data_categories
    assert purpose.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS
    event = AuditEvent.objects.get(action="purpose.updated")
    assert event.actor == dpo
    assert set(event.changes) == {"data_categories"}


# -- Recipients and their agreements -------------------------------------------------------


def _recipient_post(**overrides) -> dict:
    return {
        "name": "Example Cloud Inc.",
        "kind": "processor",
        "service": "Hosts our newsletters",
        "purposes": ["direct-marketing"],
        "data_categories": ["contact.email"],
        "countries": "IE, US",
        "transfer_safeguard": "scc",
        "transfer_documentation": "SCC module 2, signed 2026-02-01",
        "dpa_signed_on": "2026-02-01",
        "status": "active",
        **overrides,
    }


def test_the_dpo_registers_a_recipient_with_its_agreement_stored_privately(as_dpo, media):
    agreement = SimpleUploadedFile("dpa-example-cloud.pdf", b"%PDF-1.4 agreement")

    response = as_dpo.post(
        reverse("processing:recipient_create"), _recipient_post(dpa_document=agreement)
    )

    recipient = Recipient.objects.get(name="Example Cloud Inc.")
    assert response.status_code == 302
    assert [c.code for c in recipient.countries] == ["IE", "US"]
    assert (media / recipient.dpa_document.name).read_bytes() == b"%PDF-1.4 agreement"
    # No public URL serves it.
    assert as_dpo.get("/" + recipient.dpa_document.name).status_code == 404


def test_a_recipient_in_a_third_country_without_a_safeguard_is_not_saved(as_dpo, media):
    response = as_dpo.post(
        reverse("processing:recipient_create"), _recipient_post(transfer_safeguard="")
    )

    assert response.status_code == 422
    assert "outside the EEA" in response.content.decode()
    assert not Recipient.objects.exists()


def test_the_agreement_is_served_as_a_download_to_readers_of_the_register(client, manager, media):
    recipient = make_recipient(dpa_document=SimpleUploadedFile("dpa-mail.pdf", b"%PDF-1.4 signed"))
    client.force_login(manager)

    response = client.get(reverse("processing:recipient_agreement", kwargs={"pk": recipient.pk}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("who", ["owner", "outsider", "reader"])
def test_the_agreement_is_refused_to_everyone_else(client, request, who, media):
    recipient = make_recipient(dpa_document=SimpleUploadedFile("dpa-mail.pdf", b"%PDF-1.4 signed"))
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("processing:recipient_agreement", kwargs={"pk": recipient.pk}))

    assert response.status_code == 403


def test_a_manager_cannot_change_a_recipient(as_manager):
    recipient = make_recipient()
    url = reverse("processing:recipient_edit", kwargs={"pk": recipient.pk})

    response = as_manager.post(url, _recipient_post(name="Renamed"))

    assert response.status_code == 403
    recipient.refresh_from_db()
    assert recipient.name == "Example Mail GmbH"


def test_the_dpo_edits_a_recipient_and_an_empty_upload_keeps_the_agreement(as_dpo, media):
    recipient = make_recipient(dpa_document=SimpleUploadedFile("dpa.pdf", b"%PDF-1.4 v1"))
    url = reverse("processing:recipient_edit", kwargs={"pk": recipient.pk})

    response = as_dpo.post(url, _recipient_post(name="Example Mail AG", countries="DE"))

    assert response.status_code == 302
    recipient.refresh_from_db()
    assert recipient.name == "Example Mail AG"
    assert (media / recipient.dpa_document.name).read_bytes() == b"%PDF-1.4 v1"


def test_the_recipients_page_lists_them_with_their_transfer(as_manager):
    make_recipient(name="Example Cloud Inc.", countries=["US"], transfer_safeguard="scc")

    page = as_manager.get(reverse("processing:recipients")).content.decode()

    assert "Example Cloud Inc." in page
    assert "Outside the EEA: Standard contractual clauses" in page
