"""Creating and changing staff accounts and teams."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from steward.audit.events import audit_record
from steward.contacts.normalise import normalise_email
from steward.core.actor import Actor
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import require
from steward.core.writes import create_audited
from steward.staff.models import Team, User
from steward.staff.roles import Role


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def staff_create(
    *,
    actor: Actor,
    email: str,
    role: str,
    full_name: str = "",
    password: str | None = None,
    team: Team | None = None,
) -> tuple[User, str | None]:
    """Creates a staff account. Returns the user and, when no password was given, the
    generated one (to be shown once and never stored in clear)."""
    require(actor, "staff.manage")
    try:
        email = normalise_email(email)
    except ValueError as error:
        raise ValidationFailed(
            f"Invalid email: {error}", field_errors={"email": [str(error)]}
        ) from None
    if not email:
        raise ValidationFailed(
            "An email address is required.", field_errors={"email": ["Required."]}
        )
    if role not in Role.values:
        raise ValidationFailed(
            f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.",
            field_errors={"role": ["Unknown role."]},
        )
    if User.objects.filter(email=email).exists():
        raise Conflict(
            f"A staff account for {email} already exists.",
            field_errors={"email": ["Already exists."]},
        )
    generated = None
    if password is None:
        password = generated = generate_password()
    user = User(email=email, full_name=full_name or email.split("@")[0], role=role, team=team)
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationFailed(
            " ".join(error.messages), field_errors={"password": list(error.messages)}
        ) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(force_insert=True)
        audit_record(
            actor=actor,
            action="staff.created",
            target=user,
            changes={
                "email": [None, email],
                "role": [None, role],
                "team": [None, str(team.pk) if team else None],
            },
        )
    return user, generated


def team_create(*, actor: Actor, name: str) -> Team:
    require(actor, "staff.manage")
    return create_audited(
        actor=actor, model=Team, data={"name": name.strip()}, action="team.created"
    )
