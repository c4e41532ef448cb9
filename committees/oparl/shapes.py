"""OParl 1.1 (https://oparl.org, ../shared/oparl-1.1): how the portal's rows read as OParl
objects, and how a list request is read and a list page written.

Serialisers run no queries: they take rows shaped by committees.oparl.queries. Every URL they
hand out is absolute and resolves in the API (or is an external site the council names).
Private business shows only as an agenda item's number, title, `public: false` and its
Schedule 12A paragraph numbers; private reports and their files are never given out.
"""

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import urlencode

from committees import rules
from committees.models import Document, DocumentKind, Meeting, MeetingState, Paper
from governance_portal import url_shapes

OPARL_VERSION = "https://schema.oparl.org/1.1/"
ERROR_TYPE = f"{OPARL_VERSION}Error"
#: The Open Government Licence, under which UK councils publish their open data.
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
MAX_PAGE_SIZE = 100
#: Lists whose objects embed many others (a meeting its agenda and files, a report its files
#: and journey) page at fewer: OParl lets the server choose, and a client may ask for fewer.
PAGE_SIZES = {"meeting": 25, "paper": 25}

#: Public pages named by their object's primary key, as the models' get_absolute_url name
#: them (tests check they agree); OParl.web builds these without a reverse() per object.
WEB_PAGES = {
    Meeting: "committees:meeting",
    Paper: "committees:report",
    Document: "committees:document",
}

#: kind (as the URL names say it) -> OParl object type
TYPES = {
    "system": "System",
    "body": "Body",
    "legislative_term": "LegislativeTerm",
    "location": "Location",
    "organization": "Organization",
    "person": "Person",
    "membership": "Membership",
    "meeting": "Meeting",
    "agenda_item": "AgendaItem",
    "paper": "Paper",
    "consultation": "Consultation",
    "file": "File",
}

FILTERS = ("created_since", "created_until", "modified_since", "modified_until")


def object_type(kind: str) -> str:
    return f"{OPARL_VERSION}{TYPES[kind]}"


def date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def date_time(value: dt.datetime | None, zone: dt.tzinfo | None = None) -> str | None:
    """As OParl writes a moment: 2017-04-13T14:00:00+01:00 (UK time, whole seconds)."""
    if value is None:
        return None
    return timezone.localtime(value, zone).replace(microsecond=0).isoformat()


def page_size(kind: str) -> int:
    """How many objects a page of the list of `kind` holds, unless the client asks for fewer."""
    return PAGE_SIZES.get(kind, MAX_PAGE_SIZE)


def compact(data: dict, *, keep: tuple[str, ...] = ()) -> dict:
    """Without the properties that have no value: OParl asks for no nulls, empty strings or
    empty lists, except for required ones (`keep`)."""
    return {k: v for k, v in data.items() if k in keep or v not in (None, "", [])}


# Reading a list request ----------------------------------------------------------------------


class BadRequest(Exception):
    """A list parameter the API cannot read; the message says which and how to fix it."""


def _moment(name: str, text: str) -> dt.datetime:
    # An unencoded "+01:00" arrives as " 01:00": read it as the client meant it.
    text = text.strip()
    if len(text) > 19 and text[-6] == " ":
        text = f"{text[:-6]}+{text[-5:]}"
    try:
        value = parse_datetime(text)
        if value is None and (day := parse_date(text)) is not None:
            value = dt.datetime.combine(day, dt.time())
    except ValueError:  # well formed, but no such day or time
        value = None
    if value is None:
        raise BadRequest(
            f"{name} must be a date and time in ISO 8601 form, "
            f"like 2017-04-13T14:00:00+01:00; got {text[:40]!r}"
        )
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # A moment whose UTC time falls outside years 1 to 9999 cannot be compared or shown.
        value.astimezone(dt.UTC)
        timezone.localtime(value)
    except OverflowError:
        raise BadRequest(f"{name} is outside the calendar; got {text[:40]!r}") from None
    return value


def _positive(name: str, text: str) -> int:
    # A bounded length: int() of a huge string is slow, and refused past 4 300 digits.
    if not re.fullmatch(r"[0-9]{1,30}", text) or int(text) < 1:
        raise BadRequest(f"{name} must be a whole number from 1 upwards; got {text[:40]!r}")
    return int(text)


@dataclass(frozen=True)
class ListRequest:
    """What a client asked of an external list: filters, page, page size, omit_internal."""

    window: dict[str, dt.datetime] = field(default_factory=dict)
    page: int = 1
    limit: int = MAX_PAGE_SIZE
    omit_internal: bool = False
    #: The list's own page size (page_size): the default, and the most a client may ask for.
    page_size: int = MAX_PAGE_SIZE

    @classmethod
    def parse(cls, query, *, page_size: int = MAX_PAGE_SIZE) -> "ListRequest":
        window = {name: _moment(name, query[name]) for name in FILTERS if query.get(name)}
        page = _positive("page", query["page"]) if query.get("page") else 1
        # The server decides the page size: a client may ask for fewer, never more.
        limit = (
            min(_positive("limit", query["limit"]), page_size) if query.get("limit") else page_size
        )
        omit_internal = query.get("omit_internal", "").lower() == "true"
        return cls(
            window=window,
            page=page,
            limit=limit,
            omit_internal=omit_internal,
            page_size=page_size,
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    @property
    def includes_deleted(self) -> bool:
        """OParl 1.1: deleted objects are listed when, and only when, modified_since is set."""
        return "modified_since" in self.window

    def query_string(self, page: int) -> str:
        """The canonical query string for `page` of this list: the same filters, in one
        order, so that every page has exactly one URL."""
        params = [
            (name, timezone.localtime(self.window[name]).isoformat())
            for name in FILTERS
            if name in self.window
        ]
        if self.limit != self.page_size:
            params.append(("limit", str(self.limit)))
        if self.omit_internal:
            params.append(("omit_internal", "true"))
        if page != 1:
            params.append(("page", str(page)))
        return f"?{urlencode(params)}" if params else ""


# Writing objects -----------------------------------------------------------------------------


class OParl:
    """The serialisers for one request: they know the API's host and the council."""

    def __init__(self, request, council, *, omit_internal: bool = False, legislative_terms=()):
        self.origin = request.build_absolute_uri("/")[:-1]
        self.zone = timezone.get_current_timezone()
        self.council = council
        self.body_url = self.url("body", council.pk) if council else None
        self.omit_internal = omit_internal
        self.legislative_terms = legislative_terms

    def url(self, name: str, pk: int | None = None) -> str:
        if pk is None:
            return self.origin + reverse(f"oparl:{name}")
        # A page of a list holds thousands of URLs: no reverse() for each.
        return self.origin + url_shapes.path(f"oparl:{name}", pk=pk)

    def web(self, obj) -> str | None:
        """The public page showing `obj`, if the portal has one."""
        page = WEB_PAGES.get(type(obj))
        if page is not None:
            return self.origin + url_shapes.path(page, obj.pk)
        try:
            return self.origin + obj.get_absolute_url()
        except NoReverseMatch:
            return None

    def moment(self, value: dt.datetime | None) -> str | None:
        return date_time(value, self.zone)

    def _common(self, kind: str, obj, **properties) -> dict:
        return {
            "id": self.url(kind, obj.pk),
            "type": object_type(kind),
            **properties,
            "created": self.moment(obj.created_at),
            "modified": self.moment(obj.updated_at),
        }

    # The endpoint and the body

    def system(self) -> dict:
        council = self.council
        name = f"{council.name} Governance Portal" if council else "Governance Portal"
        home = self.origin + reverse("home")
        return compact(
            {
                "id": self.url("system"),
                "type": object_type("system"),
                "oparlVersion": OPARL_VERSION,
                "license": LICENSE,
                "body": self.url("body_list"),
                "name": name,
                "contactEmail": council.email if council else None,
                "contactName": f"{council.name} Governance Services" if council else None,
                "website": home,
                "vendor": (council.website or None) if council else None,
                "product": home,
                "web": home,
            }
        )

    def body(self, council) -> dict:
        lists = {
            "organization": "body_organizations",
            "person": "body_persons",
            "meeting": "body_meetings",
            "paper": "body_papers",
            "agendaItem": "body_agenda_items",
            "consultation": "body_consultations",
            "file": "body_files",
            "locationList": "body_locations",
            "legislativeTermList": "body_legislative_terms",
            "membership": "body_memberships",
        }
        terms = (
            [] if self.omit_internal else [self.legislative_term(t) for t in self.legislative_terms]
        )
        return compact(
            self._common(
                "body",
                council,
                system=self.url("system"),
                name=council.name,
                shortName=council.short_name,
                website=council.website,
                license=LICENSE,
                contactEmail=council.email,
                contactName=f"{council.name} Governance Services",
                classification="Local authority",
                legislativeTerm=terms,
                **{prop: self.url(name, council.pk) for prop, name in lists.items()},
                web=self.origin + reverse("home"),
            ),
            keep=("legislativeTerm",),
        )

    def legislative_term(self, term) -> dict:
        return compact(
            self._common(
                "legislative_term",
                term,
                body=self.body_url,
                name=term.name,
                startDate=date(term.start_date),
                endDate=date(term.end_date),
            )
        )

    def location(self, location) -> dict:
        return compact(
            self._common(
                "location",
                location,
                description=str(location),
                room=location.room,
                streetAddress=location.street_address,
                locality=location.locality,
                postalCode=location.postal_code,
            )
        )

    # Who

    def organization(self, organization) -> dict:
        o = organization
        return compact(
            self._common(
                "organization",
                o,
                body=self.body_url,
                name=o.name,
                # Clients shorten a name without one (stripping "Cabinet Member for" …).
                shortName=o.short_name or o.name,
                organizationType=o.get_organization_type_display(),
                classification=o.get_organization_type_display(),
                subOrganizationOf=self.url("organization", o.parent_id) if o.parent_id else None,
                membership=[self.url("membership", m.pk) for m in o.oparl_memberships],
                meeting=self.url("organization_meetings", o.pk),
                post=list(dict.fromkeys(p.title for p in o.oparl_posts)),
                startDate=date(o.start_date),
                endDate=date(o.end_date),
                location=self.location(o.location) if o.location else None,
                web=self.web(o),
            )
        )

    def person(self, person) -> dict:
        p = person
        memberships = (
            []
            if self.omit_internal
            else [self.membership(m, embedded=True) for m in p.oparl_memberships]
        )
        return compact(
            self._common(
                "person",
                p,
                body=self.body_url,
                name=p.name,
                familyName=p.family_name,
                givenName=p.given_name,
                formOfAddress=p.title,
                email=[p.email] if p.email else None,
                phone=[p.telephone] if p.telephone else None,
                status=list(dict.fromkeys(post.title for post in p.oparl_posts)),
                membership=memberships,
                web=self.web(p),
            )
        )

    def membership(self, membership, *, embedded: bool = False) -> dict:
        m = membership
        role = m.get_role_display()
        if m.invitation_role:
            role = f"{role} ({m.get_invitation_role_display()})"
        return compact(
            self._common(
                "membership",
                m,
                person=None if embedded else self.url("person", m.person_id),
                organization=self.url("organization", m.organization_id),
                role=role,
                votingRight=m.voting_right,
                startDate=date(m.start_date),
                endDate=date(m.end_date),
            )
        )

    # Meetings and their agendas

    def meeting(self, meeting) -> dict:
        m = meeting
        minutes_public = m.minutes_published_at is not None
        files = m.oparl_files
        minutes = next((f for f in files if f.kind == DocumentKind.MINUTES), None)
        others = [f for f in files if f is not minutes]
        participants = (
            list(dict.fromkeys(a.person_id for a in m.oparl_attendance)) if minutes_public else []
        )
        internal = not self.omit_internal
        return compact(
            self._common(
                "meeting",
                m,
                name=m.title,
                meetingState=m.get_state_display(),
                cancelled=m.state == MeetingState.CANCELLED,
                start=self.moment(m.start),
                end=self.moment(m.end),
                location=self.location(m.location) if m.location else None,
                organization=[self.url("organization", o.pk) for o in m.organizations.all()],
                participant=[self.url("person", pk) for pk in participants],
                resultsProtocol=self.file(minutes, parent="meeting") if minutes else None,
                auxiliaryFile=[self.file(f, parent="meeting") for f in others] if internal else [],
                agendaItem=(
                    [self.agenda_item(i, embedded=True) for i in m.oparl_items] if internal else []
                ),
                web=self.web(m),
            )
        )

    def agenda_item(self, item, *, embedded: bool = False) -> dict:
        """A private item (or a sub-item of one) is its number, title, `public: false` and
        the paragraphs of Schedule 12A that exempt it: nothing of its report, recommendation
        or minute. `item` is annotated by policies.agenda_items.visible."""
        common = {
            "meeting": None if embedded else self.url("meeting", item.meeting_id),
            "number": item.number,
            "order": item.agenda_order,
            "name": item.title,
            "public": item.public_business,
            "web": self.web(item.meeting),
        }
        if not item.public_business:
            paragraphs = [
                f"Exempt information: {rules.exemption_text([n])}" for n in item.exemption or []
            ]
            return compact(self._common("agenda_item", item, **common, keyword=paragraphs))
        # Prefetched through policies.consultations, so only open steps are here.
        consultation = next(iter(item.oparl_consultations), None)
        result = resolution = None
        if item.minute_open:
            result = consultation.outcome if consultation else None
            resolution = (
                "\n".join(
                    f"{r.number}. {r.text}" if r.number else r.text for r in item.oparl_resolutions
                )
                or item.minutes_text
            )
        return compact(
            self._common(
                "agenda_item",
                item,
                **common,
                consultation=self.url("consultation", consultation.pk) if consultation else None,
                result=result,
                resolutionText=resolution,
            )
        )

    # Reports

    def paper(self, paper) -> dict:
        p = paper
        main = next((f for f in p.oparl_files if f.kind == DocumentKind.REPORT), None)
        others = [f for f in p.oparl_files if f is not main]
        internal = not self.omit_internal
        return compact(
            self._common(
                "paper",
                p,
                body=self.body_url,
                name=p.title,
                reference=p.reference,
                date=date(p.date),
                paperType=p.paper_type,
                mainFile=self.file(main, parent="paper") if main else None,
                auxiliaryFile=[self.file(f, parent="paper") for f in others] if internal else [],
                consultation=[self.consultation(c, embedded=True) for c in p.oparl_consultations],
                keyword=["Key decision"] if p.key_decision else None,
                web=self.web(p),
            )
        )

    def consultation(self, consultation, *, embedded: bool = False) -> dict:
        c = consultation
        return compact(
            self._common(
                "consultation",
                c,
                paper=None if embedded else self.url("paper", c.paper_id),
                agendaItem=self.url("agenda_item", c.agenda_item_id) if c.agenda_item_id else None,
                meeting=self.url("meeting", c.meeting_id),
                organization=[self.url("organization", c.organization_id)],
                authoritative=c.authoritative,
                role=c.get_role_display(),
            )
        )

    def file(self, document, *, parent: str | None = None) -> dict:
        """A file, standalone or inside its paper or meeting (`parent`), which it then does
        not point back to."""
        d = document
        return compact(
            self._common(
                "file",
                d,
                name=d.title,
                fileName=d.original_name,
                mimeType=d.mime_type,
                size=d.size,
                text=d.text,
                accessUrl=self.url("file_access", d.pk),
                downloadUrl=self.url("file_download", d.pk),
                paper=[self.url("paper", d.paper_id)] if d.paper_id and parent != "paper" else None,
                meeting=(
                    [self.url("meeting", d.meeting_id)]
                    if d.meeting_id and parent != "meeting"
                    else None
                ),
                web=self.web(d),
            )
        )

    def shape(self, kind: str, obj) -> dict:
        return getattr(self, kind)(obj)

    def deleted(self, kind: str, record) -> dict:
        """What stays of a deleted object: its id, type, creation, and the moment of its
        deletion as its last change (OParl 1.1, "Gelöschte Objekte")."""
        data = {
            "id": self.url(kind, record.id),
            "type": object_type(kind),
            "created": self.moment(record.created_at),
            "modified": self.moment(record.history_date),
            "deleted": True,
        }
        if kind == "agenda_item":
            data["order"] = record.position  # required by the AgendaItem schema
        return data

    # Lists

    def list_page(self, list_url: str, request: ListRequest, data: list, total: int) -> dict:
        pages = max(1, math.ceil(total / request.limit))
        current = request.page

        def link(number):
            return list_url + request.query_string(number)

        links = {"first": link(1)}
        if current > 1:
            links["prev"] = link(min(current - 1, pages))
        links["self"] = link(current)
        if current < pages:
            links["next"] = link(current + 1)
        links["last"] = link(pages)
        return {
            "data": data,
            "pagination": {
                "totalElements": total,
                "elementsPerPage": request.limit,
                "currentPage": current,
                "totalPages": pages,
            },
            "links": links,
        }


def error(message: str, debug: str = "") -> dict:
    return compact({"type": ERROR_TYPE, "message": message, "debug": debug})
