"""Nothing about a concern reaches the public page cache, search, feeds or OParl."""

import datetime as dt

import pytest
from django.urls import reverse

from committees.models import SearchEntry
from governance_portal import pagecache
from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.factories import UserFactory
from whistleblowing import services
from whistleblowing.models import Outcome

WORDS = "Zanzibarquill overtime claims at the crematorium"


def _answers():
    return services.Answers(
        ground="fraud",
        what_happened=WORDS,
        public_interest=True,
        reporter_kind="agency",
        anonymous=True,
        under_policy=True,
    )


@pytest.mark.django_db(transaction=True)
def test_raising_and_handling_a_concern_leaves_the_public_pages_as_they_were():
    officer = UserFactory(roles=[Role.MONITORING_OFFICER])
    before = pagecache.current_version()
    concern = services.raise_concern(answers=_answers()).concern
    services.acknowledge(concern=concern, summary=WORDS, version=ANY_VERSION, actor=officer)
    services.close(
        concern=concern,
        outcome=Outcome.SUBSTANTIATED,
        findings=WORDS,
        lessons=WORDS,
        closing_message="Done",
        version=ANY_VERSION,
        actor=officer,
        now=dt.datetime.now(dt.UTC),
    )
    assert pagecache.current_version() == before
    assert not SearchEntry.objects.filter(body__icontains="Zanzibarquill").exists()


@pytest.mark.django_db
def test_the_public_outputs_never_mention_a_concern(client):
    services.raise_concern(answers=_answers())
    for url in (
        reverse("committees:search") + "?q=Zanzibarquill",
        reverse("oparl:system"),
        reverse("home"),
    ):
        # The search page repeats the query; the concern's other words must not appear.
        assert b"crematorium" not in client.get(url).content, url
