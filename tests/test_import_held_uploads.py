"""An upload awaiting confirmation is kept in the shared file storage, so the
confirming request may reach any app server; it is confirmed once only, deleted
when the user cancels, and deleted by the daily job once older than a day."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from registers.models import Provider
from registers.services.held_uploads import held_upload_save, held_uploads_delete_stale
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_storage(settings):
    """A fresh default storage: other tests' unconfirmed previews are not counted."""
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"]}}


def held_files() -> list[str]:
    try:
        names = default_storage.listdir("pending-imports")[1]
    except FileNotFoundError:
        return []
    # Each upload is the file and the versions of the records its preview showed.
    assert len(names) % 2 == 0
    return sorted(name for name in names if not name.endswith(".versions.json"))


def test_the_checked_file_waits_in_shared_storage_until_confirmed(manager, client_for):
    client = client_for(manager)
    file = io.BytesIO(csv_bytes([["Name", "Town"], ["New Ltd", "Sefton"]]))
    file.name = "providers.csv"
    before = held_files()
    preview = client.post(
        reverse("admin:registers_provider_import"),
        {"import_file": file, "format": "0", "resource": "0"},
    )
    token = preview.context["confirm_token"]
    assert len(held_files()) == len(before) + 1
    confirm = reverse("admin:registers_provider_process_import")
    assert client.post(confirm, {"token": token}).status_code == 302
    assert held_files() == before
    assert Provider.objects.count() == 1
    again = client.post(confirm, {"token": token}, follow=True)
    assert "expired or was already confirmed" in again.content.decode()
    assert Provider.objects.count() == 1


def preview(client):
    file = io.BytesIO(csv_bytes([["Name", "Town"], ["New Ltd", "Sefton"]]))
    file.name = "providers.csv"
    return client.post(
        reverse("admin:registers_provider_import"),
        {"import_file": file, "format": "0", "resource": "0"},
    )


def test_cancel_deletes_the_held_upload_and_imports_nothing(manager, client_for):
    client = client_for(manager)
    before = held_files()
    page = preview(client)
    assert "Cancel and delete the upload" in page.content.decode()
    token = page.context["confirm_token"]
    assert len(held_files()) > len(before)
    confirm = reverse("admin:registers_provider_process_import")
    cancelled = client.post(confirm, {"token": token, "cancel": "1"}, follow=True)
    assert "cancelled: nothing was imported" in cancelled.content.decode()
    assert held_files() == before
    assert Provider.objects.count() == 0
    # The token is spent: confirming afterwards imports nothing.
    again = client.post(confirm, {"token": token}, follow=True)
    assert "expired or was already confirmed" in again.content.decode()
    assert Provider.objects.count() == 0


def test_uploads_pushed_out_of_the_session_are_deleted(manager, client_for):
    client = client_for(manager)
    before = held_files()
    for _ in range(7):
        preview(client)
    # Five wait for confirmation; the two oldest are gone.
    assert len(held_files()) == len(before) + 5


def test_the_daily_job_deletes_uploads_older_than_a_day(settings):
    assert settings.IMPORT_HELD_HOURS == 24
    old = held_upload_save(data=b"Name\nOld Ltd\n", versions={})
    later = timezone.now() + timedelta(hours=2)
    # The test storage (in memory) stamps its files with its own clock.
    with mock.patch("django.core.files.storage.memory.now", return_value=later):
        recent = held_upload_save(data=b"Name\nRecent Ltd\n", versions={})
    assert held_uploads_delete_stale(now=later + timedelta(hours=23)) == 1
    assert not default_storage.exists(old)
    assert not default_storage.exists(old + ".versions.json")
    assert default_storage.exists(recent)
    # The daily command runs the same step and says what it did.
    out = io.StringIO()
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(hours=25)):
        call_command("run_daily_jobs", stdout=out)
    assert "Imports not confirmed within 24 hours, deleted: 1." in out.getvalue()
    assert not default_storage.exists(recent)
    assert held_files() == []


def test_the_age_is_a_setting(settings):
    settings.IMPORT_HELD_HOURS = 2
    name = held_upload_save(data=b"Name\n", versions={})
    assert held_uploads_delete_stale(now=timezone.now() + timedelta(hours=1)) == 0
    assert held_uploads_delete_stale(now=timezone.now() + timedelta(hours=3)) == 1
    assert not default_storage.exists(name)


def test_a_confirm_after_the_daily_job_deleted_the_upload_says_so(manager, client_for):
    client = client_for(manager)
    token = preview(client).context["confirm_token"]
    held_uploads_delete_stale(now=timezone.now() + timedelta(hours=25))
    response = client.post(
        reverse("admin:registers_provider_process_import"), {"token": token}, follow=True
    )
    assert "no longer available" in response.content.decode()
    assert Provider.objects.count() == 0
