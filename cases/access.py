"""Refusals that say what to do. Someone who opens a PDF brief or the dossier
without the right to export it gets a page, not a bare 403: an anonymous
reader a login link that returns to the brief, a logged-in reader the roles
that have the permission (from the database, where migration 0003_roles and
admins set them)."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext_lazy as _

from .roles import ADMINS, EDITORS, JOURNALISTS

# The role groups' names are kept in English in the database; a page names
# them in the reader's language.
ROLE_LABELS = {JOURNALISTS: _("Journalists"), EDITORS: _("Editors"), ADMINS: _("Admins")}


def roles_with_permission(permission):
    """The names of the roles (groups) granted `permission` ("app.codename"),
    in the reader's language."""
    app_label, codename = permission.split(".", 1)
    names = (
        Group.objects.filter(
            permissions__content_type__app_label=app_label, permissions__codename=codename
        )
        .order_by("name")
        .values_list("name", flat=True)
    )
    return [str(ROLE_LABELS.get(name, name)) for name in names]


def permission_required_with_message(permission, action):
    """Like permission_required(raise_exception=True), but the 403 page says
    why and what to do: log in (and come back here), or ask for a role with
    `permission`. `action` names what the permission allows, for the page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.has_perm(permission):
                return view(request, *args, **kwargs)
            return access_needed(request, permission, action)

        return wrapped

    return decorator


def access_needed(request, permission, action):
    login_url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
    return render(
        request,
        "access_needed.html",
        {
            "action": action,
            "login_url": login_url,
            "allowed_roles": roles_with_permission(permission),
        },
        status=403,
    )
