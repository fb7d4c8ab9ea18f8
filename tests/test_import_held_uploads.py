"""An upload awaiting confirmation is kept in the shared file storage, so the
confirming request may reach any app server; it is confirmed once only."""

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from registers.models import Provider
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


def held_files() -> list[str]:
    try:
        return default_storage.listdir("pending-imports")[1]
    except FileNotFoundError:
        return []


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
