"""Creating and changing staff accounts and teams."""

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F

from steward.audit.events import audit_record
from steward.contacts.normalise import normalise_email
from steward.core.actor import Actor, actor_user
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import require
from steward.core.writes import create_audited, editable_fields, update_audited
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


def _team_name_free(name: str, exclude_pk=None) -> None:
    existing = Team.objects.filter(name__iexact=name).exclude(pk=exclude_pk).first()
    if name and existing is not None:
        raise Conflict(
            f"A team called “{existing}” already exists.",
            field_errors={"name": [f"A team called “{existing}” already exists."]},
        )


def team_create(*, actor: Actor, name: str) -> Team:
    """Creates a team (team names are unique, whatever their case)."""
    require(actor, "staff.manage")
    _team_name_free(name.strip())
    return create_audited(
        actor=actor, model=Team, data={"name": name.strip()}, action="team.created"
    )


STAFF_FIELDS = ("full_name", "role", "team")


def _other_active_administrators(user: User) -> list:
    """Ids of the active administrators other than `user`, their rows locked until the
    transaction ends: two administrators demoting or deactivating each other at the same
    moment must not both see the other as "still there" and leave nobody in charge."""
    return list(
        User.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, is_active=True)
        .exclude(pk=user.pk)
        .values_list("pk", flat=True)
    )


def _refuse_self(actor: Actor, user: User, message: str, field: str) -> None:
    if actor_user(actor) is not None and actor.pk == user.pk:
        raise ValidationFailed(message, field_errors={field: [message]})


def staff_update(*, actor: Actor, user: User, data: dict[str, Any]) -> User:
    """Changes a staff member's name, role or team. An administrator cannot change their
    own role, and the last active administrator keeps theirs, so that someone can always
    manage staff without the shell."""
    require(actor, "staff.manage")
    editable_fields(User, data, STAFF_FIELDS)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    if "role" in data and data["role"] not in Role.values:
        raise ValidationFailed(
            f"Unknown role {data['role']!r}; choose one of {', '.join(Role.values)}.",
            field_errors={"role": ["Unknown role."]},
        )
    if "full_name" in data and not data["full_name"]:
        raise ValidationFailed("A name is required.", field_errors={"full_name": ["Required."]})
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        demoted = (
            "role" in data and data["role"] != current.role and current.role == Role.ADMINISTRATOR
        )
        if "role" in data and data["role"] != current.role:
            _refuse_self(
                actor,
                current,
                "You cannot change your own role; ask another administrator.",
                "role",
            )
        if demoted and current.is_active and not _other_active_administrators(current):
            raise ValidationFailed(
                f"{current} is the last active administrator; make someone else an "
                "administrator first.",
                field_errors={"role": ["The last active administrator must stay one."]},
            )
        return update_audited(actor=actor, instance=current, data=data, action="staff.updated")


def staff_deactivate(*, actor: Actor, user: User) -> User:
    """Stops a staff member from signing in (their sessions end, API tokens stop working at
    their next request). Their records and their audit trail stay; nothing is deleted."""
    require(actor, "staff.manage")
    _refuse_self(actor, user, "You cannot deactivate your own account.", "is_active")
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        if (
            current.role == Role.ADMINISTRATOR
            and current.is_active
            and not _other_active_administrators(current)
        ):
            raise ValidationFailed(
                f"{current} is the last active administrator and cannot be deactivated.",
                field_errors={"is_active": ["The last active administrator stays active."]},
            )
        deactivated = update_audited(
            actor=actor, instance=current, data={"is_active": False}, action="staff.deactivated"
        )
        # Ends every session of the account now, and for good: a later reactivation does
        # not bring them back (see User._get_session_auth_hash).
        User.objects.filter(pk=current.pk).update(session_generation=F("session_generation") + 1)
        deactivated.session_generation += 1
        return deactivated


def staff_reactivate(*, actor: Actor, user: User) -> User:
    """Lets a deactivated staff member sign in again, with their old password."""
    require(actor, "staff.manage")
    return update_audited(
        actor=actor, instance=user, data={"is_active": True}, action="staff.reactivated"
    )


def staff_password_reset(*, actor: Actor, user: User) -> str:
    """Gives a staff member a new generated password and returns it, to be shown once.
    Their other sessions end (Django checks a hash of the password on every request). The
    audit row says that the password changed, never what it is or its hash."""
    require(actor, "staff.manage")
    password = generate_password()
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        current.set_password(password)
        current.save(update_fields=["password", "updated_at"])
        audit_record(actor=actor, action="staff.password_reset", target=current)
    user.password = current.password
    return password


def team_rename(*, actor: Actor, team: Team, name: str) -> Team:
    """Renames a team (team names are unique, whatever their case)."""
    require(actor, "staff.manage")
    _team_name_free(name.strip(), exclude_pk=team.pk)
    return update_audited(
        actor=actor, instance=team, data={"name": name.strip()}, action="team.renamed"
    )
