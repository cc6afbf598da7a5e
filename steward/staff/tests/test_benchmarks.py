import pytest

from steward.bench.registry import BenchContext, discover
from steward.staff import benchmarks

pytestmark = [pytest.mark.django_db, pytest.mark.real_password_hashing]


def test_the_login_benchmark_is_discovered():
    assert discover()["login"] is benchmarks.login


def test_the_login_benchmark_signs_in_for_real_and_reports_p50_and_p99_against_argon2(
    tmp_path, capsys
):
    results = benchmarks.login(BenchContext(quick=True, workdir=tmp_path))

    assert [r.name for r in results] == ["login_p50", "login_p99"]
    for result in results:
        # A sign-in is at least one Argon2id verification, which is its floor.
        assert result.value > result.floor > 1
        assert 0 < result.ratio < 1
    with capsys.disabled():
        print("\n" + "\n".join(str(r.as_dict()) for r in results))
