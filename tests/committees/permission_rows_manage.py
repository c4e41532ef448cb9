"""Governance Services' own pages (/manage/): Governance Services only; everyone else signed
in is refused with 403, anonymous visitors are sent to sign in. POST-only endpoints answer a
GET with 405, after the permission check."""

from organisation.roles import Role
from tests.committees.factories import (
    AgendaItemFactory,
    AgendaPackFactory,
    DocumentFactory,
    MeetingFactory,
    PaperFactory,
    ResolutionFactory,
    SignOffFactory,
)
from tests.permissions import roles_only

GS = [Role.GOVERNANCE_SERVICES]


def _meeting():
    return {"pk": MeetingFactory().pk}


def _item():
    return {"pk": AgendaItemFactory().pk}


def _sub_item():
    item = AgendaItemFactory()
    return {"pk": item.meeting_id, "parent_pk": item.pk}


def _paper():
    return {"pk": PaperFactory().pk}


def _meeting_with_pack():
    return {"pk": AgendaPackFactory().meeting_id}


def _sign_off():
    return {"pk": SignOffFactory().pk}


def _document():
    return {"pk": DocumentFactory().pk}


def _issue():
    return {"pk": ResolutionFactory(requests_follow_up=True).pk}


ROWS = {
    "manage:meetings": (None, roles_only(GS)),
    "manage:meeting_create": (None, roles_only(GS)),
    "manage:meeting": (_meeting, roles_only(GS)),
    "manage:meeting_reschedule": (_meeting, roles_only(GS)),
    "manage:meeting_cancel": (_meeting, roles_only(GS)),
    "manage:meeting_publish": (_meeting, roles_only(GS)),
    "manage:pack_status": (_meeting, roles_only(GS)),
    "manage:pack_rebuild": (_meeting, roles_only(GS, value=405)),
    "manage:pack_download": (_meeting_with_pack, roles_only(GS)),
    "manage:meeting_history": (_meeting, roles_only(GS)),
    "manage:item_add": (_meeting, roles_only(GS)),
    "manage:sub_item_add": (_sub_item, roles_only(GS)),
    "manage:item_edit": (_item, roles_only(GS)),
    "manage:item_move": (_item, roles_only(GS, value=405)),
    "manage:item_remove": (_item, roles_only(GS)),
    "manage:item_attach_report": (_item, roles_only(GS)),
    "manage:item_minute": (_item, roles_only(GS)),
    "manage:item_history": (_item, roles_only(GS)),
    "manage:meeting_minutes": (_meeting, roles_only(GS)),
    "manage:attendance": (_meeting, roles_only(GS)),
    "manage:declaration_add": (_meeting, roles_only(GS)),
    "manage:minutes_publish": (_meeting, roles_only(GS)),
    "manage:minutes_approve": (_meeting, roles_only(GS)),
    "manage:minutes_correct": (_meeting, roles_only(GS)),
    "manage:outstanding_issues": (None, roles_only(GS)),
    "manage:issue_close": (_issue, roles_only(GS)),
    "manage:reports": (None, roles_only(GS)),
    "manage:report_create": (None, roles_only(GS)),
    "manage:report": (_paper, roles_only(GS)),
    "manage:report_edit": (_paper, roles_only(GS)),
    "manage:report_upload": (_paper, roles_only(GS)),
    "manage:report_sign_off": (_paper, roles_only(GS)),
    "manage:report_history": (_paper, roles_only(GS)),
    "manage:sign_off_edit": (_sign_off, roles_only(GS)),
    "manage:sign_off_withdraw": (_sign_off, roles_only(GS)),
    "manage:sign_off_history": (_sign_off, roles_only(GS)),
    "manage:document_replace": (_document, roles_only(GS)),
    "manage:document_withdraw": (_document, roles_only(GS)),
    "manage:document_history": (_document, roles_only(GS)),
    "manage:decisions": (None, roles_only(GS)),
    # The log of openings of private papers: Governance Services and the Monitoring Officer.
    "manage:private_openings": (
        None,
        roles_only([Role.GOVERNANCE_SERVICES, Role.MONITORING_OFFICER]),
    ),
    "manage:decision_create": (None, roles_only(GS)),
    "manage:forward_plan_create": (None, roles_only(GS)),
}
