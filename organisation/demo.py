"""Coventry City Council as the seed papers show it in April 2017, and one demo account per
role. Loaded only in demo mode (never in production), by `manage.py load_demo`. Other apps
add demo logins of their own with `ensure_demo_account` (committees: a councillor) and list
them in their demo module's DEMO_ACCOUNTS, which `load_demo` prints with these."""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation.models import (
    Council,
    Directorate,
    EnrolmentMethod,
    Service,
    TwoFactorAction,
    TwoFactorEnrolment,
    TwoFactorEvent,
    User,
    Via,
)
from organisation.roles import ROLE_SPECS, Role, group_name
from organisation.seeding import ensure

DEMO_PASSWORD = "portal-demo-2017"  # noqa: S105 (printed by make run; demo mode only)
# Shared by the demo accounts that need a second factor; `make demo-code` prints the code it
# gives now.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_DOMAIN = "coventry.example"

COUNCIL = {
    "name": "Coventry City Council",
    "short_name": "Coventry",
    "website": "https://www.coventry.gov.uk",
    "address": "Council House, Earl Street, Coventry, CV1 5RR",
}

DIRECTORATES = {
    "Place": [
        "Governance Services",
        "Legal Services",
        "Internal Audit",
        "Finance and Corporate Services",
        "Insurance",
        "Members and Elections",
    ],
    "People": ["Customer Services and Transformation"],
    "Resources": [],
}


@dataclass(frozen=True)
class Officer:
    name: str
    job_title: str
    directorate: str
    service: str = ""
    telephone: str = ""
    roles: tuple[Role, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.name.lower().replace(' ', '.')}@{DEMO_DOMAIN}"


# Named in the seed papers, with the roles the papers give them. They are records, not demo
# logins: their passwords are unusable. Lead officers of the Code's actions are governance leads.
OFFICERS = (
    Officer(
        "Helen Lynch",
        "Acting Monitoring Officer",
        "Place",
        "Legal Services",
        roles=(Role.MONITORING_OFFICER, Role.GOVERNANCE_LEAD),
    ),
    Officer(
        "Karen Tyler",
        "Acting Chief Internal Auditor",
        "Place",
        "Internal Audit",
        roles=(Role.CHIEF_INTERNAL_AUDITOR, Role.GOVERNANCE_LEAD),
    ),
    Officer(
        "Suzanne Bennett",
        "Governance Services Officer",
        "Place",
        "Governance Services",
        "024 7683 3072",
        roles=(Role.GOVERNANCE_SERVICES,),
    ),
    Officer(
        "Adrian West",
        "Members and Elections Team Manager",
        "Place",
        "Members and Elections",
        "024 7683 2286",
        roles=(Role.GOVERNANCE_SERVICES, Role.GOVERNANCE_LEAD),
    ),
    Officer(
        "David Johnston", "Insurance Manager", "Place", "Insurance", roles=(Role.GOVERNANCE_LEAD,)
    ),
    Officer("Martin Yardley", "Deputy Chief Executive (Place)", "Place"),
    Officer(
        "Barry Hastie",
        "Director of Finance and Corporate Services",
        "Place",
        "Finance and Corporate Services",
    ),
    Officer("Carol Bradford", "Corporate Governance Lawyer", "Place", "Legal Services"),
    Officer(
        "Paul Jennings",
        "Finance Manager (Corporate Finance)",
        "Place",
        "Finance and Corporate Services",
    ),
    Officer("Kathryn Sutherland", "Lead Accountant", "Place", "Finance and Corporate Services"),
    Officer("Laura Stockin", "Senior Legal Officer", "Place", "Legal Services", "024 7683 3006"),
    Officer(
        "Lisa Commane",
        "Director of Customer Services and Transformation",
        "People",
        "Customer Services and Transformation",
    ),
    Officer(
        "Jane Murphy",
        "Head of Transformation and Major Projects",
        "People",
        "Customer Services and Transformation",
    ),
    Officer(
        "Joe Sansom",
        "Transformation Programme Manager",
        "People",
        "Customer Services and Transformation",
    ),
)


def demo_email(role: Role) -> str:
    return f"demo.{role.value.replace('_', '-')}@{DEMO_DOMAIN}"


@transaction.atomic
def load() -> list[tuple[str, str]]:
    """Load the council and its people; return (role, e-mail) per demo account. Refuses
    outside demo mode."""
    if not settings.DEMO_MODE:
        raise RuntimeError("Demo data is never loaded in production (PORTAL_ENV=production)")

    ensure(Council, {"singleton": True}, **COUNCIL)
    directorates = {}
    services = {}
    for directorate_name, service_names in DIRECTORATES.items():
        directorate = ensure(Directorate, {"name": directorate_name})
        directorates[directorate_name] = directorate
        for service_name in service_names:
            services[service_name] = ensure(
                Service, {"directorate": directorate, "name": service_name}
            )

    groups = {g.name: g for g in Group.objects.all()}
    for officer in OFFICERS:
        user = _ensure_user(
            officer.email,
            full_name=officer.name,
            job_title=officer.job_title,
            directorate=directorates[officer.directorate],
            service=services.get(officer.service),
            telephone=officer.telephone,
        )
        _ensure_roles(user, groups, (Role.OFFICER, *officer.roles))

    accounts = []
    for spec in ROLE_SPECS:
        email = demo_email(spec.role)
        user = ensure_demo_account(
            email, full_name=f"Demo {spec.name}", job_title=spec.name, roles=(spec.role,)
        )
        ensure_demo_second_factor(user)
        accounts.append((spec.name, email))
    return accounts


@functools.cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def ensure_demo_account(email: str, *, full_name: str, job_title: str = "", roles=()) -> User:
    """A demo login: the account, its demo password and its roles (adding any missing).
    Demo mode only: the password is printed on the screen."""
    if not settings.DEMO_MODE:
        raise RuntimeError("Demo accounts are never made in production (PORTAL_ENV=production)")
    user = _ensure_user(email, full_name=full_name, job_title=job_title)
    # Set once: checking it on every load would cost half a second an account.
    if not user.has_usable_password():
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    if roles:
        _ensure_roles(user, {g.name: g for g in Group.objects.all()}, roles)
    return user


def ensure_demo_second_factor(user: User) -> None:
    """The shared demo authenticator for a demo login that needs a second factor, asked as
    the sign-in asks (User.needs_two_factor): call it once whatever makes the account need
    one (its roles, a councillor's link to it) is in place."""
    if user.needs_two_factor:
        ensure_known_authenticator(user, DEMO_TOTP_KEY)


def current_code() -> str:
    """The code the demo authenticator shows now."""
    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"


def ensure_known_authenticator(user: User, key: str) -> TOTPDevice:
    """Give `user` an authenticator app whose key (hex) is known to whoever loads the data
    (the demo's shared key; the benchmark's clients), recorded as set up so that it counts
    as a second factor like one set up with a link. For demo and benchmark data only, which
    production never loads."""
    device = ensure(
        TOTPDevice, {"user": user, "name": "Demo authenticator"}, key=key, confirmed=True
    )
    if TwoFactorEnrolment.objects.filter(device=device, used_at__isnull=False).exists():
        return device
    now = timezone.now()
    enrolment = TwoFactorEnrolment.objects.create(
        account=user, method=EnrolmentMethod.DEMO, expires_at=now, used_at=now, device=device
    )
    TwoFactorEvent.objects.create(
        account=user, action=TwoFactorAction.ENROLLED, via=Via.DEMO, enrolment=enrolment
    )
    return device


def _ensure_user(email: str, **values) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, **values)
        user.set_unusable_password()
        user.save()
        return user
    return ensure(User, {"pk": user.pk}, **values)


def _ensure_roles(user: User, groups: dict[str, Group], roles) -> None:
    wanted = {groups[group_name(role)] for role in roles}
    missing = wanted - set(user.groups.all())
    if missing:
        user.groups.add(*missing)
