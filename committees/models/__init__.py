"""Committees, shaped on OParl 1.1 (see ../shared/oparl-1.1): Body is organisation.Council."""

from committees.models.bodies import (
    LegislativeTerm,
    Location,
    Membership,
    MembershipRole,
    Organization,
    OrganizationType,
    Person,
    Post,
)
from committees.models.decisions import (
    Decision,
    DecisionKind,
    ForwardPlanEntry,
    KeyDecisionException,
)
from committees.models.meetings import (
    AgendaItem,
    AgendaPack,
    Attendance,
    AttendanceStatus,
    Declaration,
    Meeting,
    MeetingState,
    MinutesCorrection,
    PackStatus,
    Resolution,
)
from committees.models.papers import (
    Consultation,
    ConsultationRole,
    Document,
    DocumentKind,
    Paper,
    SignOff,
    SignOffKind,
)
from committees.models.search import SearchEntry

__all__ = [
    "AgendaItem",
    "AgendaPack",
    "Attendance",
    "AttendanceStatus",
    "Consultation",
    "ConsultationRole",
    "Decision",
    "DecisionKind",
    "Declaration",
    "Document",
    "DocumentKind",
    "ForwardPlanEntry",
    "KeyDecisionException",
    "LegislativeTerm",
    "Location",
    "Meeting",
    "MeetingState",
    "Membership",
    "MembershipRole",
    "MinutesCorrection",
    "Organization",
    "OrganizationType",
    "PackStatus",
    "Paper",
    "Person",
    "Post",
    "Resolution",
    "SearchEntry",
    "SignOff",
    "SignOffKind",
]
