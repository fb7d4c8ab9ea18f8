"""A large upload is checked on a worker too: no request parses it. The job's
page shows the preview when the check is done, and the same job imports the
held file once its user confirms, or deletes it if they cancel. The tests use
django-tasks' immediate backend, which runs a task when it is enqueued (after
commit)."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.urls import reverse

from registers.models import ImportJob, ImportJobStatus, Provider
from registers.services.providers import provider_save
from tests.factories import ProviderFactory
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db

ROWS = 5


@pytest.fixture(autouse=True)
def tiny_thresholds(settings):
    # Every upload counts as large here (256 KiB in production).
    settings.IMPORT_PREVIEW_BACKGROUND_BYTES = 10
    settings.IMPORT_BACKGROUND_ROWS = 3


def providers_file(rows=None) -> io.BytesIO:
    rows = rows or [[f"Provider {n} Ltd", "Sefton"] for n in range(ROWS)]
    file = io.BytesIO(csv_bytes([["Name", "Town"], *rows]))
    file.name = "providers.csv"
    return file


def held_files() -> list[str]:
    try:
        return default_storage.listdir("pending-imports")[1]
    except FileNotFoundError:
        return []


def upload(client, capture, file=None):
    with capture(execute=True):
        return client.post(
            reverse("admin:registers_provider_import"),
            {"import_file": file or providers_file(), "format": "0", "resource": "0"},
        )


def decide(client, capture, job, cancel=False):
    data = {"cancel": "1"} if cancel else {}
    with capture(execute=True):
        return client.post(reverse("admin:registers_importjob_confirm", args=[job.pk]), data)


def test_a_large_upload_is_checked_on_a_worker_and_shows_its_preview(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    response = upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:registers_importjob_progress", args=[job.pk])
    assert job.status == ImportJobStatus.PREVIEWED
    assert (job.rows_done, job.rows_total) == (ROWS, ROWS)
    assert Provider.objects.count() == 0
    page = client.get(response.url).content.decode()
    assert "Preview: nothing has been written yet" in page
    assert "Confirm and import providers.csv" in page
    assert "Provider 0 Ltd" in page
    status = client.get(reverse("admin:registers_importjob_status", args=[job.pk])).json()
    assert status["finished"] is True  # the page stops polling and shows the preview


def test_confirming_the_preview_imports_the_held_file_and_deletes_it(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    before = held_files()
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert len(held_files()) == len(before) + 2  # the file and its preview's versions
    response = decide(client, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    assert response.url == reverse("admin:registers_importjob_progress", args=[job.pk])
    assert job.status == ImportJobStatus.DONE
    assert Provider.objects.count() == ROWS
    assert held_files() == before
    assert f"Providers: {ROWS} created" in client.get(response.url).content.decode()
    # Confirming again does nothing more.
    decide(client, django_capture_on_commit_callbacks, job)
    assert Provider.objects.count() == ROWS


def test_cancelling_the_preview_writes_nothing_and_deletes_the_upload(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    before = held_files()
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    response = decide(client, django_capture_on_commit_callbacks, job, cancel=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.CANCELLED
    assert response.url == reverse("admin:registers_provider_changelist")
    assert held_files() == before
    assert Provider.objects.count() == 0
    page = client.get(reverse("admin:registers_importjob_progress", args=[job.pk]))
    assert "was cancelled: nothing has been written" in page.content.decode()
    # A cancelled preview cannot be confirmed afterwards.
    decide(client, django_capture_on_commit_callbacks, job)
    assert Provider.objects.count() == 0


def test_a_file_with_problems_lists_them_after_the_check_and_keeps_nothing(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    before = held_files()
    bad = providers_file([["Good Ltd", "Sefton"], ["", "Sefton"]])
    response = upload(client, django_capture_on_commit_callbacks, bad)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    assert held_files() == before
    page = client.get(response.url).content.decode()
    assert "Nothing was imported: the file has problems" in page
    assert "Row 3" in page
    assert Provider.objects.count() == 0


def test_a_record_changed_after_the_preview_stops_the_import(
    manager, client_for, django_capture_on_commit_callbacks
):
    provider = ProviderFactory(name="Provider 1 Ltd", town="Bootle")
    client = client_for(manager)
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    provider.town = "Crosby"
    provider_save(provider=provider, user=manager, reason="Moved")
    decide(client, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert Provider.objects.count() == 1
    page = client.get(reverse("admin:registers_importjob_progress", args=[job.pk]))
    assert "changed after your preview" in page.content.decode()


def test_only_its_user_with_the_import_permission_can_confirm_it(
    manager, make_user, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    confirm_url = reverse("admin:registers_importjob_confirm", args=[job.pk])
    other = client_for(make_user("Manager", username="t_manager2"))
    assert other.post(confirm_url).status_code == 404
    assert client.get(confirm_url).status_code == 405
    # The import permission withdrawn since the upload: refused, nothing written.
    manager.groups.first().permissions.remove(Permission.objects.get(codename="import_provider"))
    refused = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert refused.post(confirm_url).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEWED
    assert Provider.objects.count() == 0


def test_an_upload_deleted_for_its_age_says_so_on_confirmation(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    for name in held_files():
        default_storage.delete(f"pending-imports/{name}")
    decide(client, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert "no longer available" in job.error
    assert Provider.objects.count() == 0
