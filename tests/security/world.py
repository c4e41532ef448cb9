"""A small council with something on every page: a decision maker with members, a past
meeting whose minutes are published (attendance, a resolution asking for a follow-up), a
coming meeting with items, a sub-item and an approved report with its file, a forward plan
entry and an officer decision. Every form page then shows its full form (choices included).
"""

import dataclasses
import datetime as dt

from django.utils import timezone

from committees.models import MeetingState
from tests.committees.factories import (
    AgendaItemFactory,
    AgendaPackFactory,
    AttendanceFactory,
    ConsultationFactory,
    DecisionFactory,
    DocumentFactory,
    ForwardPlanEntryFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaperFactory,
    ResolutionFactory,
    approve_fully,
)
from tests.factories import DirectorateFactory, UserFactory


@dataclasses.dataclass
class World:
    organization: object
    past: object
    past_item: object
    resolution: object
    coming: object
    item: object
    sub_item: object
    paper: object
    document: object
    sign_off: object
    later: object
    contact: object

    def kwargs(self) -> dict:
        """URL kwargs for the pages about these objects, by URL name (pages not named here
        use the permission matrix's builders)."""
        coming = {"pk": self.coming.pk}
        past = {"pk": self.past.pk}
        item = {"pk": self.item.pk}
        paper = {"pk": self.paper.pk}
        sign_off = {"pk": self.sign_off.pk}
        return {
            "manage:meeting": coming,
            "manage:meeting_reschedule": coming,
            "manage:meeting_cancel": coming,
            "manage:meeting_publish": coming,
            "manage:pack_status": coming,
            "manage:pack_rebuild": coming,
            "manage:meeting_history": coming,
            "manage:item_add": coming,
            "manage:sub_item_add": {"pk": self.coming.pk, "parent_pk": self.item.pk},
            "manage:item_edit": item,
            "manage:item_move": item,
            "manage:item_remove": {"pk": self.sub_item.pk},
            "manage:item_attach_report": item,
            "manage:item_minute": {"pk": self.past_item.pk},
            "manage:item_history": item,
            "manage:meeting_minutes": past,
            "manage:attendance": past,
            "manage:declaration_add": past,
            "manage:minutes_publish": past,
            "manage:minutes_approve": past,
            "manage:minutes_correct": past,
            "manage:issue_close": {"pk": self.resolution.pk},
            "manage:report": paper,
            "manage:report_edit": paper,
            "manage:report_upload": paper,
            "manage:report_sign_off": paper,
            "manage:report_history": paper,
            "manage:pack_download": {"pk": self.later.pk},
            "manage:sign_off_edit": sign_off,
            "manage:sign_off_withdraw": sign_off,
            "manage:sign_off_history": sign_off,
            "manage:document_replace": {"pk": self.document.pk},
            "manage:document_withdraw": {"pk": self.document.pk},
            "manage:document_history": {"pk": self.document.pk},
        }


def build_world() -> World:
    now = timezone.now().replace(second=0, microsecond=0)
    organization = OrganizationFactory()
    for _ in range(2):
        MembershipFactory(organization=organization)
    DirectorateFactory(name="Place")
    location = LocationFactory()
    contact = UserFactory(full_name="Adrian West")

    past = MeetingFactory(
        organizations=[organization],
        start=now - dt.timedelta(days=14),
        end=now - dt.timedelta(days=14) + dt.timedelta(hours=2),
        location=location,
        published=True,
    )
    past.state = MeetingState.HELD
    past.minutes_published_at = now - dt.timedelta(days=10)
    past.closed_at = dt.time(15, 45)
    past.save()
    past_item = AgendaItemFactory(meeting=past, position=1, number="1", title="Apologies")
    resolution = ResolutionFactory(agenda_item=past_item, requests_follow_up=True)
    AttendanceFactory(meeting=past, person=organization.memberships.first().person)

    coming = MeetingFactory(organizations=[organization], location=location)
    item = AgendaItemFactory(meeting=coming, position=1, number="1", title="Whistleblowing")
    AgendaItemFactory(meeting=coming, position=2, number="2", title="Information risk")
    sub_item = AgendaItemFactory(meeting=coming, parent=item, position=1, number="a)")
    paper = approve_fully(PaperFactory(title="Whistleblowing Policy"))
    ConsultationFactory(paper=paper, agenda_item=item)
    document = DocumentFactory(paper=paper)
    later = MeetingFactory(
        organizations=[organization], start=now + dt.timedelta(days=60), published=True
    )
    AgendaPackFactory(meeting=later)
    ForwardPlanEntryFactory(decision_maker=organization, paper=PaperFactory())
    DecisionFactory(decision_maker=organization)
    return World(
        organization=organization,
        past=past,
        past_item=past_item,
        resolution=resolution,
        coming=coming,
        item=item,
        sub_item=sub_item,
        paper=paper,
        document=document,
        sign_off=paper.sign_offs.order_by("pk").first(),
        later=later,
        contact=contact,
    )
