"""Every URL the project has, for every role and for anonymous visitors, against one table.

A URL pattern missing from EXPECTED fails the test, so each new page must state who may
reach it. Outcomes: 200 (shown), "login" (redirect to sign in), 403, 404, or 405 for pages
that accept only POST.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from organisation.roles import PRIVILEGED_ROLES, ROLE_SPECS, Role
from tests.conftest import sign_in
from tests.factories import DirectorateFactory, UserFactory

ANON = "anonymous"
EVERYONE = [ANON, *[spec.role for spec in ROLE_SPECS]]
SIGNED_IN = [spec.role for spec in ROLE_SPECS]


def outcome(default, **overrides):
    """Build one row: `default` for everyone, with per-role overrides (keys are Role values
    or 'anonymous')."""
    row = dict.fromkeys(EVERYONE, default)
    for who, value in overrides.items():
        row[ANON if who == ANON else Role(who)] = value
    return row


def signed_in_only(value=200):
    return outcome(value, anonymous="login")


ADMIN_ROLES = {Role.ADMINISTRATOR.value: 200, Role.AUDITOR.value: 200}

# URL name -> (kwargs builder or None, row)
EXPECTED = {
    "home": (None, outcome(200)),
    "healthz": (None, outcome(200)),
    "accessibility": (None, outcome(200)),
    "cookies": (None, outcome(200)),
    "login": (None, outcome(200)),
    "logout": (None, outcome(405)),
    "account": (None, signed_in_only()),
    "password_change": (None, signed_in_only()),
    "two_factor_setup": (None, signed_in_only()),
    # Without an authenticator app yet, the code page sends people to set one up.
    "two_factor_verify": (
        None,
        outcome(302, anonymous="login", **{r.value: 200 for r in PRIVILEGED_ROLES}),
    ),
    "password_reset": (None, outcome(200)),
    "password_reset_done": (None, outcome(200)),
    "password_reset_confirm": (
        lambda: {"uidb64": "MQ", "token": "set-password"},
        outcome(200),
    ),
    "password_reset_complete": (None, outcome(200)),
    "organisation:structure": (None, signed_in_only()),
    "organisation:directorate_history": (
        lambda: {"pk": DirectorateFactory().pk},
        outcome(403, anonymous="login", **ADMIN_ROLES),
    ),
    # The Django admin: open to roles with model permissions there; others get 403.
    "admin:index": (None, outcome(403, anonymous="login", **ADMIN_ROLES)),
    "admin:organisation_directorate_changelist": (
        None,
        outcome(403, anonymous="login", **ADMIN_ROLES),
    ),
    "admin:organisation_user_changelist": (
        None,
        outcome(403, anonymous="login", administrator=200),
    ),
}

# Admin pages beyond those named above follow the same rules and are covered by the admin's
# own permission checks; the matrix lists the entry points that roles differ on.
SKIPPED_NAMESPACES = {"admin"}


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _all_url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_table():
    names = {n for n in _all_url_names() if n.split(":")[0] not in SKIPPED_NAMESPACES}
    missing = sorted(names - EXPECTED.keys())
    assert not missing, f"URLs with no row in the permission matrix: {missing}"


def _code_to_outcome(response):
    # The admin sends visitors to its own login URL first, which forwards to /sign-in/.
    if response.status_code == 302 and response["Location"].startswith(
        ("/sign-in/", "/admin/login/")
    ):
        return "login"
    return response.status_code


@pytest.mark.parametrize("url_name", sorted(EXPECTED), ids=sorted(EXPECTED))
@pytest.mark.parametrize("who", EVERYONE, ids=[str(w) for w in EVERYONE])
def test_permission_matrix(client, db, url_name, who):
    from django.urls import reverse

    kwargs_builder, row = EXPECTED[url_name]
    url = reverse(url_name, kwargs=kwargs_builder() if kwargs_builder else None)
    if who != ANON:
        sign_in(client, UserFactory(roles=[who]))
    response = client.get(url)
    assert _code_to_outcome(response) == row[who], (
        f"{url_name} as {who}: got {response.status_code}"
    )
