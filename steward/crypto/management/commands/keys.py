"""`steward keys`: the state of the encryption keys, master key rotation and retirement,
and the re-encryption pass.

    steward keys status            master keys, data keys per master key and state, checks
    steward keys rotate            new master key (file provider) and re-wrap every data key;
                                   after a crash, running it again finishes the rotation
    steward keys retire mk-1       forget an old master key no data key needs any more
    steward keys reencrypt         re-encrypt values not under their owner's current key"""

from django.core.management.base import BaseCommand, CommandError

from steward.audit.context import audit_context
from steward.core.actor import SystemActor
from steward.core.errors import DomainError
from steward.crypto.errors import CryptoError
from steward.crypto.selectors import key_status
from steward.crypto.services import (
    REWRAP_BATCH,
    master_key_retire,
    master_key_rotate,
    reencrypt_all,
)


class Command(BaseCommand):
    help = "Show, rotate and retire the encryption keys; re-encrypt stored values."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Master keys, data keys and checks.")
        rotate = actions.add_parser("rotate", help="Re-wrap every data key under a new key.")
        rotate.add_argument("--batch-size", type=int, default=REWRAP_BATCH, metavar="N")
        retire = actions.add_parser("retire", help="Remove an old master key.")
        retire.add_argument("key_id")
        actions.add_parser("reencrypt", help="Re-encrypt values under current keys.")

    def handle(self, *args, action, **options):
        actor = SystemActor("cli:keys")
        try:
            with audit_context(channel="cli"):
                if action == "status":
                    self._status()
                elif action == "rotate":
                    if options["batch_size"] < 1:
                        raise CommandError("--batch-size must be at least 1.")
                    outcome = master_key_rotate(
                        actor=actor,
                        batch_size=options["batch_size"],
                        after_batch=lambda n: self.stderr.write(f"  re-wrapped {n:,}"),
                    )
                    self.stdout.write(
                        f"Every data key is wrapped under {outcome.master_key_id} "
                        f"({outcome.rewrapped:,} re-wrapped now). Older master keys can be "
                        "retired with `steward keys retire <id>`."
                    )
                elif action == "retire":
                    master_key_retire(actor=actor, key_id=options["key_id"])
                    self.stdout.write(f"Master key {options['key_id']} removed.")
                elif action == "reencrypt":
                    runs = reencrypt_all(actor=actor)
                    for run in runs:
                        self.stdout.write(
                            f"{run.model_label}: {run.scanned:,} rows read, "
                            f"{run.rewritten:,} re-encrypted"
                        )
        except DomainError as error:
            raise CommandError(error.message) from None
        except CryptoError as error:
            raise CommandError(str(error)) from None

    def _status(self) -> None:
        status = key_status()
        write = self.stdout.write
        write(f"Master key provider: {status.provider}")
        for key_id in status.master_key_ids:
            mark = " (current)" if key_id == status.current_master_key_id else ""
            count = status.data_keys_by_master_key.get(key_id, 0)
            write(f"  {key_id}{mark}: wraps {count:,} data key(s)")
        for key_id, count in status.data_keys_by_master_key.items():
            if key_id not in status.master_key_ids:
                write(f"  {key_id} (MISSING from the provider): wraps {count:,} data key(s)")
        states = ", ".join(f"{n:,} {state}" for state, n in status.data_keys_by_state.items())
        write(f"Data keys (database {status.keys_database!r}): {states}")
        if status.rotation_pending:
            write(
                f"Rotation unfinished: {status.rotation_pending:,} data key(s) under an older "
                "master key. Run `steward keys rotate`."
            )
        for run in status.last_runs[:5]:
            write(f"Re-encryption {run.model_label}: {run.status}, {run.rewritten:,} rewritten")
        if status.problems:
            for problem in status.problems:
                self.stderr.write(f"PROBLEM: {problem}")
            raise CommandError("The master keys do not open the data keys.")
        write("Checks: every data key's master key is present and opens it.")
