"""Give a person one of the newsroom's roles: journalist, editor or admin.

    manage.py assign_role <username> journalist|editor|admin

A person holds one role at a time: the new one replaces any other (so
assigning "journalist" to an editor takes away drafts and PDF briefs). Admins
are made staff so they can reach admin; someone leaving the Admins role stops
being staff, unless they are a superuser. Nothing is created: the user must
exist (create it with `create_account`, or in admin), and so must the groups
(made by `migrate`).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.roles import ROLES, RoleError, give_role


class Command(BaseCommand):
    help = "Give a person one newsroom role (journalist, editor or admin), replacing any other."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The person's username, as they log in.")
        parser.add_argument("role", help=f"One of: {', '.join(ROLES)}.")

    def handle(self, *args, username, role, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(
                f"No user {username!r}. Create the account first, with its role: "
                f"`manage.py create_account {username} --role <role>`."
            ) from None
        try:
            with transaction.atomic():
                previous = give_role(user, role)
        except RoleError as error:
            raise CommandError(str(error)) from None
        group_name = ROLES[role.strip().lower()]
        was = f" (was: {', '.join(previous)})" if previous and previous != [group_name] else ""
        self.stdout.write(self.style.SUCCESS(f"{username} is now in {group_name}{was}."))
        if not user.is_active:
            self.stdout.write(
                self.style.WARNING(f"{username}'s account is inactive: they cannot log in.")
            )
        if user.is_superuser:
            self.stdout.write(
                self.style.WARNING(
                    f"{username} is a superuser and keeps every permission whatever the role."
                )
            )
