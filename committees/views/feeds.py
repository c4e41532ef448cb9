"""Subscriptions: meetings as iCalendar, new public papers as Atom.

Feeds are the same for everyone: they are read by calendar apps and feed readers that never
sign in, so they are built as an anonymous visitor sees things. Private papers never appear.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_safe

from committees import ical, policies
from committees.models import Consultation, Meeting, MeetingState, Paper
from committees.queries import public as queries
from governance_portal import url_shapes
from organisation.access import require
from portal_kit.time import LONDON

PUBLIC = AnonymousUser()
TZID = LONDON.key
#: The meetings calendars (all, and each committee's) cover the past year and what is to come.
CALENDAR_HISTORY = dt.timedelta(days=366)
DEFAULT_LENGTH = dt.timedelta(hours=2)
FEED_SIZE = 50


def meeting_uid(meeting: Meeting | queries.CalendarMeeting) -> str:
    return f"meeting-{meeting.pk}@governance-portal"


def _event(meeting: queries.CalendarMeeting, url: str) -> list[str]:
    """One meeting's VEVENT, as content lines (unfolded)."""
    cancelled = meeting.state == MeetingState.CANCELLED
    updated = ical.utc(meeting.updated_at)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ical.text(meeting_uid(meeting))}",
        f"DTSTAMP:{updated}",
        f"LAST-MODIFIED:{updated}",
        f"SEQUENCE:{meeting.version}",
        f"DTSTART;TZID={TZID}:{ical.local(meeting.start, LONDON)}",
        f"DTEND;TZID={TZID}:{ical.local(meeting.end or meeting.start + DEFAULT_LENGTH, LONDON)}",
        "SUMMARY:" + ical.text(f"Cancelled: {meeting.title}" if cancelled else meeting.title),
    ]
    if meeting.location is not None:
        lines.append(f"LOCATION:{ical.text(meeting.location)}")
    lines.append(f"URL:{url}")
    description = url
    if cancelled and meeting.cancellation_reason:
        description = f"Cancelled: {meeting.cancellation_reason}\n\n{url}"
    lines.append(f"DESCRIPTION:{ical.text(description)}")
    lines.append(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    lines.append("END:VEVENT")
    return lines


def _calendar_response(
    request, name: str, meetings: list[queries.CalendarMeeting], *, filename: str = ""
) -> HttpResponse:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{ical.text(f'-//{settings.COUNCIL_NAME}//Governance Portal//EN')}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical.one_line(name)}",
        f"X-WR-TIMEZONE:{TZID}",
    ]
    origin = request.build_absolute_uri("/")[:-1]
    events, years = [], set()
    for meeting in meetings:
        events += _event(meeting, origin + url_shapes.path("committees:meeting", meeting.pk))
        years.add(meeting.start.astimezone(LONDON).year)
    body = "".join(ical.fold(line) + ical.CRLF for line in lines)
    if years:
        # The time zone's rules only for the years the events span, not 1970 to 2038 (and
        # within the years a datetime can hold).
        body += ical.vtimezone(TZID, max(min(years) - 1, 1), min(max(years) + 2, 9999))
    body += "".join(ical.fold(line) + ical.CRLF for line in events)
    body += "END:VCALENDAR" + ical.CRLF
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _public_meetings():
    return policies.meetings.visible(PUBLIC, Meeting.objects.all())


@require_safe
@require(policies.meetings, "view")
def meetings_ics(request):
    meetings = queries.calendar_meetings(
        _public_meetings(), since=timezone.now() - CALENDAR_HISTORY
    )
    return _calendar_response(request, f"{settings.COUNCIL_NAME} meetings", meetings)


@require_safe
@require(policies.meetings, "view")
def committee_ics(request, slug: str):
    organization = policies.organizations.get_or_404(PUBLIC, slug=slug)
    meetings = queries.calendar_meetings(
        _public_meetings(), organization=organization, since=timezone.now() - CALENDAR_HISTORY
    )
    return _calendar_response(request, f"{organization.name} meetings", meetings)


@require_safe
@require(policies.meetings, "view")
def meeting_ics(request, pk: int):
    """One meeting, to add to a calendar."""
    meetings = queries.calendar_meetings(_public_meetings().filter(pk=pk))
    if not meetings:
        raise Http404
    (meeting,) = meetings
    return _calendar_response(
        request, meeting.title, meetings, filename=f"meeting-{meeting.pk}.ics"
    )


class PapersFeed(Feed):
    """New public papers, newest first by when they were first published."""

    feed_type = Atom1Feed
    description_template = None

    def title(self, obj=None):
        return f"{settings.COUNCIL_NAME}: new committee papers"

    def subtitle(self, obj=None):
        return "Reports published on the agendas of council meetings"

    def link(self, obj=None):
        return reverse("committees:meetings")

    def author_name(self, obj=None):
        return settings.COUNCIL_NAME

    def items(self, obj=None):
        return queries.feed_papers(
            policies.papers.public(Paper.objects.all()),
            policies.consultations.public(Consultation.objects.all()),
            organization=obj,
            limit=FEED_SIZE,
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom carries the summary as type="html": escape it, so readers show it as text.
        return escape(item.executive_summary)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.first_published_at)

    def item_author_name(self, item):
        return item.author_name


papers_atom = require_safe(PapersFeed())


class CommitteePapersFeed(PapersFeed):
    def get_object(self, request, slug):
        return policies.organizations.get_or_404(PUBLIC, slug=slug)

    def title(self, obj=None):
        return f"{obj.name}: new papers"

    def subtitle(self, obj=None):
        return f"Reports published on the agendas of {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()


committee_atom = require_safe(CommitteePapersFeed())
