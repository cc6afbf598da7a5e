import pytest

from steward.bench import registry
from steward.bench.people import people_csv_text, write_people_csv
from steward.bench.registry import BenchResult, benchmark, discover
from steward.bench.runner import format_table, run_inside
from steward.imports.tests.conftest import run_import


def test_benchmarks_register_by_name_and_refuse_a_second_one_of_the_same_name(monkeypatch):
    monkeypatch.setattr(registry, "BENCHMARKS", {})

    @benchmark("example")
    def example(ctx):
        return []

    assert list(registry.BENCHMARKS.items()) == [("example", example)]
    with pytest.raises(ValueError):
        benchmark("example")(lambda ctx: [])


def test_the_built_in_benchmarks_are_discovered():
    assert {"import_contacts", "contact_list_page"} <= set(discover())


def test_the_table_shows_value_floor_and_ratio_and_failures():
    table = format_table(
        [
            BenchResult("import_contacts", 12_345.6, "contacts/s", 40_000.0, 0.3086).as_dict(),
            {"name": "contact_list_page", "error": "no page"},
        ]
    )

    assert "import_contacts" in table and "12,346" in table and "0.309" in table
    assert "failed" in table and "no page" in table


@pytest.mark.django_db
def test_the_benchmark_refuses_to_run_outside_a_throwaway_data_dir(tmp_path):
    with pytest.raises(RuntimeError, match="Refusing"):
        run_inside(quick=True, names=[], results_file=tmp_path / "results.json")


@pytest.mark.django_db
def test_the_invented_people_import_without_a_single_invalid_row(importer, tmp_path):
    job = run_import(importer, people_csv_text(300))

    assert job.status == "completed", job.message
    assert (job.invalid_rows, job.created_count) == (0, 300)


def test_the_invented_people_are_reproducible_and_use_example_addresses(tmp_path):
    first = write_people_csv(tmp_path / "a.csv", 50).read_text()
    second = write_people_csv(tmp_path / "b.csv", 50).read_text()

    assert first == second
    emails = [line.split(",")[2] for line in first.splitlines()[1:]]
    assert all(email.endswith("@example.org") for email in emails)
    assert len(set(emails)) == 50
