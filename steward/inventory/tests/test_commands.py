import csv
import io
import json

import pytest
from django.core.management import call_command

from steward.inventory.data_map import DataMapFilters, data_map

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("datamap", *args, stdout=out)
    return out.getvalue()


def test_datamap_prints_every_field_of_the_map_as_json_by_default():
    fields = json.loads(_run())["fields"]

    assert [(f["model"], f["field"]) for f in fields] == [(r.model, r.field) for r in data_map()]


def test_datamap_prints_csv_when_asked():
    lines = list(csv.DictReader(io.StringIO(_run("--format", "csv"))))

    assert [(line["model"], line["field"]) for line in lines] == [
        (r.model, r.field) for r in data_map()
    ]


def test_datamap_narrows_to_a_category_and_what_lies_inside_it():
    fields = json.loads(_run("--category", "contact"))["fields"]

    assert [f["field"] for f in fields] == [
        r.field for r in data_map(DataMapFilters(category="contact"))
    ]
    assert {f["category"].split(".")[0] for f in fields} == {"contact"}
