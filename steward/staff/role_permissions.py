"""What each role may do: the defaults in code (steward.staff.roles.PERMISSIONS) with the
administrator's changes applied (RolePermission rows), read by `User.can()`.

`can()` runs many times per request, so the changes are read once and kept in memory for
CACHE_SECONDS: a change made in one process reaches every other web and worker process
within that time (the process that made it sees it at once)."""

from __future__ import annotations

import threading
import time

from django.db import transaction

from steward.audit.events import audit_record
from steward.core.actor import Actor
from steward.core.errors import ValidationFailed
from steward.core.permissions import require
from steward.staff.roles import PERMISSIONS, Role

CACHE_SECONDS = 5.0

# What each permission lets a role do, as the settings page says it. Every permission the
# default table uses is here (a test checks it): it is the list an administrator picks from.
PERMISSION_LABELS: dict[str, str] = {
    "contacts.add": "Add contacts",
    "contacts.change": "Change contacts",
    "contacts.delete": "Delete contacts",
    "contacts.import": "Import contacts",
    "contacts.export": "Export contacts",
    "organisations.add": "Add organisations",
    "organisations.change": "Change organisations",
    "organisations.delete": "Delete organisations",
    "activities.add": "Log activities",
    "activities.change": "Change activities",
    "activities.delete": "Delete activities",
    "deals.add": "Add deals",
    "deals.change": "Change deals",
    "deals.delete": "Delete deals",
    "special_category.view": "See special-category data (Art. 9) and review findings",
    "criminal.view": "See criminal-offence data (Art. 10)",
    "children.view": "See children's data (Art. 8)",
    "national_id.view": "See national identifiers",
    "inventory.view": "See the data map",
    "inventory.manage": "Extend the data taxonomy",
    "processing.view": "See the register of processing",
    "processing.manage": "Keep the register of processing and its recipients",
    "consent.record": "Record consents given or withdrawn",
    "consent.manage": "Keep privacy notices and consent texts",
    "objections.record": "Record objections (Art. 21)",
    "objections.decide": "Decide objections",
    "restrictions.manage": "Start and lift restrictions (Art. 18)",
    "campaigns.manage": "Compose and send marketing campaigns",
    "rights.view": "See privacy requests (Art. 15-21)",
    "rights.manage": "Handle privacy requests: verify, extend, refuse, carry out",
    "staff.manage": "Manage staff, roles, teams and settings",
    "security.view": "See security events (unusual access to personal data)",
    "audit.view": "See the history of records (who changed what, old and new values)",
}

# Changes that would lock everyone out of the settings: refused.
_LOCKED = {(Role.ADMINISTRATOR.value, "staff.manage")}

_lock = threading.Lock()
_cache: tuple[float, dict[str, frozenset[str]]] | None = None


def known_permissions() -> list[str]:
    """Every permission an administrator can give or take, in the settings page's order."""
    return list(PERMISSION_LABELS)


def _computed() -> dict[str, frozenset[str]]:
    from steward.staff.models import RolePermission

    effective = {role.value: set(PERMISSIONS.get(role, frozenset())) for role in Role}
    for role, permission, granted in RolePermission.objects.values_list(
        "role", "permission", "granted"
    ):
        if role not in effective or (role, permission) in _LOCKED:
            continue
        (effective[role].add if granted else effective[role].discard)(permission)
    return {role: frozenset(permissions) for role, permissions in effective.items()}


def role_permissions(role: str) -> frozenset[str]:
    """The permissions `role` holds now."""
    global _cache
    now = time.monotonic()
    cached = _cache
    if cached is None or now - cached[0] > CACHE_SECONDS:
        with _lock:
            cached = _cache = (now, _computed())
    return cached[1].get(role, frozenset())


def role_permissions_forget() -> None:
    """Drops this process's copy (after a change, and between tests)."""
    global _cache
    _cache = None


def role_permissions_set(*, actor: Actor, role: str, permissions: set[str]) -> frozenset[str]:
    """Sets what `role` may do to `permissions`: stored as the differences from the role's
    defaults, so a later release's new defaults still reach roles nobody changed."""
    require(actor, "staff.manage")
    if role not in Role.values:
        raise ValidationFailed(f"Unknown role {role!r}.", field_errors={"role": ["Unknown role."]})
    unknown = sorted(set(permissions) - set(PERMISSION_LABELS))
    if unknown:
        raise ValidationFailed(
            f"Unknown permission: {', '.join(unknown)}.",
            field_errors={"permissions": [f"Unknown: {', '.join(unknown)}."]},
        )
    for locked_role, permission in _LOCKED:
        if role == locked_role and permission not in permissions:
            raise ValidationFailed(
                f"The {Role(role).label} role keeps '{PERMISSION_LABELS[permission]}': "
                "without it nobody could change roles again.",
                field_errors={"permissions": ["This permission cannot be taken away."]},
            )
    from steward.staff.models import RolePermission

    defaults = PERMISSIONS.get(Role(role), frozenset())
    wanted = frozenset(permissions)
    with transaction.atomic():
        role_permissions_forget()
        before = role_permissions(role)
        RolePermission.objects.filter(role=role).delete()
        RolePermission.objects.bulk_create(
            [RolePermission(role=role, permission=p, granted=True) for p in wanted - defaults]
            + [RolePermission(role=role, permission=p, granted=False) for p in defaults - wanted]
        )
        if before != wanted:
            audit_record(
                actor=actor,
                action="role.permissions_changed",
                object_type="staff.role",
                object_id=role,
                changes={
                    "granted": [None, sorted(wanted - before)],
                    "revoked": [None, sorted(before - wanted)],
                },
            )
        transaction.on_commit(role_permissions_forget)
    role_permissions_forget()
    return wanted
