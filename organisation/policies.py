"""Who may see or do what.

Each concern has one policy object. Views ask the policy, lists are filtered by the same
policy that guards the detail page (so they never disagree), and the Django admin asks it too.

The base class is shared by every app: an app's policy subclasses `Policy`, states who may do
each action in `can` (and `can_for` where the answer depends on the object), and narrows lists
in `visible`.
"""

from django.db.models import QuerySet
from django.http import Http404

from organisation.roles import Role


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def has_role(user, *roles: Role) -> bool:
    return is_signed_in(user) and user.has_role(*roles)


class Policy:
    """One concern's access rules. Subclasses override `can`, and `can_for`/`visible` where
    the answer depends on the object."""

    #: Where existence itself is sensitive, a refusal on an object is a 404, never a 403.
    hide_existence = False

    def can(self, user, action: str) -> bool:
        raise NotImplementedError

    def can_for(self, user, action: str, obj) -> bool:
        return self.can(user, action)

    def can_view(self, user) -> bool:
        return self.can(user, "view")

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` that `user` may view."""
        return queryset if self.can(user, "view") else queryset.none()

    def get_or_404(self, user, queryset: QuerySet, action: str = "view", **lookup):
        """The object, if it exists and `user` may do `action` on it; else the same 404 for
        "not there" and "not yours"."""
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


council_structure = CouncilStructurePolicy()
admin_site = AdminSitePolicy()
signed_in = SignedInPolicy()
