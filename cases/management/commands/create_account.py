"""Create an ordinary account for a person, with one newsroom role.

    manage.py create_account <username> --role journalist|editor|admin [--email ADDRESS]

The password is asked for twice, or read from the environment variable
ACCOUNT_PASSWORD (for scripts; never put it on the command line, where other
users of the machine can read it). It must pass the site's password checks.
The account is never a superuser: `createsuperuser` is for the first
administrator only. To change someone's role later, use `assign_role`.
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.roles import ROLES, RoleError, give_role

PASSWORD_VARIABLE = "ACCOUNT_PASSWORD"


class Command(BaseCommand):
    help = "Create an ordinary (non-superuser) account with one newsroom role."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The name the person logs in with.")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
        parser.add_argument("--email", default="", help="Their e-mail address (optional).")

    def handle(self, *args, username, role, email, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("Give the account a username.")
        if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
            raise CommandError(
                f"{username!r} already has an account. To change their role: "
                f"`manage.py assign_role {username} <role>`."
            )
        if role.strip().lower() not in ROLES:
            raise CommandError(f"Unknown role {role!r}. Choose one of: {', '.join(ROLES)}.")
        user = User(**{User.USERNAME_FIELD: username}, email=email.strip())
        password = self.password_for(user)
        try:
            with transaction.atomic():
                user.set_password(password)
                user.save()
                give_role(user, role)
        except RoleError as error:
            raise CommandError(str(error)) from None
        group_name = ROLES[role.strip().lower()]
        self.stdout.write(self.style.SUCCESS(f"Created {username}, in {group_name}."))

    def password_for(self, user):
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError(
                    f"No password: run this in a terminal to be asked for one, "
                    f"or set {PASSWORD_VARIABLE}."
                )
            password = getpass.getpass(f"Password for {user.get_username()}: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ; nothing was created.")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(
                "The password was refused, and nothing was created: " + " ".join(error.messages)
            ) from None
        return password
