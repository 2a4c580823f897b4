"""After a FINESS import, the planner knows how many establishments there are."""

import pytest

from establishments.models import Establishment
from tests.establishments.conftest import structure, write_extract
from tests.statistics import analyze_counts

pytestmark = pytest.mark.django_db


def test_an_import_analyzes_the_establishment_table(tmp_path, import_finess):
    path = write_extract(tmp_path / "f.csv", [structure("750000010"), structure("750000028")])
    before = analyze_counts(Establishment)
    assert import_finess(path).code == 0
    after = analyze_counts(Establishment)
    assert after["establishments_establishment"] == before["establishments_establishment"] + 1


def test_a_dry_run_analyzes_nothing(tmp_path, import_finess):
    path = write_extract(tmp_path / "f.csv", [structure("750000010")])
    before = analyze_counts(Establishment)
    assert import_finess(path, "--dry-run").code == 0
    assert analyze_counts(Establishment) == before
