"""Throttling of password attempts: per account and per address, a cool-off that grows then
ends, no hint of which addresses have accounts, and counts shared by every process."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.test import Client
from django.urls import reverse

from steward.staff import login_throttle as throttle
from steward.staff.forms import LOGIN_REFUSED
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]


def _login(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_after_five_wrong_passwords_even_the_right_one_waits(client, owner):
    for _ in range(5):
        assert _login(client, owner.email, "wrong password").status_code == 200

    blocked = _login(client, owner.email)

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert 0 < int(blocked["Retry-After"]) <= 30
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_is_throttled_exactly_like_a_known_one(client, owner):
    answers = {}
    for email in (owner.email, "nobody.here@example.com"):
        for _ in range(5):
            _login(client, email, "wrong password")
        answers[email] = _login(client, email)

    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"]
    assert known.context["refusal"] == unknown.context["refusal"]


def test_a_throttled_attempt_checks_no_password(client, owner, monkeypatch):
    from steward.staff.backends import StaffBackend

    for _ in range(5):
        _login(client, owner.email, "wrong password")
    checked = []
    original = StaffBackend.authenticate
    monkeypatch.setattr(
        StaffBackend,
        "authenticate",
        lambda self, *args, **kwargs: checked.append(1) or original(self, *args, **kwargs),
    )

    assert _login(client, owner.email).status_code == 429
    assert checked == []


def test_a_throttled_account_does_not_block_other_accounts(client, owner, colleague):
    for _ in range(5):
        _login(client, owner.email, "wrong password")

    assert _login(client, colleague.email).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client):
    for n in range(20):
        _login(client, f"sprayed{n}@example.com", "Winter2026!")

    fresh = UserFactory(email="fresh.target@example.com")
    assert _login(client, fresh.email).status_code == 429
    other_address = Client(REMOTE_ADDR="203.0.113.9")
    assert _login(other_address, fresh.email).status_code == 302


def test_a_successful_sign_in_forgets_the_accounts_failures(client, owner):
    for _ in range(4):
        _login(client, owner.email, "wrong password")
    assert _login(client, owner.email).status_code == 302
    client.post(reverse("logout"))

    assert throttle.failures(throttle.PASSWORD_ACCOUNT, throttle.account_key(owner.email)) == 0
    assert _login(client, owner.email, "wrong password").status_code == 200


def test_the_cool_off_doubles_then_stops_growing():
    rule = throttle.PASSWORD_ACCOUNT

    delays = [rule.delay_after(n) for n in range(1, 15)]

    assert delays[:4] == [0, 0, 0, 0]
    assert delays[4:9] == [30, 60, 120, 240, 480]
    assert set(delays[9:]) == {rule.max_delay}


def test_the_cool_off_ends_however_many_failures_there_were():
    key = "never-locked-for-good"
    now = time.time()
    for _ in range(40):
        throttle.record_failure(throttle.PASSWORD_ACCOUNT, key, now=now)

    assert throttle.retry_after(throttle.PASSWORD_ACCOUNT, key, now=now) == 15 * 60
    assert throttle.retry_after(throttle.PASSWORD_ACCOUNT, key, now=now + 15 * 60 + 1) == 0


def test_ipv6_clients_are_counted_by_their_64_prefix():
    one = Client(REMOTE_ADDR="2001:db8:1:2::10")
    two = Client(REMOTE_ADDR="2001:db8:1:2:ffff::1")
    requests = [c.get("/").wsgi_request for c in (one, two)]

    assert {throttle.client_address(r) for r in requests} == {"2001:db8:1:2::/64"}


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts():
    def address(remote, forwarded=None):
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        return throttle.client_address(
            Client(REMOTE_ADDR=remote, headers=headers).get("/").wsgi_request
        )

    assert address("127.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert address("127.0.0.1", "198.51.100.66, 203.0.113.5") == "203.0.113.5"
    assert address("127.0.0.1") == "127.0.0.1"
    # A client reaching the server directly cannot choose its address with the header.
    assert address("198.51.100.1", "203.0.113.5") == "198.51.100.1"


def test_failures_counted_through_one_cache_client_are_seen_through_another():
    # Two separate cache objects on the same table, as two processes would have.
    first, second = DatabaseCache("steward_cache", {}), DatabaseCache("steward_cache", {})
    key = throttle.account_key("shared@example.com")
    original = throttle.cache
    try:
        throttle.cache = first
        for _ in range(5):
            throttle.record_failure(throttle.PASSWORD_ACCOUNT, key)
        throttle.cache = second
        assert throttle.failures(throttle.PASSWORD_ACCOUNT, key) == 5
        assert throttle.retry_after(throttle.PASSWORD_ACCOUNT, key) > 0
    finally:
        throttle.cache = original


_WORKER = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from steward.staff import login_throttle as throttle
    action, count = sys.argv[1], int(sys.argv[2])
    key = throttle.account_key("two.processes@example.com")
    if action == "fail":
        for _ in range(count):
            throttle.record_failure(throttle.PASSWORD_ACCOUNT, key)
    print(throttle.failures(throttle.PASSWORD_ACCOUNT, key),
          throttle.retry_after(throttle.PASSWORD_ACCOUNT, key))
    """
)


def _cache_database(tmp_path) -> dict:
    """An environment whose database (and so cache table) is shared by separate processes:
    a SQLite file, created here."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STEWARD_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=REPO, env=env, check=True)
    return env


def test_failures_from_two_processes_at_once_all_count_and_a_third_process_sees_them(tmp_path):
    env = _cache_database(tmp_path)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, "fail", "6"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=120) == 0

    reader = subprocess.run(
        [sys.executable, "-c", _WORKER, "read", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    count, wait = map(int, reader.stdout.split())
    assert count == 12
    assert wait > 0


@pytest.mark.real_password_hashing
def test_an_unknown_address_takes_as_long_to_refuse_as_a_wrong_password():
    # Both verify one Argon2id hash of the same parameters. The tries alternate between the
    # two addresses, so that load from elsewhere on a shared machine falls on both series;
    # medians of nine each.
    UserFactory(email="timed.user@example.com")
    client = Client(REMOTE_ADDR="198.51.100.7")
    times: dict[str, list[float]] = {"timed.user@example.com": [], "no.such.user@example.com": []}

    for n in range(9):
        for email, series in times.items():
            start = time.perf_counter()
            response = client.post(
                reverse("login"), {"username": email, "password": f"wrong password {n}"}
            )
            series.append(time.perf_counter() - start)
            assert response.status_code == 200
            assert LOGIN_REFUSED in response.content.decode()
            throttle.reset(throttle.PASSWORD_ACCOUNT, throttle.account_key(email))

    known, unknown = (sorted(series)[len(series) // 2] for series in times.values())
    assert 0.6 < unknown / known < 1.6, (known, unknown)
