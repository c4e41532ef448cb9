"""Settings for the test suite: the ordinary settings with PORTAL_ENV=test.

pytest-django loads settings before any conftest runs, so the switch has to be made here.
"""

import os

os.environ.setdefault("PORTAL_ENV", "test")

from governance_portal.settings import *  # noqa: F403

# Hashing passwords properly costs ~100 ms a login; the suite logs in thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Query-count tests measure the pages themselves; tests/committees/test_page_cache.py turns
# the page cache on.
PAGE_CACHE_SECONDS = 0
# Each pytest-xdist worker (gw0, gw1, ...) keeps its files in a folder of its own.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
MEDIA_ROOT = BASE_DIR / ".data" / (f"test-media-{_worker}" if _worker else "test-media")  # noqa: F405
# WhiteNoise finds each static file when it is asked for, as in development, instead of
# indexing all of them whenever a middleware chain is built: each test client builds one, so
# the index cost ~40 ms a test.
WHITENOISE_AUTOREFRESH = True
# Two test runs on one server (a developer's and a helper's, say) need their own databases.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
