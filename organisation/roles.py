"""The roles of the portal, declared once.

A role is a Django Group of the same name; a person may hold several, and administrators
assign them in the Django admin. `sync_roles` (run after every `migrate`) creates the groups
and gives each exactly the model permissions listed here, so the database never drifts from
this file. Object-level decisions live in each app's `policies.py`, not here.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    GOVERNANCE_SERVICES = "governance_services"
    MONITORING_OFFICER = "monitoring_officer"
    CHIEF_INTERNAL_AUDITOR = "chief_internal_auditor"
    INVESTIGATING_OFFICER = "investigating_officer"
    INFORMATION_ASSET_OWNER = "information_asset_owner"
    INFORMATION_ASSET_ADMINISTRATOR = "information_asset_administrator"
    RECORDS_MANAGER = "records_manager"
    SIRO = "siro"
    GOVERNANCE_LEAD = "governance_lead"
    DIRECTORATE_LEAD = "directorate_lead"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    name: str
    description: str
    # Privileged roles see identities, exempt business or whole registers: they must use
    # two-factor sign-in.
    privileged: bool = False
    # Whether an administrator may give the role without holding it (AccountPolicy). True for
    # every role that is not privileged, and for the privileged roles a council's administrator
    # routinely gives (its clerks); the statutory officers' roles are given by a superuser.
    granted_by_administrators: bool | None = None
    # The Django admin is open to a role only if it has model permissions to use there.
    permissions: tuple[str, ...] = field(default=())


_ORGANISATION_VIEW = (
    "organisation.view_directorate",
    "organisation.view_service",
)

ROLE_SPECS: tuple[RoleSpec, ...] = (
    RoleSpec(
        Role.OFFICER,
        "Officer",
        "Any council officer: raises and follows whistleblowing concerns.",
    ),
    RoleSpec(
        Role.GOVERNANCE_SERVICES,
        "Governance Services",
        "Committees, memberships, meetings, agendas, reports, minutes and decisions.",
        # They see exempt business (Schedule 12A of the Local Government Act 1972) before
        # and after the meeting, which names individuals: information about a person,
        # their finances, legal advice.
        privileged=True,
        granted_by_administrators=True,
    ),
    RoleSpec(
        Role.MONITORING_OFFICER,
        "Monitoring Officer",
        "Keeps the whistleblowing register, assigns handlers and reports each year.",
        privileged=True,
    ),
    RoleSpec(
        Role.CHIEF_INTERNAL_AUDITOR,
        "Chief Internal Auditor",
        "Deals with concerns about fraud and financial irregularity.",
        privileged=True,
    ),
    RoleSpec(
        Role.INVESTIGATING_OFFICER,
        "Investigating Officer",
        "Handles only the concerns assigned to them.",
        # They read whistleblowing cases, which can identify the reporter; an administrator
        # who could manage their accounts could take one over and read its cases.
        privileged=True,
    ),
    RoleSpec(
        Role.INFORMATION_ASSET_OWNER,
        "Information Asset Owner",
        "Owns information assets and their risks; gives the SIRO quarterly assurance.",
    ),
    RoleSpec(
        Role.INFORMATION_ASSET_ADMINISTRATOR,
        "Information Asset Administrator",
        "Looks after the assets an Information Asset Owner delegates.",
    ),
    RoleSpec(
        Role.RECORDS_MANAGER,
        "Records Manager",
        "Maintains the whole information asset and risk registers.",
        privileged=True,
    ),
    RoleSpec(
        Role.SIRO,
        "Senior Information Risk Owner",
        "Oversees every information risk; accepts or escalates; receives assurances.",
        privileged=True,
    ),
    RoleSpec(
        Role.GOVERNANCE_LEAD,
        "Governance Lead",
        "Leads the annual review against the Code of Corporate Governance.",
    ),
    RoleSpec(
        Role.DIRECTORATE_LEAD,
        "Directorate Lead",
        "Prepares the directorate's Statement of Internal Control.",
    ),
    RoleSpec(
        Role.AUDITOR,
        "Auditor",
        "Internal or external auditor: read-only dashboards, never whistleblower identities.",
        permissions=_ORGANISATION_VIEW,
    ),
    RoleSpec(
        Role.ADMINISTRATOR,
        "Administrator",
        "Reference data and accounts, through the Django admin.",
        privileged=True,
        permissions=(
            *_ORGANISATION_VIEW,
            "organisation.add_directorate",
            "organisation.change_directorate",
            "organisation.delete_directorate",
            "organisation.add_service",
            "organisation.change_service",
            "organisation.delete_service",
            "organisation.view_user",
            "organisation.add_user",
            "organisation.change_user",
            "organisation.view_twofactorevent",
            "auth.view_group",
        ),
    ),
)

SPECS_BY_ROLE: dict[Role, RoleSpec] = {spec.role: spec for spec in ROLE_SPECS}
ROLE_BY_GROUP_NAME: dict[str, Role] = {spec.name: spec.role for spec in ROLE_SPECS}
PRIVILEGED_ROLES = frozenset(spec.role for spec in ROLE_SPECS if spec.privileged)
#: What an administrator may give without holding it (organisation.policies.AccountPolicy).
GRANTED_BY_ADMINISTRATORS = frozenset(
    spec.role
    for spec in ROLE_SPECS
    if spec.granted_by_administrators
    or (spec.granted_by_administrators is None and not spec.privileged)
)
ADMIN_ROLES = frozenset(spec.role for spec in ROLE_SPECS if spec.permissions)


def group_name(role: Role) -> str:
    return SPECS_BY_ROLE[role].name
