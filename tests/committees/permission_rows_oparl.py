"""The OParl open-data API (committees/api.py): open to everyone and the same for everyone.
Each builder makes an object the public may see; private ones are a 404 for everyone
(tests/committees/test_oparl.py proves that)."""

from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DocumentFactory,
    LegislativeTermFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
)
from tests.factories import CouncilFactory
from tests.permissions import outcome

EVERYONE = outcome(200)


def _body():
    return {"pk": CouncilFactory().pk}


def _published_consultation():
    return ConsultationFactory(
        agenda_item=AgendaItemFactory(meeting=MeetingFactory(published=True))
    )


def _public_file():
    return {"pk": DocumentFactory(paper=_published_consultation().paper).pk}


BODY_LISTS = (
    "organizations",
    "persons",
    "memberships",
    "meetings",
    "agenda_items",
    "papers",
    "consultations",
    "files",
    "locations",
    "legislative_terms",
)

ROWS = {
    "oparl:system": (None, EVERYONE),
    "oparl:body_list": (None, EVERYONE),
    "oparl:body": (_body, EVERYONE),
    **{f"oparl:body_{name}": (_body, EVERYONE) for name in BODY_LISTS},
    "oparl:organization": (lambda: {"pk": OrganizationFactory().pk}, EVERYONE),
    "oparl:organization_meetings": (lambda: {"pk": OrganizationFactory().pk}, EVERYONE),
    "oparl:person": (lambda: {"pk": PersonFactory().pk}, EVERYONE),
    "oparl:membership": (lambda: {"pk": MembershipFactory().pk}, EVERYONE),
    "oparl:location": (lambda: {"pk": LocationFactory().pk}, EVERYONE),
    "oparl:legislative_term": (lambda: {"pk": LegislativeTermFactory().pk}, EVERYONE),
    "oparl:meeting": (lambda: {"pk": MeetingFactory(published=True).pk}, EVERYONE),
    "oparl:agenda_item": (
        lambda: {"pk": AgendaItemFactory(meeting=MeetingFactory(published=True)).pk},
        EVERYONE,
    ),
    "oparl:paper": (lambda: {"pk": _published_consultation().paper_id}, EVERYONE),
    "oparl:consultation": (lambda: {"pk": _published_consultation().pk}, EVERYONE),
    "oparl:file": (_public_file, EVERYONE),
    "oparl:file_access": (_public_file, EVERYONE),
    "oparl:file_download": (_public_file, EVERYONE),
    # Any other address under /oparl/v1/: an OParl error object.
    "oparl:not_found": (lambda: {"rest": "no-such-list/"}, outcome(404)),
}
