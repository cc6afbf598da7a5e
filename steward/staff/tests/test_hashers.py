import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password

from steward.staff.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.real_password_hashing]


def test_new_passwords_are_hashed_with_argon2id_at_owasp_parameters():
    user = UserFactory(email="hash.me@example.com")

    algorithm, variety, version, params, *_ = user.password.split("$")
    assert (algorithm, variety) == ("argon2", "argon2id")
    assert params == "m=19456,t=2,p=1"


def test_an_old_pbkdf2_hash_is_upgraded_at_the_next_login():
    user = UserFactory(email="legacy@example.com")
    user.password = make_password("a long legacy passphrase", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert authenticate(email="legacy@example.com", password="a long legacy passphrase") == user

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
