"""`steward datamap`: the data map on standard output, as JSON or CSV (the page's export)."""

from django.core.management.base import BaseCommand

from steward.inventory.data_map import DataMapFilters, data_map, data_map_csv, data_map_json
from steward.inventory.taxonomy import Sensitivity

FORMATS = {"json": data_map_json, "csv": data_map_csv}


class Command(BaseCommand):
    help = "Print the data map: every personal-data field, its category and who can see it."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")
        parser.add_argument("--sensitivity", choices=Sensitivity.values, default="")
        parser.add_argument(
            "--category", default="", help="A category key; includes the categories inside it."
        )

    def handle(self, *args, format, sensitivity, category, **options):
        rows = data_map(DataMapFilters(sensitivity=sensitivity, category=category))
        self.stdout.write(FORMATS[format](rows), ending="")
