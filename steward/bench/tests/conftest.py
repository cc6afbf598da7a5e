# The bench drives the real import path; its tests use the import tests' fixtures.
from steward.imports.tests.conftest import _data_dir, importer  # noqa: F401
