"""An export of a long list is written by a worker: the request records the
list's rows (as filtered and sorted) and the user's columns, the job's page
shows progress, then a download only its user gets. The tests use django-tasks'
immediate backend, which runs a task when it is enqueued (after commit)."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm
from openpyxl import load_workbook

from registers.models import ExportJob, ExportJobStatus
from registers.services.daily import daily_jobs_run
from registers.services.export_jobs import exports_delete_stale
from tests.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings):
    # More than 3 rows counts as long here (5,000 in production).
    settings.EXPORT_BACKGROUND_ROWS = 3


def export(client, capture, model="provider", file_format="0", query=""):
    with capture(execute=True):
        return client.post(
            reverse(f"admin:registers_{model}_export") + query,
            {"format": file_format, "resource": "0"},
        )


def download(client, job):
    return client.get(reverse("admin:registers_exportjob_download", args=[job.pk]))


def test_a_long_list_is_exported_by_a_worker_as_the_request_would_have(
    auditor, client_for, django_capture_on_commit_callbacks, settings
):
    for name in ("Delta Care", "Alpha Care", "Charlie Care", "Bravo Care", "=Evil()"):
        ProviderFactory(name=name)
    client = client_for(auditor)
    query = "?q=Care&o=-1"  # searched and sorted: the worker keeps both
    response = export(client, django_capture_on_commit_callbacks, query=query)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:registers_exportjob_progress", args=[job.pk])
    assert job.status == ExportJobStatus.DONE
    assert (job.rows_done, job.rows_total) == (4, 4)
    page = client.get(response.url).content.decode()
    assert f"Download {job.file_name}" in page
    written = download(client, job).content.decode("utf-8-sig")
    settings.EXPORT_BACKGROUND_ROWS = 100
    in_request = export(client, django_capture_on_commit_callbacks, query=query)
    assert written == in_request.content.decode("utf-8-sig")
    lines = written.strip().splitlines()
    assert lines[0].startswith("Name,Trading name,Companies House number")
    assert sorted(line.split(",")[0] for line in lines[1:]) == [
        "Alpha Care",
        "Bravo Care",
        "Charlie Care",
        "Delta Care",
    ]


def test_formulae_are_written_as_text_by_the_worker(
    auditor, client_for, django_capture_on_commit_callbacks
):
    ProviderFactory.create_batch(4)
    ProviderFactory(name="=Evil()")
    client = client_for(auditor)
    export(client, django_capture_on_commit_callbacks)
    text = download(client, ExportJob.objects.get()).content.decode("utf-8-sig")
    assert "'=Evil()" in text


def test_a_short_list_is_still_exported_in_the_request(
    auditor, client_for, django_capture_on_commit_callbacks
):
    ProviderFactory.create_batch(3)
    response = export(client_for(auditor), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not ExportJob.objects.exists()


def test_the_worker_exports_only_rows_and_columns_the_user_could_see(
    make_user, client_for, django_capture_on_commit_callbacks
):
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="export_contract"))
    for n in range(5):
        assign_perm("registers.view_contract", user, ContractFactory(reference=f"C-SEEN-{n}"))
    ContractFactory(reference="C-HIDDEN")
    client = client_for(user)
    export(client, django_capture_on_commit_callbacks, model="contract", file_format="1")
    job = ExportJob.objects.get()
    sheet = load_workbook(io.BytesIO(download(client, job).content)).active
    references = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert references == [f"C-SEEN-{n}" for n in range(5)]


def test_only_its_user_with_the_export_permission_downloads_it(
    auditor, make_user, client_for, django_capture_on_commit_callbacks
):
    ProviderFactory.create_batch(5)
    client = client_for(auditor)
    export(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    other = client_for(make_user("Auditor", username="t_auditor2"))
    assert download(other, job).status_code == 404
    assert (
        other.get(reverse("admin:registers_exportjob_progress", args=[job.pk])).status_code == 404
    )
    auditor.groups.first().permissions.remove(Permission.objects.get(codename="export_provider"))
    assert download(client_for(auditor), job).status_code == 403


def test_the_daily_job_deletes_exports_older_than_the_limit(
    auditor, client_for, django_capture_on_commit_callbacks, settings
):
    ProviderFactory.create_batch(5)
    client = client_for(auditor)
    export(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    stored = job.stored_name
    assert default_storage.exists(stored)
    assert exports_delete_stale() == 0  # still fresh
    ExportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - timedelta(hours=settings.EXPORT_KEEP_HOURS, minutes=1)
    )
    report = daily_jobs_run()
    assert f"Exports older than {settings.EXPORT_KEEP_HOURS} hours, deleted: 1." in report
    assert not default_storage.exists(stored)
    assert download(client, job).status_code == 404
    page = client.get(reverse("admin:registers_exportjob_progress", args=[job.pk]))
    assert "deleted for its age" in page.content.decode()
