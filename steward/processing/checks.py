"""System checks on the register: an active purpose without a lawful basis, on legitimate
interests without an assessment, or holding special-category data without an Art. 9(2)
condition fails `steward check --database default` (and `migrate`, which runs the database
checks). The services refuse all three; these catch what reached the tables another way (a
direct edit, an old backup) or what a change of the taxonomy caused (a special category
added inside one a purpose lists).

They read the database, so they are tagged `database`: a plain `steward check` (which may
run with no database at all) skips them; a database that is missing or not migrated yet is
skipped too, never reported as a gap."""

from django.core import checks
from django.db import DatabaseError

from steward.processing.models import LawfulBasis, Purpose


def register_gaps(purposes, taxonomy) -> list[checks.CheckMessage]:
    """The compliance gaps of these purposes, judged against this taxonomy (key -> row)."""
    from steward.processing.selectors import special_categories_in

    errors: list[checks.CheckMessage] = []
    for purpose in purposes:
        where = f"Purpose {purpose.key!r} ({purpose.name})"
        if purpose.lawful_basis not in LawfulBasis.values:
            errors.append(
                checks.Error(
                    f"{where} is active without a lawful basis.",
                    hint="Set its lawful basis (Art. 6(1)(a)-(f)) at /processing/, or "
                    "deactivate it.",
                    id="steward.E030",
                )
            )
        elif (
            purpose.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS
            and not (purpose.legitimate_interest_assessment or "").strip()
        ):
            errors.append(
                checks.Error(
                    f"{where} rests on legitimate interests without an assessment.",
                    hint="Write its legitimate-interest assessment (Art. 6(1)(f)) at /processing/.",
                    id="steward.E031",
                )
            )
        special = special_categories_in(purpose.data_categories or [], taxonomy)
        if special and not purpose.art9_condition:
            errors.append(
                checks.Error(
                    f"{where} processes special-category data ({', '.join(special)}) "
                    "without an Art. 9(2) condition.",
                    hint="Choose its Art. 9(2) condition at /processing/, or remove the "
                    "special categories from it.",
                    id="steward.E032",
                )
            )
    return errors


@checks.register("steward", checks.Tags.database)
def check_register(app_configs=None, databases=None, **kwargs):
    from steward.inventory.models import DataCategory

    errors: list[checks.CheckMessage] = []
    for alias in databases or ():
        try:
            purposes = list(Purpose.objects.using(alias).filter(active=True))
            taxonomy = {row.key: row for row in DataCategory.objects.using(alias)}
        except DatabaseError:
            continue  # no database yet, or not migrated: nothing to judge
        errors += register_gaps(purposes, taxonomy)
    return errors
