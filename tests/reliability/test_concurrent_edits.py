"""Two people editing the same thing: the second save is refused with a clear message
(optimistic locking) and the first person's work stays; never a silent overwrite.

First through the real pages (two signed-in browsers open the same form, both save), then at
the service with real concurrent transactions on separate database connections.
"""

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from html import escape

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from committees import services
from committees.models import AgendaItem, Attendance, Meeting, MeetingState, Paper
from committees.services import SCRIPT, AgendaItemDetails
from portal_kit.models import STALE, VERSION_MISSING
from tests.committees.factories import MeetingFactory, PaperFactory, PersonFactory
from tests.reliability.support import (
    assert_refused,
    backend_pid,
    changed_tables,
    database_fingerprint,
    governance_services_client,
    open_form,
)


def _meeting(days: int = 40, **kwargs) -> Meeting:
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(14))
    )
    return MeetingFactory(start=start, end=start + dt.timedelta(hours=2), **kwargs)


def _item(**kwargs) -> AgendaItem:
    return services.add_agenda_item(
        meeting=_meeting(**kwargs), details=AgendaItemDetails(title="Apologies"), actor=SCRIPT
    )


def _start_time(meeting: Meeting) -> str:
    meeting = Meeting.objects.get(pk=meeting.pk)
    return f"{timezone.localtime(meeting.start):%H:%M}"


@dataclasses.dataclass(frozen=True)
class Edit:
    """A page that edits one versioned row: which field the two people change, to what, and
    how to read back what is stored."""

    make: Callable[[], object]
    url_name: str
    field: str
    first: str  # what the first person types
    second: str  # what the second person types
    stored: Callable[[object], str]
    first_stored: str | None = None  # when stored differently from typed
    second_stored: str | None = None


EDITS = {
    "meeting (reschedule)": Edit(
        make=_meeting,
        url_name="manage:meeting_reschedule",
        field="start_time",
        first="10am",
        second="11:30",
        stored=_start_time,
        first_stored="10:00",
        second_stored="11:30",
    ),
    "agenda item": Edit(
        make=_item,
        url_name="manage:item_edit",
        field="title",
        first="Apologies for absence",
        second="Apologies and substitutions",
        stored=lambda item: AgendaItem.objects.get(pk=item.pk).title,
    ),
    "agenda item's minute": Edit(
        make=_item,
        url_name="manage:item_minute",
        field="minutes_text",
        first="Apologies were received from Councillor Blundell.",
        second="No apologies were received.",
        stored=lambda item: AgendaItem.objects.get(pk=item.pk).minutes_text,
    ),
    "report": Edit(
        make=lambda: PaperFactory(title="Review of the Whistleblowing Policy", paper_type="Report"),
        url_name="manage:report_edit",
        field="title",
        first="Review of the Council's Whistleblowing Policy",
        second="Whistleblowing Policy 2017",
        stored=lambda paper: Paper.objects.get(pk=paper.pk).title,
    ),
}


def _history(obj) -> int:
    return type(obj).history.filter(id=obj.pk).count()


def _version(obj) -> int:
    return type(obj).objects.get(pk=obj.pk).version


@pytest.mark.django_db
class TestTwoPeopleEditingThroughThePages:
    @pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
    def test_the_second_save_is_refused_and_the_first_stays(self, edit):
        alice = governance_services_client("Suzanne Bennett")
        bob = governance_services_client("Adrian West")
        obj = edit.make()
        url = reverse(edit.url_name, args=[obj.pk])
        version, history = _version(obj), _history(obj)

        alices_form, bobs_form = open_form(alice, url), open_form(bob, url)
        assert alices_form["version"] == bobs_form["version"] == [str(version)]
        alices_form[edit.field] = [edit.first]
        bobs_form[edit.field] = [edit.second]

        assert alice.post(url, alices_form).status_code == 302
        refused = bob.post(url, bobs_form)

        assert_refused(refused, STALE)
        # Bob's typing is still on his page, to make again on the latest version.
        assert edit.second in refused.content.decode()
        assert edit.stored(obj) == (edit.first_stored or edit.first)
        assert _version(obj) == version + 1
        assert _history(obj) == history + 1  # Alice's save, and nothing of Bob's

        # Bob reloads: he sees Alice's change and can make his own on top of it.
        latest = open_form(bob, url)
        assert latest["version"] == [str(version + 1)]
        assert latest[edit.field] in ([edit.first], [edit.first_stored])
        latest[edit.field] = [edit.second]
        assert bob.post(url, latest).status_code == 302
        assert edit.stored(obj) == (edit.second_stored or edit.second)
        assert _history(obj) == history + 2

    @pytest.mark.parametrize("version", [None, "", "abc", "-1", "99999999999"])
    @pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
    def test_a_save_without_the_version_it_was_opened_on_is_refused(self, edit, version):
        """A hand-made post that leaves out the version (or garbles it) would skip the check
        and overwrite whatever someone else saved meanwhile: it is refused, and nothing
        changes."""
        clerk = governance_services_client("Suzanne Bennett")
        obj = edit.make()
        url = reverse(edit.url_name, args=[obj.pk])
        form = open_form(clerk, url)
        stored = edit.stored(obj)
        if version is None:
            del form["version"]
        else:
            form["version"] = [version]
        form[edit.field] = [edit.first]
        before = database_fingerprint()

        refused = clerk.post(url, form)

        assert_refused(refused, VERSION_MISSING)
        assert escape(edit.first) in refused.content.decode()  # the typing is kept on the page
        assert changed_tables(before, database_fingerprint()) == []
        assert edit.stored(obj) == stored

    def test_cancelling_a_meeting_without_the_version_is_refused(self):
        clerk = governance_services_client("Suzanne Bennett")
        meeting = _meeting()
        url = reverse("manage:meeting_cancel", args=[meeting.pk])
        form = open_form(clerk, url)
        del form["version"]
        form["reason"] = ["The Cabinet Member is unavailable"]
        before = database_fingerprint()

        assert_refused(clerk.post(url, form), VERSION_MISSING)
        assert changed_tables(before, database_fingerprint()) == []
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.SCHEDULED

    def test_the_forms_that_create_need_no_version(self):
        """Adding an item and creating a report use the same forms: there is no version yet."""
        clerk = governance_services_client("Suzanne Bennett")
        meeting = _meeting()
        url = reverse("manage:item_add", args=[meeting.pk])
        form = open_form(clerk, url)
        assert form.get("version") in (None, [""])
        form["title"] = ["Apologies for absence"]
        assert clerk.post(url, form).status_code == 302
        assert AgendaItem.objects.get(meeting=meeting).title == "Apologies for absence"

    def test_cancelling_a_meeting_someone_has_just_rescheduled_is_refused(self):
        alice = governance_services_client("Suzanne Bennett")
        bob = governance_services_client("Adrian West")
        meeting = _meeting()
        reschedule = reverse("manage:meeting_reschedule", args=[meeting.pk])
        cancel = reverse("manage:meeting_cancel", args=[meeting.pk])
        alices_form, bobs_form = open_form(alice, reschedule), open_form(bob, cancel)
        alices_form["start_time"] = ["10am"]
        bobs_form["reason"] = ["The Cabinet Member is unavailable"]

        assert alice.post(reschedule, alices_form).status_code == 302
        refused = bob.post(cancel, bobs_form)

        assert_refused(refused, STALE)
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.SCHEDULED
        assert meeting.cancellation_reason == ""
        assert _start_time(meeting) == "10:00"

    def test_recording_attendance_over_someone_elses_is_refused(self):
        alice = governance_services_client("Suzanne Bennett")
        bob = governance_services_client("Adrian West")
        meeting = _meeting(days=-1)
        duggins, crookes = (
            PersonFactory(family_name="Duggins"),
            PersonFactory(family_name="Crookes"),
        )
        url = reverse("manage:attendance", args=[meeting.pk])
        alices_form, bobs_form = open_form(alice, url), open_form(bob, url)
        alices_form["attendance-0-person"] = [str(duggins.pk)]
        bobs_form["attendance-0-person"] = [str(crookes.pk)]

        assert alice.post(url, alices_form).status_code == 302
        response = bob.post(url, bobs_form)

        attended = set(Attendance.objects.filter(meeting=meeting).values_list("person", flat=True))
        assert duggins.pk in attended, "Alice's attendance was silently overwritten"
        assert_refused(response, STALE)

    @pytest.mark.parametrize("version", [None, "", "abc", "-1", "9" * 30])
    def test_attendance_without_a_good_version_is_refused_and_changes_nothing(self, version):
        clerk = governance_services_client("Suzanne Bennett")
        meeting = _meeting(days=-1)
        duggins = PersonFactory(family_name="Duggins")
        url = reverse("manage:attendance", args=[meeting.pk])
        form = open_form(clerk, url)
        form["attendance-0-person"] = [str(duggins.pk)]
        if version is None:
            del form["version"]
        else:
            form["version"] = [version]

        response = clerk.post(url, form)

        assert_refused(response, VERSION_MISSING)
        assert not Attendance.objects.filter(meeting=meeting).exists()


# --- At the service, with real concurrent transactions ------------------------------------------


class _Thread(threading.Thread):
    """Runs `target` on a database connection of its own, keeping its result or error."""

    def __init__(self, target, *args, **kwargs):
        super().__init__(daemon=True)
        self._call = (target, args, kwargs)
        self.value = self.error = None

    def run(self):
        target, args, kwargs = self._call
        try:
            self.value = target(*args, **kwargs)
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            connections.close_all()

    def outcome(self, timeout: float = 30):
        self.join(timeout)
        assert not self.is_alive(), "a save never finished (deadlock?)"
        return self


def _stale(error) -> bool:
    return isinstance(error, ValidationError) and error.messages == [STALE]


class TestSimultaneousSaves:
    """On the live database: every thread has its own connection and sees only what the
    others have committed."""

    def test_a_save_waits_for_the_one_in_progress_then_is_refused(self, server):
        """Alice's save has read, checked and written the item but not yet committed when
        Bob's save of the same version arrives: Bob's waits on the row lock, then sees the
        new version and is refused. (Without the lock both would pass the check.)"""
        item = _item(published=True)
        version, history = item.version, _history(item)
        written, may_commit = threading.Event(), threading.Event()
        bob_pid = []

        def alice():
            with transaction.atomic():
                services.update_agenda_item(
                    item=item,
                    version=version,
                    details=dataclasses.replace(AgendaItemDetails.of(item), title="Alice's title"),
                    actor=SCRIPT,
                )
                written.set()
                assert may_commit.wait(10)

        def bob():
            bob_pid.append(backend_pid())
            return services.update_agenda_item(
                item=item,
                version=version,
                details=dataclasses.replace(AgendaItemDetails.of(item), title="Bob's title"),
                actor=SCRIPT,
            )

        first = _Thread(alice)
        first.start()
        assert written.wait(10)
        second = _Thread(bob)
        second.start()
        try:
            while not bob_pid:
                second.join(0.01)
            server.wait_until_blocked_on_a_lock(bob_pid[0])
        finally:
            may_commit.set()

        assert first.outcome().error is None
        assert _stale(second.outcome().error), second.error
        item.refresh_from_db()
        assert (item.title, item.version) == ("Alice's title", version + 1)
        assert _history(item) == history + 1

    def test_of_eight_simultaneous_saves_of_one_version_exactly_one_wins(self, server):
        item = _item(published=True)
        version, history = item.version, _history(item)
        start = threading.Barrier(8)

        def save(n):
            start.wait(10)
            services.update_agenda_item(
                item=item,
                version=version,
                details=dataclasses.replace(AgendaItemDetails.of(item), title=f"Editor {n}"),
                actor=SCRIPT,
            )
            return n

        threads = [_Thread(save, n) for n in range(8)]
        for thread in threads:
            thread.start()
        outcomes = [thread.outcome() for thread in threads]

        winners = [t.value for t in outcomes if t.error is None]
        assert len(winners) == 1, [t.error for t in outcomes]
        assert all(_stale(t.error) for t in outcomes if t.error is not None)
        item.refresh_from_db()
        assert (item.title, item.version) == (f"Editor {winners[0]}", version + 1)
        assert _history(item) == history + 1

    def test_simultaneous_saves_of_different_items_all_succeed(self, live_db):
        """No false conflicts and no deadlock between edits of one published agenda, which
        all rewrite the meeting's search entries and ask for its pack to be rebuilt."""
        meeting = _meeting(published=True)
        items = [
            services.add_agenda_item(
                meeting=meeting, details=AgendaItemDetails(title=f"Item {n}"), actor=SCRIPT
            )
            for n in range(4)
        ]
        start = threading.Barrier(len(items))

        def save(item, n):
            start.wait(10)
            return services.update_agenda_item(
                item=item,
                version=item.version,
                details=dataclasses.replace(AgendaItemDetails.of(item), title=f"Item {n}, revised"),
                actor=SCRIPT,
            )

        threads = [_Thread(save, item, n) for n, item in enumerate(items)]
        for thread in threads:
            thread.start()
        outcomes = [thread.outcome() for thread in threads]

        assert [t.error for t in outcomes] == [None] * len(items)
        stored = AgendaItem.objects.filter(meeting=meeting).order_by("position")
        assert [(i.title, i.version) for i in stored] == [
            (f"Item {n}, revised", 2) for n in range(len(items))
        ]
