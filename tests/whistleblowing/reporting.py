"""Helpers for the reporter's pages: walking the questions as a browser does (the draft carried
from each page to the next in its hidden field), and files to add as evidence."""

import html
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.security.payloads import word_document

DRAFT = re.compile(r'name="draft" value="([^"]*)"')
FORM_ACTION = re.compile(r'<form method="post" novalidate action="([^"]+)" id="wb-question"')
CODE = re.compile(r'id="receipt-code">([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})<')

WORDS = "The fuel cards of the Whitley depot pay for private cars"

#: A whole concern, as the questions take it (file pages aside).
ANSWERS = {
    "about": {"about": "wrongdoing"},
    "ground": {"ground": "criminal_offence"},
    "what_happened": {"what_happened": WORDS},
    "when": {"when": "Every Friday since January 2017"},
    "where": {"where": "Whitley depot"},
    "who": {"who": "A transport supervisor"},
    "evidence": {"evidence": "The fuel log for March"},
    "files": {},
    "raised_before": {"raised_before": ["line_manager"], "raised_before_details": "In March"},
    "public_interest": {"public_interest": "on"},
    "reporter_kind": {"reporter_kind": "permanent"},
    "anonymous": {"anonymous": "anonymous"},
    "contact": {"name": "Jo Reporter", "contact": "jo.reporter@example.org"},
    "channel": {"channel": "telephone"},
    "reporter": {"reporter_email": ""},
}


def draft_of(response) -> str:
    match = DRAFT.search(response.content.decode())
    assert match, "the page carries no draft"
    return html.unescape(match[1])


def action_of(response) -> str:
    match = FORM_ACTION.search(response.content.decode())
    assert match, "the page has no question form"
    return html.unescape(match[1])


def code_of(response) -> str:
    match = CODE.search(response.content.decode())
    return match[1] if match else ""


def url(name: str) -> str:
    return reverse(f"whistleblowing:{name}")


def answer(client, response, data: dict, **extra):
    """Post `data` to the question `response` shows, with its draft."""
    return client.post(action_of(response), {"draft": draft_of(response), **data}, **extra)


def walk(client, *, journey="raise", changes=None, files=(), stop_at=None, **extra):
    """Answer every question from the first, as a browser would, until check your answers
    (or the question `stop_at`); `changes` replaces answers by question. Returns the last
    response."""
    changes = changes or {}
    first = "channel" if journey == "log" else "about"
    response = client.get(url(f"{journey}_{first}"), **extra)
    assert response.status_code == 200
    for _ in range(20):
        step = action_of(response).rstrip("/").rsplit("/", 1)[-1]
        name = STEP_OF_SLUG[step]
        if name == stop_at or name == "check":
            return response
        data = dict(changes.get(name, ANSWERS[name]))
        if name == "files" and files:
            data["files"] = list(files)
            files = ()  # once: a file that names someone shows the files page again
        response = answer(client, response, data, **extra)
        assert response.status_code == 200, (name, response.status_code)
        assert "govuk-error-summary" not in response.content.decode(), name
    raise AssertionError("the questions never reached check your answers")


def send(client, response, **extra):
    """Tick the declaration on check your answers and send."""
    return answer(client, response, {"under_policy": "on"}, **extra)


STEP_OF_SLUG = {
    "about": "about",
    "ground": "ground",
    "what-happened": "what_happened",
    "when": "when",
    "where": "where",
    "who": "who",
    "evidence": "evidence",
    "files": "files",
    "told-before": "raised_before",
    "public-interest": "public_interest",
    "about-you": "reporter_kind",
    "your-name": "anonymous",
    "contact": "contact",
    "check": "check",
    "channel": "channel",
    "their-account": "reporter",
}


# --- Files -------------------------------------------------------------------------------------


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_by(author: str = "", text: str = "Fuel log") -> bytes:
    from pypdf import PdfReader, PdfWriter

    from tests.committees.factories import minimal_pdf

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(text))))
    if author:
        writer.add_metadata({"/Author": author})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def word_by(creator: str, editor: str = "", text="Minutes of the depot meeting") -> bytes:
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{editor}</cp:lastModifiedBy>"
        "</cp:coreProperties>"
    )
    return word_document((text,), parts={"docProps/core.xml": core})


def photo(kind="JPEG", *, artist="Jo Reporter", orientation=1, size=(40, 30)) -> bytes:
    """A photo whose EXIF names its maker and where it was taken, with a comment."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    image.putpixel((0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x013B] = artist  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 24.0, 30.0)
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", exif=exif, comment=b"taken at 12 Acacia Avenue")
    else:
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Author", artist)
        image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


# --- The walk's reporter --------------------------------------------------------------------------


def reporter_client(**client_kwargs):
    """A browser following an anonymous concern with its receipt code (its session holds the
    case, as after entering the code), the case acknowledged and with a meeting to comment on:
    the hostile-input walk's visitor for the case pages (tests/security/pages.py)."""
    import datetime as dt

    from django.test import Client

    from organisation.roles import Role
    from tests.factories import UserFactory
    from whistleblowing import services
    from whistleblowing.views.report import GRANT, grant_for

    handler = UserFactory(roles=[Role.MONITORING_OFFICER])
    concern = services.raise_concern(
        answers=services.Answers(
            ground="health_and_safety",
            what_happened=WORDS,
            public_interest=True,
            reporter_kind="agency",
            under_policy=True,
        )
    ).concern
    concern = services.acknowledge(
        concern=concern, summary="Fuel cards", version=concern.version, actor=handler
    )
    services.record_meeting(
        concern=concern,
        details=services.MeetingDetails(on=dt.date(2017, 4, 20), place="Room 4", note="Notes"),
        version=concern.version,
        actor=handler,
    )
    client = Client(**client_kwargs)
    session = client.session
    session[GRANT] = grant_for(concern.pk)
    session.save()
    return client
