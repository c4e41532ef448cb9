"""The page cache never serves a stale public page (governance_portal/pagecache.py).

Each test fills the cache with the public pages a change should alter, makes the change the
way the portal makes it (a service, an admin save, a bulk update), and reads the pages again.
"""

import dataclasses
import os
import re
import socket
import uuid
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse

from committees import services
from committees.models import AgendaItem, Meeting
from committees.services import SCRIPT, AgendaItemDetails
from governance_portal import pagecache
from organisation.roles import Role
from tests.committees.factories import (
    AgendaItemFactory,
    MeetingFactory,
    OrganizationFactory,
    ResolutionFactory,
)
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(autouse=True, params=["memory", "redis"])
def page_cache(request, settings):
    """The cache on, in each process's memory (no REDIS_URL) and in Redis (shared)."""
    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
        settings.CACHES = {
            **settings.CACHES,
            pagecache.CACHE_ALIAS: {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                # A prefix of the test's own instead of clear(), which would empty the
                # whole Redis database under other test processes.
                "KEY_PREFIX": f"test-pages-{uuid.uuid4()}",
                "TIMEOUT": 60,
            },
        }
    else:
        caches[pagecache.CACHE_ALIAS].clear()


@pytest.fixture
def committee():
    return OrganizationFactory(name="Audit and Procurement Committee", slug="audit")


@pytest.fixture
def meeting(committee):
    meeting = MeetingFactory(organizations=[committee], published=True)
    AgendaItemFactory(meeting=meeting, position=1, number="1", title="Apologies")
    AgendaItemFactory(meeting=meeting, position=2, number="2", title="Internal audit plan")
    return meeting


def _pages(meeting, committee) -> list[str]:
    local = meeting.start.astimezone()
    return [
        reverse("committees:meeting", args=[meeting.pk]),
        reverse("committees:meetings"),
        reverse("committees:calendar", args=[local.year, local.month]),
        reverse("committees:committee", args=[committee.slug]),
        reverse("committees:committee_ics", args=[committee.slug]),
        reverse("committees:meeting_ics", args=[meeting.pk]),
        reverse("oparl:meeting", args=[meeting.pk]),
    ]


def _warm(client, urls):
    """Fetch each page twice; the second answer must come from the cache."""
    for url in urls:
        assert client.get(url).status_code == 200, url
        again = client.get(url)
        assert again.headers.get("X-Page-Cache") == "hit", url


def test_a_cached_page_costs_one_query(client, meeting, django_assert_num_queries):
    url = reverse("committees:meeting", args=[meeting.pk])
    first = client.get(url)
    with django_assert_num_queries(1):  # the content version
        second = client.get(url)
    assert second.headers["X-Page-Cache"] == "hit"
    assert _without_nonce(second) == _without_nonce(first)
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert "Cookie" in second.headers["Vary"]
    assert second.headers["X-Frame-Options"] == "DENY"  # middleware headers still added


def test_each_answer_has_its_own_nonce_matching_its_header(client, meeting):
    url = reverse("committees:meeting", args=[meeting.pk])
    nonces = []
    for _ in range(3):
        response = client.get(url)
        in_page = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
        assert len(in_page) == 1
        (nonce,) = in_page
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_a_service_change_shows_at_once_on_every_page(client, meeting, committee):
    urls = _pages(meeting, committee)
    _warm(client, urls)
    services.cancel_meeting(
        meeting=meeting, reason="Not quorate", version=meeting.version, actor=SCRIPT
    )
    for url in urls:
        response = client.get(url)
        assert response.headers.get("X-Page-Cache") != "hit", url
        assert b"ancel" in response.content, url  # "Cancelled", "cancelled", "CANCELLED"


def test_an_item_edit_shows_on_the_agenda(client, meeting):
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    item = AgendaItem.objects.get(meeting=meeting, number="2")
    services.update_agenda_item(
        item=item,
        version=item.version,
        details=dataclasses.replace(AgendaItemDetails.of(item), title="Internal audit charter"),
        actor=SCRIPT,
    )
    page = client.get(url).content.decode()
    assert "Internal audit charter" in page
    assert "Internal audit plan" not in page


def test_a_bulk_renumbering_shows_on_the_agenda(client, meeting):
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    services.move_agenda_item(
        item=AgendaItem.objects.get(meeting=meeting, number="2"), direction="up", actor=SCRIPT
    )
    page = client.get(url).content.decode()
    assert page.index("Internal audit plan") < page.index("Apologies")


def test_publishing_an_agenda_shows_it(client, committee):
    meeting = MeetingFactory(organizations=[committee])
    AgendaItemFactory(meeting=meeting, position=1, number="1", title="Treasury management")
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    assert b"Treasury management" not in client.get(url).content
    services.publish_agenda(meeting=meeting, late_reason="Urgent", actor=SCRIPT)
    assert b"Treasury management" in client.get(url).content


def test_a_save_outside_the_services_shows_too(client, meeting):
    """The Django admin saves models directly."""
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    AgendaItem.objects.get(meeting=meeting, number="1").delete()
    assert b"Apologies" not in client.get(url).content


def test_an_unpublished_draft_seen_by_a_clerk_never_reaches_the_public(client, committee):
    meeting = MeetingFactory(organizations=[committee])
    AgendaItemFactory(meeting=meeting, position=1, number="1", title="Draft item")
    url = reverse("committees:meeting", args=[meeting.pk])
    clerk = sign_in(Client(), UserFactory(roles=[Role.GOVERNANCE_SERVICES]))
    for _ in range(2):
        seen = clerk.get(url)
        assert seen.headers.get("X-Page-Cache") != "hit"
        assert b"Draft item" in seen.content
    assert b"Draft item" not in client.get(url).content


def test_signed_in_visitors_are_never_served_from_the_cache(client, meeting):
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    member = sign_in(Client(), UserFactory(roles=[]))
    response = member.get(url)
    assert response.headers.get("X-Page-Cache") != "hit"
    assert b"Sign out" in response.content


def test_not_found_answers_are_not_stored(client):
    url = reverse("committees:meeting", args=[999_999])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 404
        assert response.headers.get("X-Page-Cache") != "hit"


def test_post_is_never_answered_from_the_cache(client, meeting):
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    assert client.post(url).status_code in {403, 405}


def test_off_when_the_timeout_is_zero(client, meeting, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = reverse("committees:meeting", args=[meeting.pk])
    client.get(url)
    assert client.get(url).headers.get("X-Page-Cache") != "hit"


def test_the_version_advances_again_after_commit_once_per_transaction(
    meeting, django_capture_on_commit_callbacks
):
    before = pagecache.current_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.cancel_meeting(
            meeting=meeting, reason="Not quorate", version=meeting.version, actor=SCRIPT
        )
    assert callbacks.count(pagecache._advance) == 1
    # Several rows were written, each advancing the version at once; then once more on commit.
    assert pagecache.current_version() > before + 1
    assert Meeting.objects.get(pk=meeting.pk).state == "cancelled"


def test_a_sign_in_does_not_empty_the_cache(client, meeting):
    user = UserFactory(roles=[], password="a long enough password 1")
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    Client().post(
        reverse("login"), {"username": user.email, "password": "a long enough password 1"}
    )
    assert client.get(url).headers.get("X-Page-Cache") == "hit"


def _without_nonce(response) -> str:
    return re.sub(r'nonce="[^"]+"', "", response.content.decode())


def test_a_page_with_a_csrf_token_is_not_stored(rf):
    """Such a page is one visitor's; served to another, its form would fail the CSRF check."""
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    @pagecache.anonymous_page
    def form_page(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @pagecache.anonymous_page
    def plain_page(request):
        return HttpResponse("<p>Agenda</p>")

    for _ in range(2):
        assert "X-Page-Cache" not in form_page(rf.get("/form/"))
    plain_page(rf.get("/plain/"))
    assert plain_page(rf.get("/plain/"))["X-Page-Cache"] == "hit"


# --- Changes no public page shows ------------------------------------------------------------
# A clerk edits the draft agendas of meetings to come all day; each edit used to make every
# cached page unreachable, so under a change a second the public pages were rendered afresh
# (the mixed run of make bench). Writes to a draft agenda's business now leave them.


def _rename(item, title):
    item.refresh_from_db()
    services.update_agenda_item(
        item=item,
        version=item.version,
        details=dataclasses.replace(AgendaItemDetails.of(item), title=title),
        actor=SCRIPT,
    )


def test_a_draft_agendas_change_leaves_the_cached_pages(
    client, meeting, committee, django_capture_on_commit_callbacks
):
    draft = MeetingFactory(organizations=[committee])
    item = AgendaItemFactory(meeting=draft, position=1, number="1", title="Draft item")
    urls = [*_pages(meeting, committee), reverse("committees:meeting", args=[draft.pk])]
    _warm(client, urls)
    before = pagecache.current_version()

    with django_capture_on_commit_callbacks(execute=True):
        _rename(item, "Draft item, renamed")

    assert pagecache.current_version() == before
    for url in urls:
        assert client.get(url).headers.get("X-Page-Cache") == "hit", url
    assert b"renamed" not in client.get(reverse("committees:meeting", args=[draft.pk])).content


@pytest.mark.parametrize("published", ["agenda_published_at", "minutes_published_at"])
def test_a_change_to_published_business_still_moves_the_cache_on(
    client, committee, published, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(organizations=[committee])
    Meeting.objects.filter(pk=meeting.pk).update(**{published: meeting.start})
    item = AgendaItemFactory(meeting=meeting, position=1, number="1", title="Apologies")
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    with django_capture_on_commit_callbacks(execute=True):
        _rename(item, "Apologies for absence")
    response = client.get(url)
    assert response.headers.get("X-Page-Cache") != "hit"
    assert b"Apologies for absence" in response.content


def test_a_resolution_deleted_with_its_published_item_moves_the_cache_on(client, meeting):
    # Its item is gone when the resolution's delete is seen: no meeting found is not a draft.
    item = AgendaItem.objects.get(meeting=meeting, number="2")
    ResolutionFactory(agenda_item=item, text="Approved the plan")
    url = reverse("committees:meeting", args=[meeting.pk])
    _warm(client, [url])
    before = pagecache.current_version()
    item.delete()
    assert pagecache.current_version() > before
    assert b"Internal audit plan" not in client.get(url).content


@pytest.mark.django_db(transaction=True)
def test_a_publication_committed_during_a_draft_change_moves_the_cache_on(client, committee):
    """The draft change decides "no public page shows this" inside its transaction; another
    transaction publishes the agenda and commits first. Once the change commits, the check is
    made again and the version moves, so no page built before it is served."""
    draft = MeetingFactory(organizations=[committee])
    item = AgendaItemFactory(meeting=draft, position=1, number="1", title="Draft item")
    url = reverse("committees:meeting", args=[draft.pk])
    _warm(client, [url])
    before = pagecache.current_version()
    with transaction.atomic():
        _rename(item, "Final item")
        assert pagecache.current_version() == before  # a draft: nothing to move on
        # Another app server publishes the agenda and commits while this change is open; a
        # page it builds now shows the item as it was, under the same version.
        other = psycopg2.connect(**_connection_params())
        try:
            with other, other.cursor() as cursor:
                cursor.execute(
                    "UPDATE committees_meeting SET agenda_published_at = now() WHERE id = %s",
                    [draft.pk],
                )
        finally:
            other.close()
    assert pagecache.current_version() > before
    page = client.get(url)
    assert page.headers.get("X-Page-Cache") != "hit"
    assert b"Final item" in page.content


def _connection_params() -> dict:
    from django.db import connection

    settings = connection.settings_dict
    return {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
