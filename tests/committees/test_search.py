"""Search: only public content is indexed, results are ranked and highlighted safely, filters
work, bad input gets a GOV.UK error, and the query uses the GIN index."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from committees import search
from committees.models import AgendaItem, Decision, MeetingState, Paper, SearchEntry
from organisation.roles import Role
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DecisionFactory,
    DocumentFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    ResolutionFactory,
    published_meeting,
    published_report,
)

pytestmark = pytest.mark.django_db
Kind = SearchEntry.Kind


def entries(kind=None):
    rows = SearchEntry.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def everything_indexed() -> str:
    return " ".join(f"{e.title} {e.body}" for e in SearchEntry.objects.all())


def titles(page) -> list[str]:
    return [r.title for r in page.object_list]


def held_meeting(**kwargs):
    meeting = published_meeting(**kwargs)
    meeting.state = MeetingState.HELD
    meeting.minutes_published_at = timezone.now()
    meeting.save()
    return meeting


class TestIndexing:
    def test_public_items_reports_minutes_and_decisions_are_indexed(self):
        meeting = held_meeting()
        item = AgendaItemFactory(
            meeting=meeting,
            title="Review of the Whistleblowing Policy",
            lead="Report of the Deputy Chief Executive",
            description="The 2007 policy needs updating.",
            minutes_text="The Cabinet Member considered the report.",
        )
        ResolutionFactory(agenda_item=item, number=1, text="Approves the revised policy.")
        paper = PaperFactory(title="Whistleblowing report", executive_summary="A new policy.")
        ConsultationFactory(paper=paper, agenda_item=item)
        DocumentFactory(paper=paper, text="Concerns may be raised anonymously.")
        decision = DecisionFactory(title="Whistleblowing policy approved", meeting=meeting)

        search.reindex_meeting(meeting)
        search.reindex_decision(decision)

        organization_id = meeting.organizations.get().pk
        agenda_entry = entries(Kind.AGENDA_ITEM).get()
        assert agenda_entry.title == "Review of the Whistleblowing Policy"
        assert "The 2007 policy needs updating." in agenda_entry.body
        assert agenda_entry.url == f"{meeting.get_absolute_url()}#item-{item.pk}"
        assert agenda_entry.organization_ids == [organization_id]
        assert agenda_entry.date == timezone.localdate(meeting.start)
        minutes_entry = entries(Kind.MINUTES).get()
        assert "The Cabinet Member considered the report." in minutes_entry.body
        assert "1. Approves the revised policy." in minutes_entry.body
        report_entry = entries(Kind.REPORT).get()
        assert report_entry.object_id == paper.pk
        assert "A new policy." in report_entry.body
        assert "Concerns may be raised anonymously." in report_entry.body
        assert report_entry.organization_ids == [organization_id]
        assert entries(Kind.DECISION).get().title == "Whistleblowing policy approved"
        assert not entries().filter(vector=None).exists()

    def test_private_business_is_never_indexed(self):
        meeting = held_meeting()
        item = PrivateAgendaItemFactory(meeting=meeting, description="EXEMPT DESCRIPTION")
        ResolutionFactory(agenda_item=item, text="EXEMPT RESOLUTION")
        ConsultationFactory(paper=PrivatePaperFactory(), agenda_item=item)
        private_paper = PrivatePaperFactory()
        ConsultationFactory(
            paper=private_paper, agenda_item=AgendaItemFactory(meeting=meeting, title="Public")
        )
        DocumentFactory(paper=private_paper, text="EXEMPT DOCUMENT TEXT")
        decision = DecisionFactory(title="EXEMPT DECISION", is_public=False)

        search.reindex_meeting(meeting)
        search.reindex_paper(private_paper)
        search.reindex_decision(decision)

        assert "EXEMPT" not in everything_indexed()
        assert "Confidential" not in everything_indexed()
        assert not entries(Kind.REPORT).exists()
        assert not entries(Kind.DECISION).exists()
        assert search.search("exempt").paginator.count == 0
        assert search.search("confidential bidder").paginator.count == 0

    def test_unpublished_agendas_and_minutes_are_not_indexed_until_published(self):
        meeting = MeetingFactory()
        item = AgendaItemFactory(meeting=meeting, title="Budget setting", minutes_text="Agreed")
        published_report(item=item, title="Budget report")

        search.reindex_meeting(meeting)
        assert not entries().exists()

        meeting.agenda_published_at = timezone.now()
        meeting.state = MeetingState.AGENDA_PUBLISHED
        meeting.save()
        search.reindex_meeting(meeting)
        assert {e.kind for e in entries()} == {Kind.AGENDA_ITEM, Kind.REPORT}

        meeting.minutes_published_at = timezone.now()
        meeting.save()
        search.reindex_meeting(meeting)
        assert {e.kind for e in entries()} == {Kind.AGENDA_ITEM, Kind.REPORT, Kind.MINUTES}

    def test_what_stops_being_public_leaves_the_index(self):
        meeting = held_meeting()
        item = AgendaItemFactory(meeting=meeting, title="Contract award", minutes_text="Agreed")
        removed = AgendaItemFactory(meeting=meeting, title="Withdrawn item")
        paper = published_report(item=item)
        decision = DecisionFactory()
        search.reindex_meeting(meeting)
        search.reindex_decision(decision)
        assert entries().count() == 5

        AgendaItem.objects.filter(pk=item.pk).update(is_public=False, exempt_paragraphs=[3])
        removed.delete()
        search.reindex_meeting(meeting)
        assert not entries(Kind.AGENDA_ITEM).exists()
        assert not entries(Kind.MINUTES).exists()

        Paper.objects.filter(pk=paper.pk).update(is_public=False, exempt_paragraphs=[3])
        search.reindex_paper(paper)
        assert not entries(Kind.REPORT).exists()

        Decision.objects.filter(pk=decision.pk).update(is_public=False)
        search.reindex_decision(decision)
        assert not entries().exists()

    def test_reindexing_twice_rewrites_rather_than_duplicates(self):
        meeting = published_meeting()
        item = AgendaItemFactory(meeting=meeting, title="First title")
        search.reindex_meeting(meeting)
        AgendaItem.objects.filter(pk=item.pk).update(title="Second title")
        search.reindex_meeting(meeting)
        assert list(entries().values_list("title", flat=True)) == ["Second title"]
        assert search.search("second").paginator.count == 1
        assert search.search("first").paginator.count == 0


def index(title, body="", *, date=dt.date(2017, 4, 13), organizations=(), kind=Kind.DECISION):
    """An entry written straight to the index (as reindex_* would), for ranking tests."""
    entry = search._entry(
        kind,
        SearchEntry.objects.count() + 1,
        url=f"/x/{title}",
        title=title,
        body=search._body(body),
        date=date,
        organization_ids=[o.pk for o in organizations],
    )
    search._write([entry])
    return entry


class TestSearching:
    def test_title_matches_rank_above_body_matches(self):
        index("Annual report", "Mentions governance once.")
        index("Code of Corporate Governance", "The code.")
        assert titles(search.search("governance")) == [
            "Code of Corporate Governance",
            "Annual report",
        ]

    def test_english_stemming_and_websearch_syntax(self):
        index("Whistleblowing", "Concerns raised by employees about fraud.")
        index("Information risk", "Risks raised with the SIRO.")
        assert titles(search.search("concern")) == ["Whistleblowing"]
        assert titles(search.search('"raised by employees"')) == ["Whistleblowing"]
        assert titles(search.search("raised -fraud")) == ["Information risk"]
        assert titles(search.search("fraud OR siro")) != []
        assert search.search("the and of").paginator.count == 0  # only stop words

    def test_snippets_highlight_the_words_found_and_escape_everything_else(self):
        index(
            "Report",
            "Beware <script>alert(1)</script> & the whistleblowing \ue000policy\ue001 "
            'where x < y and <img src=x onerror="alert(2)"',
        )
        result = search.search("whistleblowing policy").object_list[0]
        snippet = str(result.snippet)
        assert "<mark>whistleblowing</mark>" in snippet
        assert "<mark>policy</mark>" in snippet  # the marker characters were removed first
        assert "x &lt; y" in snippet and "&lt;img src=x onerror=&quot;alert" in snippet
        assert "&amp;" in snippet
        assert "\ue000" not in snippet and "\ue001" not in snippet
        assert re.sub(r"</?mark>", "", snippet).count("<") == 0

    def test_filters_by_committee_and_date_range(self):
        audit = OrganizationFactory(name="Audit")
        ethics = OrganizationFactory(name="Ethics")
        index("Audit in March", "budget", date=dt.date(2017, 3, 1), organizations=[audit])
        index("Audit in May", "budget", date=dt.date(2017, 5, 1), organizations=[audit])
        index("Ethics in March", "budget", date=dt.date(2017, 3, 2), organizations=[ethics])
        assert set(titles(search.search("budget", organization=audit))) == {
            "Audit in March",
            "Audit in May",
        }
        assert titles(
            search.search("budget", organization=audit, date_to=dt.date(2017, 3, 31))
        ) == ["Audit in March"]
        assert titles(search.search("budget", date_from=dt.date(2017, 4, 1))) == ["Audit in May"]

    def test_results_are_paginated(self):
        for n in range(25):
            index(f"Budget {n}", "budget")
        first = search.search("budget", page=1)
        second = search.search("budget", page=2)
        assert first.paginator.count == 25
        assert len(first.object_list) == 20 and len(second.object_list) == 5

    def test_only_the_newest_matches_are_ranked_and_the_page_says_so(self, client, monkeypatch):
        monkeypatch.setattr(search, "CANDIDATES", 5)
        # The best match (the word in its title) is the oldest: past the five newest.
        index("Budget", "budget", date=dt.date(2010, 1, 1))
        for n in range(7):
            index(f"Paper {n}", "the budget", date=dt.date(2017, 1, 1) + dt.timedelta(days=n))

        results = search.search("budget")
        assert results.capped and results.paginator.count == 5
        assert titles(results) == [f"Paper {n}" for n in (6, 5, 4, 3, 2)]
        # Narrowing the dates reaches it, ranked first.
        older = search.search("budget", date_to=dt.date(2016, 12, 31))
        assert not older.capped and titles(older) == ["Budget"]

        page = client.get(reverse("committees:search"), {"q": "budget"}).content.decode()
        assert "At least 5 results" in page
        assert "add a committee or dates" in page

    def test_a_word_found_late_in_a_long_body_still_finds_the_entry(self):
        index("Long report", "filler words " * 2000 + "whistleblowing")
        (result,) = search.search("whistleblowing").object_list
        assert result.title == "Long report"
        assert "<" not in str(result.snippet)  # the snippet is the start of the body

    def test_the_search_uses_the_gin_index(self):
        words = [f"word{n}" for n in range(200)]
        SearchEntry.objects.bulk_create(
            SearchEntry(
                kind=Kind.DECISION,
                object_id=n,
                url=f"/decisions/{n}/",
                title=f"Decision {words[n % 200]}",
                body=" ".join(words[(n + k) % 200] for k in range(0, 40, 7)),
                date=dt.date(2017, 1, 1) + dt.timedelta(days=n % 365),
                vector="",
            )
            for n in range(2500)
        )
        SearchEntry.objects.update(vector=search._vector())
        index("Whistleblowing policy", "Raising a concern.")
        with connection.cursor() as cursor:
            # What autovacuum does in production: move fresh rows from the GIN index's pending
            # list into the index proper (a test runs in a transaction, where VACUUM cannot).
            cursor.execute("SELECT gin_clean_pending_list('search_vector_gin'::regclass)")
            cursor.execute("ANALYZE committees_searchentry")

        plan = search.search_queryset("whistleblowing").explain()

        assert "search_vector_gin" in plan, plan
        assert "Seq Scan" not in plan, plan


class TestSearchPage:
    @pytest.mark.parametrize("role", [None, Role.GOVERNANCE_SERVICES])
    def test_shows_ranked_results_with_highlighted_snippets(self, client_for, role):
        meeting = published_meeting()
        AgendaItemFactory(
            meeting=meeting,
            title="Review of the Whistleblowing Policy",
            description='Replaces the whistleblowing policy of 2007 <img src=x onerror="alert(1)"',
        )
        PrivateAgendaItemFactory(meeting=meeting, description="EXEMPT whistleblowing")
        search.reindex_meeting(meeting)

        response = client_for(role).get(reverse("committees:search"), {"q": "whistleblowing"})

        body = response.content.decode()
        assert response.status_code == 200
        assert "1 result" in body
        assert "Review of the Whistleblowing Policy" in body
        assert "<mark>whistleblowing</mark>" in body
        assert "&lt;img src=x onerror=&quot;alert" in body
        assert "<img" not in body
        assert f'href="{meeting.get_absolute_url()}#item-' in body
        assert "EXEMPT" not in body

    def test_filters_from_the_form(self, client):
        audit = OrganizationFactory(name="Audit", slug="audit")
        index("Audit budget", "budget", date=dt.date(2017, 3, 1), organizations=[audit])
        index("Other budget", "budget", date=dt.date(2017, 3, 1))
        index("Late audit budget", "budget", date=dt.date(2017, 6, 1), organizations=[audit])
        response = client.get(
            reverse("committees:search"),
            {"q": "budget", "committee": "audit", "from": "1/1/2017", "to": "2017-04-30"},
        )
        page = html.unescape(response.content.decode())
        assert "Audit budget" in page
        assert "Other budget" not in page and "Late audit budget" not in page

    def test_the_form_asks_for_words_committee_and_dates_without_a_csrf_token(self, client):
        OrganizationFactory(name="Audit and Procurement Committee", slug="audit")
        body = client.get(reverse("committees:search")).content.decode()
        form = body[body.index("<form") : body.index("</form>")]
        assert 'method="get"' in form
        for name in ["q", "from", "to"]:
            assert f'name="{name}"' in form and f'<label for="id_{name}"' in form
        assert '<option value="audit">Audit and Procurement Committee</option>' in form
        assert "csrfmiddlewaretoken" not in form
        assert 'name="submit"' not in form

    def test_an_empty_form_shows_no_errors(self, client):
        response = client.get(reverse("committees:search"))
        assert response.status_code == 200
        assert "There is a problem" not in response.content.decode()

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"q": "budget", "from": "31/2/2017"}, "The ‘from’ date must be a real date"),
            ({"q": "budget", "to": "2017-13-01"}, "The ‘to’ date must be a real date"),
            (
                {"q": "budget", "from": "2/4/2017", "to": "1/4/2017"},
                "The ‘from’ date must be the same as or before the ‘to’ date",
            ),
            ({"q": "budget " * 40}, "Search terms must be 200 characters or fewer"),
            ({"q": "budget", "committee": "no-such"}, "Select a committee from the list"),
            ({"q": "   "}, "Enter what you are looking for"),
            ({"q": "budget", "from": "1/1/99999"}, "The ‘from’ date must be a real date"),
        ],
    )
    def test_bad_input_gets_an_error_summary_and_no_results(self, client, params, message):
        index("Budget", "budget")
        response = client.get(reverse("committees:search"), params)
        body = html.unescape(response.content.decode())
        assert response.status_code == 200
        assert "There is a problem" in body
        assert message in body
        assert "<title>Error:" in body
        assert "app-search-results" not in body and "No results" not in body
        assert "Budget" not in body.split("</form>")[1]

    @pytest.mark.parametrize("query", ["a & b | !c", "'", '"unbalanced', "():*<>", "\x00budget"])
    def test_odd_queries_never_fail(self, client, query):
        index("Budget", "budget")
        assert client.get(reverse("committees:search"), {"q": query}).status_code == 200

    @pytest.mark.parametrize("n", [1, 50])
    def test_costs_a_fixed_number_of_queries(self, client, django_assert_num_queries, n):
        for i in range(n):
            index(f"Budget {i}", "budget")
        OrganizationFactory()
        with django_assert_num_queries(3):  # committees for the form, the count, the page
            response = client.get(reverse("committees:search"), {"q": "budget"})
        assert response.status_code == 200
