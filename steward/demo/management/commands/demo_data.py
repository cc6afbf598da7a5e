"""`steward demo-data [--contacts N] [--seed S]`: fills the database with an invented
company's CRM (see steward.demo.generator)."""

import time

from django.core.management.base import BaseCommand, CommandError

from steward.demo.generator import demo_data_load


class Command(BaseCommand):
    help = "Add invented staff, organisations, contacts, deals and activities (example.com/org)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--contacts", type=int, default=500, help="How many contacts to add (default 500)."
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for the same data every time."
        )

    def handle(self, *args, contacts: int, seed: int | None, verbosity: int, **options):
        if contacts < 0:
            raise CommandError("--contacts must be zero or more.")
        started = time.monotonic()

        def progress(message: str) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {message}")

        summary = demo_data_load(contacts=contacts, seed=seed, progress=progress)
        if verbosity >= 1:
            self.stdout.write(
                f"Demo data: {summary.contacts} contacts, {summary.organisations} organisations, "
                f"{summary.deals} deals, {summary.activities} activities, "
                f"{summary.consent_events} consent events, "
                f"{summary.staff} new staff ({time.monotonic() - started:.1f}s)."
            )
