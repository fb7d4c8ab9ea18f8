"""UK conventions and production safety of the settings."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "Zq8#pL2$vN5@xR7!mT4%wB9^yH3&cJ6*"


class DateForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("03/04/2025", date(2025, 4, 3)),
        ("3/4/2025", date(2025, 4, 3)),
        ("2025-04-03", date(2025, 4, 3)),
        ("31/12/2025", date(2025, 12, 31)),
    ],
)
def test_dates_are_read_day_first_or_iso(typed, meant):
    with translation.override("en-gb"):
        form = DateForm({"day": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == meant


@pytest.mark.parametrize("typed", ["12/31/2025", "03/04/25", "April 3 2025", "2025/04/03"])
def test_us_order_and_ambiguous_dates_are_refused(typed):
    with translation.override("en-gb"):
        assert not DateForm({"day": typed}).is_valid()


def test_dates_are_shown_dd_mm_yyyy():
    with translation.override("en-gb"):
        assert formats.date_format(date(2025, 4, 3), "SHORT_DATE_FORMAT") == "03/04/2025"
        assert formats.date_format(date(2025, 4, 3)) == "03/04/2025"


def test_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_a_missing_secret_key():
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="portal.example.gov.uk")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    result = run_manage(
        "check",
        DEBUG="false",
        ALLOWED_HOSTS="portal.example.gov.uk",
        SECRET_KEY="development-only-secret-key-do-not-use-in-production",
    )
    assert result.returncode != 0
    assert "development key is refused" in result.stderr


def test_production_refuses_empty_allowed_hosts():
    result = run_manage("check", DEBUG="false", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_with_the_production_environment():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_seed_demo_refuses_to_run_with_debug_off():
    result = run_manage(
        "seed_demo",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.gov.uk",
    )
    assert result.returncode != 0
    assert "refuses to run with DEBUG off" in result.stderr
