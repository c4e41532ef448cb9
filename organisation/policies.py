"""Who may see or do what.

Each kind of record has one policy object, built for its model (Wagtail's permission policies
are the model): `can(user, action)` for the role, `can_for(user, action, obj)` where the
object matters, `instances_for(user, action)` for the rows a list may show (the same rule as
the detail page, so they never disagree), and `refusal(user, action, obj)` for the reason a
page shows when it offers no button. Views ask through `require` and `get_or_404`; the
Django admin and the services ask too.

The base class is shared by every app: an app's policy subclasses `Policy`, names its
`model`, states who may do each action in `can` (and `can_for`), and narrows lists in
`visible`.
"""

from enum import StrEnum

from django.db.models import QuerySet
from django.http import Http404

from organisation.roles import (
    GRANTED_BY_ADMINISTRATORS,
    PRIVILEGED_ROLES,
    ROLE_SPECS,
    SPECS_BY_ROLE,
    Role,
)


class Action(StrEnum):
    """What a person may ask to do with a kind of record. Apps add their own actions as
    plain strings where these do not fit ("accept_risk", "open_concern")."""

    VIEW = "view"
    MANAGE = "manage"
    VIEW_HISTORY = "view_history"


#: The reason a page gives when a person's role does not allow an action.
NOT_ALLOWED = "You do not have permission to do this"


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def has_role(user, *roles: Role) -> bool:
    return is_signed_in(user) and user.has_role(*roles)


class Policy:
    """One kind of record's access rules. Subclasses name their `model`, override `can`,
    and `can_for`, `visible` or `refusal` where the answer depends on the object."""

    #: The model the policy is for: `instances_for` starts from its rows.
    model = None
    #: Where existence itself is sensitive, a refusal on an object is a 404, never a 403.
    hide_existence = False

    def can(self, user, action: str) -> bool:
        raise NotImplementedError

    def can_for(self, user, action: str, obj) -> bool:
        return not self.refusal(user, action, obj)

    def can_view(self, user) -> bool:
        return self.can(user, Action.VIEW)

    def refusal(self, user, action: str, obj=None) -> str:
        """Why `user` may not do `action` (on `obj`, if given), in words a page can show; an
        empty string if they may."""
        return "" if self.can(user, action) else NOT_ALLOWED

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` that `user` may view."""
        return queryset if self.can(user, Action.VIEW) else queryset.none()

    def instances_for(self, user, action: str = Action.VIEW, queryset: QuerySet | None = None):
        """The rows `user` may do `action` with: those they may see, or none if the action is
        not theirs. `queryset` narrows (or shapes) the model's rows first."""
        queryset = queryset if queryset is not None else self.model.objects.all()
        if action != Action.VIEW and not self.can(user, action):
            return queryset.none()
        return self.visible(user, queryset)

    def get_or_404(
        self, user, queryset: QuerySet | None = None, action: str = Action.VIEW, **lookup
    ):
        """The object, if it exists and `user` may do `action` on it; else the same 404 for
        "not there" and "not yours"."""
        queryset = queryset if queryset is not None else self.model.objects.all()
        try:
            obj = self.visible(user, queryset).get(**lookup)
        except queryset.model.DoesNotExist:
            raise Http404 from None
        if not self.can_for(user, action, obj):
            raise Http404
        return obj


class SignedInPolicy(Policy):
    """Anyone signed in may view."""

    def can(self, user, action):
        return is_signed_in(user) and action == "view"


class CouncilStructurePolicy(Policy):
    """Directorates and services: every signed-in person may view them; changes are made by
    administrators in the Django admin; their history is for administrators and auditors."""

    def can(self, user, action):
        if action == "view":
            return is_signed_in(user)
        if action == "view_history":
            return has_role(user, Role.ADMINISTRATOR, Role.AUDITOR)
        return False


class AdminSitePolicy(Policy):
    """The Django admin is for roles with model permissions to use there; each model admin
    then shows only what the role's permissions allow."""

    def can(self, user, action):
        return action == "view" and is_signed_in(user) and user.is_staff


class ServerConsole:
    """The person at the server's command line (`manage.py ...`): whoever can run commands
    there already holds the database and the secret key, so commands act with full power.
    The only actor that may manage superuser accounts."""

    def __repr__(self):
        return "SERVER_CONSOLE"


SERVER_CONSOLE = ServerConsole()

ALL_ROLES = frozenset(spec.role for spec in ROLE_SPECS)
#: What a councillor's account may open, as roles: the private papers of their committees,
#: which Governance Services open with every other piece of exempt business.
COUNCILLOR_POWER = frozenset({Role.GOVERNANCE_SERVICES})

NOT_GRANTABLE = "You cannot give the {roles} role{s}: you may give only the roles you could hold"
NOT_MANAGEABLE = (
    "You cannot change this account: it has roles or powers that you do not have. "
    "Ask a superuser, or for a superuser account use the server's command line"
)


class AccountPolicy(Policy):
    """Who may change whose account: its credentials (password, e-mail address, two-factor
    authenticator), its roles and its flags (active, superuser).

    The rule is the Kubernetes RBAC "no escalation" principle: you may not give, or take
    control of, more power than you hold. An account's power is its superuser flag plus its
    roles. Without the rule an administrator could set a superuser's password (or e-mail
    address, then reset the password) and so become that superuser, or grant themselves the
    Monitoring Officer's role and read every whistleblowing concern.

    - The roles an actor may grant: for administrators, the roles roles.py lets them give
      (GRANTED_BY_ADMINISTRATORS: every role that is not privileged, and Governance Services,
      the council's clerks) plus the privileged roles the actor holds; a superuser may grant
      every role; anyone else grants nothing.
    - An actor may manage an account only if it is not a superuser and every role it holds
      is one the actor may grant (so an administrator may manage officers, clerks and other
      administrators, but not a Monitoring Officer unless they are one too).
    - A councillor's account (User.is_councillor) opens the private papers of their
      committees: part of the exempt business Governance Services open, so it counts as
      holding that role (COUNCILLOR_POWER). Whoever may give Governance Services (an
      administrator, today) may manage it and send it a two-factor set-up link; if that role
      is ever kept from administrators, councillors' accounts go with it.
    - Superuser accounts are managed only at the server's command line (SERVER_CONSOLE): in
      the admin they are read-only to everyone, other superusers included, so one stolen
      superuser session cannot take over the rest.
    - The superuser flag is never set in the admin (`manage.py createsuperuser`).
    """

    def can(self, user, action):
        return action == "manage" and bool(self.grantable_roles(user))

    def grantable_roles(self, actor) -> frozenset[Role]:
        if actor is SERVER_CONSOLE:
            return ALL_ROLES
        if not is_signed_in(actor):
            return frozenset()
        if actor.is_superuser:
            return ALL_ROLES
        if actor.has_role(Role.ADMINISTRATOR):
            return GRANTED_BY_ADMINISTRATORS | (actor.roles & PRIVILEGED_ROLES)
        return frozenset()

    def power(self, account) -> frozenset[Role]:
        """The roles whose power `account` holds: its own, and Governance Services' for a
        councillor's account (COUNCILLOR_POWER)."""
        if account.is_councillor:
            return account.roles | COUNCILLOR_POWER
        return account.roles

    def can_manage(self, actor, account) -> bool:
        """May `actor` change `account`'s credentials, roles or flags, or issue it a
        two-factor set-up link?"""
        if actor is SERVER_CONSOLE:
            return True
        if account.is_superuser:
            return False
        grantable = self.grantable_roles(actor)
        return bool(grantable) and self.power(account) <= grantable

    def refused_roles(self, actor, roles) -> frozenset[Role]:
        """Of `roles`, those `actor` may not grant."""
        return frozenset(roles) - self.grantable_roles(actor)

    def can_set_roles(self, actor, account, roles) -> bool:
        """May `actor` leave `account` holding exactly `roles`?"""
        return self.can_manage(actor, account) and not self.refused_roles(actor, roles)

    def not_grantable_message(self, roles) -> str:
        names = sorted(SPECS_BY_ROLE[role].name for role in roles)
        return NOT_GRANTABLE.format(
            roles=" and ".join(names) if len(names) < 3 else ", ".join(names),
            s="s" if len(names) > 1 else "",
        )


council_structure = CouncilStructurePolicy()
admin_site = AdminSitePolicy()
signed_in = SignedInPolicy()
accounts = AccountPolicy()
