"""The agenda reports pack: one PDF of a meeting's front sheet, agenda and public papers.

The pack holds, in agenda order, for each public item: the minutes of the meeting it
approves (`minutes_of`), then each public report taken at the item (the report, then its
appendices). Private business appears only on the agenda, as its title and the paragraph(s)
of Schedule 12A; its papers are never read, let alone included. Every page is numbered at
its foot, and the agenda shows where each item starts ("Pages 7 - 20"), so the agenda is laid
out, measured and laid out again if its own length changed.

A build runs in the task worker (committees.tasks). It reports progress on the pack row as it
goes, outside any transaction, so a page can show it. A failed build records a short message
for Governance Services and leaves the previous ready pack published; a retry is a new pack.
"""

import dataclasses
import functools
import hashlib
import io
import logging
import secrets
import time
import weakref
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Case, PositiveIntegerField, Value, When
from django.utils import dateformat, timezone
from django.utils.text import capfirst

from committees import policies, rules
from committees.documents import new_pdf, pdf_safe
from committees.models import (
    AgendaItem,
    AgendaPack,
    Consultation,
    Document,
    DocumentKind,
    Meeting,
    Membership,
    MembershipRole,
    PackStatus,
    agenda_tree,
)
from committees.queries import public as queries
from portal_kit.uploads import (
    PDF,
    UNSAFE_KEYS,
    TooComplex,
    pdf_dictionaries,
    resolve,
    unsafe_entry,
)

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "The pack could not be built because of an unexpected error. Try again; if it fails "
    "again, contact the portal's support team"
)
MISSING_FILE = (
    "The file “{title}” for item {item} could not be found. Upload it again, then rebuild the pack"
)
DAMAGED_FILE = (
    "The file “{title}” for item {item} is damaged or password protected. Upload a new copy, "
    "then rebuild the pack"
)
AGENDA_LAYOUT = "The agenda could not be laid out. Contact the portal's support team"
NOT_BUILDABLE = "Only a pack waiting to be built or being built can be built"

IN_PACK = (DocumentKind.REPORT, DocumentKind.APPENDIX)
ACCESS_NOTE = (
    "If you require a British Sign Language interpreter for this meeting OR if you would like "
    "this information in another format or language please contact us."
)


class PackBuildError(Exception):
    """A reason the pack cannot be built that Governance Services can put right; the message
    says how."""


class _Withdrawn(Exception):
    """The pack being built was withdrawn meanwhile."""


WITHDRAWN_REASON = (
    "Withdrawn because something in it was made private or taken off the agenda. The pack is "
    "built again without it."
)
FILE_WITHDRAWN_REASON = (
    "Withdrawn because a file in it was withdrawn or replaced. The pack is built again without it."
)


def withdraw(meeting_ids, *, reason: str = WITHDRAWN_REASON) -> int:
    """Take down the packs of these meetings that are published or being built, in the
    caller's transaction, because their content has just become private or been removed (or
    a file in them withdrawn: `reason` says which, on the pack's page): the public never
    downloads a pack holding what the agenda no longer shows, not even until a worker
    rebuilds it. Their files are deleted once the change commits. A build that had
    already read the old content finds its pack withdrawn when it finishes (_publish) and
    is discarded. Returns how many packs were withdrawn."""
    meeting_ids = list(meeting_ids)
    # The meetings' rows are what _publish locks too, so a build cannot publish in between.
    list(Meeting.objects.select_for_update().filter(pk__in=meeting_ids).values_list("pk"))
    packs = list(
        AgendaPack.objects.select_for_update().filter(
            meeting_id__in=meeting_ids, status__in=(PackStatus.READY, PackStatus.BUILDING)
        )
    )
    now = timezone.now()
    for pack in packs:
        stored = pack.file.name
        if stored:
            storage = pack.file.storage
            transaction.on_commit(functools.partial(storage.delete, stored))
        pack.file.name = ""
        pack.status = PackStatus.WITHDRAWN
        pack.error = reason
        pack.finished_at = now
        # save(): the pack's history records when and by whom it was withdrawn.
        pack.save(update_fields=["file", "status", "error", "finished_at", "updated_at"])
    return len(packs)


def build_pack(pack: AgendaPack, *, progress: Callable[[int], None] | None = None) -> AgendaPack:
    """Build `pack` (queued or building) into one PDF, then mark it ready; on any failure mark
    it failed with a message instead. Never raises for a failed build: the pack row is the
    record. Call it outside a transaction so progress is visible to other requests."""
    if pack.status not in (PackStatus.QUEUED, PackStatus.BUILDING):
        raise ValueError(NOT_BUILDABLE)
    if pack.status == PackStatus.QUEUED:
        pack.status, pack.started_at = PackStatus.BUILDING, timezone.now()
        AgendaPack.objects.filter(pk=pack.pk).update(
            status=pack.status, started_at=pack.started_at, updated_at=pack.started_at
        )
    report = _Progress(pack, progress)
    report(0)
    stored_name = None
    try:
        contents = _load(pack)
        report(10)
        data, page_count, ranges = _assemble(contents, report)
        report(97)
        stored_name = pack.file.storage.save(
            pack.file.field.generate_filename(pack, f"{secrets.token_hex(16)}.pdf"),
            ContentFile(data),
        )
        _publish(pack, contents, stored_name, data, page_count, ranges)
    except _Withdrawn:
        # Its content changed while it was built (withdraw): what it read is not published.
        pack.file.storage.delete(stored_name)
        pack.refresh_from_db()
        return pack
    except Exception as error:
        if stored_name:
            pack.file.storage.delete(stored_name)
        if isinstance(error, PackBuildError):
            message = str(error)
            logger.warning(
                "Agenda pack %s for meeting %s failed: %s", pack.pk, pack.meeting_id, message
            )
        else:
            message = UNEXPECTED
            logger.exception("Agenda pack %s for meeting %s failed", pack.pk, pack.meeting_id)
        if isinstance(error, DatabaseError):
            _drop_connection()  # it may be what failed: record the failure on a fresh one
        record_failure(pack, message)
        return pack
    report(100)
    return pack


# --- What goes in ---------------------------------------------------------------------------


@dataclasses.dataclass
class _Part:
    """One PDF in the pack, belonging to an agenda item."""

    item: AgendaItem
    document: Document
    reader: object = None
    pages: int = 0


@dataclasses.dataclass
class _Contents:
    meeting: Meeting
    supplement: bool
    public: list  # [(item, [public sub-items])], in agenda order
    private: list  # items listed under Private Business, in agenda order
    labels: dict  # item pk -> "3" or "3a)"
    parts: list  # [_Part], in pack order
    members: list
    invited: list
    outstanding: list  # resolutions the "Outstanding Issues" item lists


def _load(pack: AgendaPack) -> _Contents:
    """Everything the pack needs, in a fixed number of queries. Papers and files are fetched
    for public items only, so private ones are never even read; withdrawn files never
    (policies.not_withdrawn)."""
    meeting = (
        Meeting.objects.select_related("location", "contact_officer")
        .prefetch_related("organizations")
        .get(pk=pack.meeting_id)
    )
    top = agenda_tree(
        policies.agenda_items.with_business(AgendaItem.objects.filter(meeting=meeting)).order_by(
            "position", "pk"
        )
    )
    if pack.is_supplement:
        top = [i for i in top if i.is_supplementary or any(s.is_supplementary for s in i.children)]

    labels: dict[int, str] = {}
    public, private, ordered_public = [], [], []
    for item in top:
        subs = item.children
        labels.update({i.pk: i.full_number for i in (item, *subs)})
        if not item.public_business:
            private += [item, *subs]
            continue
        public_subs = [s for s in subs if s.public_business]
        private += [s for s in subs if not s.public_business]
        public.append((item, public_subs))
        ordered_public += [item, *public_subs]
    public_ids = [i.pk for i in ordered_public]

    consultations = Consultation.objects.filter(
        policies.step_in_public(), agenda_item_id__in=public_ids
    ).order_by("pk")
    papers_by_item: dict[int, list[int]] = {}
    for consultation in consultations:
        papers_by_item.setdefault(consultation.agenda_item_id, []).append(consultation.paper_id)
    paper_ids = [p for ids in papers_by_item.values() for p in ids]
    documents = Document.objects.filter(
        policies.not_withdrawn(), paper_id__in=paper_ids, kind__in=IN_PACK, mime_type=PDF
    ).order_by(
        Case(When(kind=DocumentKind.REPORT, then=Value(0)), default=Value(1)), "position", "pk"
    )
    documents_by_paper: dict[int, list[Document]] = {}
    for document in documents:
        documents_by_paper.setdefault(document.paper_id, []).append(document)
    minutes_of = {i.minutes_of_id for i in ordered_public if i.minutes_of_id}
    minutes_by_meeting: dict[int, list[Document]] = {}
    for document in Document.objects.filter(
        policies.not_withdrawn(),
        meeting_id__in=minutes_of,
        kind=DocumentKind.MINUTES,
        mime_type=PDF,
    ).order_by("position", "pk"):
        minutes_by_meeting.setdefault(document.meeting_id, []).append(document)

    parts = []
    for item in ordered_public:
        for document in minutes_by_meeting.get(item.minutes_of_id, []):
            parts.append(_Part(item, document))
        for paper_id in papers_by_item.get(item.pk, []):
            parts += [_Part(item, d) for d in documents_by_paper.get(paper_id, [])]

    members, invited = _membership(meeting)
    return _Contents(
        meeting=meeting,
        supplement=pack.is_supplement,
        public=public,
        private=private,
        labels=labels,
        parts=parts,
        members=members,
        invited=invited,
        outstanding=(
            queries.outstanding_issues(meeting)
            if any(i.lists_outstanding_issues for i in ordered_public)
            else []
        ),
    )


def _membership(meeting: Meeting) -> tuple[list[str], list[str]]:
    """The decision maker's members on the day, as the front sheet lists them."""
    memberships = (
        Membership.objects.filter(organization__in=meeting.organizations.all())
        .current_on(timezone.localdate(meeting.start))
        .exclude(role=MembershipRole.SUBSTITUTE)
        .in_role_order()
        .select_related("person")
    )
    members, invited = [], []
    for membership in memberships:
        name = membership.person.name
        if membership.role == MembershipRole.BY_INVITATION or membership.invitation_role:
            role = membership.invitation_role or ""
            if role and role != MembershipRole.BY_INVITATION:
                name += f", {MembershipRole(role).label}"
            invited.append(name)
        else:
            if membership.role != MembershipRole.MEMBER:
                name += f", {membership.get_role_display()}"
            members.append(name)
    return members, invited


# --- Putting it together --------------------------------------------------------------------


def _assemble(contents: _Contents, report) -> tuple[bytes, int, dict[int, tuple[int, int]]]:
    from pypdf import PdfReader, PdfWriter

    for n, part in enumerate(contents.parts, start=1):
        part.reader, part.pages = _open(part, contents.labels)
        report(10 + 40 * n // len(contents.parts))

    # The agenda shows the page ranges, which depend on how long the agenda itself is.
    front_pages = 1
    for _attempt in range(6):
        ranges = _page_ranges(contents, first_page=front_pages + 1)
        front, pages = _render_front(contents, ranges)
        if pages == front_pages:
            break
        front_pages = pages
    else:
        raise PackBuildError(AGENDA_LAYOUT)
    report(55)

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(front)).pages:
        writer.add_page(page)
    writer.add_outline_item(title="Agenda", page_number=0)
    outlined = set()
    for n, part in enumerate(contents.parts, start=1):
        start = len(writer.pages)
        for page in part.reader.pages:
            _make_inert(page)  # before copying: what is left out is never written
            writer.add_page(page)
        if part.item.pk not in outlined:
            outlined.add(part.item.pk)
            writer.add_outline_item(
                title=f"{_numbered(contents.labels[part.item.pk])} {part.item.title}",
                page_number=start,
            )
        report(55 + 30 * n // len(contents.parts))
    _number_pages(writer, report)
    writer.add_metadata(
        {
            "/Title": f"{contents.meeting.title}, {_date(contents.meeting)}: agenda reports pack",
            "/Author": settings.COUNCIL_NAME,
        }
    )
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages), ranges


def _make_inert(page) -> None:
    """Strip what could run something from a page copied into the pack, by the rule uploads
    are refused by (portal_kit.uploads.unsafe_entry): its automatic actions and the
    annotations that are active content or lead to some are left out; whatever else the page
    leads to that the rule finds (a presentation step's action, another page a link goes to,
    which pypdf copies along with the link) is disarmed where it is. Uploads holding any of
    this are refused, so this only guards against a file stored before that check, or one
    it misses. Only pages are copied into the pack's new writer, never an uploaded file's
    catalog, so no document-level /OpenAction, /AA or /Names JavaScript arrives either. A
    page with more to follow than the check allows fails the build."""
    from pypdf.generic import ArrayObject, NameObject

    page.pop("/AA", None)
    annotations = page.get("/Annots")
    if annotations is not None:
        annotations = annotations.get_object()
        page[NameObject("/Annots")] = ArrayObject(
            reference
            for reference in (annotations if isinstance(annotations, ArrayObject) else ())
            if not _is_active(reference)
        )
    for dictionary in pdf_dictionaries(page, seen=_looked_at(page), up_page_tree=False):
        while reason := unsafe_entry(dictionary):
            _disarm(dictionary, reason)


def _is_active(annotation) -> bool:
    """An annotation that is active content itself or leads to some: its action, any action
    chained after it with /Next, the form field it belongs to. Pages it points at are made
    inert in their own right; an annotation that cannot be followed to the end is not
    trusted."""
    from pypdf.generic import DictionaryObject

    try:
        annotation = resolve(annotation)
        if not isinstance(annotation, DictionaryObject) or "/Subtype" not in annotation:
            return True  # not an annotation at all: drop it
        found = pdf_dictionaries(annotation, enter_pages=False, up_page_tree=False)
        return any(unsafe_entry(dictionary) for dictionary in found)
    except TooComplex:
        return True


def _disarm(dictionary, reason: str) -> None:
    """Take out what unsafe_entry found: a key that only ever holds active content, or else
    everything, as the dictionary is an active action, annotation or attached file itself."""
    from pypdf.generic import StreamObject

    if reason in UNSAFE_KEYS and reason in dictionary:
        del dictionary[reason]
        return
    dictionary.clear()
    if isinstance(dictionary, StreamObject):
        dictionary.set_data(b"")


# What has been made inert already, per open file: every page looks at what it leads to, and
# pages often lead to each other (a contents page, "back to top" links).
_INERT = weakref.WeakKeyDictionary()


def _looked_at(page) -> set:
    reader = getattr(page.indirect_reference, "pdf", None)
    return set() if reader is None else _INERT.setdefault(reader, set())


def _open(part: _Part, labels: dict[int, str]):
    from pypdf import PdfReader

    names = {"title": part.document.title, "item": labels[part.item.pk]}
    try:
        with part.document.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError as error:
        raise PackBuildError(MISSING_FILE.format(**names)) from error
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PackBuildError(DAMAGED_FILE.format(**names))
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
    except PackBuildError:
        raise
    except Exception as error:
        raise PackBuildError(DAMAGED_FILE.format(**names)) from error
    if not pages:
        raise PackBuildError(DAMAGED_FILE.format(**names))
    return reader, pages


def _page_ranges(contents: _Contents, *, first_page: int) -> dict[int, tuple[int, int]]:
    """Item pk -> (first page, last page) in the pack. An item's range covers its sub-items'
    papers too, as the agenda shows it."""
    ranges: dict[int, tuple[int, int]] = {}
    page = first_page
    for part in contents.parts:
        start, end = page, page + part.pages - 1
        pk = part.item.pk
        ranges[pk] = (ranges[pk][0], end) if pk in ranges else (start, end)
        page = end + 1
    for item, subs in contents.public:
        spans = [ranges[i.pk] for i in (item, *subs) if i.pk in ranges]
        if spans:
            ranges[item.pk] = (min(s for s, _ in spans), max(e for _, e in spans))
    return ranges


def _numbered(number: str) -> str:
    """ "4" -> "4."; "a)" and "3a)" as they are."""
    return number if number.endswith((")", ".")) else f"{number}."


def _pages_text(span: tuple[int, int] | None) -> str:
    return rules.pages_text(*span) if span else ""


def _paragraphs_text(paragraphs: list[int]) -> str:
    return capfirst(rules.exemption_text(paragraphs))


def _date(meeting: Meeting) -> str:
    return dateformat.format(timezone.localtime(meeting.start), "j F Y")


def _time_and_date(meeting: Meeting) -> str:
    """ "2.00 pm on Thursday, 13 April 2017", as the council's agendas write it."""
    start = timezone.localtime(meeting.start)
    hour = start.hour % 12 or 12
    meridiem = "am" if start.hour < 12 else "pm"
    return f"{hour}.{start.minute:02d} {meridiem} on {dateformat.format(start, 'l, j F Y')}"


def _render_front(contents: _Contents, ranges) -> tuple[bytes, int]:
    """The front sheet and agenda, with the page ranges given. Returns (PDF, page count)."""
    meeting = contents.meeting
    pdf = new_pdf(f"{meeting.title}: agenda")
    pdf.add_page()
    text = _Writer(pdf, outstanding=contents.outstanding)
    text.block(settings.COUNCIL_NAME, size=12, bold=True)
    pdf.ln(4)
    text.block(meeting.title, size=20, bold=True, height=9)
    if contents.supplement:
        text.block("Supplementary agenda", size=14, bold=True)
    pdf.ln(6)
    text.label("Time and Date", _time_and_date(meeting))
    text.label("Place", str(meeting.location) if meeting.location else "To be confirmed")
    if meeting.late_publication_reason:
        text.label("Reason for late publication", meeting.late_publication_reason)

    text.heading("Public Business")
    if not contents.public:
        text.block("Nil")
    for item, subs in contents.public:
        text.item(item.number, item.title, _pages_text(ranges.get(item.pk)))
        text.details(item)
        for sub in subs:
            span = ranges.get(sub.pk)
            shown = "" if span == ranges.get(item.pk) else _pages_text(span)
            text.item(sub.number, sub.title, shown, indent=10)
            text.details(sub, indent=10)

    text.heading("Private Business")
    if not contents.private:
        text.block("Nil")
    for item in contents.private:
        text.item(contents.labels[item.pk], item.title, "")
        if item.exempt_paragraphs:  # a sub-item of a private item may name none of its own
            text.block(_paragraphs_text(item.exempt_paragraphs), indent=10)
        pdf.ln(2)

    pdf.ln(6)
    if meeting.agenda_published_at:
        published = dateformat.format(timezone.localtime(meeting.agenda_published_at), "l, j F Y")
        text.block(f"Published on {published}")
        pdf.ln(3)
    officer = meeting.contact_officer
    if officer:
        note = (
            "Note: The person to contact about the agenda and documents for this meeting is "
            f"{officer.full_name}"
        )
        if officer.telephone:
            note += f" Tel: {officer.telephone}"
        if officer.email:
            note += f" Email: {officer.email}"
        text.block(note)
        pdf.ln(3)
    if contents.members:
        text.block("Membership: " + "; ".join(contents.members))
    if contents.invited:
        text.block("By Invitation: " + "; ".join(contents.invited))
    if contents.members or contents.invited:
        pdf.ln(3)
    text.block(ACCESS_NOTE)
    return bytes(pdf.output()), pdf.pages_count


class _Writer:
    """Small drawing helpers over an fpdf2 page: all text goes through pdf_safe."""

    LINE = 5.5

    def __init__(self, pdf, outstanding=()):
        self.outstanding = outstanding
        self.pdf = pdf
        self.left = pdf.l_margin

    def block(self, value: str, *, size=11, bold=False, height=None, indent=0):
        pdf = self.pdf
        pdf.set_font("helvetica", style="B" if bold else "", size=size)
        pdf.set_x(self.left + indent)
        pdf.multi_cell(0, height or self.LINE + 0.5, pdf_safe(value), new_x="LMARGIN", new_y="NEXT")

    def label(self, name: str, value: str):
        self.block(name, size=12, bold=True)
        self.block(value)
        self.pdf.ln(4)

    def heading(self, name: str):
        self.pdf.ln(4)
        if self.pdf.get_y() > self.pdf.h - self.pdf.b_margin - 25:
            self.pdf.add_page()
        self.block(name, size=14, bold=True, height=8)
        self.pdf.ln(2)

    def item(self, number: str, title: str, pages: str, *, indent=0):
        """ "4.  Code of Corporate Governance (Pages 7 - 20)", wrapping under the title."""
        pdf = self.pdf
        if pdf.get_y() > pdf.h - pdf.b_margin - 15:
            pdf.add_page()
        number_x = self.left + indent
        title_x = number_x + 10
        pdf.set_font("helvetica", style="B", size=11)
        pdf.set_x(number_x)
        pdf.cell(10, self.LINE, pdf_safe(_numbered(number)))
        pdf.set_left_margin(title_x)
        try:
            pdf.set_x(title_x)
            pdf.write(self.LINE, pdf_safe(title))
            if pages:
                pdf.set_font("helvetica", size=11)
                pdf.write(self.LINE, f" ({pages})")
            pdf.ln(self.LINE + 1)
        finally:
            pdf.set_left_margin(self.left)

    def details(self, item: AgendaItem, *, indent=0):
        lines = [item.lead, item.description]
        if item.is_urgent:
            lines.append(f"Urgent item. Reason for urgency: {item.urgency_reason}")
        if item.lists_outstanding_issues:
            lines += [
                f"{issue.text} (minute {issue.agenda_item.full_number}, "
                f"{issue.agenda_item.meeting.start:%-d %B %Y})"
                for issue in self.outstanding
            ] or ["There are no outstanding issues."]
        for line in filter(None, (value.strip() for value in lines)):
            self.block(line, indent=indent + 10)
            self.pdf.ln(1)
        self.pdf.ln(2)


def _number_pages(writer, report) -> None:
    """Stamp "Page N" at the foot of every page: one fpdf2 PDF with a page of the same size
    per page, merged onto each."""
    from fpdf import FPDF
    from pypdf import PdfReader, Transformation

    boxes = []
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.cropbox
        boxes.append((float(box.left), float(box.bottom), float(box.width), float(box.height)))
    stamps = FPDF(unit="pt")
    stamps.set_auto_page_break(False)
    stamps.set_font("helvetica", size=9)
    for number, (_, _, width, height) in enumerate(boxes, start=1):
        stamps.add_page(format=(width, height))
        stamps.set_xy(0, height - 32)
        stamps.cell(width, 10, f"Page {number}", align="C")
    stamp_pages = PdfReader(io.BytesIO(bytes(stamps.output()))).pages
    total = len(boxes)
    for n, (page, (left, bottom, _, _)) in enumerate(zip(writer.pages, boxes, strict=True)):
        if left or bottom:
            page.merge_transformed_page(stamp_pages[n], Transformation().translate(left, bottom))
        else:
            page.merge_page(stamp_pages[n])
        report(85 + 12 * (n + 1) // total)


# --- Recording the outcome ------------------------------------------------------------------


def _publish(pack, contents, stored_name, data, page_count, ranges) -> None:
    """Mark the pack ready and, if it is now the meeting's newest ready pack, write the page
    ranges onto the agenda items.

    The ranges are written with one queryset UPDATE, not save(): they are derived from the
    pack, not an editorial change, so they must not add a history row per item on every
    rebuild, nor bump the items' optimistic-lock `version` (which would make a clerk's edit
    in progress fail as stale), nor overwrite the other fields with this build's copy."""
    with transaction.atomic():
        # Finishing builds of one meeting take turns, so an older build finishing late never
        # overwrites the ranges of a newer one.
        Meeting.objects.select_for_update().filter(pk=pack.meeting_id).first()
        status = AgendaPack.objects.filter(pk=pack.pk).values_list("status", flat=True).first()
        if status is None:
            raise PackBuildError(UNEXPECTED)  # the pack was deleted meanwhile
        if status == PackStatus.WITHDRAWN:
            raise _Withdrawn
        newer = AgendaPack.objects.filter(
            meeting_id=pack.meeting_id,
            is_supplement=pack.is_supplement,
            status=PackStatus.READY,
            created_at__gt=pack.created_at,
        ).exists()
        pack.file.name = stored_name
        pack.size = len(data)
        pack.sha256 = hashlib.sha256(data).hexdigest()
        pack.page_count = page_count
        pack.status = PackStatus.READY
        pack.progress = 100
        pack.error = ""
        pack.finished_at = timezone.now()
        # save() rather than update(): the pack's history records when it was published.
        pack.save(
            update_fields=[
                "file",
                "size",
                "sha256",
                "page_count",
                "status",
                "progress",
                "error",
                "finished_at",
                "updated_at",
            ]
        )
        if not pack.is_supplement and not newer:
            _save_page_ranges(contents.meeting, ranges)


def _save_page_ranges(meeting: Meeting, ranges: dict[int, tuple[int, int]]) -> None:
    def value(index: int):
        return Case(
            *(When(pk=pk, then=Value(span[index])) for pk, span in ranges.items()),
            default=Value(None),
            output_field=PositiveIntegerField(),
        )

    AgendaItem.objects.filter(meeting=meeting).update(start_page=value(0), end_page=value(1))


# Seconds to wait before each new try at recording a failure when the database cannot be
# reached: a restart or failover takes a few seconds. If every try fails, the status page
# still shows the build as failed once its heartbeat stops (queries_manage.latest_pack).
RECONNECT_DELAYS = (0, 1, 3, 10)


def _drop_connection() -> None:
    """Close the connection so the next query opens a fresh one; never inside a caller's
    transaction, whose work would be lost with it."""
    if not connection.in_atomic_block:
        connection.close()


def record_failure(pack: AgendaPack | int, message: str = UNEXPECTED) -> AgendaPack:
    """Mark `pack` (or the pack of that pk) failed with `message`, opening a fresh connection
    and trying again if the database connection is lost, so a failure is visible at once and
    not only when the build is found to have stopped."""
    pk = pack.pk if isinstance(pack, AgendaPack) else pack

    def attempt() -> AgendaPack:
        nonlocal pack
        if not isinstance(pack, AgendaPack):
            pack = AgendaPack.objects.get(pk=pk)
        _fail(pack, message)
        return pack

    for delay in RECONNECT_DELAYS:
        try:
            return attempt()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block:
                raise
            logger.warning("Could not record that agenda pack %s failed; trying again", pk)
            connection.close()
            time.sleep(delay)
    return attempt()


def _fail(pack: AgendaPack, message: str) -> None:
    pack.file.name = ""
    pack.size = pack.page_count = None
    pack.sha256 = ""
    pack.status = PackStatus.FAILED
    pack.error = message
    pack.finished_at = timezone.now()
    pack.save(
        update_fields=[
            "file",
            "size",
            "sha256",
            "page_count",
            "status",
            "error",
            "finished_at",
            "updated_at",
        ]
    )


class _Progress:
    """Writes the build's progress (0-100) on the pack row as it rises, in steps of at least
    five, so a page polling the row can show it; also tells `callback`, if given. Each
    write sets `updated_at`, the build's heartbeat, and one is written every HEARTBEAT
    seconds while the build goes on even if progress has not risen enough: a build whose
    heartbeat has stopped has died (queries_manage.latest_pack)."""

    HEARTBEAT = 20

    def __init__(self, pack: AgendaPack, callback):
        self.pack = pack
        self.callback = callback
        self.last = None
        self.beat = time.monotonic()

    def __call__(self, value: int) -> None:
        value = max(0, min(100, int(value)))
        if self.last is not None and (
            value <= self.last or (value < 100 and value < self.last + 5)
        ):
            if value < 100 and time.monotonic() - self.beat >= self.HEARTBEAT:
                self._write(progress=self.last)
            return
        if value < 100:  # 100 is written with the ready status, in one go
            self._write(progress=value)
        self.pack.progress = value
        self.last = value
        if self.callback:
            self.callback(value)

    def _write(self, **fields) -> None:
        AgendaPack.objects.filter(pk=self.pack.pk).update(**fields, updated_at=timezone.now())
        self.beat = time.monotonic()
