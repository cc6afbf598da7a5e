"""Throttling of sign-in attempts (passwords and second-factor codes), per account and per
client address, in the shared Django cache (the database cache by default, Redis when
configured), so that every web process sees the same counts.

Each failure is counted while it is younger than the rule's window. Past a rule's free
failures, every further attempt waits a cool-off that doubles with each failure up to a
ceiling, then the counts age out: never a permanent lock-out, which would let anyone lock a
colleague out by typing their address.

Counting must not lose failures when two processes fail at the same moment, and the database
cache's `incr` is a read followed by a write. So each failure claims the next numbered slot
with `cache.add`, which is atomic on both backends (Redis SET NX; a unique key INSERT in the
database cache): two concurrent failures claim two different slots and both count."""

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class ThrottleRule:
    """`free` failures within `window` seconds are allowed; after the n-th failure beyond,
    attempts wait min(base_delay * 2**(n - free), max_delay) seconds."""

    scope: str
    free: int
    base_delay: int
    max_delay: int
    window: int

    def delay_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.base_delay * 2 ** (failures - self.free), self.max_delay)


# One address may try many accounts (a shared office address, or a password spray), so it
# gets more room than one account does.
PASSWORD_ACCOUNT = ThrottleRule("password-account", 5, 30, 15 * 60, 3600)
MFA_ACCOUNT = ThrottleRule("mfa-account", 5, 30, 15 * 60, 3600)
ADDRESS = ThrottleRule("address", 20, 30, 15 * 60, 3600)

# How far past the last counted slot a reader looks for slots claimed concurrently.
_LOOKAHEAD = 4


def account_key(identifier: str) -> str:
    """The throttle key of an account: a hash of the address as typed (normalised), so an
    unknown address is throttled exactly like a known one and no address sits in the cache."""
    return hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]


def _forwarded_client(request, remote: str) -> str:
    """The nearest address in X-Forwarded-For that is not a trusted proxy, if the request
    came through one; "" otherwise (a client talking to us directly cannot pick its address
    by sending the header)."""
    trusted = set(getattr(settings, "STEWARD_TRUSTED_PROXIES", ()))
    if "*" not in trusted and remote not in trusted:
        return ""
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if "*" in trusted or hop not in trusted:
            return hop
    return ""


def client_address(request) -> str:
    """The client's address, or its /64 for IPv6 (one host usually holds a whole /64).
    Behind a reverse proxy: see STEWARD_TRUSTED_PROXIES and STEWARD_CLIENT_IP_HEADER."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "STEWARD_CLIENT_IP_HEADER", "")
    raw = request.headers.get(header, "").split(",")[-1].strip() if header else ""
    raw = raw or _forwarded_client(request, remote) or remote
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _base(rule: ThrottleRule, key: str) -> str:
    return f"steward:throttle:{rule.scope}:{key}"


def _epoch(base: str) -> int:
    return cache.get(f"{base}:epoch") or 0


def _last_slot(base: str, epoch: int) -> tuple[int, float]:
    """The highest claimed slot of this epoch and the time of its failure (0, 0.0 if none)."""
    hint = cache.get(f"{base}:{epoch}:n") or 0
    found, at = 0, 0.0
    if hint:
        at = cache.get(f"{base}:{epoch}:{hint}") or 0.0
        found = hint if at else 0
    start = max(hint, 0) + 1
    ahead = cache.get_many([f"{base}:{epoch}:{n}" for n in range(start, start + _LOOKAHEAD)])
    for n in range(start, start + _LOOKAHEAD):
        if f"{base}:{epoch}:{n}" in ahead:
            found, at = n, ahead[f"{base}:{epoch}:{n}"]
    return found, at


def failures(rule: ThrottleRule, key: str) -> int:
    """How many failures of `key` the rule currently counts."""
    base = _base(rule, key)
    return _last_slot(base, _epoch(base))[0]


def retry_after(rule: ThrottleRule, key: str, *, now: float | None = None) -> int:
    """Seconds until `key` may try again under `rule` (0: now)."""
    now = time.time() if now is None else now
    base = _base(rule, key)
    count, at = _last_slot(base, _epoch(base))
    wait = at + rule.delay_after(count) - now
    return max(0, int(wait + 0.999)) if rule.delay_after(count) else 0


def record_failure(rule: ThrottleRule, key: str, *, now: float | None = None) -> int:
    """Counts one failure; returns the number counted so far."""
    now = time.time() if now is None else now
    base = _base(rule, key)
    epoch = _epoch(base)
    n = (cache.get(f"{base}:{epoch}:n") or 0) + 1
    # add() claims a slot atomically; a slot another process took is skipped, not reused.
    while not cache.add(f"{base}:{epoch}:{n}", now, rule.window):
        n += 1
    # The hint only saves readers some look-ups; a stale one is corrected by the lookahead.
    cache.set(f"{base}:{epoch}:n", n, rule.window)
    return n


def reset(rule: ThrottleRule, key: str) -> None:
    """Forgets the failures of `key` (after a successful sign-in to that account)."""
    base = _base(rule, key)
    cache.set(f"{base}:epoch", time.time_ns(), rule.window)


def retry_after_any(pairs: list[tuple[ThrottleRule, str]]) -> int:
    """The longest wait any of the (rule, key) pairs imposes."""
    return max((retry_after(rule, key) for rule, key in pairs), default=0)
