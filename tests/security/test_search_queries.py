"""Search words are the public's to type: no string of them, however hostile, may make
PostgreSQL's query parser fail (a 500). The probe found that 33 or more "-" overflow
websearch_to_tsquery's stack of NOT operators; its neighbours are every other operator the
parser reads ("or", quotes, "-" separated by spaces) repeated past its limits."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from committees import search
from committees.models import SearchEntry

pytestmark = pytest.mark.django_db

PROBES = [
    "-" * 33 + "budget",
    "-" * 200,
    "- " * 99 + "budget",
    "-budget " * 25,
    '"-' * 66,
    "or " * 66 + "budget",
    "budget " + "-or " * 49,
    "!" * 200,
    "-(" * 100,
]


@pytest.fixture
def indexed():
    entry = SearchEntry.objects.create(
        kind=SearchEntry.Kind.REPORT,
        object_id=1,
        url="/reports/1/",
        title="Budget report",
        body="The budget for 2017",
        date="2017-04-13",
        vector="",
    )
    SearchEntry.objects.filter(pk=entry.pk).update(vector=search._vector())
    return entry


@pytest.mark.parametrize("query", PROBES)
def test_operator_floods_answer_the_search_page_not_an_error(client, indexed, query):
    response = client.get(reverse("committees:search"), {"q": query})

    assert response.status_code == 200


def test_the_words_around_the_flood_are_still_searched_for(indexed):
    assert [r.title for r in search.search("-" * 41 + "budget")] == []  # "not budget"
    assert [r.title for r in search.search("-" * 40 + "budget")] == ["Budget report"]
    assert [r.title for r in search.search("budget " + "or " * 60 + "report")] == ["Budget report"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.sampled_from([*"-\" !&|():*<>'\\", "or ", "OR ", "and ", "budget ", "a"]),
        max_size=search.MAX_QUERY_CHARS,
    ).map("".join)
)
def test_no_string_of_operators_breaks_the_parser(indexed, query):
    search.search(query)
