"""The built-in benchmarks: importing contacts and the contact list page."""

import re
import sqlite3
import statistics
import uuid
from pathlib import Path
from time import perf_counter

from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from steward.bench.people import write_people_csv
from steward.bench.registry import (
    BenchContext,
    BenchResult,
    benchmark,
    ratio_of_latencies,
    ratio_of_rates,
)
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.imports import services as imports
from steward.imports.choices import ImportStatus
from steward.staff.models import Team, User
from steward.staff.roles import Role
from steward.staff.services import staff_create, team_create

BENCH_ACTOR = SystemActor("bench")


def bench_staff() -> tuple[User, User]:
    """An importer (marketing) and a viewer (sales) in one team: the viewer sees the
    imported contacts through team scoping, as a sales person would."""
    team = Team.objects.filter(name="Bench").first() or team_create(actor=BENCH_ACTOR, name="Bench")
    users = []
    for email, role in (("bench.importer@example.com", Role.MARKETING),
                        ("bench.viewer@example.com", Role.SALES)):  # fmt: skip
        user = User.objects.filter(email=email).first()
        if user is None:
            user, _ = staff_create(
                actor=BENCH_ACTOR, email=email, role=role, full_name=email, team=team
            )
        users.append(user)
    return users[0], users[1]


def import_file(actor: User, path: Path):
    """The real import path, as the wizard and the command line run it."""
    job = imports.import_job_create_from_path(actor=actor, path=path)
    job = imports.import_job_map(actor=actor, job=job, mapping=job.mapping)
    job = imports.import_job_check(actor=actor, job=job, inline=True)
    job = imports.import_job_start(actor=actor, job=job, inline=True)
    if job.status != ImportStatus.COMPLETED:
        raise RuntimeError(f"The benchmark import failed: {job.message}")
    return job


@benchmark("import_contacts")
def import_contacts(ctx: BenchContext) -> list[BenchResult]:
    """Contacts per second from a CSV file through the whole import (store, detect, map,
    validate, normalise, dedupe, write, audit); floors: raw sqlite3 executemany of the rows
    it wrote into a table of the same columns with a unique email index and a created_at
    index (the foundation's), and into one with every index of the real table (the issue's
    "equivalent table with the same indexes"), WAL, one transaction."""
    count = ctx.size(100_000, 10_000)
    path = write_people_csv(ctx.workdir / "people.csv", count)
    importer, _ = bench_staff()
    before = Contact.objects.count()
    start = perf_counter()
    job = import_file(importer, path)
    elapsed = perf_counter() - start
    if job.created_count != count or Contact.objects.count() - before != count:
        raise RuntimeError(f"Expected {count} new contacts, the import reports {job.message}")
    value = count / elapsed
    floor = raw_insert_rate(ctx.workdir / "floor.sqlite3", full_indexes=False)
    floor_all = raw_insert_rate(ctx.workdir / "floor-all.sqlite3", full_indexes=True)
    print(
        f"  import_contacts: {count:,} rows in {elapsed:.2f}s; raw floor {floor:,.0f} rows/s "
        f"(with all {_index_count()} indexes of the real table: {floor_all:,.0f} rows/s)"
    )
    # Two floors: the foundation's own (a table with only the unique email and created_at
    # indexes, stricter than the issue asks), and the issue's definition, "an equivalent
    # table with the same indexes" (every index the real table has today).
    return [
        BenchResult("import_contacts", value, "contacts/s", floor, ratio_of_rates(value, floor)),
        BenchResult(
            "import_contacts_same_indexes",
            value,
            "contacts/s",
            floor_all,
            ratio_of_rates(value, floor_all),
        ),
    ]


def _contact_schema() -> tuple[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master "
            "WHERE tbl_name = 'contacts_contact' AND sql IS NOT NULL"
        )
        rows = cursor.fetchall()
    table = next(sql for kind, _, sql in rows if kind == "table")
    return table, [sql for kind, _, sql in rows if kind == "index"]


def _index_count() -> int:
    return len(_contact_schema()[1])


def raw_insert_rate(path: Path, *, full_indexes: bool) -> float:
    """Rows per second for inserting every row of the contact table, as stored, into a
    fresh table of the same definition: the fastest the database itself can take them."""
    table, indexes = _contact_schema()
    if not full_indexes:
        indexes = [sql for sql in indexes if "email" in sql and "UNIQUE" in sql] + [
            sql for sql in indexes if '("created_at")' in sql
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM contacts_contact")
        rows = cursor.fetchall()
    database = sqlite3.connect(path, isolation_level=None)
    try:
        # The pragmas Steward's settings give its own connections.
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("PRAGMA synchronous=NORMAL")
        database.execute(table)
        for sql in indexes:
            database.execute(sql)
        placeholders = ", ".join("?" * len(rows[0]))
        start = perf_counter()
        database.execute("BEGIN")
        database.executemany(f"INSERT INTO contacts_contact VALUES ({placeholders})", rows)
        database.execute("COMMIT")
        return len(rows) / (perf_counter() - start)
    finally:
        database.close()


@benchmark("contact_list_page")
def contact_list_page(ctx: BenchContext) -> list[BenchResult]:
    """p50 and p99 latency of GET /contacts/ (page 1, three searches: a family name, the
    start of a given and a family name, a whole email address in capitals; a deep page)
    for a sales user who sees 100k contacts through team scoping; floor: the raw sqlite3
    SELECT of the same 50 rows (by the ids the page showed)."""
    count = ctx.size(100_000, 10_000)
    importer, viewer = bench_staff()
    missing = count - Contact.objects.count()
    if missing > 0:
        path = write_people_csv(ctx.workdir / "more-people.csv", missing, seed=7, start=10**7)
        import_file(importer, path)
    try:
        list_url = reverse("contacts:list")
    except NoReverseMatch:
        raise RuntimeError("The contact list page (contacts:list) does not exist yet.") from None
    sample = Contact.objects.order_by("family_name", "given_name", "id")[count // 3]
    queries = [
        {},
        {"q": sample.family_name},
        {"q": f"{sample.given_name[:3]} {sample.family_name[:4]}"},
        # A whole address, in another case: addresses are found through their blind index
        # (decision 0018), which answers equality only.
        {"q": sample.email.upper()},
        {"page": max(1, (count // 50) * 3 // 4)},
    ]
    # The page links each contact it shows to its detail page, /contacts/<uuid>/.
    contact_link = re.compile(f'href="{re.escape(list_url)}({_UUID})/"')
    rounds = ctx.size(60, 20)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)
    raw = sqlite3.connect(connection.settings_dict["NAME"])
    page_times: list[float] = []
    floor_times: list[float] = []
    try:
        for params in queries:
            for _ in range(3):  # warm caches
                response = client.get(list_url, params)
            ids = list(dict.fromkeys(contact_link.findall(response.content.decode())))
            if response.status_code != 200 or not ids:
                raise RuntimeError(f"GET {list_url} {params} showed no contacts.")
            sql = f"SELECT * FROM contacts_contact WHERE id IN ({', '.join('?' * len(ids))})"
            args = [uuid.UUID(pk).hex for pk in ids]
            for _ in range(rounds):
                start = perf_counter()
                response = client.get(list_url, params)
                page_times.append(perf_counter() - start)
                start = perf_counter()
                found = raw.execute(sql, args).fetchall()
                floor_times.append(perf_counter() - start)
                if response.status_code != 200 or len(found) != len(ids):
                    raise RuntimeError(f"GET {list_url} {params} answered {response.status_code}")
    finally:
        raw.close()
    results = []
    for label, pick in (("p50", _p50), ("p99", _p99)):
        value, floor = pick(page_times) * 1000, pick(floor_times) * 1000
        results.append(
            BenchResult(
                f"contact_list_page_{label}", value, "ms", floor, ratio_of_latencies(value, floor)
            )
        )
    return results


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _p50(values: list[float]) -> float:
    return statistics.median(values)


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]
