"""Who can see a field: the data map's column, derived from the role table.

Access is per model (`roles.RECORD_READ`, the roles' permissions as an administrator set
them, the record scope); values of guarded categories inside a readable record are masked
for roles without the grant (steward.inventory.field_access)."""

from dataclasses import dataclass

from django.conf import settings

from steward.staff.role_permissions import role_permissions
from steward.staff.roles import RECORD_READ, SEES_ALL_RECORDS, Role

# How far a reader reads: every record, their own and their team's, or their own.
ALL, TEAM, OWN = "all", "team", "own"
_REACH_TEXT = {ALL: "all records", TEAM: "own and team's records", OWN: "own records"}


@dataclass(frozen=True)
class Reader:
    """A role that can read a field, and how many of the records holding it."""

    role: str
    records: str

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def _read_rule(model_label: str, field_name: str) -> tuple[str | None, str]:
    # A custom field ("custom.shoe_size") is read with the field that holds it.
    field_name = field_name.split(".", 1)[0]
    rule = RECORD_READ.get(f"{model_label}.{field_name}") or RECORD_READ.get(model_label)
    if rule is None:
        # Unknown means unprotected by anything Steward can point to: say no one rather
        # than guess; a test fails on every model missing from RECORD_READ.
        return None, "none"
    return rule


def who_can_see(model_label: str, field_name: str) -> tuple[Reader, ...]:
    """The roles that can read `field_name` of `model_label`'s records, in the role
    table's order, each with how far it reads."""
    permission, reach = _read_rule(model_label, field_name)
    if reach == "none":
        return ()
    readers = []
    for role in Role:
        if permission is not None and permission not in role_permissions(role.value):
            continue
        if reach == "scoped":
            scope = settings.STEWARD_RECORD_SCOPE
            if scope == "all" or role in SEES_ALL_RECORDS:
                records = ALL
            else:
                records = OWN if scope == "owner" else TEAM
        elif reach == "own":
            records = ALL if "staff.manage" in role_permissions(role.value) else OWN
        else:
            records = ALL
        readers.append(Reader(role=role.value, records=records))
    return tuple(readers)


def readers_text(readers: tuple[Reader, ...]) -> str:
    """ "Administrator, Manager (all records); Sales (own and team's records)"."""
    if not readers:
        return "No role: no page or API shows it"
    groups: dict[str, list[str]] = {}
    for reader in readers:
        groups.setdefault(reader.records, []).append(reader.role_label)
    return "; ".join(
        f"{', '.join(roles)} ({_REACH_TEXT[reach]})" for reach, roles in groups.items()
    )
