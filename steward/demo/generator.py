"""Demo data: an invented company's CRM, so a fresh install has something to look at and the
benchmarks have something to measure.

Teams, staff, tags, organisations and deals go through their services, one by one, as any
write does. Contacts and activities can number in the hundreds of thousands (`steward
demo-data --contacts 100000` for the benchmarks), and one service call per row would take an
hour; they are written in batches with bulk_create, each batch in one transaction with its
audit events (audit_record_many), which is the import path's trade-off too. What the
services would check is true by construction here: the values come from fixed lists,
emails are made unique before insert, and every owner and team exists.

Contacts, deals and activities are spread over the past twelve months so the dashboard's
history has a shape. Their audit events keep the real time of the write."""

import logging
import random
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity
from steward.audit.events import audit_record_many
from steward.children.selectors import consent_ages
from steward.children.status import child_status_for
from steward.contacts.choices import LifecycleStage, Source
from steward.contacts.models import Contact, Organisation, Tag
from steward.contacts.services import organisation_create, tag_get_or_create
from steward.core.actor import SystemActor
from steward.core.errors import Conflict
from steward.deals.choices import StageOutcome
from steward.deals.models import Deal, Stage
from steward.deals.services import deal_create, default_pipeline
from steward.demo import names as demo_names
from steward.demo.consents import demo_consents_load
from steward.detection.services import findings_scan_all
from steward.staff.models import Team, User
from steward.staff.roles import Role
from steward.staff.services import staff_create, team_create

logger = logging.getLogger(__name__)

ACTOR = SystemActor("demo")
BATCH = 2000
_EMAIL_INDEX = Contact._meta.get_field("email_index")
YEAR = timedelta(days=365)

# Roles whose members own customer records in the demo.
_OWNER_ROLES = (Role.SALES, Role.MARKETING, Role.MANAGER, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class DemoSummary:
    """What a demo-data run added."""

    staff: int
    organisations: int
    contacts: int
    deals: int
    activities: int
    consent_events: int = 0


def demo_data_load(
    *,
    contacts: int = 500,
    seed: int | None = None,
    progress: Callable[[str], None] = logger.info,
) -> DemoSummary:
    """Adds invented staff, organisations, `contacts` contacts, deals and activities. Safe to
    run again: teams, staff and tags are reused, new contacts get new addresses."""
    if contacts < 0:
        raise ValueError("contacts must be zero or more")
    rng = random.Random(seed)
    now = timezone.now()
    teams = _teams()
    new_staff = _staff(teams)
    owners = list(User.objects.filter(is_active=True, role__in=_OWNER_ROLES))
    tags = [tag_get_or_create(actor=ACTOR, name=name) for name in demo_names.TAGS]
    progress(f"{len(new_staff)} staff, {len(tags)} tags")

    organisations = _organisations(rng, owners, count=max(3, min(contacts // 8, 1000)))
    progress(f"{len(organisations)} organisations")

    contact_count = _contacts(rng, now, contacts, owners, organisations, tags, progress)
    deals = _deals(rng, now, count=max(3, min(contacts // 4, 1500)) if contacts else 0)
    progress(f"{len(deals)} deals")

    activity_count = _activities(rng, now, deals, progress)
    consent_events = demo_consents_load(rng, now, progress)
    # Activities were written in bulk, past the services that run the detectors on save;
    # the scan does for them what a save would have done.
    findings_scan_all(actor=ACTOR)
    return DemoSummary(
        staff=len(new_staff),
        organisations=len(organisations),
        contacts=contact_count,
        deals=len(deals),
        activities=activity_count,
        consent_events=consent_events,
    )


def _ascii(text: str) -> str:
    """`text` as an email local part: accents dropped, lower case, letters only."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _teams() -> dict[str, Team]:
    teams = {}
    for name in ("North", "South"):
        teams[name] = Team.objects.filter(name=name).first() or team_create(actor=ACTOR, name=name)
    return teams


def _staff(teams: dict[str, Team]) -> list[User]:
    """The demo company's staff. Their passwords are generated and not shown: an
    administrator sets one (`steward changepassword EMAIL`) to log in as them."""
    created = []
    for given, family, role, team_name in demo_names.DEMO_STAFF:
        try:
            user, _password = staff_create(
                actor=ACTOR,
                email=f"{_ascii(given)}.{_ascii(family)}@example.com",
                role=role,
                full_name=f"{given} {family}",
                team=teams.get(team_name),
            )
        except Conflict:
            continue  # created by an earlier run
        created.append(user)
    return created


def _organisations(rng: random.Random, owners: list[User], *, count: int) -> list[Organisation]:
    existing = set(Organisation.objects.values_list("name", flat=True))
    created = []
    for _ in range(count * 3):
        if len(created) == count:
            break
        locale = _locale(rng)
        name = (
            f"{rng.choice(locale.company_words)} {rng.choice(demo_names.COMPANY_NOUNS)} "
            f"{locale.company_suffix}"
        )
        if name in existing:
            continue
        existing.add(name)
        slug = "-".join(_ascii(word) for word in name.split()[:-1])
        domain = f"{slug}.example.org"
        city, postal_prefix = rng.choice(locale.cities)
        owner = rng.choice(owners) if owners else None
        created.append(
            organisation_create(
                actor=ACTOR,
                data={
                    "name": name,
                    "domain": domain,
                    "website": f"https://{domain}/",
                    "industry": rng.choice(demo_names.INDUSTRIES),
                    "street": f"{rng.choice(locale.streets)} {rng.randint(1, 180)}",
                    "postal_code": _postal_code(rng, postal_prefix),
                    "city": city,
                    "country": locale.country,
                    "owner": owner,
                    "team": owner.team if owner else None,
                },
            )
        )
    return created


def _locale(rng: random.Random) -> demo_names.Locale:
    return rng.choices(demo_names.LOCALES, weights=demo_names.LOCALE_WEIGHTS)[0]


def _postal_code(rng: random.Random, prefix: str) -> str:
    if prefix[0].isalpha():  # a UK outward code: add an inward code
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        return f"{prefix} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(3))


def _phone(rng: random.Random, country: str) -> str:
    # Only ranges set aside for fiction, so no real line is ever called: Ofcom's
    # 07700 900000-900999 in the UK, ARCEP's 01 99 00 xx xx in France. Others get none.
    if country == "GB":
        return f"+447700900{rng.randint(0, 999):03d}"
    if country == "FR":
        return f"+3319900{rng.randint(0, 9999):04d}"
    return ""


def _moment_in_past_year(rng: random.Random, now: datetime) -> datetime:
    # Skewed towards the recent past: a CRM that is growing.
    return now - YEAR * (rng.random() ** 1.6)


def _date_of_birth(rng: random.Random, now: datetime) -> date:
    # Mostly working-age adults, and a few teenagers (a student newsletter) so that the
    # Art. 8 badge and the "Children" filter have someone to show.
    years = rng.uniform(12, 18) if rng.random() < 0.05 else rng.uniform(20, 70)
    return (now - timedelta(days=years * 365.25)).date()


def _contacts(
    rng: random.Random,
    now: datetime,
    count: int,
    owners: list[User],
    organisations: list[Organisation],
    tags: list[Tag],
    progress: Callable[[str], None],
) -> int:
    # Addresses are encrypted: what is taken is known by its blind index.
    taken = set(Contact.objects.exclude(email_index="").values_list("email_index", flat=True))
    stages = list(LifecycleStage.values)
    stage_weights = (40, 25, 28, 7)
    sources = list(Source.values)
    source_weights = (30, 15, 20, 5, 10, 15, 5)
    written = 0
    # Written without the contact services, so the Art. 8 status is computed here, by the
    # same function and table they use.
    ages, today = consent_ages(), timezone.localdate(now)
    while written < count:
        size = min(BATCH, count - written)
        batch, when, tagged = [], [], []
        for _ in range(size):
            locale = _locale(rng)
            given, family = rng.choice(locale.given_names), rng.choice(locale.family_names)
            organisation = rng.choice(organisations) if rng.random() < 0.7 else None
            owner = rng.choice(owners) if owners else None
            city, postal_prefix = rng.choice(locale.cities)
            has_address = rng.random() < 0.6
            date_of_birth = _date_of_birth(rng, now) if rng.random() < 0.3 else None
            child = child_status_for(date_of_birth, locale.country, today, ages)
            contact = Contact(
                given_name=given,
                family_name=family,
                email=_unique_email(rng, given, family, taken) if rng.random() < 0.95 else "",
                phone=_phone(rng, locale.country) if rng.random() < 0.7 else "",
                job_title=rng.choice(demo_names.JOB_TITLES) if organisation else "",
                organisation=organisation,
                street=f"{rng.choice(locale.streets)} {rng.randint(1, 180)}" if has_address else "",
                postal_code=_postal_code(rng, postal_prefix) if has_address else "",
                city=city,
                country=locale.country,
                date_of_birth=date_of_birth,
                child_status=child.status,
                child_status_changes_on=child.changes_on,
                language=locale.language,
                lifecycle_stage=rng.choices(stages, weights=stage_weights)[0],
                source=rng.choices(sources, weights=source_weights)[0],
                owner=owner,
                team=owner.team if owner else None,
            )
            batch.append(contact)
            when.append(_moment_in_past_year(rng, now))
            if rng.random() < 0.4:
                tagged.extend((contact, tag) for tag in rng.sample(tags, rng.randint(1, 2)))
        for contact, created_at in zip(batch, when, strict=True):
            contact.created_at = created_at
        with transaction.atomic(), _backdating(Contact):
            Contact.objects.bulk_create(batch, batch_size=500)
            Contact.tags.through.objects.bulk_create(
                [Contact.tags.through(contact=c, tag=t) for c, t in tagged], batch_size=1000
            )
            audit_record_many(
                actor=ACTOR,
                action="contact.created",
                targets=batch,
                context={"via": "demo-data"},
            )
        written += size
        progress(f"{written} of {count} contacts")
    return written


@contextmanager
def _backdating(model: type[Model]) -> Iterator[None]:
    """Lets bulk_create keep the created_at set on each object. auto_now_add would stamp
    them all with the current time, and rewriting 100,000 rows afterwards costs as much as
    writing them; the switch is process-local and restored on the way out."""
    field = model._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _unique_email(rng: random.Random, given: str, family: str, taken: set[str]) -> str:
    """An address no contact has yet; `taken` holds the blind indexes of those in use."""
    base = f"{_ascii(given)}.{_ascii(family)}"
    domain = rng.choice(("example.com", "example.org"))
    email = f"{base}@{domain}"
    while (index := _EMAIL_INDEX.index_of(email)) in taken:
        email = f"{base}{rng.randint(2, 99999)}@{domain}"
    taken.add(index)
    return email


def _deals(rng: random.Random, now: datetime, *, count: int) -> list[Deal]:
    pipeline = default_pipeline(actor=ACTOR)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    weights = [
        {StageOutcome.WON: 25, StageOutcome.LOST: 12}.get(stage.outcome, 15) for stage in stages
    ]
    candidates = list(
        Contact.objects.filter(organisation__isnull=False)
        .select_related("organisation", "owner", "team")
        .order_by("-created_at")[: count * 4]
    )
    if not candidates:
        return []
    deals = []
    for contact in rng.sample(candidates, min(count, len(candidates))):
        stage = rng.choices(stages, weights=weights)[0]
        opened = max(contact.created_at, _moment_in_past_year(rng, now))
        open_for = timedelta(days=rng.randint(7, 120))
        closes = min(now, opened + open_for)
        deal = deal_create(
            actor=ACTOR,
            data={
                "title": f"{rng.choice(demo_names.DEAL_PRODUCTS)} – {contact.organisation.name}",
                "stage": stage,
                # Most deals are a few thousand, a few are large (log-normal, median ~11k).
                "amount": Decimal(max(500, round(rng.lognormvariate(9.3, 1.0), -2))),
                "currency": "GBP" if contact.country == "GB" else "EUR",
                "expected_close_date": (
                    (now + timedelta(days=rng.randint(5, 120))).date()
                    if stage.outcome == StageOutcome.OPEN
                    else closes.date()
                ),
                "contact": contact,
                "organisation": contact.organisation,
                "owner": contact.owner,
                "team": contact.team,
            },
        )
        deal.created_at = opened
        if deal.closed_at is not None:
            deal.closed_at = closes
        deals.append(deal)
    # Backdated so the history (won per month, deal age) looks lived-in.
    Deal.objects.bulk_update(deals, ["created_at", "closed_at"], batch_size=500)
    return deals


def _activities(
    rng: random.Random, now: datetime, deals: list[Deal], progress: Callable[[str], None]
) -> int:
    written = 0
    kinds = [ActivityKind.NOTE, ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.TASK]
    kind_weights = (35, 25, 15, 25)
    deal_of_contact = {deal.contact_id: deal for deal in deals}
    # Only this run's contacts (they have no activities yet), newest first.
    contacts = (
        Contact.objects.filter(activities__isnull=True)
        .values_list("id", "created_at", "owner_id", "team_id")
        .order_by("-created_at")
    )
    batch: list[Activity] = []
    for contact_id, created_at, owner_id, team_id in contacts.iterator(chunk_size=BATCH):
        for _ in range(rng.choices((0, 1, 2, 3), weights=(20, 35, 28, 17))[0]):
            kind = rng.choices(kinds, weights=kind_weights)[0]
            occurred = created_at + (now - created_at) * rng.random()
            activity = Activity(
                kind=kind,
                contact_id=contact_id,
                deal=deal_of_contact.get(contact_id) if rng.random() < 0.5 else None,
                occurred_at=occurred,
                author_id=owner_id,
                owner_id=owner_id,
                team_id=team_id,
            )
            _describe(rng, now, activity)
            batch.append(activity)
        if len(batch) >= BATCH:
            written += _write_activities(batch)
            progress(f"{written} activities")
            batch = []
    if batch:
        written += _write_activities(batch)
        progress(f"{written} activities")
    return written


def _describe(rng: random.Random, now: datetime, activity: Activity) -> None:
    """Fills in subject, body and, for a task, its due date: a quarter of open tasks are
    overdue, so the dashboard has something to warn about."""
    match activity.kind:
        case ActivityKind.NOTE:
            lines = (
                demo_names.SENSITIVE_NOTE_LINES if rng.random() < 0.04 else demo_names.NOTE_LINES
            )
            activity.body = rng.choice(lines)
        case ActivityKind.CALL:
            activity.subject = rng.choice(demo_names.CALL_SUBJECTS)
            activity.body = rng.choice(demo_names.NOTE_LINES)
        case ActivityKind.MEETING:
            activity.subject = rng.choice(demo_names.MEETING_SUBJECTS)
            activity.body = rng.choice(demo_names.NOTE_LINES)
        case ActivityKind.TASK:
            activity.subject = rng.choice(demo_names.TASK_SUBJECTS)
            state = rng.random()
            if state < 0.35:  # done
                activity.due_at = activity.occurred_at + timedelta(days=rng.randint(1, 14))
                activity.completed_at = min(now, activity.due_at)
            elif state < 0.55:  # overdue
                activity.due_at = now - timedelta(days=rng.randint(0, 14), hours=rng.randint(2, 20))
                activity.occurred_at = activity.due_at - timedelta(days=rng.randint(2, 21))
            else:  # coming up
                activity.occurred_at = now - timedelta(days=rng.randint(0, 10))
                activity.due_at = now + timedelta(days=rng.randint(0, 21), hours=rng.randint(1, 8))


def _write_activities(batch: list[Activity]) -> int:
    with transaction.atomic():
        Activity.objects.bulk_create(batch, batch_size=500)
        audit_record_many(
            actor=ACTOR, action="activity.logged", targets=batch, context={"via": "demo-data"}
        )
    return len(batch)
