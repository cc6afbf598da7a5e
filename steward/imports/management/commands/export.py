"""`steward export contacts`: every field of the contacts the actor may see and the
processing gate allows for the export's purpose, as CSV or JSON, to stdout or a file; who was
left out and why goes to stderr. Audited like an export from the web."""

import sys

from django.core.management.base import BaseCommand, CommandError

from steward.audit.context import audit_context
from steward.contacts.selectors import ContactFilters
from steward.core.actor import Actor, SystemActor
from steward.core.errors import DomainError
from steward.imports.exports import DEFAULT_EXPORT_PURPOSE, FORMATS, contacts_export
from steward.processing.gate import exclusion_summary
from steward.staff.models import User


def actor_from(email: str) -> Actor:
    """The active staff user with this address (commands' --as)."""
    try:
        return User.objects.get(email=email.strip().lower(), is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"No active staff user with the email address {email}.") from None


class Command(BaseCommand):
    help = "Export contacts as CSV or JSON (to stdout unless --output)."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=["contacts"], help="What to export.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write here, not to stdout.")
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help="Export what this staff user may see; default: the system (everything).",
        )
        parser.add_argument(
            "--purpose",
            default=DEFAULT_EXPORT_PURPOSE,
            help="What the export is for (a purpose key of the register); only the people "
            f"the processing gate allows for it are exported. Default: {DEFAULT_EXPORT_PURPOSE}.",
        )
        parser.add_argument("--search", default="")
        parser.add_argument("--lifecycle-stage", default="")
        parser.add_argument("--tag", default="")
        parser.add_argument("--country", default="")

    def handle(self, *args, entity, format, output, as_email, purpose, **options):
        actor = actor_from(as_email) if as_email else SystemActor("cli")
        filters = ContactFilters(
            search=options["search"],
            lifecycle_stage=options["lifecycle_stage"],
            tag=options["tag"],
            country=options["country"],
        )
        with audit_context(channel="cli"):
            try:
                if output:
                    with open(output, "w", encoding="utf-8", newline="") as stream:
                        export = contacts_export(
                            actor=actor,
                            filters=filters,
                            format=format,
                            purpose=purpose,
                            stream=stream,
                        )
                    noun = "contact" if export.count == 1 else "contacts"
                    sys.stderr.write(
                        f"Exported {export.count:,} {noun} for {purpose} to {output}.\n"
                    )
                else:
                    export = contacts_export(
                        actor=actor,
                        filters=filters,
                        format=format,
                        purpose=purpose,
                        stream=_Raw(self.stdout),
                    )
                if export.excluded:
                    sys.stderr.write(exclusion_summary(export.excluded) + ".\n")
            except DomainError as error:
                raise CommandError(error.message) from None


class _Raw:
    """Writes chunks to the command's stdout as they are (no added line endings)."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")
