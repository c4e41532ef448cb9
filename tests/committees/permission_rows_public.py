"""The public committee pages, files and feeds: open to everyone, signed in or not."""

from tests.committees.factories import (
    AgendaPackFactory,
    DocumentFactory,
    ForwardPlanEntryFactory,
    MembershipFactory,
    OrganizationFactory,
    public_decision,
    published_meeting,
    published_report,
)
from tests.permissions import outcome


def _meeting():
    return {"pk": published_meeting().pk}


def _committee():
    return {"slug": MembershipFactory().organization.slug}


def _councillor():
    return {"slug": MembershipFactory().person.slug}


def _report():
    return {"pk": published_report().pk}


def _document():
    return {"pk": DocumentFactory(paper=published_report(with_document=False)).pk}


def _pack():
    return {"pk": AgendaPackFactory().meeting_id}


def _decision():
    return {"pk": public_decision().pk}


def _forward_plan():
    ForwardPlanEntryFactory()
    return {}


def _calendar():
    meeting = published_meeting()
    return {"year": meeting.start.year, "month": meeting.start.month}


def _slug():
    return {"slug": OrganizationFactory().slug}


ROWS = {
    "committees:meetings": (None, outcome(200)),
    "committees:calendar": (_calendar, outcome(200)),
    "committees:taking_part": (None, outcome(200)),
    "committees:meeting": (_meeting, outcome(200)),
    "committees:meeting_pack": (_pack, outcome(200)),
    "committees:meeting_ics": (_meeting, outcome(200)),
    "committees:meetings_ics": (None, outcome(200)),
    "committees:committee_list": (None, outcome(200)),
    "committees:committee": (_committee, outcome(200)),
    "committees:committee_ics": (_slug, outcome(200)),
    "committees:committee_atom": (_slug, outcome(200)),
    "committees:councillors": (None, outcome(200)),
    "committees:councillor": (_councillor, outcome(200)),
    "committees:papers_atom": (None, outcome(200)),
    "committees:report": (_report, outcome(200)),
    "committees:document": (_document, outcome(200)),
    "committees:decisions": (None, outcome(200)),
    "committees:decision": (_decision, outcome(200)),
    "committees:forward_plan": (_forward_plan, outcome(200)),
    "committees:search": (None, outcome(200)),
}
