"""Background tasks of the audit trail: thin wrappers over its services, safe to run twice."""

from django.tasks import task

from steward.audit.ledger import ledger_checkpoints_sign
from steward.audit.security import unusual_access_scan
from steward.core.actor import SystemActor


@task
def ledger_checkpoint_task() -> dict[str, int]:
    """Signs a checkpoint of every chain that grew since its last one."""
    written = ledger_checkpoints_sign(actor=SystemActor("worker"))
    return {checkpoint.table: checkpoint.seq for checkpoint in written}


@task
def unusual_access_scan_task() -> int:
    """Raises a security event for each user reading far more personal data than usual."""
    return len(unusual_access_scan(actor=SystemActor("worker")))
