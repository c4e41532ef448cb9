"""The vocabulary of the permission matrix (tests/test_permission_matrix.py).

Each app lists its URLs in `tests/<app>/permission_rows*.py` as ROWS = {url name: (kwargs
builder or None, row)}; a row maps every visitor (anonymous, each role, and a councillor) to
the outcome: 200, "login" (sent to sign in), 403, 404, 405 (POST only) or 302 (sent
elsewhere).
"""

from organisation.roles import PRIVILEGED_ROLES, ROLE_SPECS, Role

ANON = "anonymous"
#: A councillor: an account with no role, linked to a member of a committee (Person.user),
#: signed in with the second factor such an account needs (User.needs_two_factor).
COUNCILLOR = "councillor"
EVERYONE = [ANON, *[spec.role for spec in ROLE_SPECS], COUNCILLOR]


def outcome(default, **overrides):
    """`default` for everyone, with overrides keyed by Role value, 'anonymous' or
    'councillor'."""
    row = dict.fromkeys(EVERYONE, default)
    for who, value in overrides.items():
        row[who if who in (ANON, COUNCILLOR) else Role(who)] = value
    return row


def account_for(who):
    """A new account for a visitor of the matrix other than ANON: one holding the role, or a
    councillor's (a current member of a committee)."""
    from tests.committees.factories import MembershipFactory, PersonFactory
    from tests.factories import UserFactory

    if who == COUNCILLOR:
        account = UserFactory()
        MembershipFactory(person=PersonFactory(user=account))
        return account
    return UserFactory(roles=[who])


def signed_in_only(value=200):
    return outcome(value, anonymous="login")


def roles_only(roles, value=200, others=403):
    """`value` for the given roles, `others` for other signed-in people, sign-in for anonymous."""
    return outcome(others, anonymous="login", **{Role(r).value: value for r in roles})


PRIVILEGED = sorted(PRIVILEGED_ROLES)
