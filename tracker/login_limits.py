"""What django-axes counts failed log-ins by (see AXES_* in settings).

Axes keeps each attempt in a row whose username column holds 255 characters;
a longer name typed into the form must still get the ordinary "wrong username
or password", not a database error (PostgreSQL refuses the row; SQLite would
keep it whole)."""

from django.conf import settings

# The width of axes' username columns (AccessAttempt, AccessLog, AccessFailureLog).
LOCKOUT_USERNAME_MAX_LENGTH = 255


def lockout_username(request, credentials=None):
    """The username axes records for this attempt: what was typed, cut to the
    column's width. No account has a name that long (Django's are at most
    150), so names cut alike share a count only with other names that
    match no account."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if username is None:
        return None
    return str(username)[:LOCKOUT_USERNAME_MAX_LENGTH]
