"""Signing in, and finding the signed-in person on each request."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group

from organisation.models import User, councillor_link


def _user_with_roles_sql() -> str:
    # Table names from the models' metadata, never input; the user's id is a parameter.
    user, group = User._meta.db_table, Group._meta.db_table
    through = User.groups.through._meta.db_table
    link = councillor_link()
    councillor = (
        f'EXISTS(SELECT 1 FROM "{link.related_model._meta.db_table}" c'  # noqa: S608
        f' WHERE c."{link.field.column}" = u."id")'
        if link is not None
        else "FALSE"
    )
    return (
        f'SELECT u.*, ARRAY(SELECT g."name" FROM "{group}" g'  # noqa: S608
        f' JOIN "{through}" ug ON ug."group_id" = g."id"'
        f' WHERE ug."user_id" = u."id") AS "role_names",'
        f' {councillor} AS "linked_to_councillor"'
        f' FROM "{user}" u WHERE u."id" = %s'
    )


class PortalBackend(ModelBackend):
    """Django's ModelBackend (which finds the account with User.objects.get_by_natural_key,
    so by its address in any spelling), loading the person a session belongs to with their
    roles and whether the account is a councillor's (User.is_councillor) in one query: a
    signed-in page costs one query fewer, and asking who needs a second factor
    (User.needs_two_factor) costs none. Those who need one spend the query saved on checking
    that their authenticator still exists (django-otp's middleware loads it on every
    request, so a removed authenticator ends the second factor at once).

    The query is written out once (`USER_WITH_ROLES`) rather than built by the ORM on every
    request: the ORM's form of it (an ArrayAgg over the groups, grouped by the user) took
    0.8 ms of Python to build, on every signed-in request, against 0.1 ms for this.
    """

    USER_WITH_ROLES = _user_with_roles_sql()

    def get_user(self, user_id):
        user = next(iter(User.objects.raw(self.USER_WITH_ROLES, [user_id])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        user.remember_roles(user.role_names)
        user.remember_councillor(user.linked_to_councillor)
        return user
