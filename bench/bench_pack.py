"""Time a ~200-page agenda pack build (not a test); part of `make bench` (bench/run.py).
By hand, from the repository root:
TEST_DATABASE_NAME=test_packs_bench .venv/bin/python bench/bench_pack.py
Uses a throw-away test database and a temporary MEDIA_ROOT; everything is rolled back."""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance_portal.settings_test")
import django

django.setup()
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
settings.MEDIA_ROOT = tempfile.mkdtemp()
connection.creation.create_test_db(verbosity=0, keepdb=True)

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from committees import documents, pack  # noqa: E402
from committees.models import AgendaPack, DocumentKind  # noqa: E402
from tests.committees.factories import (  # noqa: E402
    AgendaItemFactory,
    ConsultationFactory,
    MeetingFactory,
    PaperFactory,
    PrivateAgendaItemFactory,
)

PARAGRAPH = (
    "The Council's Code of Corporate Governance sets out how the Council meets the seven "
    "principles of good governance. This paragraph stands for the body of a council report, "
    "which runs to several pages with recommendations, options considered, implications and "
    "appendices. "
) * 3


class Rollback(Exception):
    pass


def pdf(title, pages):
    # About six paragraphs a page.
    return documents.render_text_pdf(title, [f"{title}: {PARAGRAPH}"] * (pages * 5))


t0 = time.perf_counter()
# Each distinct PDF is rendered once and reused (fpdf2 text layout is the slow part of setup).
REPORT = pdf("Report", 15)
APPENDIX = pdf("Appendix", 4)
MINUTES = pdf("Minutes", 5)
print(
    "report pages",
    len(__import__("pypdf").PdfReader(__import__("io").BytesIO(REPORT)).pages),
    "appendix",
    len(__import__("pypdf").PdfReader(__import__("io").BytesIO(APPENDIX)).pages),
)
try:
    with transaction.atomic():
        previous = MeetingFactory()
        documents.store_document(
            uploaded_file=SimpleUploadedFile("m.pdf", MINUTES),
            meeting=previous,
            kind=DocumentKind.MINUTES,
            title="Minutes",
        )
        meeting = MeetingFactory(published=True)
        AgendaItemFactory(meeting=meeting, position=1, number="1", title="Apologies")
        AgendaItemFactory(
            meeting=meeting, position=2, number="2", title="Minutes", minutes_of=previous
        )
        for n in range(3, 13):
            item = AgendaItemFactory(
                meeting=meeting,
                position=n,
                number=str(n),
                title=f"Report {n}",
                lead="Report of the Deputy Chief Executive (Place)",
                description="To consider the report.",
            )
            paper = PaperFactory()
            ConsultationFactory(paper=paper, agenda_item=item)
            documents.store_document(
                uploaded_file=SimpleUploadedFile("r.pdf", REPORT),
                paper=paper,
                kind=DocumentKind.REPORT,
                title="Report",
            )
            documents.store_document(
                uploaded_file=SimpleUploadedFile("a.pdf", APPENDIX),
                paper=paper,
                kind=DocumentKind.APPENDIX,
                title="Appendix",
            )
        PrivateAgendaItemFactory(meeting=meeting, position=13, number="13")
        print(f"set-up {time.perf_counter() - t0:.1f} s")

        queued = AgendaPack.objects.create(meeting=meeting)
        start = time.perf_counter()
        pack.build_pack(queued)
        elapsed = time.perf_counter() - start
        queued.refresh_from_db()
        print(
            f"status={queued.status} pages={queued.page_count} size={queued.size / 1e6:.1f} MB "
            f"build={elapsed:.2f} s error={queued.error!r}"
        )
        raise Rollback
except Rollback:
    pass
