"""A manager confirms a large import: the page shows a progress bar while a
worker (django-tasks-db's db_worker) runs it, then the result."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from registers import roles
from registers.models import ImportJob, Provider
from registers.services.import_jobs import import_job_progress
from tests.browser.conftest import serious_violations
from tests.spreadsheets import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 40


def test_manager_confirms_a_large_import_and_sees_progress_then_the_result(
    login, live_server, shots, make_user, tmp_path, settings
):
    # The real database queue and worker; "large" lowered from 2,000 rows.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_BACKGROUND_ROWS = 10
    make_user(roles.MANAGER, username="manager")
    path = tmp_path / "providers large.csv"
    rows = [["Name", "Town"]] + [[f"Provider {n:02} Ltd", "Preston"] for n in range(ROWS)]
    path.write_bytes(csv_bytes(rows))

    page = login("manager")
    # The page polls its status with fetch(): the portal's CSP (connect-src 'self') must allow it.
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/admin/registers/provider/import/")
    page.set_input_files('input[type="file"]', str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Preview: nothing has been written yet")).to_be_visible()
    with page.expect_response(re.compile(r"/importjob/\d+/progress/$")) as progress:
        page.get_by_role("button", name=re.compile("Confirm and import")).click()
    assert "connect-src 'self'" in progress.value.headers["content-security-policy"]

    # Queued: the request only recorded the job; no worker has run yet.
    expect(page.get_by_role("heading", name="The import is running on the server")).to_be_visible()
    bar = page.locator("progress#import-progress-bar")
    expect(bar).to_be_visible()
    expect(page.get_by_test_id("import-progress-text")).to_contain_text(
        f"Waiting for a worker: 0 of {ROWS} rows (0%)"
    )
    shots(page, "import-progress-queued")
    assert serious_violations(page) == []
    assert Provider.objects.count() == 0
    assert ImportJob.objects.get().status == "queued"

    # The bar follows what the worker records, without reloading the page.
    job = ImportJob.objects.get()
    import_job_progress(job_id=job.pk, stage="checking", done=ROWS // 2, total=ROWS)
    expect(page.get_by_test_id("import-progress-text")).to_contain_text(
        f"Checking rows: {ROWS // 2} of {ROWS} rows (50%)"
    )
    expect(bar).to_have_attribute("value", "50")
    shots(page, "import-progress-half")
    import_job_progress(job_id=job.pk, stage="queued", done=0, total=ROWS)

    # A worker takes the queue; the page notices by itself and shows the result.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    expect(page.get_by_role("heading", name="Imported providers large.csv")).to_be_visible(
        timeout=15_000
    )
    expect(page.get_by_test_id("import-job-result")).to_contain_text(f"Providers: {ROWS} created")
    shots(page, "import-progress-done")
    assert serious_violations(page) == []
    assert Provider.objects.count() == ROWS
    assert csp_errors == []
    page.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_role("link", name="Provider 00 Ltd")).to_be_visible()


def test_a_large_upload_is_checked_by_a_worker_then_confirmed_on_its_page(
    login, live_server, shots, make_user, tmp_path, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_PREVIEW_BACKGROUND_BYTES = 100
    settings.IMPORT_BACKGROUND_ROWS = 10
    make_user(roles.MANAGER, username="manager")
    path = tmp_path / "providers huge.csv"
    rows = [["Name", "Town"]] + [[f"Provider {n:02} Ltd", "Preston"] for n in range(ROWS)]
    path.write_bytes(csv_bytes(rows))

    page = login("manager")
    page.goto(f"{live_server.url}/admin/registers/provider/import/")
    page.set_input_files('input[type="file"]', str(path))
    page.get_by_role("button", name="Check the file").click()
    # The request only held the file: the check waits for a worker.
    expect(
        page.get_by_role("heading", name="The file is being checked on the server")
    ).to_be_visible()
    shots(page, "import-preview-queued")
    assert ImportJob.objects.get().status == "queued"

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    expect(page.get_by_text("Preview: nothing has been written yet")).to_be_visible(timeout=15_000)
    shots(page, "import-preview-checked")
    assert serious_violations(page) == []
    assert Provider.objects.count() == 0

    page.get_by_role("button", name=re.compile("Confirm and import")).click()
    expect(page.get_by_role("heading", name="The import is running on the server")).to_be_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    expect(page.get_by_role("heading", name="Imported providers huge.csv")).to_be_visible(
        timeout=15_000
    )
    shots(page, "import-preview-imported")
    assert Provider.objects.count() == ROWS
