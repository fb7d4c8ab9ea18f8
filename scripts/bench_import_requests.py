"""Times each request of a 50,000-row provider import through the admin (upload,
preview page, confirm) on a fresh database, and the worker's two runs between them
(which are not requests); then the export of the 50,000 providers (the request,
the worker, the download). Run by hand:

    DATABASE_URL=sqlite:////tmp/requests.sqlite3 .venv/bin/python scripts/bench_import_requests.py
"""

import csv
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("REQUIRE_MFA", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from registers import roles  # noqa: E402
from registers.models import ExportJob, ImportJob, Provider  # noqa: E402

ROWS = 50_000


def timed(label: str, run):
    start = time.perf_counter()
    outcome = run()
    print(f"{label}: {(time.perf_counter() - start) * 1000:,.0f} ms")
    return outcome


def work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def main() -> None:
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench_manager", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["Name", "Town"])
    writer.writerows([f"Provider {n:05} Ltd", "Preston"] for n in range(ROWS))
    upload = io.BytesIO(text.getvalue().encode())
    upload.name = "providers-50k.csv"
    client = Client()
    client.force_login(user)
    form = {"import_file": upload, "format": "0", "resource": "0"}
    timed("upload request", lambda: client.post(reverse("admin:registers_provider_import"), form))
    job = ImportJob.objects.get()
    timed("worker: check (not a request)", work)
    page = reverse("admin:registers_importjob_progress", args=[job.pk])
    timed("preview page request", lambda: client.get(page))
    confirm = reverse("admin:registers_importjob_confirm", args=[job.pk])
    timed("confirm request", lambda: client.post(confirm))
    timed("worker: import (not a request)", work)
    job.refresh_from_db()
    print(f"job {job.status}; providers {Provider.objects.count():,}")
    export = reverse("admin:registers_provider_export")
    timed("export request (CSV)", lambda: client.post(export, {"format": "0", "resource": "0"}))
    timed("worker: export (not a request)", work)
    exported = ExportJob.objects.get()
    download = reverse("admin:registers_exportjob_download", args=[exported.pk])
    file = timed("download request", lambda: client.get(download))
    print(f"export {exported.status}; {len(file.content) // 1024:,} KiB")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
