"""The `steward` command: Django's management commands, with Steward's spelled as people
type them (`steward demo-data`, `steward import contacts FILE`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        # Hyphenated spellings map to Django's underscore command names.
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "steward"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
