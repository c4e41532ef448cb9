"""`{% path 'app:name' pk %}`: `{% url %}` for URLs whose arguments are whole numbers, without
a walk of the URL resolver per link (governance_portal/url_shapes.py)."""

from django import template

from governance_portal.url_shapes import path

register = template.Library()
register.simple_tag(path, name="path")
