"""Benchmarks of the rights actions: `access_export` and `erasure` of one person in a small
database (10,000 contacts) and a large one (1,000,000; 100,000 with --quick), each contact
with an activity; 400 people measured at each size, in eight rounds that alternate between
the two databases (each round after 5 people not counted: warm-up).
Reported: p50 and p99 at each size and the large/small p99 ratio (issue 7's
goals: p99 <= 50 ms for access, <= 100 ms for erasure, ratio <= 1.5). The floor of each line
is a raw SQL read (or delete) of the same person's contact and activity rows."""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from pathlib import Path
from time import perf_counter

from django.db import connection, transaction

from steward.activities.models import Activity
from steward.activities.services import activity_log
from steward.bench.raw_rows import db_id, insert_rows, row_of
from steward.bench.registry import BenchContext, BenchResult, benchmark, ratio_of_latencies
from steward.contacts.models import Contact
from steward.contacts.services import contact_create
from steward.core.actor import SystemActor
from steward.erasure.services import erasure_execute
from steward.processing.benchmarks import bench_people
from steward.rights.access_export import access_export

BENCH = SystemActor("bench")
SAMPLES = 400  # per size, in ROUNDS alternating rounds
ROUNDS = 8
# Not counted: the first calls load templates and modules and fill the key and statement
# caches, which a running server has done long before.
WARM_UP = 5


def _activities_for_everyone() -> None:
    """One activity per contact that has none, copied raw from a template row (the copies
    are never decrypted: they only give the table its size and its indexes their depth)."""
    owner = contact_create(actor=BENCH, data={"given_name": "Template", "email": ""})
    template = activity_log(
        actor=BENCH, data={"kind": "note", "body": "Template note.", "contact": owner}
    )
    names, row = row_of(Activity, template.pk)
    position = {name: n for n, name in enumerate(names)}
    missing = Contact.objects.filter(activities__isnull=True).values_list("pk", flat=True)
    rows = []
    for contact_id in missing.iterator(chunk_size=10_000):
        copy = list(row)
        copy[position["id"]] = uuid.uuid4().hex
        copy[position["contact_id"]] = db_id(Contact, contact_id)
        rows.append(copy)
    with transaction.atomic():
        insert_rows(Activity, names, rows)


def _sample_people(count: int, tag: str) -> list[Contact]:
    people = []
    for n in range(count):
        contact = contact_create(
            actor=BENCH,
            data={
                "given_name": "Sample",
                "family_name": f"{tag}{n}",
                "email": f"sample.{tag}.{n}@example.org",
            },
        )
        for text in ("Called about the order.", "Sent the quote.", "Meeting notes."):
            activity_log(actor=BENCH, data={"kind": "note", "body": text, "contact": contact})
        people.append(contact)
    return people


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def _floor_read(pk) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM contacts_contact WHERE id = %s", [db_id(Contact, pk)])
        cursor.fetchall()
        cursor.execute(
            "SELECT * FROM activities_activity WHERE contact_id = %s", [db_id(Contact, pk)]
        )
        cursor.fetchall()


def _use_database(path: str) -> None:
    """Points the default connection at another database file (the bench's throwaway ones)."""
    connection.close()
    connection.settings_dict["NAME"] = path


def _measure(tag: str, count: int, samples: dict[str, list[float]]) -> None:
    """Measures `count` people (after WARM_UP not counted: a switch of database files leaves
    the connection's page cache cold) into `samples`."""
    for contact in _sample_people(WARM_UP, f"{tag}w"):
        access_export(actor=BENCH, contact=contact)
        erasure_execute(actor=BENCH, contact=contact, reason="benchmark warm-up")
    people = _sample_people(count, tag)
    for contact in people:
        start = perf_counter()
        access_export(actor=BENCH, contact=contact)
        samples["access"].append(perf_counter() - start)
        start = perf_counter()
        _floor_read(contact.pk)
        samples["access_floor"].append(perf_counter() - start)
    for contact in people:
        start = perf_counter()
        erasure_execute(actor=BENCH, contact=contact, reason="benchmark")
        samples["erasure"].append(perf_counter() - start)
        start = perf_counter()
        _floor_read(contact.pk)  # the same look-ups a delete needs, on a now missing person
        samples["erasure_floor"].append(perf_counter() - start)


def _figures(samples: dict[str, list[float]]) -> dict[str, tuple[float, float, float, float]]:
    return {
        name: (*_percentiles(samples[name]), *_percentiles(samples[f"{name}_floor"]))
        for name in ("access", "erasure")
    }


def _results(name: str, small: tuple, large: tuple, small_n: int, large_n: int) -> list:
    results = []
    for label, figures, n in (("small", small, small_n), ("large", large, large_n)):
        p50, p99, floor50, floor99 = figures
        results.append(
            BenchResult(f"{name}_{label}_p50", p50, "ms", floor50, ratio_of_latencies(p50, floor50))
        )
        results.append(
            BenchResult(f"{name}_{label}_p99", p99, "ms", floor99, ratio_of_latencies(p99, floor99))
        )
        print(f"  {name} at {n:,} contacts: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    growth = large[1] / small[1] if small[1] else 0.0
    results.append(BenchResult(f"{name}_p99_growth", growth, "x", 1.0, 1 / growth if growth else 0))
    print(f"  {name}: p99 at {large_n:,} / p99 at {small_n:,} = {growth:.2f}")
    return results


@benchmark("access_export_and_erasure")
def access_export_and_erasure(ctx: BenchContext) -> list[BenchResult]:
    """access_export and erasure_execute of one person, p50/p99, at 10,000 and at 1,000,000
    contacts (100,000 with --quick), and how their p99 grows with the database."""
    small_n, large_n = 10_000, ctx.size(1_000_000, 100_000)
    bench_people(small_n, seed=11)
    _activities_for_everyone()
    # The small database is kept as a file of its own, so that the two sizes are measured
    # in alternating rounds: a burst of load from elsewhere on a shared machine then falls
    # on both, not on whichever size happened to be measured during it.
    large_path = str(connection.settings_dict["NAME"])
    small_path = str(Path(large_path).with_name("small.sqlite3"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("VACUUM INTO %s", [small_path])
    bench_people(large_n - small_n, seed=12)
    _activities_for_everyone()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    samples = {label: defaultdict(list) for label in ("small", "large")}
    try:
        for round_ in range(ROUNDS):
            for label, path in (("small", small_path), ("large", large_path)):
                _use_database(path)
                _measure(f"{label[0]}{round_}", SAMPLES // ROUNDS, samples[label])
    finally:
        _use_database(large_path)
    small, large = _figures(samples["small"]), _figures(samples["large"])
    return _results("access_export", small["access"], large["access"], small_n, large_n) + (
        _results("erasure", small["erasure"], large["erasure"], small_n, large_n)
    )
