"""`reverse()` for URLs without arguments or whose arguments are whole numbers, at a fraction
of the cost.

A page of agenda items builds ~10 links an item, an OParl list or a calendar thousands, and
`reverse()` walks the URL resolver for each (~40 µs). The URL's shape is found once per
process (and script prefix) with stand-in numbers, then filled in with each object's
numbers; a URL without arguments (the header, footer and navigation of every page) is
reversed once. Anything else (other arguments, negative numbers) goes to `reverse()`.
`{% path %}` in templates (organisation/templatetags/portal_urls.py) is this.
"""

from django.urls import get_script_prefix, reverse

#: Numbers no real argument has, to find where the arguments go in the URL.
_STAND_INS = (7_390_215_846_011, 7_390_215_846_022, 7_390_215_846_033)
_shapes: dict[tuple, str] = {}


def _whole(value) -> bool:
    return type(value) is int and value >= 0


def path(view_name: str, *args, **kwargs) -> str:
    """What reverse(view_name, args=args) or reverse(view_name, kwargs=kwargs) gives."""
    values = args or tuple(kwargs.values())
    if not values:
        key = (get_script_prefix(), view_name)
        if key not in _shapes:
            _shapes[key] = reverse(view_name)
        return _shapes[key]
    if (args and kwargs) or len(values) > len(_STAND_INS) or not all(_whole(v) for v in values):
        return reverse(view_name, args=args or None, kwargs=kwargs or None)
    names = tuple(kwargs)
    key = (get_script_prefix(), view_name, len(args), names)
    shape = _shapes.get(key)
    if shape is None:
        stand_ins = _STAND_INS[: len(values)]
        if names:
            shape = reverse(view_name, kwargs=dict(zip(names, stand_ins, strict=True)))
        else:
            shape = reverse(view_name, args=stand_ins)
        shape = shape.replace("{", "{{").replace("}", "}}")
        for index, stand_in in enumerate(stand_ins):
            shape = shape.replace(str(stand_in), f"{{{index}}}")
        _shapes[key] = shape
    return shape.format(*values)
