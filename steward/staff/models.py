"""Staff users (who log in, own records and act) and the teams they work in."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models

from steward.core.models import BaseModel
from steward.core.personal_data import SUBJECT_STAFF, PersonalDataModel, not_personal, personal
from steward.staff.roles import PERMISSIONS, Role


class Team(BaseModel):
    """A group of staff; records can be scoped to a team."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    # Used by Django's own machinery (tests, createsuperuser); Steward's code creates staff
    # through steward.staff.services.staff_create, which audits the act.
    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.ADMINISTRATOR)
        return self.create_user(email, password, **extra)


class User(PersonalDataModel, BaseModel, AbstractBaseUser):
    """A member of staff. Logs in with an email address; their role decides what they may do."""

    email = personal(models.EmailField(unique=True), "contact.email", subject=SUBJECT_STAFF)
    full_name = personal(models.CharField(max_length=200), "identity.name", subject=SUBJECT_STAFF)
    role = not_personal(models.CharField(max_length=20, choices=Role.choices, default=Role.SALES))
    team = not_personal(
        models.ForeignKey(
            Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
        )
    )
    is_active = not_personal(models.BooleanField(default=True))
    password = personal(
        models.CharField(max_length=128), "online.credentials", subject=SUBJECT_STAFF
    )
    last_login = personal(
        models.DateTimeField(blank=True, null=True), "online.credentials", subject=SUBJECT_STAFF
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    # Steward's permissions come from the role table (steward.staff.roles), not from
    # django.contrib.auth's per-user permission rows.
    def can(self, permission: str) -> bool:
        return self.is_active and permission in PERMISSIONS.get(self.role, frozenset())

    @property
    def is_staff(self) -> bool:
        return True

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR
