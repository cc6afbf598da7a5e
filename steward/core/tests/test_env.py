import pytest

from steward.core.env import env_bool, env_int, env_list, env_secret, secret_in_data_dir


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False


def test_env_bool_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ValueError, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_names_the_variable_when_it_is_not_a_number(monkeypatch):
    monkeypatch.setenv("X_PORT", "eighty")
    with pytest.raises(ValueError, match="X_PORT"):
        env_int("X_PORT", 1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example.com, ,b.example.com")
    assert env_list("X_HOSTS", []) == ["a.example.com", "b.example.com"]


def test_env_secret_prefers_the_file_variable(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET", "from-env")
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    assert env_secret("X_SECRET") == "from-file"


def test_a_generated_secret_is_kept_private_and_stable(tmp_path):
    first = secret_in_data_dir(tmp_path, "secret_key")
    second = secret_in_data_dir(tmp_path, "secret_key")

    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
