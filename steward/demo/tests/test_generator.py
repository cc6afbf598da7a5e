import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity
from steward.audit.models import AuditEvent
from steward.consent.models import ConsentEvent, ConsentState, ConsentStatus, NoticeVersion
from steward.consent.services import projection_rebuild
from steward.contacts.models import Contact, Organisation
from steward.core import chain
from steward.deals.models import Deal
from steward.demo.generator import demo_data_load
from steward.processing.models import Recipient
from steward.staff.models import User
from steward.staff.roles import Role

# Argon2 is deliberately slow; the demo staff's passwords are not what these tests are about.
pytestmark = pytest.mark.usefixtures("_fast_hashing")


@pytest.fixture
def _fast_hashing():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def test_demo_people_have_invented_addresses_at_example_domains_only(db):
    demo_data_load(contacts=60, seed=7)

    emails = [c.email for c in Contact.objects.all() if c.email]
    assert len(emails) > 40
    assert all(e.endswith(("@example.com", "@example.org")) for e in emails)
    assert all(u.email.endswith("@example.com") for u in User.objects.all())
    assert all(o.domain.endswith(".example.org") for o in Organisation.objects.all())


def test_demo_data_gives_every_role_but_administrator_staff_in_two_teams(db):
    demo_data_load(contacts=10, seed=1)

    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values) - {Role.ADMINISTRATOR}
    assert set(User.objects.values_list("team__name", flat=True)) >= {"North", "South"}


def test_demo_contacts_are_spread_over_the_past_year(db):
    demo_data_load(contacts=300, seed=3)

    now = timezone.now()
    oldest = Contact.objects.order_by("created_at").first().created_at
    months = Contact.objects.annotate(m=TruncMonth("created_at")).values("m").distinct().count()
    assert (now - oldest).days > 150
    assert oldest > now - timezone.timedelta(days=366)
    assert months >= 6


def test_demo_deals_sit_in_several_stages_with_amounts(db):
    demo_data_load(contacts=200, seed=5)

    stages = set(Deal.objects.values_list("stage__outcome", flat=True))
    assert stages == {"open", "won", "lost"}
    assert Deal.objects.filter(amount__lte=0).count() == 0
    assert Deal.objects.filter(stage__outcome="won", closed_at__isnull=True).count() == 0


def test_demo_activities_include_overdue_open_tasks(db):
    demo_data_load(contacts=200, seed=11)

    now = timezone.now()
    tasks = Activity.objects.filter(kind=ActivityKind.TASK)
    assert tasks.filter(completed_at__isnull=True, due_at__lt=now).exists()
    assert tasks.filter(completed_at__isnull=True, due_at__gt=now).exists()
    assert tasks.filter(completed_at__isnull=False).exists()
    assert not tasks.filter(due_at__isnull=True).exists()
    assert set(Activity.objects.values_list("kind", flat=True)) >= {"note", "call", "meeting"}


def test_every_demo_contact_and_activity_has_its_audit_event(db):
    demo_data_load(contacts=50, seed=2)

    audited_contacts = set(
        AuditEvent.objects.filter(action="contact.created").values_list("object_id", flat=True)
    )
    audited_activities = AuditEvent.objects.filter(action="activity.logged").count()
    assert audited_contacts == {str(pk) for pk in Contact.objects.values_list("pk", flat=True)}
    assert audited_activities == Activity.objects.count()
    assert set(AuditEvent.objects.values_list("actor_label", flat=True)) >= {"system:demo"}


def test_demo_data_can_be_loaded_twice_without_duplicates(db):
    demo_data_load(contacts=40, seed=1)
    staff = User.objects.count()

    demo_data_load(contacts=40, seed=1)

    emails = [c.email for c in Contact.objects.all() if c.email]
    assert Contact.objects.count() == 80
    assert len(emails) == len(set(emails))
    assert User.objects.count() == staff


def test_an_existing_administrator_gets_a_share_of_the_demo_records(admin):
    demo_data_load(contacts=200, seed=4)

    assert Contact.objects.filter(owner=admin).exists()


def test_the_command_reports_what_it_added(db, capsys):
    call_command("demo_data", "--contacts", "20", "--seed", "9")

    out = capsys.readouterr().out
    assert "20 contacts" in out
    assert Contact.objects.count() == 20


def test_the_command_rejects_a_negative_count(db):
    with pytest.raises(CommandError, match="--contacts"):
        call_command("demo_data", "--contacts", "-1")

    assert Contact.objects.count() == 0


def test_demo_consent_histories_are_in_a_valid_chain_with_given_withdrawn_and_expired(db):
    demo_data_load(contacts=200, seed=5)

    assert chain.verify(ConsentEvent).ok
    statuses = set(ConsentState.objects.values_list("status", flat=True))
    assert statuses == {ConsentStatus.GIVEN, ConsentStatus.WITHDRAWN, ConsentStatus.EXPIRED}
    assert 40 <= ConsentState.objects.count() <= 100
    published = NoticeVersion.objects.filter(published_at__isnull=False)
    assert {"newsletter-consent", "cookie-banner"} <= set(
        published.values_list("notice__key", flat=True)
    )
    analytics = Recipient.objects.get(name="Example Analytics Inc.")
    assert analytics.transfer_safeguard == "scc"
    assert analytics.cookie_categories.get().key == "analytics"
    # The bulk path's projection is what the ledger says.
    before = sorted(ConsentState.objects.values_list("contact_id", "status", "expires_at"))
    projection_rebuild()
    assert sorted(ConsentState.objects.values_list("contact_id", "status", "expires_at")) == before
