"""The record bases: optimistic locking refuses a change made to a copy that is out of date,
sent without its version, or of a row that is gone, and a save moves the version on with the
time of the change and a row of history. (Committees' Meeting is the Versioned RecordModel
at hand; the kit itself knows no app.)"""

import pytest
from django.core.exceptions import ValidationError

from committees.models import Meeting
from portal_kit.models import (
    ANY_VERSION,
    STALE,
    VERSION_MISSING,
    RecordModel,
    Versioned,
    locked_current,
    save_next_version,
)
from tests.committees.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def assert_stale(refused: pytest.ExceptionInfo) -> None:
    assert refused.value.code == "stale"
    assert refused.value.messages == [STALE]


def test_the_current_copy_is_given_back_locked():
    meeting = MeetingFactory()
    current = locked_current(Meeting, meeting.pk, meeting.version)
    assert current == meeting
    assert current.version == 1


def test_a_copy_whose_version_differs_is_refused():
    meeting = MeetingFactory()
    Meeting.objects.filter(pk=meeting.pk).update(version=2)  # someone else saved meanwhile
    for version in (1, 3):
        with pytest.raises(ValidationError) as refused:
            locked_current(Meeting, meeting.pk, version)
        assert_stale(refused)


def test_a_change_without_a_version_is_refused_as_an_incomplete_page():
    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as refused:
        locked_current(Meeting, meeting.pk, None)
    assert refused.value.code == "version_missing"
    assert refused.value.messages == [VERSION_MISSING]


def test_a_change_to_a_row_someone_deleted_is_refused():
    meeting = MeetingFactory()
    pk = meeting.pk
    meeting.delete()
    with pytest.raises(ValidationError) as refused:
        locked_current(Meeting, pk, 1)
    assert_stale(refused)


def test_a_script_holding_no_copy_says_so_with_any_version():
    meeting = MeetingFactory()
    Meeting.objects.filter(pk=meeting.pk).update(version=7)
    assert locked_current(Meeting, meeting.pk, ANY_VERSION).version == 7
    assert repr(ANY_VERSION) == "ANY_VERSION"


def test_saving_moves_the_version_on_and_records_the_change():
    meeting = MeetingFactory(name="Budget")
    stamped = meeting.updated_at
    history_before = meeting.history.count()

    current = locked_current(Meeting, meeting.pk, 1)
    current.name = "Budget setting"
    current.webcast_url = "https://example.com/not-saved"  # not among the fields saved
    save_next_version(current, ["name"])

    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.name, stored.version, stored.webcast_url) == ("Budget setting", 2, "")
    assert stored.updated_at > stamped
    assert meeting.history.count() == history_before + 1
    with pytest.raises(ValidationError) as refused:  # the copy opened before is now stale
        locked_current(Meeting, meeting.pk, 1)
    assert_stale(refused)


def test_the_bases_are_abstract_and_add_their_fields():
    assert RecordModel._meta.abstract and Versioned._meta.abstract
    names = {field.name for field in Meeting._meta.get_fields()}
    assert {"version", "created_at", "updated_at"} <= names
    assert Meeting.history.model.__name__ == "HistoricalMeeting"
    assert Meeting.history.model.__module__ == "committees.models.meetings"
