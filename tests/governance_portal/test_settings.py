"""Production is the default, and refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
STRONG_KEY = "k9$Vq2!pLx7@Rz4#Tn8^Wm1&Yb5*Hc3(Jd6)Fg0_Ks2+Qe9=Ua4-Ov7"
WHISTLEBLOWING = {
    "WHISTLEBLOWING_KEYS": "1:" + "A" * 43 + "=",
    "WHISTLEBLOWING_PEPPER": "p" * 43,
}


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "PORTAL_ENV",
            "SECRET_KEY",
            "DATABASE_URL",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            *WHISTLEBLOWING,
        }
    }
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def database_url():
    db = settings.DATABASES["default"]
    host = db["HOST"].replace("/", "%2F")
    port = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}{port}/{db['NAME']}"


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DATABASE_URL=database_url())
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    result = run_manage("check", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="portal.example")
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example",
        DATABASE_URL=database_url(),
        **WHISTLEBLOWING,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", list(WHISTLEBLOWING))
def test_production_refuses_to_start_without_the_whistleblowing_keys(missing):
    present = {k: v for k, v in WHISTLEBLOWING.items() if k != missing}
    result = run_manage("check", SECRET_KEY=STRONG_KEY, DATABASE_URL=database_url(), **present)
    assert result.returncode != 0
    assert "WHISTLEBLOWING_KEYS and WHISTLEBLOWING_PEPPER must be set" in result.stderr


def test_an_unknown_mode_is_refused():
    result = run_manage("check", PORTAL_ENV="staging", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "PORTAL_ENV must be production, development or test" in result.stderr


@pytest.mark.django_db
def test_demo_data_is_never_loaded_in_production(settings):
    from organisation import demo

    settings.DEMO_MODE = False
    with pytest.raises(RuntimeError, match="never loaded in production"):
        demo.load()
