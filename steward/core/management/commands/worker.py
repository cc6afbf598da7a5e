"""`steward worker`: runs background tasks from the database queue and enqueues periodic jobs.

Start as many as needed, on as many machines as needed, against one PostgreSQL: tasks are
claimed with SELECT ... FOR UPDATE SKIP LOCKED (django_tasks_db) and each periodic job's slot
is claimed by a unique row (steward.core.scheduling), so nothing runs twice."""

import logging
import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from steward.core.scheduling import PERIODIC_JOBS, Scheduler

logger = logging.getLogger("steward.worker")


class Command(BaseCommand):
    help = "Run background tasks and enqueue periodic jobs until stopped (SIGINT/SIGTERM)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Queues to process, comma-separated; '*' for all (default).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait before polling an empty queue again (default 1).",
        )
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=30.0,
            help="Seconds between checks for due periodic jobs (default 30).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Enqueue the due periodic jobs once, run every ready task, then exit "
            "(for cron-style deployments and scripts).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run tasks; do not enqueue periodic jobs.",
        )
        parser.add_argument(
            "--worker-id",
            default=f"{socket.gethostname()}-{os.getpid()}"[:64],
            help="Unique name of this worker in the pool (default: host-pid).",
        )

    def handle(self, *args, **options):
        self._configure_logging(options["verbosity"])
        worker_id = options["worker_id"]
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["batch"],
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        scheduler = (
            None if options["no_scheduler"] else Scheduler(PERIODIC_JOBS, claimed_by=worker_id)
        )

        if options["batch"]:
            if scheduler is not None:
                scheduler.tick()
            worker.run()
            return

        stop = threading.Event()
        if scheduler is not None:
            thread = threading.Thread(
                target=scheduler.run,
                args=(stop,),
                kwargs={"interval": options["schedule_interval"]},
                name="scheduler",
                daemon=True,
            )
        else:
            thread = None

        def shutdown(signum, frame):
            # Stop scheduling at once; the task worker finishes its current task first (a
            # second signal aborts it) and exits its loop, or exits at once when idle.
            stop.set()
            worker.shutdown(signum, frame)

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, shutdown)

        logger.info(
            "Worker %s started: queues=%s, periodic jobs=%s",
            worker_id,
            options["queue_name"],
            ", ".join(job.name for job in PERIODIC_JOBS) if scheduler else "off",
        )
        if thread is not None:
            thread.start()
        try:
            worker.run()
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=30)
            logger.info("Worker %s stopped", worker_id)

    def _configure_logging(self, verbosity: int) -> None:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in ("django.tasks", "django_tasks_db", "steward"):
            logging.getLogger(name).setLevel(level)
