"""Who may open which concern, and do what with it.

- The Monitoring Officer keeps the register of every concern (policy 28) and may open any.
- The Chief Internal Auditor opens the concerns routed to them (fraud and financial
  irregularity) and sees them in the register.
- An investigating officer opens only the concerns they are appointed to.
- Auditors, administrators and everyone else open none: the dashboards give auditors counts.
- Any signed-in officer may raise a concern, and log one raised with them in person or by
  telephone (policy 12: a supervisor, line manager or head of service); having logged it,
  they cannot open it.
- The reporter reaches their own case by its receipt code (anonymous) or signed in as the
  account that raised it (named): `ReporterAccess`, never a role.

A concern that is not someone's is the same 404 as one that does not exist
(`hide_existence`). The register's export, the log of who opened each case and the annual
report are the Monitoring Officer's alone.
"""

from django.db.models import Q

from organisation.policies import Action, Policy, has_role, is_signed_in
from organisation.roles import Role
from whistleblowing.models import Concern, Route

HANDLERS = (Role.MONITORING_OFFICER, Role.CHIEF_INTERNAL_AUDITOR, Role.INVESTIGATING_OFFICER)


class ConcernAction:
    OPEN = "open"  # read a case's content
    HANDLE = "handle"  # acknowledge, message, note, meet
    DIRECT = "direct"  # appoint an investigator, reroute, triage, close, reopen
    REGISTER = "register"  # the register's list (no content)
    EXPORT = "export"
    OPENINGS = "openings"  # the log of who opened a case, and when
    REPORT = "annual_report"
    RAISE = "raise"
    LOG_ON_BEHALF = "log_on_behalf"


class ConcernPolicy(Policy):
    model = Concern
    hide_existence = True

    def can(self, user, action):
        if action == ConcernAction.RAISE:
            return True
        if action == ConcernAction.LOG_ON_BEHALF:
            return is_signed_in(user)
        if action in (ConcernAction.EXPORT, ConcernAction.OPENINGS, ConcernAction.REPORT):
            return has_role(user, Role.MONITORING_OFFICER)
        if action == ConcernAction.DIRECT:
            return has_role(user, Role.MONITORING_OFFICER, Role.CHIEF_INTERNAL_AUDITOR)
        if action in (
            Action.VIEW,
            ConcernAction.OPEN,
            ConcernAction.HANDLE,
            ConcernAction.REGISTER,
        ):
            return has_role(user, *HANDLERS)
        return False

    def visible(self, user, queryset):
        if not has_role(user, *HANDLERS):
            return queryset.none()
        if user.has_role(Role.MONITORING_OFFICER):
            return queryset
        mine = Q(investigator=user)
        if user.has_role(Role.CHIEF_INTERNAL_AUDITOR):
            mine |= Q(route=Route.CHIEF_INTERNAL_AUDITOR)
        return queryset.filter(mine)

    def can_for(self, user, action, obj):
        if not self.can(user, action):
            return False
        if user.has_role(Role.MONITORING_OFFICER):
            return True
        owns_route = (
            user.has_role(Role.CHIEF_INTERNAL_AUDITOR) and obj.route == Route.CHIEF_INTERNAL_AUDITOR
        )
        if action == ConcernAction.DIRECT:
            return owns_route
        return owns_route or obj.investigator_id == user.pk

    def refusal(self, user, action, obj=None):
        if obj is None:
            return super().refusal(user, action)
        return "" if self.can_for(user, action, obj) else "You do not have permission to do this"


concerns = ConcernPolicy()


# --- The reporter's own case ------------------------------------------------------------------


class ReporterAccess:
    """Who may follow a case as its reporter: never a role, only the reporter.

    - With the receipt code: whoever enters it is let into that one case, in that browser's
      session, for `GRANT_MINUTES` after their last page (then they enter it again).
    - Signed in: the account that raised a named concern (its `reporter_tag`), from their list
      of concerns, on the same terms.
    - The officer who logged a concern on someone's behalf is not let in, even with the code
      they handed over.

    A case that is not theirs is the same 404 as one that does not exist.
    """

    GRANT_MINUTES = 20

    def may_follow(self, user, concern, *, by_account: bool) -> bool:
        from whistleblowing import receipts

        signed_in = is_signed_in(user)
        if concern is None or (signed_in and concern.logged_by_id == user.pk):
            return False
        if by_account:
            return (
                signed_in
                and concern.reporter_tag is not None
                and bytes(concern.reporter_tag) == receipts.reporter_tag(user)
            )
        return concern.receipt_hash is not None

    def may_log_for(self, logger, reporter) -> bool:
        """An officer logs a concern for someone else's account, never their own."""
        return is_signed_in(logger) and reporter is not None and reporter.pk != logger.pk


reporter_access = ReporterAccess()
