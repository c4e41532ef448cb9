"""The service navigation: each person sees only the sections their roles open to them.

Each app adds its sections here, with the policy that decides who sees them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from committees import policies as committee_policies
from governance_portal.url_shapes import path
from organisation import policies
from whistleblowing.policies import ConcernAction
from whistleblowing.policies import concerns as concern_policy


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[object], bool]


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "home", lambda user: True),
    NavItem("Meetings", "committees:meetings", lambda user: True),
    # Raising a whistleblowing concern is open to everyone, signed in or not (policy 9).
    NavItem(
        "Whistleblowing",
        "whistleblowing:start",
        lambda user: concern_policy.can(user, ConcernAction.RAISE),
    ),
    NavItem("Council structure", "organisation:structure", policies.council_structure.can_view),
    NavItem("Manage meetings", "manage:meetings", committee_policies.committee_business.can_view),
    NavItem(
        "Whistleblowing register",
        "concerns:register",
        lambda user: concern_policy.can(user, ConcernAction.REGISTER),
    ),
    NavItem("Your account", "account", policies.is_signed_in),
    NavItem("Admin", "admin:index", policies.admin_site.can_view),
    NavItem("Sign in", "login", lambda user: not policies.is_signed_in(user)),
)


def items_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    items = []
    for item in NAVIGATION:
        if not item.visible(user):
            continue
        url = path(item.url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    # One section is current: the one whose address is the longest part of this page's (the
    # whistleblowing register's pages are also under /whistleblowing/).
    current = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is current
    return items
