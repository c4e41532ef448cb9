"""Who may see or do what with committee business.

The public sees every meeting's date and place; an agenda, its reports and their files once
the agenda is published; minutes once published; public decisions. Private business (exempt
under Schedule 12A) shows only as its item title and paragraph number: its papers, files and
exempt minutes are refused with the same 404 as something that does not exist.
Governance Services see and change everything here.
"""

from django.db.models import Q, QuerySet

from organisation.policies import Policy, has_role
from organisation.roles import Role

MANAGERS = (Role.GOVERNANCE_SERVICES,)


def manages_committees(user) -> bool:
    return has_role(user, *MANAGERS)


class CommitteeBusinessPolicy(Policy):
    """Governance Services' own pages: building agendas, publishing, minutes."""

    def can(self, user, action):
        return manages_committees(user)


class MeetingPolicy(Policy):
    """Every meeting is public (its date, place and state); what it contains is decided by
    the item, paper and document policies."""

    def can(self, user, action):
        return action == "view" or manages_committees(user)

    def can_see_agenda(self, user, meeting) -> bool:
        """The public sees an agenda once it is published; Governance Services while they
        build it."""
        return meeting.agenda_published_at is not None or manages_committees(user)


class AgendaItemPolicy(Policy):
    def can(self, user, action):
        return action == "view" or manages_committees(user)

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(meeting__agenda_published_at__isnull=False)

    def can_see_content(self, user, item) -> bool:
        """Its papers and minutes, beyond the title and the exemption paragraph."""
        return item.is_public or manages_committees(user)


class PaperPolicy(Policy):
    hide_existence = True

    def can(self, user, action):
        return action == "view" or manages_committees(user)

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(
            is_public=True, consultations__meeting__agenda_published_at__isnull=False
        ).distinct()


class DocumentPolicy(Policy):
    hide_existence = True

    def can(self, user, action):
        return action == "view" or manages_committees(user)

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        published_paper = Q(
            paper__is_public=True,
            paper__consultations__meeting__agenda_published_at__isnull=False,
        )
        published_minutes = Q(paper__isnull=True, meeting__minutes_published_at__isnull=False)
        return queryset.filter(published_paper | published_minutes).distinct()


class DecisionPolicy(Policy):
    hide_existence = True

    def can(self, user, action):
        return action == "view" or manages_committees(user)

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(is_public=True)


committee_business = CommitteeBusinessPolicy()
meetings = MeetingPolicy()
agenda_items = AgendaItemPolicy()
papers = PaperPolicy()
documents = DocumentPolicy()
decisions = DecisionPolicy()
