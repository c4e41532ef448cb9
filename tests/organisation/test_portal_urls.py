"""url_shapes.path (and `{% path %}`) gives exactly what reverse() gives, for every URL of
whole-number arguments."""

import pytest
from django.template import Context, Template
from django.urls import URLPattern, URLResolver, get_resolver, reverse, set_script_prefix
from django.urls.exceptions import NoReverseMatch

from governance_portal.url_shapes import path


def _named_int_patterns(resolver=None, namespace=""):
    """(name, number of int arguments) for every named pattern whose arguments are all ints."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_int_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if converters and all(type(c).__name__ == "IntConverter" for c in converters.values()):
                yield f"{namespace}{entry.name}", tuple(converters)


PATTERNS = sorted(set(_named_int_patterns()))


def test_there_are_patterns_to_check():
    assert any(name.startswith("manage:") for name, _ in PATTERNS)


@pytest.mark.parametrize(("name", "names"), PATTERNS, ids=[name for name, _ in PATTERNS])
@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_path_is_what_reverse_gives(name, names, prefix):
    set_script_prefix(prefix)
    try:
        for args in [(0,) * len(names), tuple(range(1, len(names) + 1)), (10**12,) * len(names)]:
            assert path(name, *args) == reverse(name, args=args)
            kwargs = dict(zip(names, args, strict=True))
            assert path(name, **kwargs) == reverse(name, kwargs=kwargs)
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_a_url_without_arguments_is_what_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        for name in ["home", "login", "logout", "accessibility", "manage:meetings"]:
            assert path(name) == path(name) == reverse(name)
    finally:
        set_script_prefix("/")


def test_other_arguments_go_to_reverse():
    with pytest.raises(NoReverseMatch):
        path("manage:meeting", -1)
    with pytest.raises(NoReverseMatch):
        path("manage:meeting", "not a number")
    assert path("manage:meeting", "7") == reverse("manage:meeting", args=["7"])


def test_the_tag_in_a_template():
    rendered = Template("{% load portal_urls %}{% path 'manage:meeting' pk %}").render(
        Context({"pk": 42})
    )
    assert rendered == reverse("manage:meeting", args=[42])
