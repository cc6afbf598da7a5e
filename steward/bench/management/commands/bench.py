"""`steward bench [--quick] [--json FILE] [NAME ...]`: speed of the paths that matter, each
against a floor measured in the same run, in a throwaway database (never your data)."""

import argparse
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from steward.bench.runner import format_table, run_inside, run_isolated


class Command(BaseCommand):
    help = "Run the benchmarks in a throwaway database and print value, floor and ratio."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Only these benchmarks (default: all).")
        parser.add_argument(
            "--quick", action="store_true", help="Small sizes (10k); done in under a minute."
        )
        parser.add_argument(
            "--json",
            dest="json_path",
            type=Path,
            metavar="FILE",
            help="Also write the results here.",
        )
        # The child process the command starts itself as (steward.bench.runner).
        parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)

    def handle(self, *args, names, quick, json_path: Path | None, inside: Path | None, **options):
        if inside:
            run_inside(quick=quick, names=names, results_file=inside)
            return
        try:
            results = run_isolated(quick=quick, names=names)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(format_table(results))
        if json_path:
            json_path.write_text(json.dumps({"results": results}, indent=2) + "\n")
            self.stdout.write(f"Results written to {json_path}.")
        if any("error" in result for result in results):
            raise CommandError("Some benchmarks failed.")
