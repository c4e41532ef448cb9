"""The one place the portal's account e-mail is written and sent.

Nothing sends mail inside a request: services queue a task (organisation/tasks.py) once
their transaction has committed, and the background worker (`manage.py db_worker`) calls
`send` here. So a request costs the same whether or not a message follows from it (a
password reset for an unknown address answers exactly as fast as for a known one), and a
slow or broken mail relay never holds up a page.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def send(*, to: str, template: str, context: dict) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` and send them to one address."""
    context = {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        **context,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    EmailMessage(subject=subject, body=body, to=[to]).send()
