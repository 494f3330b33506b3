"""`urbanmine user_pseudonymise <username> --actor <steward>`: remove who a person was.

The account is deactivated and renamed `removed-user-<id>`; name, e-mail, password,
sessions, API keys and the personal values in the logs go; every record the person made
stays (docs/privacy.md). Irreversible: asks for confirmation unless --yes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.audit.services import pseudonym, user_pseudonymise


class Command(BaseCommand):
    help = "Pseudonymise an account (GDPR): deactivate it and remove name, e-mail and access."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the account to pseudonymise")
        parser.add_argument(
            "--actor", required=True, help="the data steward (a staff account) who does it"
        )
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        try:
            user = users.get(username=options["username"])
        except users.model.DoesNotExist:
            raise CommandError(f"no account {options['username']!r}") from None
        try:
            actor = users.get(username=options["actor"])
        except users.model.DoesNotExist:
            raise CommandError(f"no account {options['actor']!r} (--actor)") from None
        if not options["yes"]:
            answer = input(
                f"Pseudonymise {user.username!r} (id {user.pk}) to {pseudonym(user)!r}? "
                "This cannot be undone. Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("cancelled; nothing changed")
        try:
            user_pseudonymise(user=user, actor=actor)
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"pseudonymised: account {user.pk} is now {pseudonym(user)!r}")
