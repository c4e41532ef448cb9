from organisation.roles import Role
from tests.factories import DirectorateFactory
from tests.permissions import PRIVILEGED, outcome, roles_only, signed_in_only

ADMIN_READERS = [Role.ADMINISTRATOR, Role.AUDITOR]

ROWS = {
    "home": (None, outcome(200)),
    "healthz": (None, outcome(200)),
    "accessibility": (None, outcome(200)),
    "cookies": (None, outcome(200)),
    "login": (None, outcome(200)),
    "logout": (None, outcome(405)),
    "account": (None, signed_in_only()),
    "password_change": (None, signed_in_only()),
    "two_factor_setup": (None, signed_in_only()),
    # Without an authenticator app yet, the code page sends people to set one up. Those who
    # need a second factor (privileged roles, councillors) have one.
    "two_factor_verify": (
        None,
        outcome(302, anonymous="login", councillor=200, **{r.value: 200 for r in PRIVILEGED}),
    ),
    # A set-up link that names no enrolment: the page saying so, for anyone.
    "two_factor_link": (lambda: {"token": "0" * 64}, outcome(200)),
    "password_reset": (None, outcome(200)),
    "password_reset_done": (None, outcome(200)),
    "password_reset_confirm": (lambda: {"uidb64": "MQ", "token": "set-password"}, outcome(200)),
    "password_reset_complete": (None, outcome(200)),
    "organisation:structure": (None, signed_in_only()),
    "organisation:directorate_history": (
        lambda: {"pk": DirectorateFactory().pk},
        roles_only(ADMIN_READERS),
    ),
    # The Django admin: open to roles with model permissions there; others get 403.
    "admin:index": (None, roles_only(ADMIN_READERS)),
    "admin:organisation_directorate_changelist": (None, roles_only(ADMIN_READERS)),
    "admin:organisation_user_changelist": (None, roles_only([Role.ADMINISTRATOR])),
    "admin:organisation_twofactorevent_changelist": (None, roles_only([Role.ADMINISTRATOR])),
}
