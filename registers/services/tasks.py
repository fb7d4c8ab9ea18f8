"""Background tasks (django-tasks): the long work that must not run in a request.

Each task is a thin wrapper over a service; the services do the writes. The
backend is the TASKS setting (django-tasks-db by default: the queue is a table
in the portal's database and `manage.py db_worker` runs it). Tasks are
enqueued after the enqueuing transaction commits, so a worker never looks for
a row that is not there yet (or that rolled back).
"""

import logging

from django.db import transaction
from django_tasks import task

from registers.models import ExportJob, ImportJob, ImportJobMode
from registers.permissions import Actor
from registers.services.daily import daily_jobs_run
from registers.services.export_jobs import export_job_create, export_job_run
from registers.services.held_uploads import held_upload_save
from registers.services.import_jobs import (
    import_job_confirm,
    import_job_create,
    import_job_run,
    import_job_task_id,
)

logger = logging.getLogger(__name__)


@task()
def import_job_task(job_id: int) -> str:
    return import_job_run(job_id=job_id)


@task()
def export_job_task(job_id: int) -> str:
    return export_job_run(job_id=job_id)


@task()
def daily_jobs_task() -> list[str]:
    return daily_jobs_run()


def import_job_start(
    *,
    user: Actor,
    spec_path: str,
    held_name: str,
    file_name: str,
    rows_total: int,
    return_url: str = "",
) -> ImportJob:
    """Record a large import and hand it to a worker once the record is committed."""
    with transaction.atomic():
        job = import_job_create(
            user=user,
            spec_path=spec_path,
            held_name=held_name,
            file_name=file_name,
            rows_total=rows_total,
            return_url=return_url,
        )
        transaction.on_commit(lambda: _enqueue_import(job.pk))
    return job


def import_preview_start(
    *, user: Actor, spec_path: str, data: bytes, file_name: str, return_url: str = ""
) -> ImportJob:
    """Hold a large upload and have a worker check it (the preview) with progress;
    nothing is written until the user confirms on the job's page."""
    held_name = held_upload_save(data=data, versions={})
    with transaction.atomic():
        job = import_job_create(
            user=user,
            spec_path=spec_path,
            held_name=held_name,
            file_name=file_name,
            rows_total=0,
            return_url=return_url,
            mode=ImportJobMode.PREVIEW,
        )
        transaction.on_commit(lambda: _enqueue_import(job.pk))
    return job


def import_preview_confirm(*, job_id: int, user: Actor) -> ImportJob:
    """The user confirms a checked preview: the worker imports the held file."""
    with transaction.atomic():
        job = import_job_confirm(job_id=job_id, user=user)
        transaction.on_commit(lambda: _enqueue_import(job.pk))
    return job


def _enqueue_import(job_id: int) -> None:
    # With the immediate backend (tests) this runs the import here and now.
    result = import_job_task.enqueue(job_id=job_id)
    import_job_task_id(job_id=job_id, task_id=str(result.id))


def export_job_start(
    *,
    user: Actor,
    spec_path: str,
    format_path: str,
    columns: list[str],
    ids: list[int],
    select_related: list[str],
    file_name: str,
    return_url: str = "",
) -> ExportJob:
    """Record a large export and hand it to a worker once the record is committed."""
    with transaction.atomic():
        job = export_job_create(
            user=user,
            spec_path=spec_path,
            format_path=format_path,
            columns=columns,
            ids=ids,
            select_related=select_related,
            file_name=file_name,
            return_url=return_url,
        )
        transaction.on_commit(lambda: _enqueue_export(job.pk))
    return job


def _enqueue_export(job_id: int) -> None:
    result = export_job_task.enqueue(job_id=job_id)
    logger.info("export_job.enqueued job=%s task=%s", job_id, result.id)


def daily_jobs_enqueue() -> None:
    # Outside a transaction on_commit runs at once; inside one, after it commits.
    transaction.on_commit(daily_jobs_task.enqueue)
