"""`steward verify-ledger`: verifies every hash chain (the audit trail, the consent ledger,
any later one) row by row and against its signed checkpoints. Prints a line per chain; exits
with status 1 naming the first bad row when anything was edited, deleted, reordered or cut off
behind the application's back."""

from django.core.management.base import BaseCommand, CommandError

from steward.audit.ledger import ledger_checkpoints_sign, ledger_verify
from steward.core.actor import SystemActor


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit trail and the consent ledger, and their checkpoints."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="Afterwards, sign a checkpoint of every chain that verified and grew.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=(
                "Processes that read a long chain at once, each a range of it (default: one "
                "per CPU for a chain of 100,000 rows per CPU or more; 1: this process only)."
            ),
        )

    def handle(self, *args, **options):
        workers = options["workers"]
        if workers is not None and workers < 1:
            raise CommandError(f"--workers must be 1 or more, not {workers}.")
        reports = ledger_verify(workers=workers)
        for report in reports:
            chain = report.chain
            status = "ok" if report.ok else "BROKEN"
            self.stdout.write(
                f"{chain.table}: {chain.rows} rows, head {chain.head_seq} "
                f"{chain.head_hash[:16]}, {report.checkpoints} checkpoints, {status}"
            )
        bad = next((report for report in reports if not report.ok), None)
        if bad is not None:
            seq = f" at seq {bad.chain.first_bad_seq}" if not bad.chain.ok else ""
            raise CommandError(f"{bad.chain.table}{seq}: {bad.problem}", returncode=1)
        if options["checkpoint"]:
            for checkpoint in ledger_checkpoints_sign(actor=SystemActor("cli:verify-ledger")):
                self.stdout.write(f"Signed a checkpoint of {checkpoint.table} at {checkpoint.seq}.")
