"""Every URL the project has, for every role and for anonymous visitors, against one table.

The table is assembled from each app's `permission_rows*.py`. A URL pattern missing from it
fails the test, so every new page must state who may reach it.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.conftest import sign_in
from tests.permissions import ANON, EVERYONE, account_for


def _collect_rows():
    rows = {}
    for module_info in pkgutil.walk_packages(tests.__path__, "tests."):
        if module_info.name.rsplit(".", 1)[-1].startswith("permission_rows"):
            module = importlib.import_module(module_info.name)
            overlap = rows.keys() & module.ROWS.keys()
            assert not overlap, f"{module_info.name} repeats rows: {sorted(overlap)}"
            rows.update(module.ROWS)
    return rows


EXPECTED = _collect_rows()

# The admin's many generated pages follow Django's model permissions; the table lists its
# entry points, on which roles differ.
SKIPPED_NAMESPACES = {"admin"}


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _all_url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_table():
    names = {n for n in _all_url_names() if n.split(":")[0] not in SKIPPED_NAMESPACES}
    missing = sorted(names - EXPECTED.keys())
    assert not missing, f"URLs with no row in the permission matrix: {missing}"


def _outcome(response):
    # The admin sends visitors to its own login URL first, which forwards to /sign-in/.
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(("/sign-in/", "/admin/login/")):
        return "login"
    return response.status_code


@pytest.mark.parametrize("url_name", sorted(EXPECTED), ids=sorted(EXPECTED))
@pytest.mark.parametrize("who", EVERYONE, ids=[str(w) for w in EVERYONE])
def test_permission_matrix(client, db, url_name, who):
    kwargs_builder, row = EXPECTED[url_name]
    url = reverse(url_name, kwargs=kwargs_builder() if kwargs_builder else None)
    if who != ANON:
        sign_in(client, account_for(who))
    response = client.get(url)
    assert _outcome(response) == row[who], f"{url_name} as {who}: got {response.status_code}"
