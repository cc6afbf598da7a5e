"""`steward token create|revoke|list`: API tokens from the command line. `create` prints the
token and nothing else on stdout, so a script can capture it; everything else goes to stderr."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from steward.api.selectors import staff_by_email, token_by_prefix, token_list
from steward.api.services import token_create, token_revoke
from steward.contacts.normalise import normalise_email
from steward.core.actor import SystemActor
from steward.core.errors import DomainError
from steward.staff.models import User

ACTOR = SystemActor("cli:token")


def _staff_by_email(email: str) -> User:
    try:
        address = normalise_email(email)
    except ValueError as error:
        raise CommandError(f"{email!r} is not a valid email address ({error}).") from None
    user = staff_by_email(email=address)
    if user is None:
        raise CommandError(f"No staff account with the email {address}.")
    return user


class Command(BaseCommand):
    help = "Create, revoke and list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create", help="Create a token for a staff user and print it (shown only once)."
        )
        create.add_argument("--email", required=True, help="The staff user the token acts as.")
        create.add_argument("--name", default="API token", help="Where the token is used.")
        create.add_argument(
            "--expires-in-days", type=int, default=None, help="Expire after this many days."
        )
        revoke = actions.add_parser("revoke", help="Revoke a token for good.")
        revoke.add_argument("--prefix", required=True, help="The token's prefix (see list).")
        listing = actions.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--email", default=None, help="Only this staff user's tokens.")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def _create(self, *, email: str, name: str, expires_in_days: int | None, **_):
        user = _staff_by_email(email)
        expires_at = None
        if expires_in_days is not None:
            if expires_in_days < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            expires_at = timezone.now() + datetime.timedelta(days=expires_in_days)
        token, plaintext = token_create(actor=ACTOR, user=user, name=name, expires_at=expires_at)
        self.stderr.write(
            f"Created token {token.prefix!r} ({token.name}) for {user.email}. "
            "It is shown only this once; store it now."
        )
        self.stdout.write(plaintext)

    def _revoke(self, *, prefix: str, **_):
        token = token_by_prefix(prefix=prefix.removeprefix("stw_").split("_")[0])
        if token is None:
            raise CommandError(f"No token with the prefix {prefix!r}.")
        was_revoked = token.revoked_at is not None
        token_revoke(actor=ACTOR, token=token)
        state = "was already revoked" if was_revoked else "is revoked"
        self.stdout.write(f"Token {token.prefix} ({token.name}, {token.user.email}) {state}.")

    def _list(self, *, email: str | None, **_):
        tokens = token_list(user=_staff_by_email(email) if email else None)
        rows = [
            (
                t.prefix,
                t.status,
                t.user.email,
                t.name,
                f"{t.created_at:%Y-%m-%d}",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
                f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "-",
            )
            for t in tokens
        ]
        if not rows:
            self.stderr.write("No tokens.")
            return
        header = ("PREFIX", "STATUS", "USER", "NAME", "CREATED", "LAST USED", "EXPIRES")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            cells = (str(value).ljust(width) for value, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
