"""`steward import contacts FILE.csv`: the import wizard on the command line. Prints the
detected format, the mapping, the check's report and progress; exits non-zero when the
import (or, with --dry-run, the check) finds rows with errors in all-or-nothing mode."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from steward.audit.context import audit_context
from steward.core.actor import SystemActor
from steward.core.errors import DomainError
from steward.imports import selectors, services
from steward.imports.choices import DuplicatePolicy, ImportMode, ImportStatus
from steward.imports.management.commands.export import actor_from
from steward.imports.selectors import target_label

PROBLEMS_SHOWN = 20


class Command(BaseCommand):
    help = "Import contacts from a CSV file (all-or-nothing unless --valid-only)."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=["contacts"], help="What to import.")
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="Import the valid rows and skip the rows with errors (default: import "
            "nothing if any row has an error).",
        )
        parser.add_argument(
            "--on-duplicate",
            choices=DuplicatePolicy.values,
            default=DuplicatePolicy.SKIP,
            help="What to do with a row whose email address belongs to an existing contact.",
        )
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help="Act as this staff user (owner of the new contacts); default: the system.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, entity, file, valid_only, on_duplicate, as_email, dry_run, **options):
        actor = actor_from(as_email) if as_email else SystemActor("cli")
        with audit_context(channel="cli"):
            try:
                self._import(actor, file, valid_only, on_duplicate, dry_run)
            except DomainError as error:
                raise CommandError(error.message) from None

    def _import(self, actor, file: Path, valid_only: bool, on_duplicate: str, dry_run: bool):
        job = services.import_job_create_from_path(actor=actor, path=file)
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        self.stdout.write(
            f"{file.name}: {job.encoding}, {names.get(job.delimiter, job.delimiter)}-separated, "
            f"{len(job.headers)} columns"
        )
        for position, header in enumerate(job.headers):
            target = job.mapping.get(str(position))
            into = target_label(target) if target else "(ignored)"
            self.stdout.write(f"  {header:<30} -> {into}")
        job = services.import_job_map(actor=actor, job=job, mapping=job.mapping)
        job = services.import_job_check(actor=actor, job=job, inline=True)
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.message)
        self.stdout.write(
            f"Checked {job.total_rows:,} rows: {job.valid_rows:,} valid, "
            f"{job.invalid_rows:,} with errors, {job.duplicate_rows:,} duplicates."
        )
        self._problems(job)
        blocked = job.invalid_rows and not valid_only
        if dry_run:
            services.import_job_cancel(actor=actor, job=job)
            self.stdout.write("Dry run: nothing was written.")
            if blocked:
                raise CommandError(
                    f"{job.invalid_rows} rows have errors: an import would write nothing "
                    "(use --valid-only to import the valid rows)."
                )
            return
        mode = ImportMode.VALID_ONLY if valid_only else ImportMode.ALL_OR_NOTHING
        job = services.import_job_start(
            actor=actor,
            job=job,
            mode=mode,
            on_duplicate=on_duplicate,
            inline=True,
            on_progress=self._progress,
        )
        if job.status != ImportStatus.COMPLETED:
            raise CommandError(job.message)
        self.stdout.write(self.style.SUCCESS(f"Done: {job.message}"))

    def _problems(self, job) -> None:
        problems = selectors.import_report(job, limit=PROBLEMS_SHOWN)
        for entry in problems:
            if entry["status"] == "exists":
                self.stdout.write(f"  line {entry['line']}: {entry['email']} exists already")
                continue
            for field, messages in entry["errors"].items():
                for message in messages:
                    self.stdout.write(f"  line {entry['line']}: {field}: {message}")
        if len(problems) == PROBLEMS_SHOWN:
            self.stdout.write(f"  ... (first {PROBLEMS_SHOWN} problems shown)")

    def _progress(self, job) -> None:
        self.stdout.write(
            f"  {job.processed_rows:,} / {job.total_rows:,} rows ({job.progress_percent}%)"
        )
