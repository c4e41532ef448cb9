"""`{% path %}` gives exactly what `{% url %}` gives, for every URL of whole-number arguments."""

import pytest
from django.template import Context, Template
from django.urls import URLPattern, URLResolver, get_resolver, reverse, set_script_prefix
from django.urls.exceptions import NoReverseMatch

from organisation.templatetags import portal_urls


def _named_int_patterns(resolver=None, namespace=""):
    """(name, number of int arguments) for every named pattern whose arguments are all ints."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_int_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if converters and all(type(c).__name__ == "IntConverter" for c in converters.values()):
                yield f"{namespace}{entry.name}", len(converters)


PATTERNS = sorted(set(_named_int_patterns()))


def test_there_are_patterns_to_check():
    assert any(name.startswith("manage:") for name, _ in PATTERNS)


@pytest.mark.parametrize(("name", "count"), PATTERNS, ids=[name for name, _ in PATTERNS])
@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_path_is_what_reverse_gives(name, count, prefix):
    set_script_prefix(prefix)
    try:
        for args in [(0,) * count, tuple(range(1, count + 1)), (10**12,) * count]:
            try:
                expected = reverse(name, args=args)
            except NoReverseMatch:  # a pattern that takes keyword arguments only
                continue
            assert portal_urls.path(name, *args) == expected
    finally:
        set_script_prefix("/")


def test_other_arguments_go_to_reverse():
    with pytest.raises(NoReverseMatch):
        portal_urls.path("manage:meeting", -1)
    with pytest.raises(NoReverseMatch):
        portal_urls.path("manage:meeting", "not a number")
    assert portal_urls.path("manage:meeting", "7") == reverse("manage:meeting", args=["7"])


def test_the_tag_in_a_template():
    rendered = Template("{% load portal_urls %}{% path 'manage:meeting' pk %}").render(
        Context({"pk": 42})
    )
    assert rendered == reverse("manage:meeting", args=[42])
