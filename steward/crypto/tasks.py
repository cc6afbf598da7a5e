"""Background work of encryption: a thin task over the re-encryption pass (a data key was
renewed, a record changed owner, the algorithm changed). Safe to run twice: values already
under their owner's current key are left alone, and an interrupted pass resumes."""

from django.tasks import task

from steward.audit.context import audit_context
from steward.core.actor import SystemActor
from steward.crypto.services import reencrypt_all


@task()
def reencrypt_task() -> int:
    """Re-encrypts what is not under its owner's current key; returns rows rewritten."""
    with audit_context(channel="worker"):
        runs = reencrypt_all(actor=SystemActor("worker"))
    return sum(run.rewritten for run in runs)
