"""`steward createstaff --email E --role R [--name N] [--team T]`: adds a staff account.

The password is read from standard input when it is piped (`echo "$PW" | steward createstaff
...`), asked for twice on a terminal, or generated and printed once with --generate-password.
It is never taken as an argument, where it would land in the shell history and `ps`."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from steward.core.actor import SystemActor
from steward.core.errors import DomainError
from steward.staff.models import Team
from steward.staff.roles import Role
from steward.staff.services import staff_create


class Command(BaseCommand):
    help = "Create a staff account (password from stdin, a prompt, or --generate-password)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Login email address.")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}.")
        parser.add_argument("--name", default="", help="Full name (default: from the email).")
        parser.add_argument("--team", default="", help="Name of an existing team.")
        parser.add_argument(
            "--generate-password",
            action="store_true",
            help="Generate a password and print it once instead of reading one.",
        )

    def handle(self, *args, email, role, name, team, generate_password, **options):
        team_obj = None
        if team:
            team_obj = Team.objects.filter(name=team).first()
            if team_obj is None:
                known = ", ".join(Team.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(f"No team named {team!r} (teams: {known}).")
        password = None if generate_password else self._read_password()
        try:
            user, generated = staff_create(
                actor=SystemActor("cli:createstaff"),
                email=email,
                role=role,
                full_name=name,
                password=password,
                team=team_obj,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Created {user.get_role_display().lower()} {user.email}.")
        if generated:
            self.stdout.write(f"Password (shown once, store it now): {generated}")

    def _read_password(self) -> str:
        if sys.stdin.isatty():
            first = getpass.getpass("Password: ")
            if first != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match; nothing was created.")
            password = first
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(
                "No password given: pipe one on standard input, type it at the prompt, "
                "or use --generate-password."
            )
        return password
