"""The vocabulary of the permission matrix (tests/test_permission_matrix.py).

Each app lists its URLs in `tests/<app>/permission_rows*.py` as ROWS = {url name: (kwargs
builder or None, row)}; a row maps every visitor (anonymous and each role) to the outcome:
200, "login" (sent to sign in), 403, 404, 405 (POST only) or 302 (sent elsewhere).
"""

from organisation.roles import PRIVILEGED_ROLES, ROLE_SPECS, Role

ANON = "anonymous"
EVERYONE = [ANON, *[spec.role for spec in ROLE_SPECS]]


def outcome(default, **overrides):
    """`default` for everyone, with overrides keyed by Role value or 'anonymous'."""
    row = dict.fromkeys(EVERYONE, default)
    for who, value in overrides.items():
        row[ANON if who == ANON else Role(who)] = value
    return row


def signed_in_only(value=200):
    return outcome(value, anonymous="login")


def roles_only(roles, value=200, others=403):
    """`value` for the given roles, `others` for other signed-in people, sign-in for anonymous."""
    return outcome(others, anonymous="login", **{Role(r).value: value for r in roles})


PRIVILEGED = sorted(PRIVILEGED_ROLES)
