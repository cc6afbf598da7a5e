"""`steward erasure replay`: after restoring a backup, erase again everyone erased since."""

from django.core.management.base import BaseCommand

from steward.erasure.services import erasure_journal_replay


class Command(BaseCommand):
    help = "Erasure journal: `replay` erases again, after a restore, everyone it lists."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["replay"])

    def handle(self, *args, action: str, **options):
        erased = erasure_journal_replay()
        self.stdout.write(f"Erasure journal replayed: {erased} person(s) erased again.")
