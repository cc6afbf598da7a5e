"""Background work of the rights workflow: thin wrappers over services, safe to run twice."""

from django.tasks import task

from steward.core.actor import SystemActor


@task
def rights_reminders_task() -> int:
    """Daily: reminds assignees and the DPO of requests due soon or overdue."""
    from steward.rights.services import rights_reminders_send

    return rights_reminders_send(actor=SystemActor("worker"))
