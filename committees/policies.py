"""Who may see or do what with committee business.

The public sees every meeting's date and place; an agenda, its reports and their files once
the agenda is published; minutes once published; public decisions. Private business (exempt
under Schedule 12A) shows only as its item title and paragraph number: its papers, files and
exempt minutes are refused with the same 404 as something that does not exist.
Governance Services see and change everything here.
"""

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, When

from committees.models import Consultation
from organisation.policies import Policy, has_role
from organisation.roles import Role

MANAGERS = (Role.GOVERNANCE_SERVICES,)


def manages_committees(user) -> bool:
    return has_role(user, *MANAGERS)


class CommitteeBusinessPolicy(Policy):
    """Governance Services' own pages: building agendas, publishing, minutes."""

    def can(self, user, action):
        return manages_committees(user)


class PublicRecordPolicy(Policy):
    """Anyone may view (what they see is `visible`); Governance Services may also change."""

    def can(self, user, action):
        return action == "view" or manages_committees(user)


class MeetingPolicy(PublicRecordPolicy):
    """Every meeting is public (its date, place and state); what it contains is decided by
    the item, paper and document policies."""

    def can_see_agenda(self, user, meeting) -> bool:
        """The public sees an agenda once it is published; Governance Services while they
        build it."""
        return meeting.agenda_published_at is not None or manages_committees(user)


class AgendaItemPolicy(PublicRecordPolicy):
    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(meeting__agenda_published_at__isnull=False)

    def can_see_content(self, user, item) -> bool:
        """Its papers and minutes, beyond the title and the exemption paragraph."""
        return item.is_public or manages_committees(user)


def _taken_at_a_published_meeting(paper_ref: OuterRef) -> Exists:
    """The report (`paper_ref`) goes to at least one meeting whose agenda is published.

    An EXISTS rather than a join: a join repeats the report once per meeting (needing
    DISTINCT), and `pk IN (SELECT DISTINCT ...)` makes PostgreSQL build the whole set of
    public reports before it can use a single one."""
    return Exists(
        Consultation.objects.filter(paper=paper_ref, meeting__agenda_published_at__isnull=False)
    )


class PaperPolicy(PublicRecordPolicy):
    """The public sees a public report once an agenda that carries it is published (one is
    enough, even if other meetings it goes to are not published yet)."""

    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(_taken_at_a_published_meeting(OuterRef("pk")), is_public=True)


class ConsultationPolicy(PublicRecordPolicy):
    """A step of a report's journey is public when the report is public and that step's own
    meeting has a published agenda (which also makes the report visible), and the item it
    names, if any, is on a published agenda. Steps at unpublished meetings stay hidden even
    when the report is already public through another meeting."""

    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(
            Q(agenda_item__isnull=True)
            | Q(agenda_item__meeting__agenda_published_at__isnull=False),
            paper__is_public=True,
            meeting__agenda_published_at__isnull=False,
        )


class DocumentPolicy(PublicRecordPolicy):
    """A report's files go with the report (PaperPolicy); a meeting's own files (minutes)
    with the publication of its minutes."""

    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        # A CASE rather than an OR: PostgreSQL splits such an OR and costs the EXISTS in it
        # as if run once per file, an estimate so high that it compiles the count with JIT.
        return queryset.filter(
            Case(
                When(
                    paper__isnull=True,
                    then=Q(meeting__minutes_published_at__isnull=False),
                ),
                default=Q(
                    _taken_at_a_published_meeting(OuterRef("paper_id")), paper__is_public=True
                ),
                output_field=BooleanField(),
            )
        )


class DecisionPolicy(PublicRecordPolicy):
    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(is_public=True)


committee_business = CommitteeBusinessPolicy()
meetings = MeetingPolicy()
agenda_items = AgendaItemPolicy()
papers = PaperPolicy()
consultations = ConsultationPolicy()
documents = DocumentPolicy()
decisions = DecisionPolicy()
