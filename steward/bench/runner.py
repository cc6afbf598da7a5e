"""Running benchmarks where they cannot touch anyone's data: `steward bench` starts itself
again in a child process whose data dir is a new temporary directory (a fresh SQLite
database, migrated there), with every Steward setting at its default. The child runs the
benchmarks and hands the results back in a file."""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from steward.bench.registry import BenchContext, BenchResult, discover

# Environment variables the child must not inherit: they would point it at real data.
_INHERITED_PREFIXES = ("STEWARD_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY")


def run_isolated(*, quick: bool, names: list[str]) -> list[dict]:
    """Runs the benchmarks in a throwaway data dir; returns their results as dicts."""
    with tempfile.TemporaryDirectory(prefix="steward-bench-") as scratch:
        data_dir = Path(scratch) / "data"
        results_file = Path(scratch) / "results.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES)}
        env.update(
            STEWARD_DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONUNBUFFERED="1",
        )
        command = [sys.executable, "-m", "steward.cli", "bench", "--inside", str(results_file)]
        command += ["--quick"] if quick else []
        command += names
        completed = subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=False)
        if not results_file.exists():
            raise RuntimeError(f"The benchmark run failed (exit status {completed.returncode}).")
        return json.loads(results_file.read_text())


def run_inside(*, quick: bool, names: Iterable[str], results_file: Path) -> None:
    """The child's part: check it is isolated, set up the database, run, report."""
    data_dir = Path(os.environ.get("STEWARD_DATA_DIR", "")).resolve()
    database = settings.DATABASES["default"]
    if (
        Path(settings.DATA_DIR).resolve() != data_dir
        or database["ENGINE"] != "django.db.backends.sqlite3"
        or not Path(database["NAME"]).resolve().is_relative_to(data_dir)
        or not data_dir.name == "data"
        or not data_dir.parent.name.startswith("steward-bench-")
    ):
        raise RuntimeError("Refusing to benchmark outside a throwaway data dir.")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    benchmarks = discover()
    selected = list(names) or list(benchmarks)
    unknown = [name for name in selected if name not in benchmarks]
    if unknown:
        raise RuntimeError(f"Unknown benchmark(s): {', '.join(unknown)}")
    workdir = data_dir / "bench"
    workdir.mkdir()
    context = BenchContext(quick=quick, workdir=workdir)
    results: list[dict] = []
    for name in selected:
        print(f"Running {name}...", flush=True)
        try:
            found: list[BenchResult] = benchmarks[name](context)
            results.extend(result.as_dict() for result in found)
        except Exception as error:  # a failing benchmark is reported, the others still run
            print(f"  {name} failed: {error}", flush=True)
            results.append({"name": name, "error": str(error)})
        results_file.write_text(json.dumps(results))
    results_file.write_text(json.dumps(results))


def format_table(results: list[dict]) -> str:
    rows = [("benchmark", "value", "unit", "floor", "ratio")]
    for result in results:
        if "error" in result:
            rows.append((result["name"], "failed", "", "", result["error"][:60]))
            continue
        rows.append(
            (
                result["name"],
                _number(result["value"]),
                result["unit"],
                _number(result["floor"]),
                f"{result['ratio']:.3f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    left = {0, 2}  # names and units; numbers are right-aligned
    lines = []
    for position, row in enumerate(rows):
        cells = [c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if position == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
