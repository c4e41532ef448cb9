"""The handlers' pages (/whistleblowing/register/): the register for the Monitoring Officer,
the Chief Internal Auditor and investigating officers; a case for those it is for (the
Monitoring Officer every one, the Chief Internal Auditor the fraud route, an investigator
only the cases they are appointed to, which a new account never is); the export and the log
of openings for the Monitoring Officer alone. Everyone else signed in gets a 404, never a
403 (ConcernPolicy hides existence); anonymous visitors are sent to sign in."""

from organisation.roles import Role
from tests.permissions import outcome, roles_only
from tests.whistleblowing.handle_support import close, evidence, monitoring_officer, raise_concern

MO = Role.MONITORING_OFFICER.value
CIA = Role.CHIEF_INTERNAL_AUDITOR.value
HANDLERS = [Role.MONITORING_OFFICER, Role.CHIEF_INTERNAL_AUDITOR, Role.INVESTIGATING_OFFICER]


def _concern():
    return {"pk": raise_concern().pk}


def _fraud():
    return {"pk": raise_concern(ground="fraud").pk}


def _closed():
    concern = raise_concern()
    close(concern, monitoring_officer())
    return {"pk": concern.pk}


def _file():
    return {"pk": raise_concern(files=evidence()).attachments.get().pk}


def mo_only():
    return outcome(404, anonymous="login", **{MO: 200})


def mo_and_cia():
    return outcome(404, anonymous="login", **{MO: 200, CIA: 200})


ROWS = {
    "concerns:register": (None, roles_only(HANDLERS, others=404)),
    "concerns:export": (None, mo_only()),
    "concerns:case": (_fraud, mo_and_cia()),
    "concerns:openings": (_fraud, mo_only()),
    "concerns:acknowledge": (_concern, mo_only()),
    "concerns:appoint": (_fraud, mo_and_cia()),
    "concerns:reroute": (_concern, mo_only()),
    "concerns:triage": (_fraud, mo_and_cia()),
    "concerns:meeting": (_concern, mo_only()),
    "concerns:note": (_fraud, mo_and_cia()),
    "concerns:message": (_concern, mo_only()),
    "concerns:close": (_concern, mo_only()),
    "concerns:reopen": (_closed, mo_only()),
    "concerns:file": (_file, mo_only()),
}
