"""Subscriptions: meetings as iCalendar, new public papers as Atom.

Feeds are the same for everyone: they are read by calendar apps and feed readers that never
sign in, so they are built as an anonymous visitor sees things. Private papers never appear.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from committees import policies, queries
from committees.models import Meeting, MeetingState, Organization, Paper
from organisation.access import require

PUBLIC = AnonymousUser()
LONDON = ZoneInfo("Europe/London")
#: The all-meetings calendar covers the past year and everything to come.
CALENDAR_HISTORY = dt.timedelta(days=366)
DEFAULT_LENGTH = dt.timedelta(hours=2)
FEED_SIZE = 50


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@governance-portal"


def _event(request, meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    event.add("sequence", meeting.version)
    start = meeting.start.astimezone(LONDON)
    event.add("dtstart", start)
    event.add("dtend", (meeting.end or meeting.start + DEFAULT_LENGTH).astimezone(LONDON))
    cancelled = meeting.state == MeetingState.CANCELLED
    event.add("summary", f"Cancelled: {meeting.title}" if cancelled else meeting.title)
    if meeting.location is not None:
        event.add("location", str(meeting.location))
    url = request.build_absolute_uri(meeting.get_absolute_url())
    event.add("url", url)
    description = [url]
    if cancelled and meeting.cancellation_reason:
        description.insert(0, f"Cancelled: {meeting.cancellation_reason}")
    event.add("description", "\n\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar_response(request, name: str, meetings, *, filename: str = "") -> HttpResponse:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.COUNCIL_NAME}//Governance Portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", " ".join(name.split()))  # a content line holds no line break
    cal.add("x-wr-timezone", "Europe/London")
    days = []
    for meeting in meetings:
        cal.add_component(_event(request, meeting))
        days.append(timezone.localdate(meeting.start))
    if days:
        # The time zone's rules only for the years the events span, not 1970 to 2038.
        cal.add_missing_timezones(
            first_date=dt.date(min(days).year - 1, 1, 1),
            last_date=dt.date(max(days).year + 2, 1, 1),
        )
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
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
    organization = policies.meetings.get_or_404(PUBLIC, Organization.objects.all(), slug=slug)
    meetings = queries.calendar_meetings(_public_meetings(), organization=organization)
    return _calendar_response(request, f"{organization.name} meetings", meetings)


@require_safe
@require(policies.meetings, "view")
def meeting_ics(request, pk: int):
    """One meeting, to add to a calendar."""
    meeting = policies.meetings.get_or_404(
        PUBLIC, queries.meeting_list(Meeting.objects.all()), pk=pk
    )
    return _calendar_response(
        request, meeting.title, [meeting], filename=f"meeting-{meeting.pk}.ics"
    )


class PapersFeed(Feed):
    """New public papers, newest first by when their agenda was published."""

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
            policies.papers.visible(PUBLIC, Paper.objects.all()),
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
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at) if item.published_at else item.updated_at

    def item_author_name(self, item):
        return item.author_name


papers_atom = require_safe(PapersFeed())


class CommitteePapersFeed(PapersFeed):
    def get_object(self, request, slug):
        return policies.meetings.get_or_404(PUBLIC, Organization.objects.all(), slug=slug)

    def title(self, obj=None):
        return f"{obj.name}: new papers"

    def subtitle(self, obj=None):
        return f"Reports published on the agendas of {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()


committee_atom = require_safe(CommitteePapersFeed())
