"""`steward record-of-processing`: the record of processing activities (Art. 30(1)) on
standard output, as JSON or CSV (the page's exports)."""

from django.core.management.base import BaseCommand

from steward.processing.record import processing_record, record_csv, record_json

FORMATS = {"json": record_json, "csv": record_csv}


class Command(BaseCommand):
    help = "Print the record of processing activities (Art. 30(1) GDPR) as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")

    def handle(self, *args, format, **options):
        self.stdout.write(FORMATS[format](processing_record()), ending="")
