"""Reads of findings. The evidence is shown only to roles allowed to see special-category
data (Art. 9), and only of records they may see; every other role gets nothing of it."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from steward.activities.models import Activity
from steward.audit.reads import audit_read
from steward.contacts.models import Contact, CustomFieldDefinition
from steward.core.actor import Actor, SystemActor
from steward.core.errors import NotFound
from steward.core.scoping import may_see, restrict
from steward.detection.choices import STANDING_STATUSES, FindingStatus
from steward.detection.models import DetectionFailure, PersonalDataFinding
from steward.detection.services import REVIEW_PERMISSION, finding_visible


def may_review(actor: Actor) -> bool:
    """Whether `actor` may see findings' evidence and review them."""
    return isinstance(actor, SystemActor) or actor.can(REVIEW_PERMISSION)


def special_findings_standing() -> QuerySet[PersonalDataFinding]:
    """Special-category findings that count (suggested or confirmed). Its conditions are
    the partial index's own, which SQLite uses only when a query states them."""
    return PersonalDataFinding.objects.filter(special=True).exclude(status=FindingStatus.DISMISSED)


def contacts_holding_special_data() -> QuerySet:
    """Ids of contacts marked as holding special-category data, for a filter such as
    `Contact.objects.filter(pk__in=contacts_holding_special_data())`: an index-only read
    of the partial index, whatever the number of contacts."""
    return special_findings_standing().values("contact_id")


def with_special_data_mark(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """`contacts` annotated with `holds_special_data` (one indexed EXISTS per row)."""
    return contacts.annotate(
        holds_special_data=Exists(special_findings_standing().filter(contact=OuterRef("pk")))
    )


def contact_holds_special_data(contact: Contact) -> bool:
    return special_findings_standing().filter(contact=contact).exists()


@dataclass(frozen=True)
class SpecialDataNotice:
    """What the contact page shows an allowed reviewer: the special-category findings about
    the contact with their evidence, and the fields that could not be scanned."""

    findings: list[PersonalDataFinding]
    dismissed: list[PersonalDataFinding]
    unscanned: int

    @property
    def marked(self) -> bool:
        return bool(self.findings)

    @property
    def pending(self) -> int:
        return sum(1 for f in self.findings if f.status == FindingStatus.SUGGESTED)


def special_data_notice(*, actor: Actor, contact: Contact) -> SpecialDataNotice | None:
    """The notice for `contact`, or None for a role that may not see special-category data
    (it is shown nothing: not the evidence, not that there is any)."""
    if not may_review(actor):
        return None
    if not may_see(contact, actor):
        raise NotFound("No such contact.")
    visible = set(
        restrict(Activity.objects.filter(contact=contact), actor).values_list("pk", flat=True)
    )
    findings = [
        f
        for f in PersonalDataFinding.objects.filter(contact=contact, special=True)
        .select_related("activity", "reviewed_by")
        .order_by("status", "-created_at", "start")
        if f.activity_id is None or f.activity_id in visible
    ]
    labels = dict(CustomFieldDefinition.objects.values_list("key", "label"))
    for finding in findings:
        # Where the evidence is, as the page names it: a custom field by its label.
        key = finding.field_name.removeprefix("custom.")
        finding.field_label = labels.get(key, key) if finding.activity_id is None else ""
    unscanned = DetectionFailure.objects.filter(contact=contact).count()
    audit_read(
        actor=actor,
        what="contact_page.special_category",
        target=contact,
        count=len(findings),
        purpose="special_category.review",
    )
    return SpecialDataNotice(
        findings=[f for f in findings if f.status in STANDING_STATUSES],
        dismissed=[f for f in findings if f.status == FindingStatus.DISMISSED],
        unscanned=unscanned,
    )


def finding_get(*, actor: Actor, pk) -> PersonalDataFinding:
    """One finding of a record `actor` may see; NotFound otherwise (also for roles that may
    not review: to them findings do not exist)."""
    try:
        finding = PersonalDataFinding.objects.select_related("contact", "activity").get(pk=pk)
    except (PersonalDataFinding.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such finding.") from None
    if not may_review(actor) or not finding_visible(finding, actor):
        raise NotFound("No such finding.")
    return finding


def activity_finding_marks(*, actor: Actor, activities: Iterable[Activity]) -> dict[str, list[str]]:
    """activity id -> the sorted detection categories of its standing findings, for the
    timeline's marker; empty for roles that may not review."""
    if not may_review(actor):
        return {}
    ids = [a.pk for a in activities]
    marks: dict[str, set[str]] = {}
    for begin in range(0, len(ids), 500):
        rows = PersonalDataFinding.objects.filter(
            activity_id__in=ids[begin : begin + 500], status__in=STANDING_STATUSES
        ).values_list("activity_id", "category")
        for activity_id, category in rows:
            marks.setdefault(str(activity_id), set()).add(category)
    return {key: sorted(values) for key, values in marks.items()}
