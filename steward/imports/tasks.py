"""Background work of imports: thin tasks that load a job id and call its service. Both are
idempotent (a finished step is a no-op) and resumable (the write continues after its last
committed chunk), so running one twice is safe."""

from django.tasks import task

from steward.audit.context import audit_context
from steward.imports.services import (
    import_files_purge_expired,
    import_job_run,
    import_job_validate,
    import_jobs_resume_stalled,
)


@task()
def import_job_validate_task(job_id: str) -> None:
    with audit_context(channel="worker"):
        import_job_validate(job_id=job_id)


@task()
def import_job_run_task(job_id: str) -> None:
    with audit_context(channel="worker"):
        import_job_run(job_id=job_id)


@task()
def import_files_purge_task() -> int:
    """Deletes the files of imports past their retention period (a periodic job)."""
    with audit_context(channel="worker"):
        return import_files_purge_expired()


@task()
def import_jobs_resume_task() -> int:
    """Enqueues again the imports whose worker died mid-way (a periodic job)."""
    with audit_context(channel="worker"):
        return import_jobs_resume_stalled()
