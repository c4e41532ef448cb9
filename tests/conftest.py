import io
import socket

import pytest
from django.core.management import call_command
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY

from organisation.roles import PRIVILEGED_ROLES, ROLE_SPECS, Role
from tests.factories import TOTPDeviceFactory, UserFactory

ROLES = [spec.role for spec in ROLE_SPECS]


def sign_in(client, user, *, verified: bool | None = None):
    """Sign `user` in on `client`; privileged users also pass two-factor unless told not to."""
    client.force_login(user)
    if verified is None:
        verified = user.needs_two_factor
    if verified:
        device = TOTPDeviceFactory(user=user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(scope="module")
def demo_data_for_module(django_db_setup, django_db_blocker):
    """The demo data (`load_demo`: several seconds, it renders PDFs and builds a pack) loaded
    once for a whole module, in a transaction rolled back after the module's last test.

    Tests use it with the ordinary `db` fixture: each test's transaction is then a savepoint
    inside this one, so what a test changes is rolled back to the freshly loaded data.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def user_with_role(db):
    def make(role: Role | None, **kwargs):
        return UserFactory(roles=[role] if role else [], **kwargs)

    return make


@pytest.fixture
def client_for(client, user_with_role):
    """client_for(Role.AUDITOR) -> a test client signed in with that role (and two-factor
    for privileged roles); client_for(None) -> anonymous."""

    def make(role: Role | None):
        if role is None:
            return client
        return sign_in(client, user_with_role(role))

    return make


@pytest.fixture(params=ROLES, ids=[r.value for r in ROLES])
def any_role(request):
    return request.param


@pytest.fixture(params=sorted(PRIVILEGED_ROLES), ids=[r.value for r in sorted(PRIVILEGED_ROLES)])
def privileged_role(request):
    return request.param


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port; the portal sends mail to it.
    Yields the list of received messages (email.message.EmailMessage)."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(message_from_bytes(envelope.original_content, policy=policy.default))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    try:
        yield received
    finally:
        controller.stop()
