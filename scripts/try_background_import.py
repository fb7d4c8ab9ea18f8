"""By hand, not in the test suite: a large provider import through the admin's
preview and confirm, a real `db_worker` in a subprocess, and the job's status
polled as the import page does. Prints the request times and each stage seen.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME \
        .venv/bin/python scripts/try_background_import.py 20000

It creates the user `try_manager` and providers named "Try <stamp> Provider <n> Ltd"
in that database: use a scratch database.
"""

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from registers import roles  # noqa: E402
from registers.models import ImportJob, Provider  # noqa: E402
from registers.roles import sync_role_groups  # noqa: E402


def main(rows: int) -> None:
    setup_test_environment()  # the responses keep their template context
    settings.ALLOWED_HOSTS = ["*"]
    sync_role_groups()
    user, _ = get_user_model().objects.get_or_create(
        username="try_manager", defaults={"is_staff": True, "email": "try@example.gov.uk"}
    )
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    stamp = int(time.time())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Name", "Town"])
    writer.writerows([f"Try {stamp} Provider {n} Ltd", "Preston"] for n in range(rows))
    upload = io.BytesIO(buffer.getvalue().encode())
    upload.name = "try.csv"

    client = Client()
    client.force_login(user)
    started = time.monotonic()
    response = client.post(
        reverse("admin:registers_provider_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    print(f"preview request {time.monotonic() - started:.2f} s")
    started = time.monotonic()
    response = client.post(
        reverse("admin:registers_provider_process_import"),
        {"token": response.context["confirm_token"]},
    )
    print(f"confirm request {time.monotonic() - started:.2f} s -> {response.url}")
    job = ImportJob.objects.latest("id")
    status_url = reverse("admin:registers_importjob_status", args=[job.pk])
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
    )
    seen = None
    started = time.monotonic()
    while True:
        status = client.get(status_url).json()
        if (status["status"], status["percent"]) != seen:
            seen = (status["status"], status["percent"])
            print(f"{time.monotonic() - started:7.2f} s  {status}")
        if status["finished"]:
            break
        time.sleep(0.2)
    worker.wait()
    written = Provider.objects.filter(name__startswith=f"Try {stamp} ").count()
    print(f"providers written: {written}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
