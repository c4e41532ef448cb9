"""The visibility walk (test_visibility_walk.py) read by councillors: a councillor signed in
with a second factor who is not on the committee, and a former member, find none of its
secrets, as the public finds none; a member with only a password is sent to give a second
factor by every output; a current member finds the private papers of the committee's
published agendas, and nothing else that is private. The public's answers stay cacheable,
and identical, however much the councillors read."""

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from committees.models import Membership, PrivatePaperOpening
from governance_portal import pagecache
from tests.committees.factories import MembershipFactory, OrganizationFactory, PersonFactory
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.security.test_visibility_walk import (
    API,
    SECRETS,
    _assert_nothing_private,
    _assert_public_business_found,
    _found,
    _oparl_urls,
    _page_urls,
    _walk,
)
from tests.security.test_visibility_walk import world as world  # the fixture

pytestmark = pytest.mark.django_db

#: The secrets a current member of the walk's committee may read: the reports (and their
#: files and the steps of their journeys) taken at the committee's published agendas.
MEMBER_READS = {
    "report at a private item only: title",
    "report at a private item only: summary",
    "report at a private item only: file",
    "report at a private item only: recommendation",
    "step at a private item",
    "sub-item report title",
    "sub-item report file",
    "sub-item recommendation",
    "private report title",
    "private report summary",
    "private report file",
}


def _without_nonces(answers: dict[str, str]) -> dict[str, str]:
    """Each answer without its CSP nonce, the one part every response has of its own."""
    return {url: re.sub(r'nonce="[^"]*"', "", text) for url, text in answers.items()}


def _councillor_client(committee=None, *, end=None, verified=True) -> Client:
    user = UserFactory()
    person = PersonFactory(user=user)
    if committee is not None:
        MembershipFactory(person=person, organization=committee, end_date=end)
    return sign_in(Client(), user, verified=verified)


@pytest.mark.parametrize("who", ["other committee", "former member"])
def test_a_councillor_who_may_not_read_them_finds_nothing_private(world, who):
    committee = world["committee"]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    client = {
        "other committee": lambda: _councillor_client(OrganizationFactory()),
        "former member": lambda: _councillor_client(committee, end=yesterday),
    }[who]()

    answers = _walk(client, world)

    _assert_public_business_found(answers)
    _assert_nothing_private(answers)
    assert not PrivatePaperOpening.objects.exists()


def test_a_member_with_a_password_alone_is_sent_to_give_a_second_factor_by_every_output(world):
    """A councillor's account needs a second factor (User.needs_two_factor): until it is
    given, every page, file, pack, feed and OParl answer of the walk sends them to set one
    up, and nothing is read or logged."""
    client = _councillor_client(world["committee"], verified=False)
    urls = [*_page_urls(world), API, *_oparl_urls()]
    assert len(urls) > 20
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor_setup")), url
    assert not PrivatePaperOpening.objects.exists()


def test_a_current_member_reads_the_committees_private_papers_and_nothing_else(world):
    client = _councillor_client(world["committee"])

    answers = _walk(client, world)

    _assert_public_business_found(answers)
    found = {where for where, word in SECRETS.items() if _found(answers, word)}
    assert found == MEMBER_READS
    # Every private report and file opened was logged, and only those.
    assert PrivatePaperOpening.objects.exists()
    assert set(PrivatePaperOpening.objects.values_list("capacity", flat=True)) == {"member"}


def test_the_public_pages_stay_cached_and_identical_while_councillors_read(world, settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches[pagecache.CACHE_ALIAS].clear()
    member = _councillor_client(world["committee"])
    anonymous = Client()
    first = _walk(anonymous, world)  # fills the cache
    version = pagecache.current_version()

    _walk(member, world)
    assert PrivatePaperOpening.objects.exists()
    assert pagecache.current_version() == version  # reading changed no public page

    again = _walk(anonymous, world)
    assert _without_nonces(again) == _without_nonces(first)
    _assert_nothing_private(again)
    pages = [
        u for u, text in first.items() if text and re.fullmatch(r"/(meetings|reports)/\d+/", u)
    ]
    hits = [anonymous.get(url).get("X-Page-Cache") for url in pages]
    assert len(hits) > 4 and all(hit == "hit" for hit in hits)
    assert Membership.objects.filter(organization=world["committee"]).exists()
