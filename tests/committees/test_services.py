import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from committees import services
from committees.models import (
    AgendaItem,
    AttendanceStatus,
    DecisionKind,
    KeyDecisionException,
    Meeting,
    MeetingState,
)
from committees.services import SCRIPT, AgendaItemDetails
from portal_kit.models import ANY_VERSION
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    ForwardPlanEntryFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
    ResolutionFactory,
    approve_fully,
)
from tests.helpers import at

pytestmark = pytest.mark.django_db


def meeting_on(day: dt.datetime, **kwargs):
    meeting = MeetingFactory(start=day, end=day + dt.timedelta(hours=1), **kwargs)
    return meeting


def agenda_numbers(meeting):
    return [
        (i.number, i.title)
        for i in AgendaItem.objects.filter(meeting=meeting).order_by(
            F("parent_id").asc(nulls_first=True), "position"
        )
    ]


def _insert_duplicate_and_check_now(meeting):
    AgendaItemFactory(meeting=meeting, position=2, number="1")
    # The constraint is deferred (renumbering swaps numbers mid-transaction): check it now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class TestPublishing:
    def test_publishing_in_time(self):
        meeting = meeting_on(at(2017, 4, 13))
        paper = approve_fully(PaperFactory())
        ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=meeting))
        services.publish_agenda(meeting=meeting, now=at(2017, 4, 5, 10), actor=SCRIPT)
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.AGENDA_PUBLISHED
        assert meeting.late_publication_reason == ""
        assert meeting.version == 2

    def test_late_publication_needs_a_reason_and_then_shows_it(self):
        meeting = meeting_on(at(2017, 4, 13))
        AgendaItemFactory(meeting=meeting)
        with pytest.raises(ValidationError) as error:
            services.publish_agenda(meeting=meeting, now=at(2017, 4, 6, 9), actor=SCRIPT)
        assert services.LATE_NEEDS_REASON in str(error.value)
        meeting.refresh_from_db()
        assert meeting.agenda_published_at is None

        services.publish_agenda(
            meeting=meeting,
            now=at(2017, 4, 6, 9),
            late_reason="The report was delayed by audit",
            actor=SCRIPT,
        )
        meeting.refresh_from_db()
        assert meeting.late_publication_reason == "The report was delayed by audit"

    def test_a_past_meeting_cannot_be_published(self):
        meeting = meeting_on(at(2017, 4, 13))
        AgendaItemFactory(meeting=meeting)
        with pytest.raises(ValidationError, match="already taken place"):
            services.publish_agenda(meeting=meeting, now=at(2017, 4, 14), actor=SCRIPT)

    def test_an_empty_or_cancelled_agenda_cannot_be_published(self):
        meeting = meeting_on(at(2017, 4, 13))
        with pytest.raises(ValidationError, match="at least one item"):
            services.publish_agenda(meeting=meeting, now=at(2017, 4, 1), actor=SCRIPT)
        AgendaItemFactory(meeting=meeting)
        services.cancel_meeting(
            meeting=meeting, reason="Not quorate", version=ANY_VERSION, actor=SCRIPT
        )
        with pytest.raises(ValidationError, match="cancelled"):
            services.publish_agenda(meeting=meeting, now=at(2017, 4, 1), actor=SCRIPT)

    def test_a_report_without_its_approvals_blocks_publication(self, settings):
        meeting = meeting_on(at(2017, 4, 13))
        paper = PaperFactory(title="Code of Corporate Governance")
        ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=meeting))
        with pytest.raises(ValidationError) as error:
            services.publish_agenda(meeting=meeting, now=at(2017, 4, 1), actor=SCRIPT)
        assert "Code of Corporate Governance cannot go on a published agenda" in str(error.value)
        assert "finance, legal, director, members" in str(error.value)

        settings.COMMITTEE_REQUIRED_SIGN_OFFS = []
        services.publish_agenda(meeting=meeting, now=at(2017, 4, 1), actor=SCRIPT)

    def test_publishing_twice_is_refused(self):
        meeting = meeting_on(at(2017, 4, 13))
        AgendaItemFactory(meeting=meeting)
        services.publish_agenda(meeting=meeting, now=at(2017, 4, 1), actor=SCRIPT)
        with pytest.raises(ValidationError, match="already been published"):
            services.publish_agenda(meeting=meeting, now=at(2017, 4, 2), actor=SCRIPT)


class TestAgenda:
    def test_items_are_numbered_in_order_and_renumbered_when_moved(self):
        meeting = MeetingFactory()
        apologies = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Apologies"), actor=SCRIPT
        )
        minutes = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Minutes"), actor=SCRIPT
        )
        services.add_agenda_item(
            meeting=meeting,
            parent=minutes,
            details=AgendaItemDetails(title="To agree the minutes"),
            actor=SCRIPT,
        )
        services.add_agenda_item(
            meeting=meeting,
            parent=minutes,
            details=AgendaItemDetails(title="Matters Arising"),
            actor=SCRIPT,
        )
        services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Outstanding Issues"), actor=SCRIPT
        )
        assert agenda_numbers(meeting) == [
            ("1", "Apologies"),
            ("2", "Minutes"),
            ("3", "Outstanding Issues"),
            ("a)", "To agree the minutes"),
            ("b)", "Matters Arising"),
        ]
        services.move_agenda_item(item=apologies, direction="down", actor=SCRIPT)
        assert agenda_numbers(meeting)[:3] == [
            ("1", "Minutes"),
            ("2", "Apologies"),
            ("3", "Outstanding Issues"),
        ]
        services.remove_agenda_item(item=apologies, actor=SCRIPT)
        assert agenda_numbers(meeting)[:2] == [("1", "Minutes"), ("2", "Outstanding Issues")]

    def test_moving_past_the_end_changes_nothing(self):
        meeting = MeetingFactory()
        first = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="First"), actor=SCRIPT
        )
        services.move_agenda_item(item=first, direction="up", actor=SCRIPT)
        assert agenda_numbers(meeting) == [("1", "First")]

    def test_duplicate_numbers_are_refused_by_the_database(self):
        meeting = MeetingFactory()
        AgendaItemFactory(meeting=meeting, position=1, number="1")
        with pytest.raises(IntegrityError), transaction.atomic():
            _insert_duplicate_and_check_now(meeting)

    def test_a_private_item_must_name_its_paragraph(self):
        meeting = MeetingFactory()
        with pytest.raises(ValidationError) as error:
            services.add_agenda_item(
                meeting=meeting,
                details=AgendaItemDetails(title="Contract award", is_public=False),
                actor=SCRIPT,
            )
        assert services.PRIVATE_NEEDS_PARAGRAPH in str(error.value)
        with pytest.raises(ValidationError, match="numbered 1 to 7"):
            services.add_agenda_item(
                meeting=meeting,
                details=AgendaItemDetails(
                    title="Contract award", is_public=False, exempt_paragraphs=[9]
                ),
                actor=SCRIPT,
            )
        assert not meeting.agenda_items.exists()
        item = services.add_agenda_item(
            meeting=meeting,
            details=AgendaItemDetails(
                title="Contract award", is_public=False, exempt_paragraphs=[3]
            ),
            actor=SCRIPT,
        )
        assert item.exempt_paragraphs == [3]

    def test_an_urgent_item_needs_its_reason(self):
        with pytest.raises(ValidationError, match="reason for urgency"):
            services.add_agenda_item(
                meeting=MeetingFactory(),
                details=AgendaItemDetails(title="Visit", is_urgent=True),
                actor=SCRIPT,
            )

    def test_a_sub_item_cannot_have_sub_items(self):
        meeting = MeetingFactory()
        top = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Minutes"), actor=SCRIPT
        )
        sub = services.add_agenda_item(
            meeting=meeting, parent=top, details=AgendaItemDetails(title="Agree"), actor=SCRIPT
        )
        with pytest.raises(ValidationError):
            services.add_agenda_item(
                meeting=meeting, parent=sub, details=AgendaItemDetails(title="Deeper"), actor=SCRIPT
            )

    def test_items_added_after_publication_are_a_supplement(self):
        meeting = MeetingFactory(published=True)
        item = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Late report"), actor=SCRIPT
        )
        assert item.is_supplementary

    def test_an_unapproved_report_cannot_join_a_published_agenda(self):
        meeting = MeetingFactory(published=True)
        item = AgendaItemFactory(meeting=meeting)
        with pytest.raises(ValidationError, match="cannot go on a published agenda"):
            services.attach_report(item=item, paper=PaperFactory(), role="decision", actor=SCRIPT)
        consultation = services.attach_report(
            item=item, paper=approve_fully(PaperFactory()), role="decision", actor=SCRIPT
        )
        assert consultation.meeting == meeting

    def test_a_stale_edit_is_refused_not_overwritten(self):
        item = AgendaItemFactory(title="Original")
        services.update_agenda_item(
            item=item,
            version=1,
            details=dataclasses.replace(AgendaItemDetails.of(item), title="First editor"),
            actor=SCRIPT,
        )
        with pytest.raises(ValidationError, match="Someone else changed this"):
            services.update_agenda_item(
                item=item,
                version=1,
                details=dataclasses.replace(AgendaItemDetails.of(item), title="Second editor"),
                actor=SCRIPT,
            )
        item.refresh_from_db()
        assert item.title == "First editor"
        assert item.version == 2


class TestMeetings:
    def test_end_before_start_is_refused(self):
        with pytest.raises(ValidationError, match="end after it starts"):
            services.create_meeting(
                organizations=[OrganizationFactory()],
                start=at(2017, 4, 13),
                end=at(2017, 4, 12),
                already_held=True,
                actor=SCRIPT,
            )
        assert not Meeting.objects.exists()

    def test_a_meeting_in_the_past_needs_the_clerk_to_say_it_took_place(self):
        organization = OrganizationFactory()
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(
                organizations=[organization], start=at(2017, 4, 13), actor=SCRIPT
            )
        assert refused.value.error_dict["already_held"][0].code == "past_meeting"
        assert not Meeting.objects.exists()

        services.create_meeting(
            organizations=[organization], start=at(2017, 4, 13), already_held=True, actor=SCRIPT
        )
        assert Meeting.objects.count() == 1

    def test_minutes_are_refused_before_the_meeting_has_taken_place(self):
        meeting = meeting_on(at(2030, 4, 13))
        with pytest.raises(ValidationError) as refused:
            services.publish_minutes(
                meeting=meeting, closed_at=None, now=at(2030, 4, 12), actor=SCRIPT
            )
        assert refused.value.code == "not_held"
        meeting.refresh_from_db()
        assert meeting.minutes_published_at is None and meeting.state != MeetingState.HELD

        services.publish_minutes(
            meeting=meeting, closed_at=None, now=at(2030, 4, 13, 17), actor=SCRIPT
        )
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.HELD

    def test_a_meeting_needs_a_decision_maker(self):
        with pytest.raises(ValidationError):
            services.create_meeting(organizations=[], start=at(2017, 4, 13), actor=SCRIPT)

    def test_reschedule_with_a_stale_version_is_refused(self):
        meeting = MeetingFactory()
        services.reschedule_meeting(
            meeting=meeting, start=at(2030, 1, 2), end=None, location=None, version=1, actor=SCRIPT
        )
        with pytest.raises(ValidationError, match="Someone else changed this"):
            services.reschedule_meeting(
                meeting=meeting,
                start=at(2030, 1, 3),
                end=None,
                location=None,
                version=1,
                actor=SCRIPT,
            )


class TestMinutes:
    def published_meeting(self):
        meeting = MeetingFactory(start=at(2016, 7, 28))
        item = AgendaItemFactory(meeting=meeting, title="Information Management Strategy Update")
        return meeting, item

    def test_numbered_resolutions_and_outstanding_issues(self):
        _, item = self.published_meeting()
        services.record_minute(
            item=item,
            minutes_text="The Cabinet Member considered a report…",
            resolutions=[
                {"text": "Notes the outcome of the ICO audit"},
                {
                    "text": "Requests that Officers bring a further report",
                    "requests_follow_up": True,
                },
            ],
            version=ANY_VERSION,
            actor=SCRIPT,
        )
        numbers = list(item.resolutions.values_list("number", "requests_follow_up"))
        assert numbers == [(1, False), (2, True)]
        outstanding = item.resolutions.get(number=2)
        assert outstanding.is_outstanding

        later = AgendaItemFactory(title="Information Risk Policy")
        services.close_outstanding_issue(resolution=outstanding, closed_by=later, actor=SCRIPT)
        outstanding.refresh_from_db()
        assert not outstanding.is_outstanding
        with pytest.raises(ValidationError, match="already been closed"):
            services.close_outstanding_issue(resolution=outstanding, closed_by=later, actor=SCRIPT)
        with pytest.raises(ValidationError, match="did not ask"):
            services.close_outstanding_issue(
                resolution=ResolutionFactory(requests_follow_up=False),
                closed_by=later,
                actor=SCRIPT,
            )

    def test_a_substitute_must_say_for_whom(self):
        meeting, _ = self.published_meeting()
        with pytest.raises(ValidationError, match="standing in for"):
            services.record_attendance(
                meeting=meeting,
                entries=[{"person": PersonFactory(), "status": AttendanceStatus.SUBSTITUTE}],
                version=ANY_VERSION,
                actor=SCRIPT,
            )
        assert not meeting.attendance.exists()

    def test_approved_minutes_are_locked_and_change_only_by_correction(self, django_user_model):
        meeting, item = self.published_meeting()
        organization = meeting.organizations.first()
        services.record_minute(
            item=item, minutes_text="Draft minute", version=ANY_VERSION, actor=SCRIPT
        )
        with pytest.raises(ValidationError, match="Publish the minutes"):
            services.approve_minutes(meeting=meeting, at_meeting=meeting, actor=SCRIPT)
        services.publish_minutes(meeting=meeting, closed_at=dt.time(14, 30), actor=SCRIPT)
        earlier = MeetingFactory(start=at(2016, 7, 1), organizations=[organization])
        elsewhere = MeetingFactory(start=at(2017, 4, 13))
        for wrong in (earlier, elsewhere):
            with pytest.raises(ValidationError, match="later meeting"):
                services.approve_minutes(meeting=meeting, at_meeting=wrong, actor=SCRIPT)
        next_meeting = MeetingFactory(start=at(2017, 4, 13), organizations=[organization])
        services.approve_minutes(meeting=meeting, at_meeting=next_meeting, actor=SCRIPT)

        with pytest.raises(ValidationError, match="cannot be changed"):
            services.record_minute(
                item=item, minutes_text="Rewritten", version=ANY_VERSION, actor=SCRIPT
            )
        with pytest.raises(ValidationError, match="cannot be changed"):
            services.record_attendance(
                meeting=meeting, entries=[], version=ANY_VERSION, actor=SCRIPT
            )
        item.refresh_from_db()
        assert item.minutes_text == "Draft minute"

        clerk = django_user_model.objects.create_user("clerk@council.example", full_name="Clerk")
        correction = services.correct_minutes(
            meeting=meeting,
            correction="Minute 3: 'Crookes' not 'Crooks'",
            reason="Typo",
            actor=clerk,
        )
        assert correction.made_by == clerk
        assert meeting.history.latest().history_type == "~"


class TestDecisions:
    def test_a_key_decision_without_notice_needs_an_exception(self):
        entry = ForwardPlanEntryFactory(first_published_on=dt.date(2017, 4, 1))
        with pytest.raises(ValidationError, match="28 clear days"):
            services.record_decision(
                kind=DecisionKind.EXECUTIVE,
                title="Approve the policy",
                date=dt.date(2017, 4, 13),
                decision="Approved",
                is_key=True,
                forward_plan_entry=entry,
                decision_maker=entry.decision_maker,
                actor=SCRIPT,
            )
        decision = services.record_decision(
            kind=DecisionKind.EXECUTIVE,
            title="Approve the policy",
            date=dt.date(2017, 4, 13),
            decision="Approved",
            is_key=True,
            forward_plan_entry=entry,
            key_decision_exception=KeyDecisionException.SPECIAL_URGENCY,
            exception_reason="Chair of scrutiny agreed the decision could not wait",
            decision_maker=entry.decision_maker,
            actor=SCRIPT,
        )
        assert decision.pk

    def test_a_key_decision_noticed_in_time_needs_nothing_more(self):
        entry = ForwardPlanEntryFactory(first_published_on=dt.date(2017, 3, 1))
        decision = services.record_decision(
            kind=DecisionKind.EXECUTIVE,
            title="Approve",
            date=dt.date(2017, 4, 13),
            decision="Approved",
            is_key=True,
            forward_plan_entry=entry,
            actor=SCRIPT,
        )
        assert decision.key_decision_exception == ""

    def test_an_officer_decision_names_the_officer(self):
        with pytest.raises(ValidationError, match="name of the officer"):
            services.record_decision(
                kind=DecisionKind.OFFICER,
                title="Award grant",
                date=dt.date(2017, 4, 13),
                decision="Awarded",
                actor=SCRIPT,
            )


# --- The door itself ------------------------------------------------------------------------------


def _codes(error: ValidationError) -> set[str | None]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


class TestTheDoor:
    def test_every_refusal_carries_a_code(self):
        meeting = meeting_on(at(2017, 4, 13))
        paper = PaperFactory(reference="DUP-1")
        refusals = {
            "no organisation": lambda: services.create_meeting(
                organizations=[], start=at(2017, 4, 13), actor=SCRIPT
            ),
            "end before start": lambda: services.create_meeting(
                organizations=[OrganizationFactory()],
                start=at(2017, 4, 13),
                end=at(2017, 4, 13, 13),
                actor=SCRIPT,
            ),
            "empty agenda": lambda: services.publish_agenda(
                meeting=meeting, now=at(2017, 4, 1), actor=SCRIPT
            ),
            "private without a paragraph": lambda: services.add_agenda_item(
                meeting=meeting, details=AgendaItemDetails(title="X", is_public=False), actor=SCRIPT
            ),
            "urgent without a reason": lambda: services.add_agenda_item(
                meeting=meeting, details=AgendaItemDetails(title="X", is_urgent=True), actor=SCRIPT
            ),
            "reference taken": lambda: services.create_paper(
                details=services.PaperDetails(
                    reference="dup-1", title="T", date=dt.date(2017, 4, 13), author_name="A"
                ),
                actor=SCRIPT,
            ),
            "stale": lambda: services.cancel_meeting(
                meeting=meeting, reason="R", version=meeting.version + 1, actor=SCRIPT
            ),
            "no version": lambda: services.update_paper(
                paper=paper, details=services.PaperDetails.of(paper), version=None, actor=SCRIPT
            ),
            "approved before sent": lambda: services.record_sign_off(
                paper=paper,
                kind="approver",
                name="N",
                sent_on=dt.date(2017, 3, 10),
                approved_on=dt.date(2017, 3, 9),
                actor=SCRIPT,
            ),
            "no officer": lambda: services.record_decision(
                kind=DecisionKind.OFFICER,
                title="T",
                date=dt.date(2017, 4, 13),
                decision="D",
                actor=SCRIPT,
            ),
        }
        for name, refused in refusals.items():
            with transaction.atomic(), pytest.raises(ValidationError) as caught:
                refused()
            assert None not in _codes(caught.value), name

    def test_the_acting_person_is_recorded_on_every_row_a_service_writes(self, user_with_role):
        from organisation.roles import Role

        clerk = user_with_role(Role.GOVERNANCE_SERVICES)
        meeting = meeting_on(at(2030, 4, 13))
        item = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Report"), actor=clerk
        )
        consultation = services.attach_report(
            item=item, paper=PaperFactory(), role="decision", actor=clerk
        )

        assert item.history.latest().history_user == clerk
        assert consultation.history.latest().history_user == clerk

    def test_an_upload_reaches_search_and_the_pack_at_once(
        self, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from committees import search
        from committees.models import AgendaPack
        from tests.committees.factories import minimal_pdf

        settings.MEDIA_ROOT = tmp_path
        meeting = MeetingFactory(published=True)
        paper = approve_fully(PaperFactory(title="Whistleblowing Policy"))
        ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=meeting))

        with django_capture_on_commit_callbacks(execute=True):
            services.upload_document(
                uploaded_file=SimpleUploadedFile("appendix.pdf", minimal_pdf("Quokkaword")),
                paper=paper,
                kind="appendix",
                title="Appendix 1",
                actor=SCRIPT,
            )

        assert [r.title for r in search.search("quokkaword")] == ["Whistleblowing Policy"]
        assert AgendaPack.objects.filter(meeting=meeting).exists()


class TestDecisionsFromMinutes:
    def test_a_minute_s_resolutions_are_its_decision_in_the_register_once_published(self, client):
        from django.urls import reverse

        from committees.models import Decision, DecisionKind, OrganizationType

        cabinet_member = OrganizationFactory(organization_type=OrganizationType.CABINET_MEMBER)
        meeting = meeting_on(at(2030, 4, 13), organizations=[cabinet_member])
        item = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Whistleblowing Policy"), actor=SCRIPT
        )
        services.record_minute(
            item=item,
            minutes_text="Considered the report.",
            resolutions=[{"text": "Approves the policy"}, {"text": "Asks for a review"}],
            version=ANY_VERSION,
            actor=SCRIPT,
        )

        decision = Decision.objects.get(agenda_item=item)
        assert (decision.kind, decision.title, decision.decision_maker) == (
            DecisionKind.EXECUTIVE,
            "Whistleblowing Policy",
            cabinet_member,
        )
        assert decision.decision == "1. Approves the policy\n2. Asks for a review"
        register = reverse("committees:decisions")
        assert "Whistleblowing Policy" not in client.get(register).content.decode()

        services.publish_minutes(
            meeting=meeting, closed_at=None, now=at(2030, 4, 13, 17), actor=SCRIPT
        )
        assert "Whistleblowing Policy" in client.get(register).content.decode()
        page = client.get(decision.get_absolute_url()).content.decode()
        assert f"#minute-{item.pk}" in page

        item.refresh_from_db()
        services.record_minute(
            item=item, minutes_text="Withdrawn.", resolutions=[], version=ANY_VERSION, actor=SCRIPT
        )
        assert not Decision.objects.filter(agenda_item=item).exists()

    def test_a_committee_takes_committee_decisions(self):
        from committees.models import Decision, DecisionKind

        meeting = meeting_on(at(2030, 4, 13))
        item = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title="Audit plan"), actor=SCRIPT
        )
        services.record_minute(
            item=item,
            minutes_text="",
            resolutions=[{"text": "Approves the audit plan"}],
            version=ANY_VERSION,
            actor=SCRIPT,
        )
        assert Decision.objects.get(agenda_item=item).kind == DecisionKind.COMMITTEE
