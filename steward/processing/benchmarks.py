"""`gate_decision` and `campaign_audience` for `steward bench`: how long one decision of the
processing gate takes, and how fast the gate counts the people who may be emailed for direct
marketing over 1,000,000 contacts (100,000 with --quick), each against a raw-SQL floor over
the same tables in the same run.

The people are written by raw executemany: one real contact, consent state, restriction and
objection are made through the services, and the rest are copies of their rows with the
columns that matter changed, so whatever columns other apps add keep valid values and the
set-up stays a matter of seconds."""

import contextlib
import datetime
import random
import statistics
import uuid
from time import perf_counter

from django.db import connection, transaction
from django.utils import timezone

from steward.bench.raw_rows import insert_rows, row_of
from steward.bench.registry import BenchContext, BenchResult, benchmark, ratio_of_latencies
from steward.children.choices import ChildStatus
from steward.consent.models import ConsentState, Notice, NoticeKind, NoticeVersion
from steward.consent.services import (
    consent_give,
    notice_create,
    notice_version_draft,
    notice_version_publish,
)
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.crypto.keyring import keyring, owner_for
from steward.processing.gate import contacts_allowed, decide
from steward.processing.models import Objection, ObjectionScope, Purpose, Restriction
from steward.processing.selectors import purpose_get
from steward.processing.services import objection_record, restriction_start

BENCH = SystemActor("bench")
PURPOSE = "direct-marketing"
NOTICE_KEY = "bench-marketing-consent"


# -- Writing many people quickly ------------------------------------------------------------


def _db_datetime(moment: datetime.datetime) -> str:
    """A datetime as Django stores it in SQLite (UTC, no offset)."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")


@contextlib.contextmanager
def _indexes_rebuilt_after(model):
    """Drops the table's secondary indexes for a bulk load and creates them again from their
    own SQL afterwards: building an index once is much faster than updating it row by row
    (a bulk load's standard move; the primary key stays)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _, sql in indexes:
                cursor.execute(sql)


class _Rows:
    """Copies of one template row with some columns changed, by column name."""

    def __init__(self, names: list[str], template: list):
        self.names, self.template, self.rows = names, template, []
        self.position = {name: n for n, name in enumerate(names)}

    def add(self, **changes) -> None:
        row = list(self.template)
        for name, value in changes.items():
            row[self.position[name]] = value
        self.rows.append(row)


def _marketing_notice(purpose: Purpose) -> tuple[NoticeVersion, NoticeVersion]:
    """A published consent text covering direct marketing, and a later one of another notice
    that does not (consents recorded under it do not cover the purpose)."""
    versions = []
    for key, statements in (
        (NOTICE_KEY, {purpose: "News and offers by email, about once a month."}),
        (NOTICE_KEY + "-other", {purpose_get("website-analytics"): "Analytics cookies."}),
    ):
        notice = Notice.objects.filter(key=key).first() or notice_create(
            actor=BENCH, key=key, title=key, kind=NoticeKind.CONSENT_TEXT
        )
        version = notice.versions.filter(published_at__isnull=False).first()
        if version is None:
            version = notice_version_draft(
                actor=BENCH, notice=notice, text="Bench consent text.", statements=statements
            )
            notice_version_publish(actor=BENCH, version=version)
        versions.append(version)
    return versions[0], versions[1]


def bench_people(count: int, *, seed: int = 4) -> None:
    """`count` more contacts, about 60% with a consent state for direct marketing (mostly
    given; some withdrawn, refused, expired, past expiry, waiting for renewal or on a notice
    that does not cover it), 2% children (half with a parent's consent), 0.3% restricted,
    0.2% with a lifted restriction, 1% objecting to direct marketing."""
    purpose = purpose_get(PURPOSE)
    covering, other = _marketing_notice(purpose)
    now = timezone.now()
    today = timezone.localdate()
    # The templates: one of each row, made the proper way.
    seed_contact = Contact.objects.create(
        given_name="Bench", family_name="Template", email=f"bench-{uuid.uuid4().hex}@example.org"
    )
    consent_give(
        actor=BENCH, contact=seed_contact, purpose=purpose, notice_version=covering,
        method="web_form", channel="web",
    )  # fmt: skip
    restriction = restriction_start(actor=BENCH, contact=seed_contact, reason="Bench.")
    objection = objection_record(
        actor=BENCH, contact=seed_contact, scope=ObjectionScope.DIRECT_MARKETING
    )
    state = ConsentState.objects.get(contact=seed_contact, purpose=purpose)
    contacts = _Rows(*row_of(Contact, seed_contact.pk))
    states = _Rows(*row_of(ConsentState, state.pk))
    restrictions = _Rows(*row_of(Restriction, restriction.pk))
    objections = _Rows(*row_of(Objection, objection.pk))
    next_state_id = ConsentState.objects.order_by("-id").values_list("id", flat=True).first() + 1

    rng = random.Random(seed)
    stamp = _db_datetime(now)
    valid_until = _db_datetime(now + datetime.timedelta(days=300))
    past = _db_datetime(now - datetime.timedelta(days=3))
    given_at = _db_datetime(now - datetime.timedelta(days=30))
    comes_of_age = (today + datetime.timedelta(days=400)).isoformat()
    base = Contact.objects.count()
    email_field, phone_field = Contact._meta.get_field("email"), Contact._meta.get_field("phone")
    email_index = Contact._meta.get_field("email_index")
    # Set-up shortcut: the copies' addresses are sealed under the template's data key (each
    # bound to its own row), not under a key of their own as a real contact's would be.
    key = keyring().current_key(owner_for("contact", seed_contact.pk))

    def sealed(field, value, pk):
        token = field.seal(value, row_id=uuid.UUID(pk), owner="", key=key)
        return field.get_db_prep_save(token, connection)

    # In id order, so the primary-key index is appended to rather than split at random.
    ids = sorted(uuid.UUID(int=rng.getrandbits(128), version=4).hex for _ in range(count))
    for n, pk in enumerate(ids):
        child = rng.random() < 0.02
        email = f"bench{base + n}@example.org"
        contacts.add(
            id=pk, given_name="Bench", family_name=f"Person {base + n}",
            email=sealed(email_field, email, pk), email_index=email_index.index_of(email),
            phone=sealed(phone_field, "", pk),
            created_at=stamp, updated_at=stamp,
            child_status=ChildStatus.CHILD if child else ChildStatus.ADULT,
            child_status_changes_on=comes_of_age if child else None,
        )  # fmt: skip
        if rng.random() < 0.6:
            roll = rng.random()
            status, expires, renewal, version = "given", valid_until, 0, covering.pk.hex
            if roll < 0.10:
                status = "withdrawn"
            elif roll < 0.13:
                status = "refused"
            elif roll < 0.17:
                status = "expired"
            elif roll < 0.20:
                expires = past  # the expiry job has not run yet
            elif roll < 0.23:
                renewal = 1
            elif roll < 0.25:
                version = other.pk.hex
            states.add(
                id=next_state_id + len(states.rows), contact_id=pk, status=status,
                parental=1 if child and rng.random() < 0.5 else 0, expires_at=expires,
                needs_renewal=renewal, notice_version_id=version, given_at=given_at,
                updated_at=stamp,
            )  # fmt: skip
        roll = rng.random()
        if roll < 0.005:
            restrictions.add(
                id=uuid.uuid4().hex, contact_id=pk, lifted_at=stamp if roll < 0.002 else None
            )
        if rng.random() < 0.01:
            objections.add(id=uuid.uuid4().hex, contact_id=pk)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: a throwaway bench database
    with transaction.atomic(), _indexes_rebuilt_after(Contact):
        for model, rows in (
            (Contact, contacts), (ConsentState, states),
            (Restriction, restrictions), (Objection, objections),
        ):  # fmt: skip
            insert_rows(model, rows.names, rows.rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# -- The raw floors --------------------------------------------------------------------------

_AUDIENCE_SQL = """
SELECT COUNT(*) FROM consent_consentstate s
JOIN contacts_contact c ON c.id = s.contact_id
WHERE s.purpose_id = ? AND s.status = 'given' AND s.needs_renewal = 0
  AND (s.expires_at IS NULL OR s.expires_at > ?)
  AND EXISTS (SELECT 1 FROM consent_noticepurpose np
              WHERE np.notice_version_id = s.notice_version_id AND np.purpose_id = ?)
  AND (s.parental = 1 OR c.child_status != 'child' OR c.child_status_changes_on <= ?)
  AND NOT EXISTS (SELECT 1 FROM processing_restriction r
                  WHERE r.contact_id = c.id AND r.lifted_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM processing_objection o
                  WHERE o.contact_id = c.id AND o.scope = 'direct_marketing')
"""

_DECISION_SQL = """
SELECT c.child_status, c.child_status_changes_on, s.status, s.expires_at, s.needs_renewal,
       s.parental,
       EXISTS (SELECT 1 FROM consent_noticepurpose np
               WHERE np.notice_version_id = s.notice_version_id AND np.purpose_id = ?),
       EXISTS (SELECT 1 FROM processing_restriction r
               WHERE r.contact_id = c.id AND r.lifted_at IS NULL),
       EXISTS (SELECT 1 FROM processing_objection o
               WHERE o.contact_id = c.id AND o.scope = 'direct_marketing')
FROM contacts_contact c
LEFT JOIN consent_consentstate s ON s.contact_id = c.id AND s.purpose_id = ?
WHERE c.id = ?
"""


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@benchmark("gate_decision")
def gate_decision(ctx: BenchContext) -> list[BenchResult]:
    """p50 and p99 of one decide() for direct marketing (purpose read, consent state, notice
    coverage, restriction, objections, deals, special-category mark) for random people of
    a 20,000-contact database (5,000 with --quick); floor: one raw SQL query reading the
    same facts of the person."""
    bench_people(ctx.size(20_000, 5_000), seed=5)
    purpose = purpose_get(PURPOSE)
    ids = list(Contact.objects.values_list("pk", flat=True))
    rng = random.Random(6)
    rounds = ctx.size(3_000, 500)
    picks = [rng.choice(ids) for _ in range(rounds)]
    contacts = {c.pk: c for c in Contact.objects.filter(pk__in=set(picks))}
    raw = connection.connection
    args = [(purpose.pk.hex, purpose.pk.hex, pk.hex) for pk in picks]
    for pk in picks[:50]:  # warm up
        decide(contact=contacts[pk], purpose=PURPOSE)
    values, floors, lookups = [], [], []
    for pk, arg in zip(picks, args, strict=True):
        start = perf_counter()
        decide(contact=contacts[pk], purpose=PURPOSE)
        values.append(perf_counter() - start)
        start = perf_counter()
        raw.execute(_DECISION_SQL, arg).fetchone()
        floors.append(perf_counter() - start)
        # For scale: one ORM point lookup on the same machine at the same moment.
        start = perf_counter()
        Contact.objects.filter(pk=pk).first()
        lookups.append(perf_counter() - start)
    results = []
    for label, q in (("p50", 50), ("p99", 99)):
        value, floor = _percentile(values, q) * 1000, _percentile(floors, q) * 1000
        results.append(
            BenchResult(
                f"gate_decision_{label}", value, "ms", floor, ratio_of_latencies(value, floor)
            )
        )
    print(
        f"  gate_decision: {rounds} decisions; p50 {results[0].value:.3f} ms; one ORM point "
        f"lookup p50 {statistics.median(lookups) * 1000:.3f} ms in the same run"
    )
    return results


@benchmark("campaign_audience")
def campaign_audience(ctx: BenchContext) -> list[BenchResult]:
    """Seconds to count the people who may be emailed for direct marketing over 1,000,000
    contacts (100,000 with --quick) with consent states, restrictions and objections, as
    the gate's one query (contacts_allowed(...).count()); floor: a hand-written SQL count
    of the same rules over the same tables. Best of three runs each."""
    count = ctx.size(1_000_000, 100_000)
    missing = count - Contact.objects.count()
    start = perf_counter()
    if missing > 0:
        bench_people(missing)
    print(f"  campaign_audience: {Contact.objects.count():,} contacts set up in "
          f"{perf_counter() - start:.1f}s")  # fmt: skip
    purpose = purpose_get(PURPOSE)
    now = timezone.now()
    raw = connection.connection
    floor_args = [
        purpose.pk.hex,
        _db_datetime(now),
        purpose.pk.hex,
        timezone.localdate().isoformat(),
    ]
    gate_times, floor_times = [], []
    for _ in range(3):
        start = perf_counter()
        gate_count = contacts_allowed(PURPOSE, at=now).count()
        gate_times.append(perf_counter() - start)
        start = perf_counter()
        floor_count = raw.execute(_AUDIENCE_SQL, floor_args).fetchone()[0]
        floor_times.append(perf_counter() - start)
    if gate_count != floor_count:
        raise RuntimeError(f"The gate counted {gate_count:,}, the raw query {floor_count:,}.")
    value, floor = min(gate_times), min(floor_times)
    print(f"  campaign_audience: {gate_count:,} of {Contact.objects.count():,} may be emailed; "
          f"gate {value:.3f}s, raw {floor:.3f}s")  # fmt: skip
    return [BenchResult("campaign_audience", value, "s", floor, ratio_of_latencies(value, floor))]
