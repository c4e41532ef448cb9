"""Hostile values, and hypothesis strategies that post them into a parsed form's fields."""

import string

from hypothesis import strategies as st

from tests.committees.factories import minimal_pdf
from tests.factories import PASSWORD

HUGE = "Lorem ipsum " * 8_333 + "dolo"  # 100 000 characters
assert len(HUGE) == 100_000

UNICODE = [
    "\u202egnp.exe",  # right-to-left override
    "Coventry\u200dCouncil\u200b\u2060",  # zero-width joiner, space and word joiner
    "Cabinet 👩🏽‍💼🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # emoji, tags
    "Ze\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309lgo",  # combining marks
    # Astral characters (mathematical Fraktur, CJK extension B, plane 16), no surrogates.
    "\U0001d518\U0001d52b\U0001d526\U0001d520 \U0002070e\U00020731 \U0010fffd",
    "\ufeffBOM and \u00a0no-break\u2028line\u2029paragraph",
    "İstanbul ß ﬃ Ⅻ",  # characters whose case mapping changes their length
]
NUL = ["\x00", "Budget\x00report", "\x00" * 20]
CONTROL = ["\r\n\r\n", "\x1b[31mred\x1b[0m", "\x7f\x08\x0b\x0c", "\t"]
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{ request.user }}{% debug %}",
    "&lt;b&gt; &amp;amp; &#0;",
]
SQL = [
    "'; DROP TABLE committees_meeting; --",
    "1 OR 1=1",
    "%' AND '1'='1",
    "\\'\\\"\\\\",
    "1; SELECT pg_sleep(10)",
]
WRONG_TYPES = ["abc", "-1", "0", "1.5", "1e309", "9" * 30, "NaN", "0x1F", "\u00bd", "\u0663", " "]
CATALOGUE = ["", HUGE, *UNICODE, *NUL, *CONTROL, *MARKUP, *SQL, *WRONG_TYPES]

#: (day, month, year) in three boxes: impossible, out of range, wrong types.
BAD_DATES = [
    ("31", "2", "2017"),
    ("29", "2", "2100"),
    ("0", "0", "0"),
    ("1", "1", "0"),
    ("1", "1", "0000"),
    ("1", "1", "99999"),
    ("32", "13", "2017"),
    ("-1", "-1", "-2017"),
    ("1.5", "2", "2017"),
    ("\u0661", "\u0662", "\u0662\u0660\u0661\u0667"),  # Arabic-Indic digits
    ("13", "4", "17"),
    ("13", "4", "9" * 30),
]
#: Real dates at the edges of what Python and PostgreSQL can hold.
EDGE_DATES = [("1", "1", "0001"), ("31", "12", "9999")]
GOOD_DATE = ("13", "4", "2027")

BAD_TIMES = ["25:00", "12:60pm", "0am", "13pm", "2", "noonish", "9" * 30, "-1:00", "\u0662pm"]

GOOD_TEXT = "Budget report 2017/18"
GOOD_EMAIL = "clerk@coventry.gov.uk"
GOOD_URL = "https://www.example.com/webcast"
BAD_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://[::1",
    "https://" + "a" * 300 + ".example",
    "//evil.example",
]
PDF = minimal_pdf("Hostile input")
BAD_FILES = [b"", b"MZ\x90\x00 not a pdf", b"%PDF-1.7\n garbage", b"<script>alert(1)</script>"]

NEW_PASSWORD = "a-Different-and-long-passphrase-2017"


# --- What a person would type ------------------------------------------------------------------


def is_time(name: str) -> bool:
    return name.endswith(("_time", "closed_at"))


def plausible_value(field):
    """A value that passes the field's own checks, so the rest of the post gets through."""
    if field.kind in ("radio", "select"):
        if field.checked:
            return field.checked[0]
        options = [o for o in field.options if o]
        return options[0] if options else ""
    if field.kind == "checkbox":
        return [field.options[0]] if field.multiple else None
    if field.kind in ("hidden", "submit"):
        return field.value
    if field.kind == "email":
        return GOOD_EMAIL
    if field.kind == "url":
        return GOOD_URL
    if field.kind == "password":
        return PASSWORD if field.name == "old_password" else NEW_PASSWORD
    if field.kind == "file":
        return ("report.pdf", PDF)
    if is_time(field.name):
        return {"start_time": "2pm", "end_time": "4pm"}.get(field.name, "3:45pm")
    if field.name == "code":
        return "123456"
    return field.value.strip() or GOOD_TEXT


def date_groups(form) -> list[str]:
    """Names of GOV.UK date inputs (three boxes: name_0, name_1, name_2)."""
    return [
        name[:-2]
        for name in form.fields
        if name.endswith("_0")
        and f"{name[:-2]}_1" in form.fields
        and f"{name[:-2]}_2" in form.fields
    ]


def plausible_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = plausible_value(field)
        if value is not None:
            data[name] = value
    for group in date_groups(form):
        for n, part in enumerate(GOOD_DATE):
            data[f"{group}_{n}"] = part
    return data


def as_upload(value):
    """A (name, bytes) pair as the test client posts a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, content = value
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- Strategies -----------------------------------------------------------------------------------

hostile_text = st.one_of(
    st.sampled_from(CATALOGUE),
    st.text(max_size=30),  # any code point but lone surrogates, NUL included
    st.text(alphabet=string.digits + "-+.e ", max_size=12),
    st.builds(lambda a, b: a + b, st.sampled_from(MARKUP + SQL), st.sampled_from(UNICODE)),
)
hostile_value = st.one_of(
    hostile_text,
    st.lists(hostile_text, min_size=2, max_size=3),  # a list for a scalar
)
ABSENT = object()


def field_strategy(field):
    plausible = plausible_value(field)
    choices = [st.just(ABSENT if plausible is None else plausible)]
    if field.kind in ("radio", "select", "checkbox") and field.options:
        option = st.sampled_from(field.options)
        choices.append(st.lists(option, max_size=3) if field.multiple else option)
    if field.kind == "url":
        choices.append(st.sampled_from(BAD_URLS))
    if is_time(field.name):
        choices.append(st.sampled_from(BAD_TIMES))
    if field.kind == "file":
        return st.one_of(
            st.just(ABSENT),
            st.just(plausible),
            st.tuples(
                st.sampled_from(["x.pdf", "../../etc/passwd.pdf", "\u202efdp.exe"]),
                st.sampled_from(BAD_FILES),
            ),
        )
    choices += [hostile_value, st.just(ABSENT)]
    return st.one_of(*choices)


def date_strategy():
    return st.one_of(
        st.just(GOOD_DATE),
        st.sampled_from(BAD_DATES + EDGE_DATES),
        st.tuples(hostile_text, hostile_text, hostile_text),
    )


def form_data(form):
    """A strategy for whole posts to `form`: each field plausible, hostile or left out."""
    groups = date_groups(form)
    parts = {f"{g}_{n}" for g in groups for n in range(3)}
    fields = {
        name: field_strategy(field)
        for name, field in form.fields.items()
        if name not in parts and field.kind != "submit" and name != "csrfmiddlewaretoken"
    }

    def assemble(values, dates):
        data = {name: value for name, value in values.items() if value is not ABSENT}
        for group, triple in dates.items():
            for n, part in enumerate(triple):
                data[f"{group}_{n}"] = part
        for name, field in form.fields.items():
            if field.kind == "submit" or name == "csrfmiddlewaretoken":
                data[name] = field.value
        return data

    return st.builds(
        assemble,
        st.fixed_dictionaries(fields),
        st.fixed_dictionaries({g: date_strategy() for g in groups}),
    )


# --- Files written byte by byte ----------------------------------------------------------------


def hand_written_pdf(*, catalog=b"", page=b"", objects=None, packed=()) -> bytes:
    """A one-page PDF written byte by byte, as a probe writes one: `catalog` and `page` are
    extra entries for those two dictionaries, `objects` more numbered objects (from 6 up)
    that they may refer to. Objects numbered in `packed` go into one compressed object
    stream, and the cross-reference is then a stream too (PDF 1.5): pypdf cannot write
    either."""
    import struct
    import zlib

    text = b"BT /F1 12 Tf 72 720 Td (Report \\(page 1\\)) Tj ET"
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page + b" >>",
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        **(objects or {}),
    }
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    where = {0: (0, 0, 65535)}  # number -> (1, offset, 0) or (2, object stream, index)
    for number in sorted(set(bodies) - set(packed)):
        where[number] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, bodies[number])
    size = max(bodies) + 1
    if not packed:
        xref = len(out)
        out += b"xref\n0 %d\n" % size
        for number in range(size):
            kind, offset, generation = where.get(number, (0, 0, 65535))
            out += b"%010d %05d %s \n" % (offset, generation, b"n" if kind else b"f")
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        return bytes(out)

    stream, xref = size, size + 1
    offsets, body = [], b""
    for index, number in enumerate(sorted(packed)):
        offsets.append(b"%d %d" % (number, len(body)))
        body += bodies[number] + b"\n"
        where[number] = (2, stream, index)
    first = b" ".join(offsets) + b"\n"
    data = zlib.compress(first + body)
    where[stream] = (1, len(out), 0)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (stream, len(packed), len(first), len(data), data)
    )
    where[xref] = (1, len(out), 0)
    rows = b"".join(
        struct.pack(">BIH", *where.get(number, (0, 0, 0))) for number in range(xref + 1)
    )
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n"
        % (xref, xref + 1, len(rows), rows, where[xref][1])
    )
    return bytes(out)


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
OFFICE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
)


def content_types(*overrides: tuple[str, str], main: str = WORD_MAIN) -> str:
    """[Content_Types].xml as Word writes it, declaring word/document.xml as `main`."""
    office = "application/vnd.openxmlformats-officedocument."
    defaults = [
        ("rels", "application/vnd.openxmlformats-package.relationships+xml"),
        ("xml", "application/xml"),
        ("png", "image/png"),
        ("xlsx", f"{office}spreadsheetml.sheet"),
    ]
    parts = [
        ("/word/document.xml", main),
        ("/word/styles.xml", f"{office}wordprocessingml.styles+xml"),
        ("/word/settings.xml", f"{office}wordprocessingml.settings+xml"),
        ("/word/charts/chart1.xml", f"{office}drawingml.chart+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{office}extended-properties+xml"),
        ("/customXml/itemProps1.xml", f"{office}customXmlProperties+xml"),
        *overrides,
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(f'<Default Extension="{e}" ContentType="{kind}"/>' for e, kind in defaults)
        + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in parts)
        + "</Types>"
    )


def relationships(*rows: tuple[str, str, str], external=()) -> str:
    """A .rels part: (id, type, target) rows, the type short ("styles") or in full; ids in
    `external` get TargetMode="External"."""
    body = "".join(
        f'<Relationship Id="{rid}" Type="{kind if ":" in kind else OFFICE_RELATIONSHIP + kind}"'
        f' Target="{target}"' + (' TargetMode="External"' if rid in external else "") + "/>"
        for rid, kind, target in rows
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    )


def word_document(
    paragraphs=("Whistleblowing policy", "Raise a concern & follow it up"),
    *,
    parts: dict | None = None,
    without=(),
    compression=None,
) -> bytes:
    """A .docx laid out as Word writes one: content types, package and document
    relationships, styles, settings, properties, custom XML, a picture, links to a web page
    and an e-mail address, and a chart with its workbook. `parts` adds or replaces parts
    (name -> text or bytes); `without` leaves parts out."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    r = f'xmlns:r="{OFFICE_RELATIONSHIP[:-1]}"'
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    body += (
        '<w:p><w:hyperlink r:id="rId4"><w:r><w:t>Read the policy</w:t></w:r></w:hyperlink></w:p>'
    )
    files = {
        "[Content_Types].xml": content_types(),
        "_rels/.rels": relationships(
            ("rId1", "officeDocument", "word/document.xml"),
            (
                "rId2",
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                "docProps/core.xml",
            ),
            ("rId3", "extended-properties", "docProps/app.xml"),
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {w} {r}>'
            f"<w:body>{body}</w:body></w:document>"
        ),
        "word/_rels/document.xml.rels": relationships(
            ("rId1", "styles", "styles.xml"),
            ("rId2", "settings", "settings.xml"),
            ("rId3", "image", "media/image1.png"),
            ("rId4", "hyperlink", "https://www.coventry.gov.uk/whistleblowing"),
            ("rId5", "hyperlink", "mailto:governance@coventry.gov.uk"),
            ("rId6", "customXml", "../customXml/item1.xml"),
            ("rId7", "chart", "charts/chart1.xml"),
            external={"rId4", "rId5"},
        ),
        "word/styles.xml": f"<w:styles {w}/>",
        "word/settings.xml": f"<w:settings {w}/>",
        "word/media/image1.png": _PNG,
        "word/charts/chart1.xml": '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>',
        "word/charts/_rels/chart1.xml.rels": relationships(
            ("rId1", "package", "../embeddings/Microsoft_Excel_Worksheet.xlsx")
        ),
        "word/embeddings/Microsoft_Excel_Worksheet.xlsx": b"PK\x05\x06" + b"\x00" * 18,
        "docProps/core.xml": '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>',
        "docProps/app.xml": '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>',
        "customXml/item1.xml": '<b:Sources xmlns:b="http://schemas.openxmlformats.org/officeDocument/2006/bibliography"/>',
        "customXml/itemProps1.xml": '<ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>',
        "customXml/_rels/item1.xml.rels": relationships(
            ("rId1", "customXmlProps", "itemProps1.xml")
        ),
        **(parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression or zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if name not in without:
                archive.writestr(name, content)
    return buffer.getvalue()
