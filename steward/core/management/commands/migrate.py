"""`steward migrate`: Django's migrate, then the database cache table.

The cache (rate limits, one-time markers) lives in the database unless REDIS_URL is set, and
its table is not a migration; creating it here means one command prepares a database."""

from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand


class Command(MigrateCommand):
    help = MigrateCommand.help + " Also creates the database cache table."

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if options["plan"] or options["check_unapplied"] or options["prune"]:
            return
        # Idempotent: skips tables that exist, does nothing for non-database caches.
        call_command(
            "createcachetable",
            database=options["database"],
            verbosity=options["verbosity"],
        )
