"""Fixtures of the import tests: people who may import (the owner/colleague/outsider trio
with a role that holds contacts.import), a data dir of their own, and helpers to run a file
through the import."""

from pathlib import Path

import pytest

from steward.imports import services
from steward.imports.models import ImportJob
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    # Uploaded files and reports go to the data dir: each test gets its own.
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def importer(team):
    return UserFactory(
        email="ines.importer@example.com", full_name="Ines Importer", role=Role.MARKETING, team=team
    )


@pytest.fixture
def team_mate(team):
    return UserFactory(
        email="tom.teammate@example.com", full_name="Tom Teammate", role=Role.MARKETING, team=team
    )


@pytest.fixture
def other_importer(other_team):
    return UserFactory(
        email="otto.other@example.com", full_name="Otto Other", role=Role.MARKETING, team=other_team
    )


def upload(actor, text: str | bytes, *, encoding: str = "utf-8", name: str = "people.csv"):
    """A job for `text` as an uploaded file (no mapping confirmed yet)."""
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return services.import_job_create(actor=actor, chunks=[data], original_name=name)


def run_import(
    actor,
    text: str | bytes,
    *,
    mode: str = "all_or_nothing",
    on_duplicate: str = "skip",
    mapping: dict | None = None,
    encoding: str = "utf-8",
) -> ImportJob:
    """Upload, confirm the suggested (or given) mapping, check and import, all inline."""
    job = upload(actor, text, encoding=encoding)
    job = services.import_job_map(actor=actor, job=job, mapping=mapping or job.mapping)
    job = services.import_job_check(actor=actor, job=job, inline=True)
    if job.status != "validated":
        return job
    return services.import_job_start(
        actor=actor, job=job, mode=mode, on_duplicate=on_duplicate, inline=True
    )


def write_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path
