"""Art. 17: an import does not bring back a person erased at their request."""

import pytest

from steward.contacts.models import Contact
from steward.contacts.services import contact_create
from steward.core.actor import SystemActor
from steward.erasure.services import erasure_execute
from steward.imports.selectors import report_entries
from steward.imports.tests.conftest import run_import

pytestmark = pytest.mark.django_db


def test_an_erased_persons_row_is_refused_with_the_reason_and_the_rest_imported(importer):
    erased = contact_create(
        actor=importer, data={"given_name": "Edda", "email": "edda.erased@example.org"}
    )
    erasure_execute(actor=SystemActor("test"), contact=erased, reason="Art. 17 request")

    job = run_import(
        importer,
        "First name,Email\nEdda,EDDA.ERASED@example.org\nFinn,finn.fresh@example.org\n",
        mode="valid_only",
    )

    assert job.invalid_rows == 1
    [entry] = [e for e in report_entries(job) if e["status"] == "invalid"]
    assert "erased at their request" in entry["errors"]["email"][0]
    assert not Contact.objects.with_email("edda.erased@example.org").exists()
    assert Contact.objects.with_email("finn.fresh@example.org").exists()
