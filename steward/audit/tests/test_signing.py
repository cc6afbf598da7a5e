"""The ledger's signing key: made on first use for the owner's eyes only, refused when
others can read it, taken from the environment in production."""

import base64
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from steward.audit.checks import ledger_signing_key_check
from steward.audit.ledger import ledger_checkpoints_sign
from steward.audit.models import ChainCheckpoint
from steward.audit.signing import LedgerKeyError, key_file_path, ledger_key
from steward.audit.tests.conftest import audit_events
from steward.core.actor import SystemActor


def test_the_first_use_creates_a_key_file_only_its_owner_can_read():
    key = ledger_key()

    path = key_file_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ledger_key().key_id == key.key_id  # the same key the next time


def test_without_create_no_key_file_is_made():
    assert ledger_key(create=False) is None
    assert not key_file_path().exists()


@pytest.mark.django_db
def test_a_key_file_others_can_read_is_refused_with_a_clear_error_and_nothing_signed():
    audit_events(1)
    ledger_key()
    key_file_path().chmod(0o644)

    with pytest.raises(LedgerKeyError, match="loose permissions \\(0644\\).*chmod 600"):
        ledger_checkpoints_sign(actor=SystemActor("test"))

    assert not ChainCheckpoint.objects.exists()
    assert [error.id for error in ledger_signing_key_check()] == ["steward.E601"]


def test_a_key_from_the_environment_is_used_and_no_file_written(monkeypatch):
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    monkeypatch.setenv("STEWARD_LEDGER_KEY", base64.b64encode(raw).decode())

    key = ledger_key()

    assert key.verifies(b"message", private.sign(b"message").hex())
    assert not key_file_path().exists()


def test_a_key_from_a_secret_file_in_pem_is_used(monkeypatch, tmp_path):
    secret = tmp_path / "ledger.pem"
    secret.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("STEWARD_LEDGER_KEY_FILE", str(secret))

    assert len(ledger_key().key_id) == 16
    assert not key_file_path().exists()


def test_a_malformed_key_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("STEWARD_LEDGER_KEY", "not a key")

    with pytest.raises(LedgerKeyError, match="is not an Ed25519 private key"):
        ledger_key()
    assert [error.id for error in ledger_signing_key_check()] == ["steward.E601"]


@pytest.mark.django_db
def test_checkpoints_signed_by_another_key_are_reported(monkeypatch):
    from steward.audit.ledger import ledger_verify

    audit_events(2)
    ledger_checkpoints_sign(actor=SystemActor("test"))
    key_file_path().unlink()
    ledger_key()  # a new key replaces the one that signed

    report = next(r for r in ledger_verify() if r.chain.table == "audit_auditevent")

    assert not report.ok
    assert "was signed by another key" in report.problem
