"""The password check behind sign-in."""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password

from steward.staff.models import User


@lru_cache(maxsize=8)
def _dummy_hash(hashers: tuple[str, ...]) -> str:
    # Made once per hasher configuration with the current first hasher, so verifying against
    # it costs what verifying a real, up-to-date hash costs.
    return make_password("steward-dummy-password-never-valid")


class StaffBackend(ModelBackend):
    """Email and password. An unknown address costs the same work as a known one (a
    verification against a dummy hash of the same parameters), so the time of the answer
    does not tell which addresses have accounts; a deactivated account is refused after the
    same verification."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get(User.USERNAME_FIELD) or "").strip().lower()
        if not email or password is None:
            return None
        user = User.objects.filter(email=email).first()
        if user is None:
            check_password(password, _dummy_hash(tuple(settings.PASSWORD_HASHERS)))
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
