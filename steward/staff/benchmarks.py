"""`login` for `steward bench`: the latency of a full password sign-in through the real login
view (throttle checks, Argon2id verification at the production parameters, session creation,
the redirect), against a floor measured in the same run: one raw argon2-cffi verification of
the same hash, which is the part of a sign-in that is slow on purpose."""

import statistics
from time import perf_counter

from argon2 import PasswordHasher
from django.test import Client
from django.urls import reverse

from steward.bench.registry import BenchContext, BenchResult, benchmark, ratio_of_latencies
from steward.core.actor import SystemActor
from steward.staff.hashers import Argon2idPasswordHasher
from steward.staff.models import User
from steward.staff.roles import Role
from steward.staff.services import staff_create

EMAIL = "bench.login@example.com"
PASSWORD = "a bench passphrase nobody uses"


@benchmark("login")
def login(ctx: BenchContext) -> list[BenchResult]:
    """p50 and p99 of POST /login/ with the right password (no session cookie each time), and the
    p50 and p99 of one raw Argon2id verification of the user's stored hash."""
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user, _ = staff_create(
            actor=SystemActor("bench"), email=EMAIL, role=Role.SALES, password=PASSWORD
        )
    # Django stores "argon2" + argon2-cffi's encoded hash ("$argon2id$v=19$m=...").
    stored = user.password.removeprefix("argon2")
    if not stored.startswith("$argon2id$"):
        raise RuntimeError(f"The bench user's hash is not Argon2id: {user.password[:20]}")
    hasher = Argon2idPasswordHasher()
    raw = PasswordHasher(
        time_cost=hasher.time_cost, memory_cost=hasher.memory_cost, parallelism=hasher.parallelism
    )
    url = reverse("login")
    rounds = ctx.size(200, 40)
    login_times: list[float] = []
    floor_times: list[float] = []
    # One client, its cookies dropped before each sign-in: a new Client would load the whole
    # middleware stack (WhiteNoise indexes every static file) inside the timed request.
    client = Client(HTTP_HOST="127.0.0.1")
    for n in range(rounds + 5):
        client.cookies.clear()
        start = perf_counter()
        response = client.post(url, {"username": EMAIL, "password": PASSWORD})
        elapsed = perf_counter() - start
        if response.status_code != 302 or response.url != reverse("dashboard"):
            raise RuntimeError(f"The bench sign-in failed: {response.status_code}")
        start = perf_counter()
        raw.verify(stored, PASSWORD)
        floor = perf_counter() - start
        if n >= 5:  # the first few warm the caches
            login_times.append(elapsed)
            floor_times.append(floor)
    results = []
    for label, pick in (("p50", statistics.median), ("p99", _p99)):
        value, floor = pick(login_times) * 1000, pick(floor_times) * 1000
        results.append(
            BenchResult(f"login_{label}", value, "ms", floor, ratio_of_latencies(value, floor))
        )
    return results


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]
