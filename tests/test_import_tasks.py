"""A large import runs as a background task: the confirming request only
queues it, the worker records its progress, and its page shows the result,
or the error with nothing written. The tests use django-tasks' immediate
backend, which runs the task when it is enqueued (after commit)."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registers.models import ImportJob, ImportJobStatus, Provider
from registers.services import import_jobs, imports
from registers.services.providers import provider_save
from tests.factories import ProviderFactory
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db

ROWS = 5


@pytest.fixture(autouse=True)
def small_threshold(settings):
    # Anything over 3 rows counts as large here (2,000 in production).
    settings.IMPORT_BACKGROUND_ROWS = 3


def providers_file(rows: int = ROWS) -> io.BytesIO:
    data = [["Name", "Town"]] + [[f"Provider {n} Ltd", "Sefton"] for n in range(rows)]
    file = io.BytesIO(csv_bytes(data))
    file.name = "providers.csv"
    return file


def held_files() -> list[str]:
    try:
        return default_storage.listdir("pending-imports")[1]
    except FileNotFoundError:
        return []


def preview(client, rows: int = ROWS) -> str:
    response = client.post(
        reverse("admin:registers_provider_import"),
        {"import_file": providers_file(rows), "format": "0", "resource": "0"},
    )
    assert response.context["result"].ok
    return response.context["confirm_token"]


def confirm(client, token: str, capture):
    with capture(execute=True):
        return client.post(reverse("admin:registers_provider_process_import"), {"token": token})


def test_a_large_import_runs_as_a_task_and_shows_its_result(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    before = held_files()
    token = preview(client)
    response = confirm(client, token, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:registers_importjob_progress", args=[job.pk])
    assert job.status == ImportJobStatus.DONE
    assert job.task_id
    assert (job.rows_done, job.rows_total) == (ROWS, ROWS)
    assert Provider.objects.count() == ROWS
    # The worker took the held upload; nothing waits in storage.
    assert held_files() == before
    page = client.get(response.url).content.decode()
    assert f"Providers: {ROWS} created" in page
    status = client.get(reverse("admin:registers_importjob_status", args=[job.pk])).json()
    assert status == {
        "status": "done",
        "label": "Imported",
        "rows_done": ROWS,
        "rows_total": ROWS,
        "percent": 100,
        "finished": True,
        "stalled_note": "",
    }


def test_a_small_import_stays_in_the_request(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    token = preview(client, rows=3)
    response = confirm(client, token, django_capture_on_commit_callbacks)
    assert response.url == reverse("admin:registers_provider_changelist")
    assert not ImportJob.objects.exists()
    assert Provider.objects.count() == 3


def test_the_task_records_its_progress_as_it_goes(
    manager, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    record = import_jobs.import_job_progress

    def spy(**kwargs):
        record(**kwargs)
        job = ImportJob.objects.get(pk=kwargs["job_id"])
        seen.append((job.status, job.rows_done, job.rows_total, Provider.objects.count()))

    monkeypatch.setattr(import_jobs, "import_job_progress", spy)
    client = client_for(manager)
    confirm(client, preview(client), django_capture_on_commit_callbacks)
    assert seen == [
        ("reading", 0, ROWS, 0),
        ("checking", 0, ROWS, 0),
        ("checking", ROWS, ROWS, 0),
        ("writing", ROWS, ROWS, 0),
    ]
    assert ImportJob.objects.get().status == ImportJobStatus.DONE


def test_a_failed_task_writes_nothing_and_shows_its_error_to_its_user(
    manager, make_user, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    check, write = imports.SERVICES[Provider]

    def write_then_fail(**kwargs):
        write(**kwargs)
        assert Provider.objects.count() == ROWS  # written, inside the import's transaction
        raise RuntimeError("disk full")

    monkeypatch.setitem(imports.SERVICES, Provider, (check, write_then_fail))
    client = client_for(manager)
    before = held_files()
    response = confirm(client, preview(client), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    assert Provider.objects.count() == 0
    assert held_files() == before
    page = client.get(response.url).content.decode()
    assert "was not imported: nothing has been written" in page
    assert "The import failed on the server and nothing was imported (disk full)." in page
    # Another manager cannot see it.
    other = Client()
    other.force_login(make_user("Manager", username="t_manager2"))
    assert other.get(response.url).status_code == 404
    status_url = reverse("admin:registers_importjob_status", args=[job.pk])
    assert other.get(status_url).status_code == 404
    assert (
        "providers.csv"
        not in other.get(reverse("admin:registers_importjob_changelist")).content.decode()
    )
    assert (
        "providers.csv"
        in client.get(reverse("admin:registers_importjob_changelist")).content.decode()
    )


def test_a_file_refused_by_the_worker_lists_its_problems(
    manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    token = preview(client)
    # Between the check and the worker's run, two providers of a name in the file appear.
    ProviderFactory(name="Provider 2 Ltd")
    ProviderFactory(name="Provider 2 Ltd")
    response = confirm(client, token, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    assert Provider.objects.count() == 2
    page = client.get(response.url).content.decode()
    assert "Nothing was imported: the file has problems" in page
    assert "Row 4, column “Name”: matches 2 providers of that name" in page


def test_a_job_whose_worker_stopped_says_so_on_its_page(manager, client_for):
    job = import_jobs.import_job_create(
        user=manager,
        spec_path="registers.importing.specs.providers.ProviderSpec",
        held_name="pending-imports/gone",
        file_name="providers.csv",
        rows_total=ROWS,
    )
    import_jobs.import_job_progress(job_id=job.pk, stage="checking", done=0, total=ROWS)
    client = client_for(manager)
    page_url = reverse("admin:registers_importjob_progress", args=[job.pk])
    status_url = reverse("admin:registers_importjob_status", args=[job.pk])
    # Progress just recorded: nothing to worry anyone about.
    assert client.get(status_url).json()["stalled_note"] == ""
    # The worker was killed: its last progress is 25 minutes old (the limit is 10).
    ImportJob.objects.filter(pk=job.pk).update(
        progressed_at=timezone.now() - timedelta(minutes=25, seconds=5)
    )
    note = "No progress for 25 minutes: the worker may have stopped; ask an administrator."
    assert note in client.get(page_url).content.decode()
    assert client.get(status_url).json()["stalled_note"] == note


def test_a_job_no_worker_took_says_so_on_its_page(manager, client_for):
    job = import_jobs.import_job_create(
        user=manager,
        spec_path="registers.importing.specs.providers.ProviderSpec",
        held_name="pending-imports/waiting",
        file_name="providers.csv",
        rows_total=ROWS,
    )
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(minutes=40, seconds=5)
    )
    page = (
        client_for(manager)
        .get(reverse("admin:registers_importjob_progress", args=[job.pk]))
        .content.decode()
    )
    assert "Waiting for a worker: 0 of 5 rows (0%)" in page
    assert "No worker has taken this import in 40 minutes: none may be running" in page


def test_a_large_import_whose_records_changed_since_the_preview_writes_nothing(
    manager, make_user, client_for, django_capture_on_commit_callbacks
):
    """The worker checks the preview's versions as a small import's request does."""
    providers = [ProviderFactory(name=f"Provider {n} Ltd", town="Wigan") for n in range(ROWS)]
    client = client_for(manager)
    token = preview(client)
    colleague = make_user("Manager", username="t_colleague")
    providers[2].town = "Leeds"
    provider_save(provider=providers[2], user=colleague)
    confirm(client, token, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    page = client.get(reverse("admin:registers_importjob_progress", args=[job.pk]))
    assert "changed after your preview" in page.content.decode()
    assert sorted(Provider.objects.values_list("town", flat=True)) == ["Leeds"] + ["Wigan"] * 4
