"""Rate limit of the portal's forms: fixed one-hour windows per client address (and per
email address asked about), counted in the shared cache so every web process counts
together. Stops a script from mailing links to strangers or probing addresses."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def portal_rate_limited(request, *, email: str = "") -> bool:
    limit = settings.STEWARD_PORTAL_RATE_LIMIT
    window = int(timezone.now().timestamp() // 3600)
    address = request.META.get("REMOTE_ADDR", "")
    over = _count(f"portal:ip:{address}:{window}", 7200) > limit
    if email:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        over = _count(f"portal:email:{digest}:{window}", 7200) > limit or over
    return over
