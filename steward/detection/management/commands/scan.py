"""`steward scan`: detection over the free text already stored (notes, activity bodies,
free-text custom fields), with progress on standard error. Resumable: an interrupted scan
of the same model and --since goes on after its last committed batch. Idempotent: a second
scan of unchanged text adds and removes nothing."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from steward.audit.context import audit_context
from steward.core.actor import SystemActor
from steward.core.errors import DomainError
from steward.detection.services import (
    SCAN_BATCH,
    ScanProgress,
    findings_scan,
    scannable_labels,
)

# Progress lines at most this often (and one at the end of each model).
PROGRESS_EVERY = 1.0


class Command(BaseCommand):
    help = "Scan stored free text for personal data and store the findings for review."

    def add_arguments(self, parser):
        parser.add_argument(
            "--model",
            action="append",
            metavar="APP.MODEL",
            help="Scan only this model (repeatable), e.g. activities.activity; default: "
            "every model with free text.",
        )
        parser.add_argument(
            "--since",
            type=_iso_date,
            metavar="YYYY-MM-DD",
            help="Only records changed on or after this day.",
        )
        parser.add_argument("--batch-size", type=int, default=SCAN_BATCH, metavar="N")

    def handle(self, *args, model, since, batch_size, **options):
        labels = [label.lower() for label in model] if model else scannable_labels()
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        printer = _ProgressPrinter(self.stderr)
        totals = {"scanned": 0, "added": 0, "failures": 0}
        with audit_context(channel="cli"):
            for label in labels:
                try:
                    run = findings_scan(
                        actor=SystemActor("cli:scan"),
                        model_label=label,
                        since=since,
                        batch_size=batch_size,
                        on_progress=printer,
                    )
                except DomainError as error:
                    raise CommandError(error.message) from None
                totals["scanned"] += run.scanned
                totals["added"] += run.findings_added
                totals["failures"] += run.failures
        self.stdout.write(
            f"Scanned {_count(totals['scanned'], 'record')}: "
            f"{_count(totals['added'], 'new finding')} to review, "
            f"{_count(totals['failures'], 'field')} that could not be scanned."
        )


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since takes a date like 2026-01-31, not {value!r}.") from None


class _ProgressPrinter:
    """Writes "<model>: scanned/total (pct) · rows/s · ETA" lines, throttled."""

    def __init__(self, stream):
        self.stream = stream
        self.last = 0.0

    def __call__(self, progress: ScanProgress) -> None:
        run = progress.run
        finished = run.finished_at is not None
        now = time.monotonic()
        if not finished and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        percent = 100 * run.scanned / run.total if run.total else 100.0
        eta = (
            "done"
            if finished
            else f"ETA {_duration(progress.eta_seconds)}"
            if progress.eta_seconds is not None
            else "ETA unknown"
        )
        self.stream.write(
            f"{run.model_label}: {run.scanned:,}/{run.total:,} ({min(percent, 100):.0f}%) · "
            f"{progress.rows_per_second:,.0f} rows/s · {_count(run.findings_added, 'finding')}"
            f" · {eta}"
        )
        self.stream.flush()


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
