"""The annual report to the Audit and Procurement Committee as a PDF (policy 29), drawn with
fpdf2 in the committees' house style (committees.documents.new_pdf): the council's report
headings, the figures of queries.annual_report as tables, the lessons learned, and how small
numbers are shown. It holds what the AnnualReport holds and nothing else: no name, no word of
a concern but the lessons. Called by services.place_annual_report and the preview's
download."""

from django.conf import settings

from committees.documents import new_pdf, pdf_safe
from portal_kit.templatetags.portal_kit import full_day
from whistleblowing import rules

AUTHOR = "Report of the Monitoring Officer"


def purpose(report) -> str:
    period = (
        f"the council's year {report.year_name} (1 April {report.year_start.year} to "
        f"31 March {report.year_end.year})"
        if report.complete
        else f"the council's year {report.year_name} so far (1 April {report.year_start.year} "
        f"to {full_day(report.as_at)})"
    )
    return (
        f"This report summarises the concerns raised under the Whistleblowing Policy in "
        f"{period}, how they were handled and the lessons learned, as paragraph 29 of the "
        f"policy asks. It names nobody and does not undermine confidentiality: a number "
        f"from 1 to 4 is shown as '{rules.FEWER_THAN}', and where the other numbers of a "
        f"table would give such a number away, one of them is shown as "
        f"'{rules.AT_LEAST}'."
    )


RECOMMENDATION = (
    "The Audit and Procurement Committee is recommended to note the report and the lessons "
    "learned, and to make any recommendations it considers appropriate on the operation of "
    "the Whistleblowing Policy."
)


def summary_lines(report) -> list[str]:
    return [
        f"Concerns received: {report.received}.",
        f"Of them, complaints of detriment or victimisation after raising a concern "
        f"(policy 23 and 25): {report.detriments}.",
        f"Acknowledged in writing within 7 days (policy 21): {report.acknowledged_on_time}.",
        f"Median time to acknowledge: {report.median_days_to_acknowledge}.",
        f"Concerns concluded in the year: {report.concluded}.",
        f"Median time from receipt to conclusion: {report.median_days_to_close}.",
    ]


def render(report, *, meeting_line: str = "") -> bytes:
    """The report's PDF. `meeting_line` names the meeting it goes to ("Audit and Procurement
    Committee, 3 April 2017")."""
    pdf = new_pdf(report.title)
    pdf.set_author(pdf_safe(f"{settings.COUNCIL_NAME}, Monitoring Officer"))
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=16)
    pdf.multi_cell(0, 8, pdf_safe(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", size=11)
    for line in ("Public report", meeting_line, AUTHOR):
        if line:
            pdf.multi_cell(0, 6, pdf_safe(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def heading(text):
        pdf.ln(2)
        pdf.set_font("helvetica", style="B", size=13)
        pdf.multi_cell(0, 7, pdf_safe(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        pdf.ln(1)

    def paragraph(text):
        pdf.multi_cell(0, 5.5, pdf_safe(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)

    def table(t):
        pdf.set_font("helvetica", style="B", size=11)
        pdf.multi_cell(0, 6, pdf_safe(t.caption), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=10)
        with pdf.table(
            col_widths=(110, 60),
            text_align=("LEFT", "RIGHT"),
            line_height=6,
            first_row_as_headings=True,
        ) as rows:
            head = rows.row()
            head.cell(pdf_safe(t.heading))
            head.cell("Concerns")
            for row in [*t.rows, t.total]:
                cells = rows.row()
                cells.cell(pdf_safe(row.label))
                cells.cell(pdf_safe(row.shown))
        pdf.set_font("helvetica", size=11)
        pdf.ln(4)

    heading("1. Purpose")
    paragraph(purpose(report))
    heading("2. Recommendation")
    paragraph(RECOMMENDATION)
    heading("3. Summary")
    for line in summary_lines(report):
        paragraph(line)
    heading("4. Concerns received")
    for t in report.received_tables:
        table(t)
    heading("5. Acknowledgement")
    table(report.acknowledgement_table)
    heading("6. Concerns concluded")
    table(report.outcome_table)
    heading("7. Lessons learned")
    if report.lessons:
        paragraph(
            "The lessons recorded when the concerns concluded in the year were closed, each "
            "once and in no particular order:"
        )
        for lesson in report.lessons:
            paragraph(f"\u2022 {lesson}")
    else:
        paragraph("No lessons were recorded for the concerns concluded in the year.")
    return bytes(pdf.output())
