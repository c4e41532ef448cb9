import contextlib

import psycopg2.errors
import pytest
from django.core.management import call_command
from django.db import connections

from tests.reliability.support import DatabaseServer, Worker, connect, quote


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files and built packs go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def worker(settings):
    """Background tasks wait for the worker, as in production, instead of running inside
    the request that asked for them (the test settings' immediate backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return Worker()


@pytest.fixture(scope="session")
def test_database(django_db_setup, django_db_blocker):
    """The migrated test database. pytest-django creates it only when a collected test asks
    for `db` (or is marked django_db); these tests reach theirs through `live_db`, so a run
    of only them would otherwise copy the unmigrated development database."""
    from django.test.utils import setup_databases, teardown_databases

    connection = connections["default"]
    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        yield
        return
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def live_database(test_database, django_db_blocker):
    """A database of the suite's own on the server the tests use, made once per run as a copy
    of the freshly migrated test database, and dropped at the end.

    Tests that need committed data use it: several connections at once (each sees only what
    the others committed), a connection ended mid-request (it takes its transaction with it,
    so it cannot be the test's own transaction), a live database to back up. It stands in
    for pytest-django's transactional_db, whose flush after every test costs seconds; tests
    here create their own rows and compare before and after, so they need no empty tables.
    """
    settings_dict = connections["default"].settings_dict
    test_database = settings_dict["NAME"]
    name = f"{test_database}_live"
    with django_db_blocker.unblock():
        connections.close_all()  # a template must have no one connected to it
        with contextlib.closing(connect("postgres")) as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
            try:
                cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(test_database)}")
                copied = True
            except psycopg2.errors.ObjectInUse:  # another connection to the test database
                cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE template0")
                copied = False
            # Commits stay atomic and visible at once; only their flush to disk is not waited
            # for, which a throwaway database can spare (on a busy disk it is most of the
            # time these tests take).
            cursor.execute(f"ALTER DATABASE {quote(name)} SET synchronous_commit TO off")
        if not copied:  # the long way: migrate it
            settings_dict["NAME"] = name
            try:
                call_command("migrate", verbosity=0, interactive=False)
            finally:
                connections.close_all()
                settings_dict["NAME"] = test_database
    yield name
    with django_db_blocker.unblock():
        connections.close_all()
        with contextlib.closing(connect("postgres")) as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")


@pytest.fixture
def live_db(live_database, django_db_blocker):
    """Point Django, in every thread, at the live database for this test (the connection
    settings are one dict shared by all threads' connections)."""
    settings_dict = connections["default"].settings_dict
    test_database = settings_dict["NAME"]
    connections.close_all()
    settings_dict["NAME"] = live_database
    try:
        with django_db_blocker.unblock():
            yield live_database
            connections.close_all()
    finally:
        settings_dict["NAME"] = test_database


@pytest.fixture
def server(live_db):
    """The database server, reached on a connection of its own."""
    server = DatabaseServer()
    yield server
    server.close()
