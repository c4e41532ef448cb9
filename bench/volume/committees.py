# SQL here is assembled from model table and column names and this module's constants, never
# from input; `random` makes reproducible data, not secrets (S311 is off for all of bench/).
# ruff: noqa: S608
"""Council-scale committee data for the benchmark: `generate(scale=1, seed=1)`, run by
`python -m bench.volume` (bench/volume/__init__.py) after migrating a fresh database.

At scale 1 a council of 40 decision makers over 15 years: about 6 000 meetings, 60 000 agenda
items (sub-items among them; about 3 % private, each naming its Schedule 12A paragraphs),
30 000 reports of several pages each with their files' extracted text, journeys over one to
three meetings, sign-off tables, minutes (attendance, minute text, numbered resolutions,
declarations) once published, the decisions register, the forward plan, councillors with
their memberships and posts, ready agenda packs, and the public search index. Scale N adds
N - 1 more councils' worth of committees (named after neighbouring areas), each as busy as the
first, so every count grows N times; a fraction (0.002) gives a tiny council for tests.

The data is consistent as the services would leave it: a consultation sits on a meeting of
its organisation, journeys run forward in time, only published agendas and minutes reach the
search index, private business names its paragraphs, approved minutes were approved at the
next meeting, and so on. It is deterministic: a seed and an anchor date (the "today" the data
is built around; default this week's Monday) always give the same rows with the same ids,
because every id is assigned here and the tables must start empty.

How it stays fast (scale 10 is 60 000 meetings and 300 000 reports):
- Rows are written with PostgreSQL COPY in batches, with explicit ids, never saved one by one.
  While loading, foreign-key triggers are off (`session_replication_role = replica`, for a
  superuser connection outside a transaction); every foreign key is then checked in bulk with
  one anti-join per key, so a bug here fails loudly rather than leaving dangling rows.
- No django-simple-history rows are written for generated data: history records who changed
  what, and nobody changed these rows. (OParl's deleted-object lists read history; with none,
  they are empty, as for a council that never deleted anything.)
- Long text is assembled in the database from a pool of fragments (report pages, summaries,
  minute sentences, resolutions...) written once: a document's `text` and a search entry's
  `body` are "\n\n"-joined fragments, exactly what the search indexer would join. The search
  vector is the concatenation of the fragments' precomputed vectors (title weighted A, body
  B), which has the same lexemes and weights as `to_tsvector` over the whole text (positions
  differ only by the stop words at fragment boundaries), at a fraction of the cost:
  to_tsvector reads about 2 MB/s on a small machine, and scale 10 holds gigabytes of text.
- Files: one small real PDF per distinct page count (1 to 8 pages) and one for agenda packs
  are stored under `volume/` in the default storage, and every generated Document (or pack)
  with that page count points at it, with that file's real size and checksum. Writing 300 000
  files would measure the disk, not the portal. A generated Document's extracted `text` is
  therefore not the text of the PDF it points at.
"""

import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import math
import multiprocessing
import operator
import random
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.urls import reverse
from django.utils.text import slugify

from bench.volume import VolumeError
from committees import rules
from committees.models import (
    AgendaItem,
    AgendaPack,
    Attendance,
    Consultation,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Post,
    Resolution,
    SearchEntry,
    SignOff,
)
from organisation.models import Council, Directorate, User
from portal_kit.time import LONDON

UTC = dt.UTC

MEETINGS_PER_COUNCIL = 6000
COMMITTEES_PER_COUNCIL = 40
COUNCILLORS_PER_COUNCIL = 54
YEARS = 15
#: Rows per COPY batch and per parallel INSERT … SELECT chunk.
BATCH = 20_000
CHUNK = 25_000

NOT_EMPTY = (
    "The database already holds committee data: bench.volume fills an empty database "
    "(create a fresh one and migrate it first)"
)


def _words(text: str) -> list[str]:
    """ "a; b c; d" (over several lines) -> ["a", "b c", "d"]."""
    return [w.strip() for w in " ".join(text.split()).split(";") if w.strip()]


# --- The council ----------------------------------------------------------------------------

WARDS = _words(
    """
    Bablake; Binley and Willenhall; Cheylesmore; Earlsdon; Foleshill; Henley; Holbrook;
    Longford; Lower Stoke; Radford; Sherbourne; St Michael's; Upper Stoke; Wainbody; Westwood;
    Whoberley; Woodlands; Wyken
    """
)
#: Further councils at scale > 1 are named after these areas.
AREAS = _words(
    """
    Warwick District; Rugby Borough; Nuneaton and Bedworth; Stratford-on-Avon; North
    Warwickshire; Solihull; Leamington Spa; Kenilworth; Bedworth; Meriden; Atherstone; Southam;
    Alcester; Shipston; Coleshill; Polesworth; Wellesbourne; Studley; Henley-in-Arden; Kineton
    """
)
PARTIES = [("Labour", 70), ("Conservative", 26), ("Liberal Democrat", 2), ("Green", 2)]
GIVEN_NAMES = _words(
    """
    Abdul; Alan; Allan; Ann; Anne; Barbara; Bally; Catherine; Christine; David; Dennis; Faye;
    Gary; George; Glenn; Heather; Hazel; Ian; Jackie; Jayne; Jim; John; Joe; Julia; Kamran;
    Kevin; Linda; Lynnette; Marcus; Margaret; Mal; Mattie; Michelle; Naeem; Patricia; Peter;
    Ram; Richard; Roger; Ruth; Sam; Seamus; Sucha; Tariq; Tim; Tony; Tracey; Jaswant; Ken; Kate;
    Lindsley; Randhir; Hedley; Jagjit; Rachel; Pervez; Keith
    """
)
FAMILY_NAMES = _words(
    """
    Abbott; Akhtar; Andrews; Auluck; Bailey; Bains; Bigham; Birdi; Blundell; Brown; Caan;
    Clifford; Crookes; Dhillon; Duggins; Gannon; Gingell; Hammon; Harvard; Hetherton; Innes;
    Kaur; Kelly; Khan; Lakha; Lancaster; Lapsa; Lepoidevin; Lloyd; Male; Maton; McNicholas;
    Miks; Mulhall; Mutton; Noonan; O'Boyle; Rois; Ruane; Sandy; Sawdon; Seaman; Singh; Skinner;
    Sweet; Taylor; Thay; Thomas; Walsh; Welsh; Williams; Hunter; Ridley; Jandu; Mayer; Field;
    Rowley; Townshend
    """
)

DIRECTORATES = ["Place", "People", "Resources", "Public Health"]
#: (job title, directorate): the officers who write reports and attend meetings.
OFFICER_POSTS = [
    ("Deputy Chief Executive (Place)", "Place"),
    ("Director of Finance and Corporate Services", "Place"),
    ("Director of Transportation and Highways", "Place"),
    ("Director of Streetscene and Regulatory Services", "Place"),
    ("Head of Planning and Regulation", "Place"),
    ("Corporate Governance Lawyer", "Place"),
    ("Finance Manager (Corporate Finance)", "Place"),
    ("Governance Services Officer", "Place"),
    ("Lead Accountant", "Place"),
    ("Acting Chief Internal Auditor", "Place"),
    ("Deputy Chief Executive (People)", "People"),
    ("Director of Children's Services", "People"),
    ("Director of Adult Services", "People"),
    ("Director of Education and Skills", "People"),
    ("Head of Housing and Homelessness", "People"),
    ("Director of Customer Services and Transformation", "People"),
    ("Director of Public Health", "Public Health"),
    ("Consultant in Public Health", "Public Health"),
    ("Head of Human Resources", "Resources"),
    ("Head of Information Governance", "Resources"),
]
POSTS_BY_DIRECTORATE = {
    d: [p for p in OFFICER_POSTS if p[1] == d] for d in {d for _t, d in OFFICER_POSTS}
}
LEADS = {
    "Place": "Report of the Deputy Chief Executive (Place)",
    "People": "Report of the Deputy Chief Executive (People)",
    "Resources": "Report of the Director of Finance and Corporate Services",
    "Public Health": "Report of the Director of Public Health",
    "Scrutiny": "Report of the Scrutiny Co-ordinator",
}

# --- Topics: what reports are about ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Topic:
    key: str
    stem: str
    directorate: str
    phrases: tuple[str, ...]


def _rows(text: str) -> list[list[str]]:
    """A table written as text: one row a line ("a | b | c"), a more indented line carrying
    on the one above."""
    rows: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("        ") and rows:
            rows[-1] += " " + line.strip()
        else:
            rows.append(line.strip())
    return [[cell.strip() for cell in row.split("|")] for row in rows]


#: key | title stem | directorate | phrases the text of its reports uses
TOPICS = {
    key: Topic(key, stem, directorate, tuple(_words(phrases)))
    for key, stem, directorate, phrases in _rows(
        """
    budget | Revenue Budget | Resources | medium term financial strategy; council tax;
        savings proposals; budget gap; revenue budget
    capital | Capital Programme | Resources | capital investment; borrowing; prudential
        indicators; asset disposals; capital receipts
    treasury | Treasury Management Strategy | Resources | investment returns; borrowing limits;
        interest rates; counterparty risk; minimum revenue provision
    procurement | Procurement Progress Report | Resources | contract awards; social value;
        supplier spend; framework agreements; waivers
    governance | Code of Corporate Governance | Place | good governance; Annual Governance
        Statement; CIPFA and SOLACE framework; accountability; Statements of Internal Control
    audit | Internal Audit Progress Report | Place | audit opinion; internal control; audit
        recommendations; moderate assurance; audit plan
    risk | Corporate Risk Register | Place | risk appetite; strategic risks; mitigating actions;
        risk owners; risk scores
    fraud | Counter Fraud Update | Place | fraud investigations; National Fraud Initiative;
        tenancy fraud; blue badge misuse; recovered losses
    whistleblowing | Whistleblowing Policy | Place | whistleblowing concerns; Monitoring
        Officer; Public Interest Disclosure Act; confidential reporting; protection for
        whistleblowers
    information | Information Risk Policy | Resources | information governance; data
        protection; Senior Information Risk Owner; information asset owners; General Data
        Protection Regulation
    conduct | Members' Code of Conduct | Place | complaints against members; register of
        interests; standards of conduct; Localism Act 2011; independent person
    air | Air Quality Action Plan | Place | air quality; nitrogen dioxide; Clean Air Zone;
        vehicle emissions; air quality management area
    highways | Highways Maintenance Programme | Place | highway maintenance; potholes;
        resurfacing schemes; footway repairs; street lighting
    transport | Local Transport Plan | Place | bus services; cycle routes; very light rail;
        traffic congestion; park and ride
    waste | Waste and Recycling Strategy | Place | household waste; recycling rates;
        fly-tipping; garden waste collections; landfill
    parking | Parking Policy | Place | residents' parking schemes; parking charges;
        enforcement; city centre car parks; blue badge holders
    regeneration | City Centre Regeneration | Place | City Centre South; Friargate business
        district; inward investment; public realm; regeneration scheme
    economy | Jobs and Skills Strategy | Place | employment support; apprenticeships; inclusive
        growth; business rates; local enterprise partnership
    culture | City of Culture Bid | Place | cultural programme; visitor economy; heritage
        assets; arts organisations; festival events
    libraries | Library Services Review | People | library opening hours; community libraries;
        volunteers; digital inclusion; book stock
    sport | Sports and Physical Activity Strategy | Public Health | leisure centres; physical
        activity; swimming pools; sports facilities; active travel
    publichealth | Public Health Annual Report | Public Health | health inequalities; life
        expectancy; Marmot City; smoking cessation; childhood obesity
    wellbeing | Joint Health and Wellbeing Strategy | Public Health | integrated care; mental
        health; loneliness and isolation; primary care; Better Care Fund
    adults | Adult Social Care Local Account | People | adult social care; domiciliary care;
        care homes; direct payments; safeguarding adults
    carers | Carers Strategy | People | unpaid carers; respite care; carers' assessments; young
        carers; support for carers
    children | Children's Services Improvement Plan | People | children's social care; looked
        after children; Ofsted inspection; early help; child protection plans
    fostering | Fostering Service Annual Report | People | foster carers; placement stability;
        recruitment of carers; special guardianship; residential placements
    schools | School Places Programme | People | primary school places; secondary school
        expansion; pupil numbers; admissions arrangements; academy conversions
    send | Special Educational Needs and Disabilities Strategy | People | education health and
        care plans; special schools; high needs block; SEND transport; inclusion
    skills | Adult Education Service | People | adult learners; English for speakers of other
        languages; skills for work; qualifications; learning centres
    housing | Housing and Homelessness Strategy | People | homelessness; temporary
        accommodation; affordable homes; rough sleeping; housing register
    privatehousing | Private Sector Housing Policy | People | houses in multiple occupation;
        selective licensing; landlord enforcement; empty homes; disabled facilities grants
    community | Community Cohesion Strategy | People | community cohesion; voluntary sector;
        community centres; hate crime; neighbourhood working
    safety | Community Safety Plan | People | anti-social behaviour; police and crime; domestic
        abuse; youth violence; Prevent duty
    customer | Customer Services Transformation | People | customer journey; digital services;
        contact centre; self-service; Kickstart programme
    workforce | Workforce Strategy | Resources | sickness absence; pay policy; apprentice levy;
        staff survey; agency spend
    climate | Climate Change Strategy | Place | carbon emissions; renewable energy; electric
        vehicle charging; energy efficiency; tree planting
    flood | Local Flood Risk Management Strategy | Place | flood risk; drainage; River
        Sherbourne; sustainable drainage; flood alleviation
    planningpolicy | Local Plan | Place | housing land supply; green belt; supplementary
        planning document; planning policy; Community Infrastructure Levy
    planning | Planning Applications | Place | planning permission; residential development;
        conditions; highway safety; neighbour amenity
    licensing | Licensing Policy | Place | premises licences; hackney carriage; private hire
        vehicles; licensing objectives; taxi drivers
    scrutiny | Scrutiny Work Programme | Scrutiny | work programme; task and finish group;
        call-in; scrutiny recommendations; pre-decision scrutiny
    schoolsfunding | Schools Funding Formula | People | Dedicated Schools Grant; schools block;
        de-delegation; growth fund; early years funding
    religion | Agreed Syllabus for Religious Education | People | religious education;
        collective worship; agreed syllabus; faith communities; SACRE
    appeals | Appeals | Resources | appeal hearing; grievance; dismissal; panel decision;
        representations
    grants | Community Grants | People | grant applications; voluntary organisations; small
        grants; match funding; grant conditions
    equalities | Equality and Diversity Annual Report | Resources | equality objectives; Public
        Sector Equality Duty; protected characteristics; equality impact assessments; gender
        pay gap
    policy | One Coventry Council Plan | Place | Council Plan; performance indicators; council
        priorities; partnership working; devolution
    """
    )
}

TITLE_FORMS = [
    "{stem}",
    "{stem} {year}/{next}",
    "{stem}: Progress Report",
    "{stem}: Annual Report {year}",
    "Review of the {stem}",
    "{stem}: Outcome of Consultation",
    "Proposed {stem} {year} to {plus3}",
    "{stem}: Quarter {quarter} Update {year}/{next}",
    "{stem}: Recommendations of the Task and Finish Group",
    "Refresh of the {stem}",
]
APPENDIX_TITLES = _words(
    """
    Action Plan; Consultation Responses; Equality Impact Assessment; Financial Summary; Draft
    Policy; Risk Register; Performance Data; Project Timetable
    """
)
PRIVATE_TITLE_FORMS = [
    "{stem}: Contract Award",
    "{stem}: Commercial Terms",
    "{stem}: Acquisition of Land and Property",
    "{stem}: Staffing Implications",
    "{stem}: Legal Advice",
]
SCHEDULE_12A_CHOICES = [
    ([3], 60),
    ([1, 2], 15),
    ([1], 10),
    ([3, 5], 5),
    ([2], 4),
    ([7], 3),
    ([4], 3),
]
PUBLIC_INTEREST = (
    "In all the circumstances of the case, the public interest in maintaining the exemption "
    "outweighs the public interest in disclosing the information."
)

# --- The committees of one council --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OrgSpec:
    name: str
    short: str
    kind: str  # OrganizationType value
    weight: int  # meetings a year
    hour: int  # when its meetings start
    reports: float  # report items a meeting, on average
    members: int
    topics: tuple[str, ...]
    downstream: tuple[str, ...] = ()  # where its reports may go on to
    decides: bool = False  # its last consultations are decisions
    executive: bool = False
    private_rate: float = 0.012  # of report items
    parent: str = ""
    portfolio: str = ""


#: portfolio | topics (the Cabinet Members of 2017)
PORTFOLIOS = {
    name: tuple(topics.split())
    for name, topics in _rows(
        """
    Policy and Leadership | policy governance information regeneration whistleblowing
    Strategic Finance and Resources | budget capital treasury procurement workforce
    Public Health and Sport | publichealth sport wellbeing
    Adult Services | adults carers wellbeing
    Children and Young People | children fostering send
    Education and Skills | schools skills libraries send
    City Services | air highways waste parking transport
    Jobs and Regeneration | regeneration economy culture planningpolicy
    Housing and Communities | housing privatehousing community safety customer
    """
    )
}
_ALL_EXECUTIVE = tuple(sorted({t for ts in PORTFOLIOS.values() for t in ts} | {"climate", "flood"}))

#: name | short name | type | meetings a year, hour, reports a meeting, members | topics |
#: where reports go next | options ("decides", "private=0.6", "parent=...")
#: "CABINET MEMBERS" stands for the nine Cabinet Members. The most telling come first: a tiny
#: scale takes the first few, and its journeys still have somewhere to go.
ORGANISATIONS = """
    CABINET MEMBER 1
    Audit and Procurement Committee | audit | committee | 8 15 9.8 9 | audit risk fraud
        procurement governance whistleblowing information treasury |
        cm-policy-and-leadership cm-strategic-finance-and-resources | decides
    Cabinet | cabinet | cabinet | 20 14 12.2 10 | EXECUTIVE | council | decides executive
    Scrutiny Co-ordination Committee | scrutiny-coordination | committee | 12 10 5.7 9 |
        scrutiny policy budget customer workforce | cabinet |
    Council | council | full_council | 7 14 9.0 54 | EXECUTIVE conduct | | decides
    Ethics Committee | ethics | committee | 4 15 6.5 7 | conduct whistleblowing governance
        information | audit | decides
    CABINET MEMBERS 2-9
    Finance and Corporate Services Scrutiny Board (1) | scrutiny-1 | committee | 9 10 4.9 8 |
        budget capital customer workforce equalities | cabinet |
    Education and Children's Services Scrutiny Board (2) | scrutiny-2 | committee | 9 10 4.9 8
        | children schools send fostering skills | cabinet |
    Business, Economy and Enterprise Scrutiny Board (3) | scrutiny-3 | committee | 9 10 4.9 8 |
        economy regeneration culture transport planningpolicy | cabinet |
    Communities and Neighbourhoods Scrutiny Board (4) | scrutiny-4 | committee | 9 10 4.9 8 |
        housing community safety waste air libraries | cabinet |
    Health and Social Care Scrutiny Board (5) | scrutiny-5 | committee | 9 10 4.9 8 | adults
        carers publichealth wellbeing | cabinet |
    Planning Committee | planning | committee | 18 14 10.6 11 | planning planningpolicy | |
        decides
    Licensing and Regulatory Committee | licensing | committee | 6 14 5.7 11 | licensing
        privatehousing | | decides
    Licensing and Regulatory Sub-Committee | licensing-sub | sub_committee | 20 10 2.9 3 |
        licensing | | decides private=0.05 parent=licensing
    Health and Wellbeing Board | hwb | committee | 5 14 8.1 12 | wellbeing publichealth adults
        children housing | cabinet |
    Corporate Parenting Board | corporate-parenting | committee | 6 14 5.7 7 | children
        fostering send | |
    Appeals Panel | appeals | panel | 8 10 2.6 3 | appeals | | decides private=0.6
    Coventry and Warwickshire Joint Health Overview and Scrutiny Committee |
        joint-health-scrutiny | committee | 4 14 4.9 8 | wellbeing publichealth | |
    Personnel Committee | personnel | committee | 4 10 4.9 7 | workforce equalities | |
        decides private=0.2
    Adoption Panel | adoption | panel | 12 10 2.4 5 | fostering | | decides private=0.5
    Fostering Panel | fostering | panel | 12 10 2.4 5 | fostering | | decides private=0.5
    Standing Advisory Council on Religious Education | sacre | committee | 3 16 4.9 9 |
        religion | |
    Schools Forum | schools-forum | committee | 6 14 6.5 12 | schoolsfunding schools send |
        cm-education-and-skills |
    Joint Consultative Committee | jcc | committee | 4 14 4.9 8 | workforce equalities | |
    Community Grants Panel | grants | panel | 6 10 4.1 4 | grants community | | decides
    Education Appeals Panel | education-appeals | panel | 10 10 2.4 3 | schools | | decides
        private=0.4
    Traffic Regulation Order Panel | tro | panel | 6 10 4.9 4 | parking highways transport |
        cm-city-services | decides
    Police and Crime Panel | police-crime | committee | 5 14 4.9 10 | safety community | |
    Climate Change Board | climate | committee | 4 14 5.7 8 | climate flood air transport |
        cabinet |
    Youth Council | youth-council | committee | 6 17 4.1 9 | children schools sport culture | |
    Equalities Advisory Panel | equalities | panel | 4 14 4.9 6 | equalities community |
        cabinet |
    Planning Site Visits Sub-Committee | planning-visits | sub_committee | 6 10 3.3 5 |
        planning | | parent=planning
"""


def _org_specs() -> list[OrgSpec]:
    """The 40 decision makers of one council, in the order a small scale takes them."""
    cabinet_members = [
        OrgSpec(
            f"Cabinet Member for {portfolio}",
            f"cm-{slugify(portfolio)}",
            "cabinet_member",
            8,
            14,
            5.5,
            1,
            topics,
            ("cabinet",),
            decides=True,
            executive=True,
            portfolio=portfolio,
        )
        for portfolio, topics in PORTFOLIOS.items()
    ]
    specs = []
    for row in _rows(ORGANISATIONS):
        if row[0] == "CABINET MEMBER 1":
            specs.append(cabinet_members[0])
            continue
        if row[0] == "CABINET MEMBERS 2-9":
            specs += cabinet_members[1:]
            continue
        name, short, kind, numbers, topics, downstream, options = row
        weight, hour, reports, members = numbers.split()
        flags = dict(o.partition("=")[::2] for o in options.split())
        specs.append(
            OrgSpec(
                name,
                short,
                kind,
                int(weight),
                int(hour),
                float(reports),
                int(members),
                tuple(t for t in topics.split() if t != "EXECUTIVE")
                + (_ALL_EXECUTIVE if "EXECUTIVE" in topics.split() else ()),
                tuple(downstream.split()),
                decides="decides" in flags,
                executive="executive" in flags,
                private_rate=float(flags.get("private") or 0.012),
                parent=flags.get("parent", ""),
            )
        )
    assert len(specs) == COMMITTEES_PER_COUNCIL, len(specs)
    return specs


# --- Text -----------------------------------------------------------------------------------

SECTIONS = [
    "1. Context (or background)",
    "2. Options considered and recommended proposal",
    "3. Results of consultation undertaken",
    "4. Timetable for implementing this decision",
]
SENTENCES = [
    "The {council} has a clear commitment to {p}, set out in the Council Plan and agreed by "
    "Cabinet in {month} {year}.",
    "Since {year} the position on {p} has changed significantly, and the {stem} has been "
    "reviewed to reflect the new context.",
    "This report sets out progress on {p} and {p2} and asks for approval of the next stage.",
    "Officers have worked closely with {partner} to understand the implications for {p2}.",
    "In {ward} ward alone, {n} residents were affected by changes to {p} during the last year.",
    "The total cost of the proposals is estimated at £{amount} over three years, to be met "
    "from existing budgets.",
    "Performance against the agreed measures for {p} improved by {pct} per cent compared with "
    "the previous year.",
    "The options considered were to continue with the current arrangements, to stop the "
    "service, or to adopt the recommended approach to {p}.",
    "Option three is recommended because it offers the best balance between cost, risk and "
    "the outcomes sought for {p2}.",
    "Consultation ran for {n} days and received {n2} responses, most of them supporting the "
    "proposals on {p}.",
    "Respondents raised concerns about {p2}, and the proposals have been amended to address "
    "them where possible.",
    "A task and finish group of the scrutiny board examined {p} and made {small} "
    "recommendations, all of which are accepted.",
    "The {stem} will be implemented from {month} {year}, with a progress report to the "
    "Cabinet Member in twelve months.",
    "Benchmarking against comparable councils shows that the city's performance on {p} is in "
    "the upper quartile.",
    "The proposals support the Council's priorities for a prosperous city with good jobs and "
    "healthy, independent residents.",
    "Demand for {p} has risen by {pct} per cent since {year}, placing sustained pressure on "
    "the service.",
    "Partners including {partner} have agreed to share data so that {p2} can be monitored "
    "across the city.",
    "The service will continue to monitor {p} monthly and report exceptions to the "
    "directorate management team.",
    "Evidence from the pilot in {ward} shows that {p2} can be improved at modest cost.",
    "A further report on {p} will be brought forward once the Government's guidance has been "
    "published.",
    "The recommended approach reduces the risk of challenge and gives residents a clearer "
    "picture of {p2}.",
    "The Council's approach to {p} was praised by the inspectors, who noted the strength of "
    "partnership working.",
    "Officers will write to all affected households in {ward} and {ward2} before the changes "
    "take effect.",
    "The timetable allows {n} weeks for mobilisation, with the new arrangements in place by "
    "{month} {next}.",
]
IMPLICATION_SENTENCES = [
    "5.1 Financial implications: the costs set out in this report will be met from the "
    "approved budget for {service}, and there are no additional revenue implications.",
    "The budget position will be monitored through the quarterly budget monitoring reports "
    "to Cabinet.",
    "Any variation from the budget of more than £{amount} will be reported to the Cabinet "
    "Member for Strategic Finance and Resources.",
    "5.2 Legal implications: the Council has the power to act under the general power of "
    "competence in section 1 of the Localism Act 2011.",
    "Legal Services have been consulted and the proposals comply with the Council's "
    "Constitution and procurement rules.",
    "6.1 The proposals contribute to the Council Plan objectives of a globally connected city "
    "and a locally committed council.",
    "6.2 Risks are recorded on the directorate risk register and reviewed monthly by the "
    "responsible director.",
    "6.3 There are no direct implications for staffing, and the work will be delivered within "
    "existing resources.",
    "6.4 An equality impact assessment has been completed and found no disproportionate "
    "impact on any group with a protected characteristic.",
    "6.5 The proposals have no significant effect on carbon emissions or the environment.",
    "6.6 Partner organisations have been consulted and support the recommendations.",
    "The Director of Finance and Corporate Services has been consulted on this report.",
    "There are no implications for the Council's information governance arrangements.",
]
PARTNERS = _words(
    """
    West Midlands Police; the Clinical Commissioning Group; Coventry University; the University
    of Warwick; West Midlands Combined Authority; Whitefriars Housing; Voluntary Action
    Coventry; the Fire and Rescue Service; local schools; Coventry and Warwickshire Chamber of
    Commerce; the Environment Agency
    """
)
SERVICES = _words(
    """
    Streetscene; Finance; Children's Services; Adult Services; Public Health; Housing;
    Transportation and Highways; Libraries; Legal Services; Planning
    """
)
MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]

MINUTE_OPENERS = {
    "cabinet_member": "The Cabinet Member considered a report of the {who}",
    "cabinet": "The Cabinet considered a report of the {who}",
    "full_council": "The City Council considered a recommendation from the Cabinet and a "
    "report of the {who}",
    "committee": "The Committee considered a report of the {who}",
    "sub_committee": "The Sub-Committee considered a report of the {who}",
    "panel": "The Panel considered a report of the {who}",
}
MINUTE_TOPIC = [
    "which set out the proposed approach to {p} and the results of the consultation.",
    "which provided an update on {p} and progress against the {stem}.",
    "which sought approval of changes to {p} following the review of the {stem}.",
    "which summarised performance on {p} and {p2} over the last twelve months.",
    "which asked Members to consider the recommendations on {p} before a decision is taken.",
]
MINUTE_DISCUSSION = [
    "Members questioned officers on the timescales for the work and on how residents would "
    "be kept informed.",
    "Members welcomed the report and asked that their thanks be passed to the officers involved.",
    "In response to questions, officers explained how the risks would be managed and reported.",
    "Members sought assurance that the proposals had been properly consulted on and noted the "
    "responses received.",
    "Members discussed the financial implications and the effect on services in their wards.",
    "The Chair invited a representative of the partner organisations to address the meeting.",
    "Members noted the improvement in performance and asked for the trend to be reported "
    "again next year.",
]
RESOLUTIONS = [
    "Approves the {stem} as set out in Appendix 1 to the report.",
    "Notes the progress made on {p} and the actions planned for the coming year.",
    "Delegates authority to the {who} to finalise the arrangements for {p}.",
    "Recommends that Cabinet approves the proposals for {p}.",
    "Requests a further report on {p} to a future meeting.",
    "Approves the revised {stem} with effect from 1 April.",
    "Notes the report and the views expressed by Members on {p2}.",
    "Agrees the recommendations of the task and finish group on {p}.",
]
REASONS = [
    "The {stem} needed to reflect current legislation and good practice on {p}.",
    "The proposals offer the best value for money and reduce the risks to {p2}.",
    "Consultation showed strong support for the changes to {p}.",
    "The review found the current arrangements for {p} no longer met residents' needs.",
]
ALTERNATIVES = [
    "To continue with the current arrangements: rejected because they would not meet the "
    "Council's objectives.",
    "To stop the service: rejected because of the effect on vulnerable residents.",
    "To delay the decision: rejected because of the cost of further delay.",
    "None.",
]
MINUTES_PAGE_SENTENCES = [
    "The minutes of the previous meeting were agreed and signed as a true record.",
    "There were no matters arising.",
    "Members considered the reports on the agenda and the decisions recorded below.",
    "The meeting noted the outstanding issues and the dates by which they would be reported.",
    "There were no other items of public business.",
    "The Chair thanked Members and officers for their contributions.",
    "Officers responded to Members' questions as set out in the minute of each item.",
    "The decisions are recorded in the minute of each item, with the reasons given.",
]


class TextPool:
    """Every distinct piece of long text, numbered: rows refer to fragments by number, and
    the database joins them (see the module docstring)."""

    def __init__(self):
        self.ids: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        number = self.ids.get(text)
        if number is None:
            number = self.ids[text] = len(self.ids) + 1
        return number

    def parts(self, texts: Iterable[str]) -> list[int]:
        return [self(t) for t in texts if t]


class Writer:
    """Fills the text templates of a topic with varied, plausible detail."""

    def __init__(self, rng: random.Random, council: str = "Council"):
        self.rng = rng
        self.council = council

    def fill(self, template: str, topic: Topic, **extra) -> str:
        r = self.rng
        year = r.randrange(2005, 2024)
        p, p2 = r.sample(topic.phrases, 2)
        ward, ward2 = r.sample(WARDS, 2)
        values = {
            "council": self.council,
            "stem": topic.stem,
            "p": p,
            "p2": p2,
            "ward": ward,
            "ward2": ward2,
            "partner": r.choice(PARTNERS),
            "service": r.choice(SERVICES),
            "n": r.randrange(12, 900),
            "n2": r.randrange(40, 3000),
            "small": r.choice(["three", "four", "five", "six", "seven"]),
            "pct": r.randrange(2, 38),
            "amount": f"{r.randrange(15, 4800) * 1000:,}",
            "month": r.choice(MONTHS),
            "year": year,
            "next": year + 1,
            "who": LEADS[topic.directorate].removeprefix("Report of the "),
        }
        values.update(extra)
        text = template.format(**values)
        return text[0].upper() + text[1:]

    def paragraph(self, topic: Topic, number: str) -> str:
        count = self.rng.randrange(3, 6)
        body = " ".join(self.fill(s, topic) for s in self.rng.sample(SENTENCES, count))
        return f"{number} {body}"

    def page(self, topic: Topic, section: int) -> str:
        """About 2 700 characters: a section heading and its numbered paragraphs."""
        out = [SECTIONS[section % len(SECTIONS)]]
        size = len(out[0])
        n = 1
        while size < 2600:
            paragraph = self.paragraph(topic, f"{section % len(SECTIONS) + 1}.{n}")
            out.append(paragraph)
            size += len(paragraph) + 2
            n += 1
        return "\n\n".join(out)

    def implications_page(self) -> str:
        """Sections 5 and 6 of the report template: the same headings, varied detail."""
        generic = TOPICS["budget"]
        sentences = [self.fill(s, generic) for s in IMPLICATION_SENTENCES]
        while sum(len(s) for s in sentences) < 2500:
            sentences.append(self.fill(self.rng.choice(SENTENCES), generic))
        return "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))

    def summary(self, topic: Topic) -> str:
        sentences = self.rng.sample(SENTENCES, 4)
        return " ".join(self.fill(s, topic) for s in sentences)

    def minutes_page(self) -> str:
        out = []
        while sum(len(p) for p in out) < 2400:
            out.append(" ".join(self.rng.sample(MINUTES_PAGE_SENTENCES, 4)))
        return "\n\n".join(out)


PAGES_PER_TOPIC = 24
SUMMARIES_PER_TOPIC = 12
IMPLICATION_PAGES = 40
MINUTES_PAGES = 24


@dataclasses.dataclass
class Texts:
    """The fixed pools of long text, the same at every scale for a seed."""

    pages: dict[str, list[str]]
    implications: list[str]
    summaries: dict[str, list[str]]
    minute_topic: dict[str, list[str]]
    resolutions: dict[str, list[str]]
    reasons: dict[str, list[str]]
    minutes_pages: list[str]


@functools.cache
def _texts(seed: int) -> Texts:
    writer = Writer(random.Random(f"volume-text-{seed}"))
    pages, summaries, minute_topic, resolutions, reasons = {}, {}, {}, {}, {}
    for key, topic in TOPICS.items():
        pages[key] = [writer.page(topic, n % 4) for n in range(PAGES_PER_TOPIC)]
        summaries[key] = [writer.summary(topic) for _ in range(SUMMARIES_PER_TOPIC)]
        minute_topic[key] = [writer.fill(s, topic) for s in MINUTE_TOPIC for _ in range(2)]
        resolutions[key] = [writer.fill(s, topic) for s in RESOLUTIONS for _ in range(2)]
        reasons[key] = [writer.fill(s, topic) for s in REASONS]
    return Texts(
        pages=pages,
        implications=[writer.implications_page() for _ in range(IMPLICATION_PAGES)],
        summaries=summaries,
        minute_topic=minute_topic,
        resolutions=resolutions,
        reasons=reasons,
        minutes_pages=[writer.minutes_page() for _ in range(MINUTES_PAGES)],
    )


# --- Rows ------------------------------------------------------------------------------------


class Table:
    """Rows for one table, as dicts completed with the model's defaults and written by COPY.
    A `staged` table leaves out that text column and gets a `parts` column (fragment
    numbers) instead: it is composed into the real table in the database afterwards."""

    def __init__(self, model, *, staged: str = "", stamp: dt.datetime | None = None):
        self.model = model
        self.db_table = model._meta.db_table
        self.columns, self.defaults = [], {}
        for f in model._meta.concrete_fields:
            if f.column == staged:
                continue
            self.columns.append(f.column)
            if f.column in ("created_at", "updated_at", "date_joined"):
                self.defaults[f.column] = stamp
            elif f.has_default():
                self.defaults[f.column] = f.default() if callable(f.default) else f.default
            elif f.null:
                self.defaults[f.column] = None
            else:
                self.defaults[f.column] = ""
        self.arrays = [
            f.column
            for f in model._meta.concrete_fields
            if f.get_internal_type() == "ArrayField" and f.column != staged
        ]
        if staged:
            self.columns.append("parts")
            self.defaults["parts"] = []
            self.arrays.append("parts")
        self.rows: list[dict] = []
        self.count = 0
        self.next_id = 1

    def add(self, **values) -> int:
        if "id" not in values:
            values["id"] = self.next_id
            self.next_id += 1
        self.rows.append(values)
        self.count += 1
        return values["id"]

    def take(self) -> list[dict]:
        rows, self.rows = self.rows, []
        return rows

    def csv(self, rows: list[dict]) -> list[str]:
        """`rows` (from `take`) as CSV for COPY, in batches."""
        values = operator.itemgetter(*self.columns)
        defaults, arrays = self.defaults, self.arrays
        out = []
        for start in range(0, len(rows), BATCH):
            lines = []
            for row in rows[start : start + BATCH]:
                full = {**defaults, **row}
                for column in arrays:
                    full[column] = "{" + ",".join(map(str, full[column])) + "}"
                lines.append([NULL if v is None else v for v in values(full)])
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(lines)
            out.append(buffer.getvalue())
        return out


#: How NULL is written in the CSV that COPY reads (an empty field is an empty string).
NULL = "\\N"


def _copy(cursor, table: str, columns: list[str], text: str) -> None:
    if not text:
        return
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor.copy_expert(
        f"COPY \"{table}\" ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')",
        io.StringIO(text),
    )


# --- The plan ---------------------------------------------------------------------------------


@dataclasses.dataclass
class OrgRow:
    id: int
    spec: OrgSpec
    name: str
    members: dict = dataclasses.field(default_factory=dict)  # term index -> [(person, role)]
    open_issues: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class MeetingRow:
    id: int
    org: OrgRow
    start: dt.datetime
    day: dt.date
    cancelled: bool = False
    published_at: dt.datetime | None = None
    minutes_at: dt.datetime | None = None
    previous: "MeetingRow | None" = None
    minutes_pages: int = 0


@dataclasses.dataclass
class PaperRow:
    id: int
    topic: Topic
    title: str
    date: dt.date
    is_public: bool
    key: bool
    summary: str
    documents: list  # [(kind, position, document id, [fragment numbers])]
    pages: int
    organizations: set = dataclasses.field(default_factory=set)
    published: bool = False
    first_published_at: dt.datetime | None = None  # public and on a published agenda


@dataclasses.dataclass
class Summary:
    scale: float
    seed: int
    anchor: dt.date
    counts: dict
    seconds: float
    phases: dict
    database_bytes: int = 0

    def lines(self) -> list[str]:
        out = [
            f"Generated scale {self.scale:g} (seed {self.seed}, anchor {self.anchor}) in "
            f"{self.seconds:.1f} s"
        ]
        out += [f"  {name}: {count:,}" for name, count in self.counts.items()]
        out += [f"  {name}: {seconds:.1f} s" for name, seconds in self.phases.items()]
        if self.database_bytes:
            out.append(f"  database size: {self.database_bytes / 1e6:,.0f} MB")
        return out


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _working_day_on_or_after(day: dt.date) -> dt.date:
    while not rules.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _election(year: int) -> dt.date:
    """The first Thursday of May."""
    day = dt.date(year, 5, 1)
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)


def _term_index(terms, day: dt.date) -> int:
    for n in range(len(terms) - 1, -1, -1):
        if day >= terms[n][0]:
            return n
    return 0


def _share(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), at least 1 each."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [max(1, int(x)) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    n = 0
    while sum(counts) < total:
        counts[order[n % len(order)]] += 1
        n += 1
    return counts


def _url_template(name: str) -> str:
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def _recommendation(role, next_org) -> str:
    if role == "recommendation" and next_org is not None:
        return f"To consider the report and recommend it to {next_org.name}."
    if role == "noting":
        return "To note the report."
    return "To approve the recommendations set out in the report."


def _item_description(role, next_org) -> str:
    if role == "recommendation" and next_org is not None:
        return f"To consider the report and make recommendations to {next_org.name}"
    if role == "noting":
        return "To note the report"
    return "To consider the report and decide on its recommendations"


SIGN_OFF_TITLES = {
    "finance": "Finance Manager (Corporate Finance)",
    "legal": "Corporate Governance Lawyer",
    "director": "Deputy Chief Executive (Place)",
    "members": "Cabinet Member",
}


class SearchStage(Table):
    """Search entries before their body and vector are composed: `parts` numbers the body's
    fragments, `title_part` the title's."""

    def __init__(self, stamp):
        super().__init__(SearchEntry, staged="body", stamp=stamp)
        self.columns = [c for c in self.columns if c != "vector"] + ["title_part"]
        self.defaults.pop("vector", None)
        self.defaults["title_part"] = None


class Generator:
    """Builds one council ("block") at a time in memory, then writes it with COPY."""

    def __init__(self, *, scale: float, seed: int, anchor: dt.date):
        self.scale = scale
        self.seed = seed
        self.anchor = anchor
        self.now = _aware(anchor, 12)
        self.pool = TextPool()
        self.texts = _texts(seed)
        stamp = _aware(anchor, 9)
        self.t = {
            name: Table(model, staged=staged, stamp=stamp)
            for name, model, staged in [
                ("term", LegislativeTerm, ""),
                ("location", Location, ""),
                ("org", Organization, ""),
                ("person", Person, ""),
                ("membership", Membership, ""),
                ("post", Post, ""),
                ("meeting", Meeting, ""),
                ("meeting_org", Meeting.organizations.through, ""),
                ("pack", AgendaPack, ""),
                ("paper", Paper, ""),
                ("document", Document, "text"),
                ("signoff", SignOff, ""),
                ("item", AgendaItem, ""),
                ("consultation", Consultation, ""),
                ("attendance", Attendance, ""),
                ("declaration", Declaration, ""),
                ("resolution", Resolution, ""),
                ("fpe", ForwardPlanEntry, ""),
                ("decision", Decision, ""),
            ]
        }
        self.search = SearchStage(stamp)
        self.paper_seq = 0
        self.files: dict[int, tuple[str, int, str]] = {}
        self.pack_file: tuple[str, int, str] = ("", 0, "")
        self.slugs: set[str] = set()
        self.short_names: dict[int, str] = {}
        self.meeting_url = _url_template("committees:meeting")
        self.report_url = _url_template("committees:report")
        self.decision_url = _url_template("committees:decision")

    # -- files and reference data -------------------------------------------------------------

    def store_files(self) -> None:
        """One real PDF per page count a generated file can have, and one for packs."""
        for pages in range(1, 9):
            self.files[pages] = _stored_pdf(f"volume/document-{pages}-pages.pdf", pages)
        self.pack_file = _stored_pdf("volume/agenda-pack.pdf", 12)

    def reference(self, blocks: int, clerks_per_council: int = 6) -> None:
        Council.objects.get_or_create(
            singleton=True,
            defaults={
                "name": "Coventry City Council",
                "short_name": "Coventry",
                "website": "https://www.coventry.gov.uk",
                "address": "Council House, Earl Street, Coventry, CV1 5RR",
            },
        )
        self.directorates = {
            name: Directorate.objects.get_or_create(name=name)[0].pk for name in DIRECTORATES
        }
        self.directorates["Scrutiny"] = self.directorates["Place"]
        emails = [
            f"clerk.{b + 1}.{n + 1}@volume.example"
            for b in range(blocks)
            for n in range(clerks_per_council)
        ]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    full_name=f"Clerk {email.split('@')[0][6:]}",
                    job_title="Governance Services Officer",
                    password=make_password(None),  # unusable: nobody signs in as a clerk
                    directorate_id=self.directorates["Place"],
                )
                for email in emails
                if email not in existing
            ]
        )
        by_email = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
        self.clerks = [
            [by_email[f"clerk.{b + 1}.{n + 1}@volume.example"] for n in range(clerks_per_council)]
            for b in range(blocks)
        ]
        stamp = _aware(self.anchor, 9) - dt.timedelta(days=YEARS * 366)
        rooms = [
            "Diamond Rooms 1 and 2",
            "Committee Room 2",
            "Committee Room 3",
            "Committee Room 4",
            "Council Chamber",
            "Room 59",
        ]
        self.locations = [
            self.t["location"].add(
                created_at=stamp,
                updated_at=stamp,
                room=room,
                street_address="Council House, Earl Street",
                locality="Coventry",
                postal_code="CV1 5RR",
            )
            for room in rooms
        ]

    def terms(self, first_day: dt.date) -> list[tuple[dt.date, dt.date | None]]:
        """Four-year council terms, from the election before `first_day` to now."""
        year = self.anchor.year
        while (year - 2002) % 4 or _election(year) > self.anchor:
            year -= 1
        out, end = [], None
        while True:
            start = _election(year)
            out.append((start, end))
            if start <= first_day:
                break
            end = start - dt.timedelta(days=1)
            year -= 4
        out.reverse()
        for start, end in out:
            stamp = _aware(start, 9)
            self.t["term"].add(
                created_at=stamp,
                updated_at=stamp,
                name=f"{start.year} to {start.year + 4}",
                start_date=start,
                end_date=end,
            )
        return out

    # -- one council ----------------------------------------------------------------------------

    def block(self, b: int, fraction: float, terms, first_day: dt.date, last_day: dt.date):
        rng = random.Random(self.seed * 1_000_003 + b)
        area = "" if b == 0 else (AREAS[b - 1] if b - 1 < len(AREAS) else f"Area {b + 1}")
        specs = _org_specs()
        if fraction < 1:
            specs = specs[: max(2, round(COMMITTEES_PER_COUNCIL * fraction))]
        n_meetings = max(len(specs), round(MEETINGS_PER_COUNCIL * fraction))
        self._papers: dict[int, PaperRow] = {}
        self._resolutions: list[dict] = []
        self._meeting_rows: dict[int, dict] = {}

        orgs: dict[str, OrgRow] = {}
        stamp = _aware(first_day, 9) - dt.timedelta(days=30)
        for spec in specs:
            name = f"{spec.name} ({area})" if area else spec.name
            org_id = self.t["org"].add(
                created_at=stamp,
                updated_at=stamp,
                name=name,
                short_name=spec.name.removeprefix("Cabinet Member for ")[:100],
                slug=slugify(name)[:200],
                organization_type=spec.kind,
                purpose=f"The {spec.name} of {area or 'Coventry'}.",
                start_date=first_day - dt.timedelta(days=30),
                location_id=self.locations[len(orgs) % len(self.locations)],
            )
            orgs[spec.short] = OrgRow(org_id, spec, name)
        for row, spec in zip(self.t["org"].rows[-len(specs) :], specs, strict=True):
            if spec.parent in orgs:
                row["parent_id"] = orgs[spec.parent].id
        self.people(rng, fraction, terms, orgs, area)

        # Meetings, per organisation, spread evenly (give or take) over the years.
        counts = _share(n_meetings, [s.weight for s in specs])
        span = (last_day - first_day).days
        meetings: list[MeetingRow] = []
        for spec, count in zip(specs, counts, strict=True):
            used: set[dt.date] = set()
            for k in range(count):
                offset = (k + 0.5 + rng.uniform(-0.3, 0.3)) * span / count
                day = _working_day_on_or_after(first_day + dt.timedelta(days=int(offset)))
                while day in used:
                    day = _working_day_on_or_after(day + dt.timedelta(days=1))
                used.add(day)
                start = _aware(day, spec.hour, rng.choice([0, 0, 0, 30]))
                meetings.append(MeetingRow(0, orgs[spec.short], start, day))
        meetings.sort(key=lambda m: (m.start, m.org.id))
        for m in meetings:
            m.id = self.t["meeting"].next_id
            self.t["meeting"].next_id += 1
        previous: dict[int, MeetingRow] = {}
        pending: dict[int, list] = defaultdict(list)  # org id -> journeys waiting for it
        for m in meetings:
            m.cancelled = rng.random() < 0.015
            if not m.cancelled:
                m.previous = previous.get(m.org.id)
                previous[m.org.id] = m
            self.meeting(rng, m, orgs, pending, terms, self.clerks[b])

        self.officer_decisions(rng, fraction, first_day)
        for resolution in self._resolutions:
            closer = resolution.pop("_closed_by", None)
            self.t["resolution"].add(closed_by_id=closer["id"] if closer else None, **resolution)
        # Paper rows are written when their journey starts; stamp them once it is known, as
        # the services' first publication would have.
        paper_rows = {row["id"]: row for row in self.t["paper"].rows}
        for paper in self._papers.values():
            paper_rows[paper.id]["first_published_at"] = paper.first_published_at
            if paper.is_public and paper.published:
                parts = [self.pool(paper.summary)]
                for _kind, _position, _pk, doc_parts in sorted(paper.documents):
                    parts += doc_parts
                self.search.add(
                    kind="report",
                    object_id=paper.id,
                    url=self.report_url.format(paper.id),
                    title_part=self.pool(paper.title),
                    parts=parts,
                    date=paper.date,
                    organization_ids=sorted(paper.organizations),
                )

    def people(self, rng, fraction, terms, orgs: dict[str, OrgRow], area: str):
        """Councillors: a council of 54, about a quarter new at each election; their
        memberships for each term; the posts of the executive."""
        seats = COUNCILLORS_PER_COUNCIL if fraction >= 1 else max(8, round(54 * fraction))
        everyone: list[int] = []
        first_stamp = _aware(terms[0][0], 9)

        def new_person():
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            base = slugify(f"{given} {family}")
            slug, n = base, 1
            while slug in self.slugs:
                n += 1
                slug = f"{base}-{n}"
            self.slugs.add(slug)
            party = _weighted(rng, PARTIES)
            pid = self.t["person"].add(
                created_at=first_stamp,
                updated_at=first_stamp,
                title="Councillor",
                given_name=given,
                family_name=family,
                slug=slug,
                party=party,
                ward=rng.choice(WARDS) + (f" ({area})" if area else ""),
                email=f"{slug}@councillors.volume.example",
                telephone=f"024 76{rng.randrange(10, 99)} {rng.randrange(1000, 9999)}",
            )
            self.short_names[pid] = f"Councillor {given[0]} {family}"
            everyone.append(pid)
            return pid, party

        council = [new_person() for _ in range(seats)]
        for term_index, (start, end) in enumerate(terms):
            if term_index:
                kept = rng.sample(council, k=seats - seats // 4)
                council = kept + [new_person() for _ in range(seats - len(kept))]
            stamp = _aware(start, 9) + dt.timedelta(days=20)
            begins = start + dt.timedelta(days=20)
            ruling = [p for p in council if p[1] == "Labour"] or council
            opposition = [p for p in council if p[1] != "Labour"] or council
            leader, mayor = ruling[0], ruling[-1]
            cabinet = ruling[: min(10, len(ruling))]
            for title, holder in [("Leader of the Council", leader), ("Lord Mayor", mayor)]:
                self.t["post"].add(
                    created_at=stamp,
                    updated_at=stamp,
                    title=title,
                    holder_id=holder[0],
                    start_date=begins,
                    end_date=end,
                )
            holders = {}
            for n, portfolio in enumerate(PORTFOLIOS):
                holders[portfolio] = holder = cabinet[(n + 1) % len(cabinet)]
                org = orgs.get(f"cm-{slugify(portfolio)}")
                self.t["post"].add(
                    created_at=stamp,
                    updated_at=stamp,
                    title=f"Cabinet Member for {portfolio}",
                    organization_id=org.id if org else None,
                    holder_id=holder[0],
                    start_date=begins,
                    end_date=end,
                )
            for org in orgs.values():
                spec = org.spec
                if spec.kind == "full_council":
                    chosen = [(mayor, "chair")] + [(p, "member") for p in council if p != mayor]
                elif spec.kind == "cabinet":
                    chosen = [(leader, "chair")] + [(p, "cabinet_member") for p in cabinet[1:]]
                elif spec.kind == "cabinet_member":
                    chosen = [
                        (holders[spec.portfolio], "cabinet_member"),
                        (rng.choice(opposition), "by_invitation"),
                    ]
                else:
                    picked = rng.sample(council, min(spec.members, len(council)))
                    roles = ["chair", "vice_chair"] + ["member"] * len(picked)
                    chosen = list(zip(picked, roles, strict=False))
                org.members[term_index] = chosen
                for person, role in chosen:
                    self.t["membership"].add(
                        created_at=stamp,
                        updated_at=stamp,
                        person_id=person[0],
                        organization_id=org.id,
                        role=role,
                        invitation_role="shadow_cabinet_member" if role == "by_invitation" else "",
                        voting_right=role != "by_invitation",
                        start_date=begins,
                        end_date=end,
                    )
        self.everyone = everyone

    # -- a meeting and everything in it ---------------------------------------------------------

    def meeting(self, rng, m: MeetingRow, orgs, pending, terms, clerks):
        spec = m.org.spec
        created = m.start - dt.timedelta(days=rng.randrange(40, 120))
        row = {
            "id": m.id,
            "created_at": created,
            "updated_at": created,
            "start": m.start,
            "end": m.start + dt.timedelta(minutes=rng.choice([90, 120, 150, 180])),
            "location_id": self.locations[m.org.id % len(self.locations)],
            "contact_officer_id": clerks[m.org.id % len(clerks)],
            "webcast_url": "https://www.coventry.gov.uk/webcasts"
            if spec.kind in ("full_council", "cabinet")
            else "",
        }
        self.t["meeting_org"].add(meeting_id=m.id, organization_id=m.org.id)
        if m.cancelled:
            row.update(
                state="cancelled",
                cancellation_reason=rng.choice(
                    [
                        "There is no business for the meeting.",
                        "The meeting clashes with a special meeting of the City Council.",
                        "The Chair is unable to attend and the business can wait.",
                    ]
                ),
            )
            self.t["meeting"].add(**row)
            return

        # Publication: by the last lawful day, often a little earlier, now and then late with
        # a recorded reason.
        last = rules.last_publication_date(m.day)
        late_reason = ""
        if rng.random() < 0.01:
            published_day = _working_day_on_or_after(
                rules.latest_lawful_publication(m.day) + dt.timedelta(days=1)
            )
            if published_day < m.day:
                late_reason = (
                    "The report could not be finalised in time because the Government's figures "
                    "were published late, and the decision cannot wait for the next meeting."
                )
            else:
                published_day = last
        else:
            published_day = last - dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 7]))
        published_at = _aware(published_day, rng.randrange(9, 17))
        m.published_at = published_at if published_at <= self.now else None
        held = m.start <= self.now
        minutes_at = m.start + dt.timedelta(days=rng.randrange(5, 13))
        if held and m.published_at and minutes_at <= self.now:
            m.minutes_at = minutes_at
        state = "scheduled"
        if m.published_at:
            state = "held" if held else "agenda_published"
        closed_at = None
        if m.minutes_at:
            closed = (m.start + dt.timedelta(minutes=rng.randrange(45, 170))).astimezone(LONDON)
            closed_at = closed.time().replace(second=0, microsecond=0)
        row.update(
            state=state,
            agenda_published_at=m.published_at,
            late_publication_reason=late_reason if m.published_at else "",
            closed_at=closed_at,
            minutes_published_at=m.minutes_at,
            updated_at=m.minutes_at or m.published_at or created,
        )
        previous = m.previous
        if previous is not None and previous.minutes_at and held and m.published_at:
            # This meeting approved the previous one's minutes, which are now locked.
            earlier = self._meeting_rows[previous.id]
            earlier["state"] = "minutes_approved"
            earlier["minutes_approved_at_id"] = m.id
            earlier["updated_at"] = max(earlier["updated_at"], m.start)
        self.t["meeting"].add(**row)
        self._meeting_rows[m.id] = self.t["meeting"].rows[-1]
        if m.minutes_at:
            m.minutes_pages = rng.randrange(2, 5)
            title = f"Minutes of the {m.org.name}, {m.day:%-d %B %Y}"
            self._document(
                meeting_id=m.id,
                kind="minutes",
                position=0,
                title=title,
                pages=m.minutes_pages,
                stamp=m.minutes_at,
                parts=self.pool.parts(
                    [title, *rng.sample(self.texts.minutes_pages, m.minutes_pages)]
                ),
            )
        self.items(rng, m, orgs, pending, terms)

    def items(self, rng, m: MeetingRow, orgs, pending, terms):
        spec = m.org.spec
        members = m.org.members.get(_term_index(terms, m.day), [])
        with_minutes = m.minutes_at is not None
        stamp = m.published_at or m.start - dt.timedelta(days=10)
        items: list[dict] = []

        def item(title, *, lead="", description="", into=None, **values):
            entry = {
                "title": title,
                "lead": lead,
                "description": description,
                "meeting_id": m.id,
                "is_public": True,
                "created_at": stamp - dt.timedelta(days=3),
                "updated_at": m.minutes_at or stamp,
                "_minutes": [],
                "_resolutions": [],
                **values,
            }
            (items if into is None else into).append(entry)
            return entry

        apologies = item("Apologies and Substitutions")
        declarations = item(
            "Declarations of Interest", description="To receive any declarations of interest"
        )
        if m.previous is not None:
            held_on = f"{m.previous.day:%-d %B %Y}"
            minutes_item = item(
                "Minutes",
                description=f"(a) To agree the minutes of the meeting held on {held_on}\n"
                "(b) Any matters arising",
                minutes_of_id=m.previous.id,
            )
            minutes_item["_minutes"] = [
                f"The minutes of the meeting held on {held_on} were agreed and signed as a "
                "true record.",
                "There were no matters arising.",
            ]
        outstanding = None
        if spec.short.startswith("scrutiny") and m.previous is not None:
            outstanding = item(
                "Outstanding Issues",
                lead=LEADS["Scrutiny"],
                description="To note the issues Members asked to come back to the Board",
                lists_outstanding_issues=True,
            )
            outstanding["_minutes"] = ["The Board noted the outstanding issues."]

        # Reports: journeys waiting for this organisation first, then new ones.
        slots = max(1, round(rng.gauss(spec.reports, spec.reports / 3)))
        waiting = [j for j in pending[m.org.id] if j["earliest"] <= m.day][:slots]
        for journey in waiting:
            pending[m.org.id].remove(journey)
        private_count = 0
        for n in range(slots):
            if n < len(waiting):
                paper, role, next_org = self.continue_journey(waiting[n], m, pending)
            elif rng.random() < spec.private_rate:
                private_count += 1
                continue
            else:
                paper, role, next_org = self.new_paper(rng, m, orgs, pending)
            entry = item(
                paper.title,
                lead=LEADS[paper.topic.directorate],
                description=_item_description(role, next_org),
            )
            entry["_paper"] = (paper, role, next_org)

        if rng.random() < 0.03 and spec.kind not in ("panel", "sub_committee"):
            petitions = item("Petitions", description="To consider the petitions received")
            petitions["_subs"] = []
            for _ in range(rng.randrange(2, 4)):
                paper, role, next_org = self.new_paper(rng, m, orgs, pending, petition=True)
                sub = item(
                    paper.title,
                    lead=LEADS[paper.topic.directorate],
                    description="To consider the petition and the officers' response",
                    into=petitions["_subs"],
                )
                sub["_paper"] = (paper, role, next_org)
        if rng.random() < 0.006:
            urgent = item(
                "Urgent Item: " + TOPICS[rng.choice(spec.topics)].stem,
                lead=LEADS["Place"],
                is_urgent=True,
                is_supplementary=True,
                urgency_reason="The Chair agreed to take the item as a matter of urgency because "
                "a decision is needed before the next meeting.",
            )
            urgent["_minutes"] = [
                "The meeting considered the urgent item and agreed its recommendations."
            ]
        aob = item(
            "Any other items of public business",
            description="Any other items of public business which the Chair decides to take as a "
            "matter of urgency because of the special circumstances involved",
        )
        aob["_minutes"] = ["There were no other items of public business."]
        for _ in range(private_count):
            topic = TOPICS[rng.choice(spec.topics)]
            paragraphs = _weighted(rng, SCHEDULE_12A_CHOICES)
            paper, role, _next = self.new_paper(
                rng, m, orgs, pending, private=paragraphs, topic=topic
            )
            opener = MINUTE_OPENERS[spec.kind].format(who=LEADS[topic.directorate][14:])
            entry = item(
                paper.title,
                lead=LEADS[topic.directorate],
                is_public=False,
                exempt_paragraphs=paragraphs,
                public_interest_statement=PUBLIC_INTEREST,
            )
            entry["_paper"] = (paper, role, None)
            entry["_minutes"] = [
                f"{opener} which contained exempt information.",
                "The recommendations in the private report were approved.",
            ]

        present: list[int] = []
        if with_minutes:
            present = self.attendance(rng, m, members, apologies)
            declared = []
            for entry in items:
                for target in [entry, *entry.get("_subs", [])]:
                    if "_paper" in target and target["is_public"]:
                        self.minute(rng, m, target)
                        if present and rng.random() < 0.02:
                            declared.append((target, rng.choice(present)))
            declarations["_declare"] = declared
            declarations["_minutes"] = [
                f"{self.short_names[person]} declared an other interest in the item "
                f"“{target['title']}”."
                for target, person in declared
            ] or ["There were no disclosable pecuniary or other interests declared."]
            if outstanding is not None:
                for issue in list(m.org.open_issues):
                    if rng.random() < 0.5:
                        issue["_closed_by"] = outstanding
                        m.org.open_issues.remove(issue)
        self.write_agenda(rng, m, items)

    def attendance(self, rng, m: MeetingRow, members, apologies_item) -> list[int]:
        present, apologies = [], []
        stamp = m.minutes_at
        rows = self.t["attendance"]
        member_ids = {person[0] for person, _role in members}
        for person, role in members:
            pid = person[0]
            common = {
                "meeting_id": m.id,
                "person_id": pid,
                "created_at": stamp,
                "updated_at": stamp,
            }
            if role == "by_invitation":
                rows.add(status="in_attendance", capacity="Shadow Cabinet Member", **common)
                continue
            roll = rng.random()
            if roll < 0.82 or role in ("chair", "cabinet_member"):
                rows.add(status="present", capacity="Chair" if role == "chair" else "", **common)
                present.append(pid)
            elif roll < 0.95:
                rows.add(status="apologies", **common)
                apologies.append(pid)
                if m.org.spec.kind == "committee" and rng.random() < 0.3:
                    substitute = rng.choice(self.everyone)
                    if substitute not in member_ids:
                        rows.add(
                            status="substitute",
                            substitute_for_id=pid,
                            **{**common, "person_id": substitute},
                        )
                        present.append(substitute)
            else:
                rows.add(status="absent", **common)
        for title, directorate in rng.sample(OFFICER_POSTS, rng.randrange(2, 6)):
            rows.add(
                meeting_id=m.id,
                officer_name=self._officer_name(rng),
                directorate_id=self.directorates[directorate],
                status="present",
                capacity=title,
                created_at=stamp,
                updated_at=stamp,
            )
        apologies_item["_minutes"] = [
            "Apologies for absence were received from "
            + ", ".join(self.short_names[p] for p in apologies)
            + "."
            if apologies
            else "There were no apologies for absence."
        ]
        return present

    def minute(self, rng, m: MeetingRow, entry):
        paper = entry["_paper"][0]
        opener = MINUTE_OPENERS[m.org.spec.kind].format(who=LEADS[paper.topic.directorate][14:])
        entry["_minutes"] = [
            f"{opener} {rng.choice(self.texts.minute_topic[paper.topic.key])}",
            rng.choice(MINUTE_DISCUSSION),
        ]
        scrutiny = m.org.spec.short.startswith("scrutiny")
        chosen = rng.sample(self.texts.resolutions[paper.topic.key], rng.choice([1, 1, 2, 2, 3]))
        for n, text in enumerate(chosen, start=1):
            follow_up = scrutiny and rng.random() < 0.15
            resolution = {"number": n, "text": text, "requests_follow_up": follow_up}
            entry["_resolutions"].append(resolution)
            if follow_up:
                m.org.open_issues.append(resolution)

    def write_agenda(self, rng, m: MeetingRow, items: list[dict]):
        """Number the agenda (public business first), lay out the pack's page ranges as the
        pack builder would, then write the items with their reports and minutes."""
        page = 2 + max(1, math.ceil(len(items) / 8))  # front sheet, then the agenda
        ordered = [e for e in items if e["is_public"]] + [e for e in items if not e["is_public"]]
        table = self.t["item"]
        for position, entry in enumerate(ordered, start=1):
            entry.update(position=position, number=str(position), id=table.next_id)
            table.next_id += 1
            page = self._lay_out(m, entry, page)
            for n, sub in enumerate(entry.get("_subs", []), start=1):
                sub.update(position=n, number=f"{chr(96 + n)})", parent_id=entry["id"])
                sub["id"] = table.next_id
                table.next_id += 1
                page = self._lay_out(m, sub, page)
        for entry in ordered:
            for target in [entry, *entry.get("_subs", [])]:
                self.write_item(rng, m, target)
        if m.published_at is not None:
            name, size, sha = self.pack_file
            built = m.published_at - dt.timedelta(minutes=20)
            self.t["pack"].add(
                meeting_id=m.id,
                status="ready",
                progress=100,
                file=name,
                size=size,
                sha256=sha,
                page_count=page - 1,
                started_at=built - dt.timedelta(minutes=1),
                finished_at=built,
                created_at=built,
                updated_at=built,
            )

    def _lay_out(self, m: MeetingRow, entry: dict, page: int) -> int:
        if m.published_at is None or not entry["is_public"]:
            return page
        pages = 0
        previous = m.previous
        if entry.get("minutes_of_id") and previous and previous.minutes_at:
            if previous.minutes_at <= m.published_at:
                pages = previous.minutes_pages
        elif "_paper" in entry:
            pages = entry["_paper"][0].pages
        if pages:
            entry["start_page"], entry["end_page"] = page, page + pages - 1
        return page + pages

    def write_item(self, rng, m: MeetingRow, entry: dict):
        with_minutes = m.minutes_at is not None
        minutes = entry.pop("_minutes") if with_minutes else []
        resolutions = entry.pop("_resolutions") if with_minutes else []
        paper_info = entry.pop("_paper", None)
        declared = entry.pop("_declare", [])
        entry.pop("_subs", None)
        entry.pop("_minutes", None)
        entry.pop("_resolutions", None)
        entry["minutes_text"] = "\n\n".join(minutes)
        item_id = self.t["item"].add(**entry)
        for resolution in resolutions:
            resolution.update(
                agenda_item_id=item_id, created_at=m.minutes_at, updated_at=m.minutes_at
            )
            self._resolutions.append(resolution)
        for target, person in declared:
            self.t["declaration"].add(
                agenda_item_id=target["id"],
                person_id=person,
                interest="other",
                description="A member of a body named in the report; took part in the "
                "discussion and vote.",
                created_at=m.minutes_at,
                updated_at=m.minutes_at,
            )
        if paper_info is not None:
            self.consult(rng, m, entry, *paper_info, resolutions)
        # The search index, as committees.search.reindex_meeting writes it.
        if m.published_at is not None and entry["is_public"]:
            url = self.meeting_url.format(m.id)
            self.search.add(
                kind="agenda_item",
                object_id=item_id,
                url=f"{url}#item-{item_id}",
                title_part=self.pool(entry["title"]),
                parts=self.pool.parts([entry["lead"], entry["description"]]),
                date=m.day,
                organization_ids=[m.org.id],
            )
            lines = [f"{r['number']}. {r['text']}" for r in resolutions]
            if with_minutes and (minutes or lines):
                self.search.add(
                    kind="minutes",
                    object_id=item_id,
                    url=f"{url}#minute-{item_id}",
                    title_part=self.pool(f"Minutes: {entry['title']}"),
                    parts=self.pool.parts([*minutes, *lines, entry.get("urgency_reason", "")]),
                    date=m.day,
                    organization_ids=[m.org.id],
                )

    def consult(self, rng, m: MeetingRow, entry, paper: PaperRow, role, next_org, resolutions):
        spec = m.org.spec
        outcome = ""
        if m.minutes_at:
            if role == "decision":
                outcome = rng.choice(["Approved"] * 8 + ["Approved with amendments", "Deferred"])
            elif role == "recommendation":
                outcome = f"Recommended to {next_org.name}"
            else:
                outcome = "Noted"
        self.t["consultation"].add(
            paper_id=paper.id,
            meeting_id=m.id,
            agenda_item_id=entry["id"],
            organization_id=m.org.id,
            role=role,
            recommendation=_recommendation(role, next_org),
            outcome=outcome,
            created_at=entry["created_at"],
            updated_at=entry["updated_at"],
        )
        paper.organizations.add(m.org.id)
        if m.published_at is not None:
            paper.published = True
            first = paper.first_published_at
            if paper.is_public and (first is None or m.published_at < first):
                paper.first_published_at = m.published_at
        executive_key = paper.key and spec.executive and role == "decision"
        if m.minutes_at and role == "decision" and spec.decides:
            texts = [r["text"] for r in resolutions] or ["Approved the recommendations."]
            reasons = rng.choice(self.texts.reasons[paper.topic.key])
            alternatives = rng.choice(ALTERNATIVES)
            plan_entry, exception, exception_reason = None, "", ""
            if executive_key:
                if rng.random() < 0.06:
                    exception = "general_exception"
                    exception_reason = (
                        "The decision could not be on the forward plan 28 clear days ahead "
                        "because the funding offer arrived late; the Chair of Scrutiny agreed."
                    )
                else:
                    plan_entry = self.forward_plan(rng, m, paper)
            decision_id = self.t["decision"].add(
                kind="executive" if spec.executive else "committee",
                title=paper.title,
                decision_maker_id=m.org.id,
                meeting_id=m.id,
                agenda_item_id=entry["id"],
                paper_id=paper.id,
                date=m.day,
                decision="\n\n".join(texts),
                reasons=reasons,
                alternatives_rejected=alternatives,
                conflicts_of_interest="None declared.",
                is_key=executive_key,
                forward_plan_entry_id=plan_entry,
                key_decision_exception=exception,
                exception_reason=exception_reason,
                is_public=entry["is_public"],
                created_at=m.minutes_at,
                updated_at=m.minutes_at,
            )
            if entry["is_public"]:
                self.search.add(
                    kind="decision",
                    object_id=decision_id,
                    url=self.decision_url.format(decision_id),
                    title_part=self.pool(paper.title),
                    parts=self.pool.parts([*texts, reasons, alternatives]),
                    date=m.day,
                    organization_ids=[m.org.id],
                )
        elif executive_key and m.start > self.now:
            self.forward_plan(rng, m, paper)  # a key decision still to come

    def forward_plan(self, rng, m: MeetingRow, paper: PaperRow) -> int | None:
        first = m.day - dt.timedelta(days=rng.randrange(35, 80))
        if first > self.anchor:
            return None
        stamp = _aware(first, 9)
        return self.t["fpe"].add(
            title=paper.title,
            decision_maker_id=m.org.id,
            expected_date=m.day,
            summary=paper.summary,
            documents=f"Report: {paper.title}",
            wards_affected="All",
            contact=self._officer_name(rng),
            paper_id=paper.id,
            first_published_on=first,
            created_at=stamp,
            updated_at=stamp,
        )

    def officer_decisions(self, rng, fraction: float, first_day: dt.date):
        """Officer decisions under the Openness Regulations 2014: about 100 a year."""
        days = (self.anchor - first_day).days
        for _ in range(round(100 * days / 365.25 * min(1.0, fraction))):
            day = _working_day_on_or_after(first_day + dt.timedelta(days=rng.randrange(days)))
            if day > self.anchor:
                continue
            topic = TOPICS[rng.choice(_ALL_EXECUTIVE)]
            title = rng.choice(TITLE_FORMS).format(
                stem=topic.stem,
                year=day.year,
                next=str(day.year + 1)[2:],
                plus3=day.year + 3,
                quarter=rng.randrange(1, 5),
            )
            post, _directorate = rng.choice(OFFICER_POSTS)
            name = self._officer_name(rng)
            decision = rng.choice(self.texts.resolutions[topic.key])
            reasons = rng.choice(self.texts.reasons[topic.key])
            alternatives = rng.choice(ALTERNATIVES)
            public = rng.random() < 0.95
            stamp = _aware(day, 16)
            pk = self.t["decision"].add(
                kind="officer",
                title=title,
                officer_name=name,
                officer_title=post,
                date=day,
                decision=decision,
                reasons=reasons,
                alternatives_rejected=alternatives,
                is_public=public,
                created_at=stamp,
                updated_at=stamp,
            )
            if public:
                self.search.add(
                    kind="decision",
                    object_id=pk,
                    url=self.decision_url.format(pk),
                    title_part=self.pool(title),
                    parts=self.pool.parts([decision, reasons, alternatives, f"{name}, {post}"]),
                    date=day,
                    organization_ids=[],
                )

    # -- papers -----------------------------------------------------------------------------

    def new_paper(
        self, rng, m: MeetingRow, orgs, pending, *, private=None, topic=None, petition=False
    ):
        spec = m.org.spec
        topic = topic or TOPICS[rng.choice(spec.topics)]
        year = m.day.year
        self.paper_seq += 1
        if petition:
            title = f"Petition – {rng.choice(topic.phrases).capitalize()} in {rng.choice(WARDS)}"
        elif private:
            title = rng.choice(PRIVATE_TITLE_FORMS).format(stem=topic.stem)
        elif topic.key == "planning":
            ref = f"{rng.choice(['FUL', 'OUT', 'HH', 'REM'])}/{year}/{rng.randrange(100, 3999)}"
            title = (
                f"Planning Application {ref} – {rng.choice(['Land at', 'Site of', 'Former'])} "
                f"{rng.choice(FAMILY_NAMES)} {rng.choice(['Road', 'Lane', 'Street', 'Works'])}"
            )
        else:
            title = rng.choice(TITLE_FORMS).format(
                stem=topic.stem,
                year=year,
                next=str(year + 1)[2:],
                plus3=year + 3,
                quarter=rng.randrange(1, 5),
            )
        key = spec.executive and private is None and not petition and rng.random() < 0.12
        summary = rng.choice(self.texts.summaries[topic.key])
        lead = LEADS[topic.directorate]
        written = m.published_at or m.start - dt.timedelta(days=10)
        paper_id = self.t["paper"].next_id
        self.t["paper"].next_id += 1

        report_pages = (
            1 if petition else _weighted(rng, [(3, 20), (4, 26), (5, 22), (6, 14), (7, 10), (8, 8)])
        )
        pool_pages = self.texts.pages[topic.key]
        pages = [*rng.sample(pool_pages, report_pages - 1), rng.choice(self.texts.implications)]
        documents, total = [], report_pages
        parts = self.pool.parts([title, lead, *pages])
        pk = self._document(
            paper_id=paper_id,
            kind="report",
            position=0,
            title=title,
            pages=report_pages,
            parts=parts,
            stamp=written,
        )
        documents.append(("report", 0, pk, parts))
        if not petition and rng.random() < 0.3:
            appendix_pages = rng.randrange(1, 5)
            appendix_title = f"Appendix 1: {rng.choice(APPENDIX_TITLES)}"
            parts = self.pool.parts([appendix_title, *rng.sample(pool_pages, appendix_pages)])
            pk = self._document(
                paper_id=paper_id,
                kind="appendix",
                position=1,
                title=appendix_title,
                pages=appendix_pages,
                parts=parts,
                stamp=written,
            )
            documents.append(("appendix", 1, pk, parts))
            total += appendix_pages

        author_title, author_directorate = rng.choice(
            POSTS_BY_DIRECTORATE.get(topic.directorate, OFFICER_POSTS)
        )
        author = self._officer_name(rng)
        self.t["paper"].add(
            id=paper_id,
            created_at=written - dt.timedelta(days=30),
            updated_at=written,
            reference=f"CCC/{year}/{self.paper_seq:06d}",
            title=title,
            paper_type="Petition" if petition else "Report",
            date=m.day,
            author_name=author,
            author_job_title=author_title,
            author_directorate_id=self.directorates[author_directorate],
            author_telephone=f"024 7683 {rng.randrange(1000, 9999)}",
            author_email=f"{slugify(author).replace('-', '.')}@coventry.gov.uk",
            approving_director=lead.removeprefix("Report of the "),
            cabinet_member=f"Cabinet Member for {spec.portfolio}" if spec.portfolio else "",
            wards_affected=rng.choice(["All", "All", rng.choice(WARDS)]),
            key_decision=key,
            scrutiny_consideration=rng.choice(["No", "No", "Yes – Scrutiny Board"]),
            other_bodies="No",
            going_to_council=rng.choice(["No"] * 5 + ["Yes"]),
            executive_summary=summary,
            background_papers="None",
            is_public=private is None,
            exempt_paragraphs=private or [],
        )
        # The sign-off table: the four approvals (and sometimes a contributor), all given
        # before publication.
        sent = (written - dt.timedelta(days=rng.randrange(14, 30))).date()
        for position, category in enumerate(["finance", "legal", "director", "members"]):
            sent_on = sent + dt.timedelta(days=position)
            self.t["signoff"].add(
                paper_id=paper_id,
                kind="approver",
                category=category,
                name=self._officer_name(rng),
                title=SIGN_OFF_TITLES[category],
                directorate_or_organisation="Members" if category == "members" else "Place",
                sent_on=sent_on,
                approved_on=sent_on + dt.timedelta(days=rng.randrange(1, 6)),
                position=position,
                created_at=written,
                updated_at=written,
            )
        if rng.random() < 0.5:
            self.t["signoff"].add(
                paper_id=paper_id,
                kind="contributor",
                category="other",
                name=self._officer_name(rng),
                title="Senior Officer",
                directorate_or_organisation=author_directorate,
                sent_on=sent,
                approved_on=sent + dt.timedelta(days=2),
                position=0,
                created_at=written,
                updated_at=written,
            )
        paper = PaperRow(
            paper_id, topic, title, m.day, private is None, key, summary, documents, total
        )
        self._papers[paper_id] = paper

        # Its journey: some reports go on to one or two more decision makers.
        steps: list[OrgRow] = []
        if private is None and not petition and spec.downstream and rng.random() < 0.2:
            first = orgs.get(rng.choice(spec.downstream))
            if first is not None:
                steps.append(first)
                if first.spec.downstream and rng.random() < 0.3:
                    second = orgs.get(rng.choice(first.spec.downstream))
                    if second is not None and second is not m.org:
                        steps.append(second)
        if steps:
            pending[steps[0].id].append(
                {"paper": paper, "earliest": m.day + dt.timedelta(days=7), "rest": steps[1:]}
            )
            return paper, "recommendation", steps[0]
        return paper, ("decision" if spec.decides else "noting"), None

    def continue_journey(self, journey, m: MeetingRow, pending):
        paper, rest = journey["paper"], journey["rest"]
        if rest:
            pending[rest[0].id].append(
                {"paper": paper, "earliest": m.day + dt.timedelta(days=7), "rest": rest[1:]}
            )
            return paper, "recommendation", rest[0]
        return paper, ("decision" if m.org.spec.decides else "noting"), None

    def _document(
        self, *, paper_id=None, meeting_id=None, kind, position, title, pages, parts, stamp
    ):
        name, size, sha = self.files[pages]
        return self.t["document"].add(
            paper_id=paper_id,
            meeting_id=meeting_id,
            kind=kind,
            title=title,
            position=position,
            file=name,
            original_name=f"{slugify(title)[:80] or 'document'}.pdf",
            mime_type="application/pdf",
            size=size,
            sha256=sha,
            page_count=pages,
            parts=parts,
            created_at=stamp,
            updated_at=stamp,
        )

    @staticmethod
    def _officer_name(rng) -> str:
        return f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}"

    # -- writing ------------------------------------------------------------------------------

    def take(self) -> list[tuple[str, list[str], list[str]]]:
        """The rows built so far as (table, columns, CSV batches) for COPY."""
        tables = [
            (STAGE_DOCUMENT if name == "document" else table.db_table, table)
            for name, table in self.t.items()
        ]
        tables.append((STAGE_SEARCH, self.search))
        return [(name, table.columns, table.csv(table.take())) for name, table in tables]

    def counts(self) -> dict[str, int]:
        names = {
            "term": "legislative terms",
            "location": "locations",
            "org": "committees",
            "person": "councillors",
            "membership": "memberships",
            "post": "posts",
            "meeting": "meetings",
            "item": "agenda items",
            "paper": "reports",
            "document": "documents (files)",
            "signoff": "sign-offs",
            "consultation": "consultations (journey steps)",
            "attendance": "attendance rows",
            "declaration": "declarations",
            "resolution": "resolutions",
            "pack": "agenda packs",
            "fpe": "forward plan entries",
            "decision": "decisions",
        }
        out = {label: self.t[name].count for name, label in names.items()}
        out["search entries"] = self.search.count
        out["text fragments"] = len(self.pool.ids)
        return out


# --- Files -----------------------------------------------------------------------------------


def _stored_pdf(name: str, pages: int) -> tuple[str, int, str]:
    """A real PDF of `pages` pages at `name` in the default storage (written once), with its
    size and SHA-256."""
    if not default_storage.exists(name):
        from committees.documents import new_pdf, pdf_safe

        pdf = new_pdf("Generated volume data")
        pdf.set_creation_date(dt.datetime(2017, 4, 13, tzinfo=UTC))
        pdf.set_font("helvetica", size=12)
        for n in range(pages):
            pdf.add_page()
            pdf.multi_cell(0, 8, pdf_safe(f"Generated volume data: page {n + 1} of {pages}."))
        saved = default_storage.save(name, ContentFile(bytes(pdf.output())))
        if saved != name:
            raise RuntimeError(f"Could not store {name} (stored as {saved})")
    with default_storage.open(name, "rb") as handle:
        content = handle.read()
    return name, len(content), hashlib.sha256(content).hexdigest()


# --- In the database ----------------------------------------------------------------------------

TEXT = "volume_text"
STAGE_DOCUMENT = "volume_stage_document"
STAGE_SEARCH = "volume_stage_search"
AGGREGATE = "pg_temp.volume_tsvector_concat"
FRAGMENTS = (
    "SELECT string_agg(f.body, E'\\n\\n' ORDER BY u.o) AS body, "
    f"{AGGREGATE}(f.vec ORDER BY u.o) AS vec "
    f"FROM unnest(s.parts) WITH ORDINALITY AS u(fid, o) JOIN {TEXT} f ON f.id = u.fid"
)


def _create_stages(cursor) -> None:
    document = Document._meta.db_table
    search = SearchEntry._meta.db_table
    cursor.execute(
        f"DROP TABLE IF EXISTS {TEXT}, {STAGE_DOCUMENT}, {STAGE_SEARCH};"
        f"CREATE UNLOGGED TABLE {TEXT} (id integer PRIMARY KEY, body text NOT NULL, vec tsvector);"
        f"CREATE UNLOGGED TABLE {STAGE_DOCUMENT} (LIKE {document});"
        f"ALTER TABLE {STAGE_DOCUMENT} DROP COLUMN text, ADD COLUMN parts integer[] NOT NULL;"
        f"CREATE UNLOGGED TABLE {STAGE_SEARCH} (LIKE {search});"
        f"ALTER TABLE {STAGE_SEARCH} DROP COLUMN body, DROP COLUMN vector, "
        "ADD COLUMN parts integer[] NOT NULL, ADD COLUMN title_part integer NOT NULL;"
    )


def _drop_secondary_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the plain (not primary, not unique) indexes of `tables` and return the statements
    that build them again: one bulk build is far faster than growing them row by row (the
    search vector's GIN index above all)."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace "
        "AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "ORDER BY c.relname",
        [tables],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def _drop_stages(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {TEXT}, {STAGE_DOCUMENT}, {STAGE_SEARCH}")


def _prepare(cursor, *, trust_keys: bool) -> None:
    """Per connection: the tsvector concatenation aggregate; foreign-key triggers off when the
    keys are checked in bulk afterwards."""
    cursor.execute(
        f"CREATE OR REPLACE AGGREGATE {AGGREGATE}(tsvector) "
        "(SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')"
    )
    cursor.execute("SET maintenance_work_mem = '256MB'")
    if trust_keys:
        cursor.execute("SET session_replication_role = replica")


def _write_pool(cursor, ids: dict[str, int]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows((n, t) for t, n in ids.items())
    _copy(cursor, TEXT, ["id", "body"], buffer.getvalue())


def _ranges(cursor, table: str) -> list[tuple[int, int]]:
    cursor.execute(f"SELECT min(id), max(id) FROM {table}")
    low, high = cursor.fetchone()
    if low is None:
        return []
    return [(start, start + CHUNK) for start in range(low, high + 1, CHUNK)]


def _statements_for(kind: str, ranges) -> list[tuple[str, tuple]]:
    if kind == "vectors":
        sql = (
            f"UPDATE {TEXT} SET vec = to_tsvector('english'::regconfig, body) "
            "WHERE id >= %s AND id < %s"
        )
    elif kind == "documents":
        columns = [c for c in Table(Document, staged="text").columns if c != "parts"]
        quoted = ", ".join(f'"{c}"' for c in columns)
        selected = ", ".join(f's."{c}"' for c in columns)
        sql = (
            f'INSERT INTO {Document._meta.db_table} ({quoted}, "text") '
            f"SELECT {selected}, COALESCE(b.body, '') FROM {STAGE_DOCUMENT} s "
            f"CROSS JOIN LATERAL ({FRAGMENTS}) b WHERE s.id >= %s AND s.id < %s"
        )
    else:
        sql = (
            f"INSERT INTO {SearchEntry._meta.db_table} "
            "(id, kind, object_id, url, title, body, date, organization_ids, vector) "
            "SELECT s.id, s.kind, s.object_id, s.url, t.body, COALESCE(b.body, ''), s.date, "
            "s.organization_ids, setweight(t.vec, 'A') || setweight(COALESCE(b.vec, "
            "''::tsvector), 'B') "
            f"FROM {STAGE_SEARCH} s JOIN {TEXT} t ON t.id = s.title_part "
            f"CROSS JOIN LATERAL ({FRAGMENTS}) b WHERE s.id >= %s AND s.id < %s"
        )
    return [(sql, bounds) for bounds in ranges]


def _run(statements, *, jobs: int, trust_keys: bool) -> None:
    """Run independent statements, on `jobs` connections of their own when allowed (outside
    a transaction: each must see what the others committed)."""
    if jobs <= 1 or connection.in_atomic_block:
        with connection.cursor() as cursor:
            _prepare(cursor, trust_keys=trust_keys)
            for sql, params in statements:
                cursor.execute(sql, params)
        return

    def run(statement):
        conn = connections.create_connection("default")
        try:
            with conn.cursor() as cursor:
                _prepare(cursor, trust_keys=trust_keys)
                cursor.execute(*statement)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=jobs) as executor:
        list(executor.map(run, statements))


def _foreign_key_problems(cursor) -> list[str]:
    """Every foreign key of the committee tables checked in bulk: the rows that point
    nowhere."""
    from django.apps import apps

    problems = []
    models = [
        m
        for m in apps.get_app_config("committees").get_models()
        if not m.__name__.startswith("Historical")
    ]
    models.append(Meeting.organizations.through)
    for model in models:
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            parent = field.related_model._meta
            cursor.execute(
                f'SELECT count(*) FROM "{model._meta.db_table}" c WHERE c."{field.column}" IS NOT '
                f'NULL AND NOT EXISTS (SELECT 1 FROM "{parent.db_table}" p WHERE '
                f'p."{parent.pk.column}" = c."{field.column}")'
            )
            missing = cursor.fetchone()[0]
            if missing:
                problems.append(f"{model._meta.db_table}.{field.column}: {missing} rows")
    return problems


def _reset_sequences(cursor, tables: Iterable[str]) -> None:
    for table in tables:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f'(SELECT COALESCE(max(id), 0) + 1 FROM "{table}"), false)',
            [table],
        )


def _is_superuser(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


def _councils(generator, scale, terms, first_day, last_day, parallel: bool):
    """("council", n, payload) for each council in turn, then ("done", text pool, counts)."""
    blocks = math.ceil(scale)

    def build():
        for b in range(blocks):
            generator.block(b, min(1.0, scale - b), terms, first_day, last_day)
            yield ("council", b, generator.take())
        yield ("done", generator.pool.ids, generator.counts())

    if not parallel:
        yield from build()
        return
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=1)

    def produce():
        # The child never touches the database; multiprocessing ends it with os._exit, so
        # the connection it inherited is not closed under the parent.
        try:
            for message in build():
                queue.put(message)
        except BaseException:
            queue.put(("error", traceback.format_exc()))

    child = context.Process(target=produce, daemon=True)
    child.start()
    try:
        while True:
            message = queue.get()
            if message[0] == "error":
                raise VolumeError(f"Building the data failed:\n{message[1]}")
            yield message
            if message[0] == "done":
                break
    finally:
        child.join(timeout=60)
        if child.is_alive():
            child.kill()


def generate(
    *,
    scale: float,
    seed: int = 1,
    anchor: dt.date | None = None,
    jobs: int = 1,
    vacuum: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> Summary:
    """Fill the (empty) committee tables with `scale` councils' worth of data. Returns what was
    written and how long each phase took."""
    if not scale > 0:
        raise VolumeError("The scale must be more than 0")
    from django.utils import timezone

    anchor = anchor or _monday(timezone.localdate())
    if any(m.objects.exists() for m in (Organization, Person, Meeting, Paper, SearchEntry)):
        raise VolumeError(NOT_EMPTY)
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name):
        now = time.perf_counter()
        phases[name] = now - phase.last
        phase.last = now
        log(f"{name}: {phases[name]:.1f} s")

    phase.last = started

    blocks = math.ceil(scale)
    generator = Generator(scale=scale, seed=seed, anchor=anchor)
    generator.store_files()
    generator.reference(blocks)
    # The window: 15 years to half a year ahead (a tiny council gets a shorter one, so its
    # few meetings still sit close enough together for journeys and minutes).
    last_day = anchor + dt.timedelta(days=183)
    span = round(YEARS * 365.25 * min(1.0, max(0.1, 20 * scale)))
    first_day = last_day - dt.timedelta(days=span)
    terms = generator.terms(first_day)
    phase("reference data and files")

    in_transaction = connection.in_atomic_block
    # Councils are built (and turned into CSV) in a forked process while this one copies the
    # previous council in: Python and PostgreSQL each get a CPU. Not inside a transaction
    # (tests), where everything stays in this process.
    parallel = jobs > 1 and not in_transaction
    tables = [t.db_table for t in generator.t.values()] + [SearchEntry._meta.db_table]
    with connection.cursor() as cursor:
        trust_keys = not in_transaction and _is_superuser(cursor)
        _create_stages(cursor)
        _prepare(cursor, trust_keys=trust_keys)
        indexes = _drop_secondary_indexes(cursor, tables)
        try:
            for message in _councils(generator, scale, terms, first_day, last_day, parallel):
                if message[0] == "council":
                    for name, columns, batches in message[2]:
                        for text in batches:
                            _copy(cursor, name, columns, text)
                    log(f"council {message[1] + 1} of {blocks} written")
                else:
                    _kind, pool, counts = message
            phase("committees, meetings, items, reports, minutes (COPY)")
            _write_pool(cursor, pool)
            _run(_statements_for("vectors", _ranges(cursor, TEXT)), jobs=jobs, trust_keys=False)
            phase("text fragments and their vectors")
            _run(
                _statements_for("documents", _ranges(cursor, STAGE_DOCUMENT)),
                jobs=jobs,
                trust_keys=trust_keys,
            )
            phase("document text")
            _run(
                _statements_for("search", _ranges(cursor, STAGE_SEARCH)),
                jobs=jobs,
                trust_keys=trust_keys,
            )
            phase("search entries")
        finally:
            # Built again even when something failed, so the schema is never left without them.
            if in_transaction:
                # Inside a transaction, the deferred foreign-key checks run now (an index
                # cannot be built on a table with checks pending).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _run([(sql, None) for sql in indexes], jobs=jobs, trust_keys=False)
            if in_transaction:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        phase("indexes built")
        if trust_keys:
            cursor.execute("SET session_replication_role = origin")
        problems = _foreign_key_problems(cursor)
        if problems:
            raise VolumeError("Foreign keys point nowhere: " + "; ".join(problems))
        _reset_sequences(cursor, tables)
        _drop_stages(cursor)
        phase("foreign keys checked, sequences reset")
        if vacuum and not in_transaction:
            for table in tables:
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')
            phase("vacuum and analyse")
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    return Summary(
        scale=scale,
        seed=seed,
        anchor=anchor,
        counts=counts,
        seconds=time.perf_counter() - started,
        phases=phases,
        database_bytes=size,
    )
