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
