"""Staff roles and what each may do. One table, read by `can()`; the protection work makes
it adjustable by an administrator and adds field-level grants on top."""

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    DPO = "dpo", "Data protection officer"
    MANAGER = "manager", "Manager"
    SALES = "sales", "Sales"
    MARKETING = "marketing", "Marketing"
    SUPPORT = "support", "Support"
    READ_ONLY = "read_only", "Read-only"


_CRM_WRITE = {
    "contacts.add", "contacts.change", "organisations.add", "organisations.change",
    "activities.add", "activities.change", "deals.add", "deals.change",
}  # fmt: skip
_CRM_DELETE = {"contacts.delete", "organisations.delete", "activities.delete", "deals.delete"}

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        _CRM_WRITE | _CRM_DELETE | {"contacts.import", "contacts.export", "staff.manage"}
    ),
    Role.DPO: frozenset({"contacts.export"}),
    Role.MANAGER: frozenset(_CRM_WRITE | _CRM_DELETE | {"contacts.import", "contacts.export"}),
    Role.SALES: frozenset(_CRM_WRITE),
    Role.MARKETING: frozenset(_CRM_WRITE | {"contacts.import", "contacts.export"}),
    Role.SUPPORT: frozenset({"activities.add", "activities.change", "contacts.change"}),
    Role.READ_ONLY: frozenset(),
}

# Roles that see every record whatever STEWARD_RECORD_SCOPE says.
SEES_ALL_RECORDS = frozenset({Role.ADMINISTRATOR, Role.DPO, Role.MANAGER})
