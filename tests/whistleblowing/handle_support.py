"""What the tests of the handlers' pages share: concerns raised and handled through the
services, the people who handle them, and sealed words no page may show where it should not."""

import datetime as dt

from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.committees.factories import minimal_pdf
from tests.conftest import sign_in
from tests.factories import UserFactory
from whistleblowing import services

APRIL_10 = dt.datetime(2017, 4, 10, 9, tzinfo=dt.UTC)
#: Words of the concern: no register, export, e-mail or log may carry them.
WORDS = "Quillfeather fuel cards used for private cars at Whitley depot"
REPORTER_NAME = "Saoirse Quimby-Tallis"
REPORTER_CONTACT = "saoirse.quimby@example.org"
#: A real PDF: whatever reads a download (the markup walk parses every PDF) can open it.
FILE_BYTES = minimal_pdf("Fuel log")


def answers(**changes) -> services.Answers:
    return services.Answers(
        **{
            "ground": "criminal_offence",
            "what_happened": WORDS,
            "when": "Since January",
            "where": "Whitley depot",
            "who": "A supervisor",
            "public_interest": True,
            "reporter_kind": "permanent",
            "anonymous": True,
            "under_policy": True,
            **changes,
        }
    )


def named(**changes) -> services.Answers:
    return answers(anonymous=False, name=REPORTER_NAME, contact=REPORTER_CONTACT, **changes)


def raise_concern(*, files=(), now=APRIL_10, reporter=None, **changes):
    return services.raise_concern(
        answers=answers(**changes), files=list(files), now=now, reporter=reporter
    ).concern


def evidence(data: bytes = FILE_BYTES, name: str = "fuel log.pdf"):
    return [services.Evidence(name, "application/pdf", data)]


def person(*roles, **kwargs):
    return UserFactory(roles=list(roles), **kwargs)


def monitoring_officer(**kwargs):
    return person(Role.MONITORING_OFFICER, **kwargs)


def signed_in(client, user):
    return sign_in(client, user)


def close(concern, actor):
    return services.close(
        concern=concern,
        outcome="substantiated",
        findings="Cards were shared",
        lessons="Fuel cards need a named holder",
        closing_message="Your concern has been investigated and action taken",
        version=ANY_VERSION,
        actor=actor,
    )
