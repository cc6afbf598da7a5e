"""The review of a finding: who may, which moves are allowed, and what the trail keeps."""

import pytest

from steward.activities.choices import ActivityKind
from steward.activities.services import activity_log
from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.detection.choices import FindingStatus
from steward.detection.models import PersonalDataFinding
from steward.detection.services import finding_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(owner):
    contact = ContactFactory(owner=owner, team=owner.team)
    note = activity_log(
        actor=owner,
        data={"kind": ActivityKind.NOTE, "body": "Recovering from a stroke.", "contact": contact},
    )
    # The evidence is encrypted: found by opening it, not by a query on it.
    (found,) = [
        f for f in PersonalDataFinding.objects.filter(record_id=note.pk) if f.evidence == "stroke"
    ]
    return found


def test_a_reviewer_may_change_their_mind_both_ways(admin, finding):
    finding_review(actor=admin, finding=finding, status=FindingStatus.CONFIRMED)
    finding_review(actor=admin, finding=finding, status=FindingStatus.DISMISSED)
    finding_review(actor=admin, finding=finding, status=FindingStatus.CONFIRMED)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.CONFIRMED
    actions = list(
        AuditEvent.objects.filter(object_id=str(finding.pk)).values_list("action", flat=True)
    )
    assert actions.count("finding.confirmed") == 2 and actions.count("finding.dismissed") == 1


def test_nothing_goes_back_to_suggested(admin, finding):
    with pytest.raises(ValidationFailed):
        finding_review(actor=admin, finding=finding, status=FindingStatus.SUGGESTED)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.SUGGESTED


def test_a_decision_on_a_stale_copy_is_refused(admin, finding):
    stale = PersonalDataFinding.objects.get(pk=finding.pk)
    finding_review(actor=admin, finding=finding, status=FindingStatus.DISMISSED)

    with pytest.raises(Conflict):
        finding_review(actor=admin, finding=stale, status=FindingStatus.CONFIRMED)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED
    assert not AuditEvent.objects.filter(action="finding.confirmed").exists()


@pytest.mark.parametrize("user", ["owner", "colleague", "reader"])
def test_roles_without_special_category_access_may_not_review(request, finding, user):
    with pytest.raises(PermissionDenied):
        finding_review(
            actor=request.getfixturevalue(user), finding=finding, status=FindingStatus.DISMISSED
        )

    finding.refresh_from_db()
    assert (finding.status, finding.reviewed_by) == (FindingStatus.SUGGESTED, None)
