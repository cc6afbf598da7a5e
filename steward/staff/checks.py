"""System checks of the sign-in settings."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from steward.staff.roles import Role


@register()
def sign_in_settings(app_configs=None, **kwargs):
    problems = []
    unknown = sorted(set(settings.STEWARD_MFA_REQUIRED_ROLES) - set(Role.values))
    if unknown:
        problems.append(
            Error(
                f"STEWARD_MFA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
                hint=f"Use role names from: {', '.join(Role.values)}.",
                id="steward.E401",
            )
        )
    for name in ("STEWARD_SESSION_IDLE_TIMEOUT", "STEWARD_SESSION_ABSOLUTE_TIMEOUT"):
        if getattr(settings, name) <= 0:
            problems.append(
                Error(f"{name} must be a positive number of seconds.", id="steward.E402")
            )
    if settings.STEWARD_SESSION_IDLE_TIMEOUT > settings.STEWARD_SESSION_ABSOLUTE_TIMEOUT:
        problems.append(
            Warning(
                "STEWARD_SESSION_IDLE_TIMEOUT is longer than STEWARD_SESSION_ABSOLUTE_TIMEOUT, "
                "so it never applies.",
                id="steward.W401",
            )
        )
    return problems
