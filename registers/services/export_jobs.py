"""Large exports on a background worker: the request records which rows and
columns to export, a worker writes the file in batches with progress, and the
file waits in the shared file storage for its user to download it, no longer
than ``EXPORT_KEEP_HOURS``.

The rows are the list's as the user filtered, searched and sorted it when they
asked (their ids, in order), and the columns are those they could see then;
the worker writes them with the same resource as an export in the request.
"""

import contextlib
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import tablib
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.module_loading import import_string

from registers.importing.export import resource_class
from registers.models import ExportJob, ExportJobStatus
from registers.permissions import Actor

logger = logging.getLogger(__name__)

EXPORT_FOLDER = "exports"
BATCH = 2000
FAILED_MESSAGE = "The export failed on the server ({error}): ask for it again."


class ExportFileGone(Exception):
    """The export's file was deleted for its age, or it never finished."""


def export_job_create(
    *,
    user: Actor,
    spec_path: str,
    format_path: str,
    columns: Sequence[str],
    ids: Sequence[int],
    select_related: Sequence[str],
    file_name: str,
    return_url: str = "",
) -> ExportJob:
    job = ExportJob.objects.create(
        user=user,
        spec=spec_path,
        file_format=format_path,
        columns=list(columns),
        ids=list(ids),
        select_related=list(select_related),
        file_name=file_name,
        return_url=return_url,
        rows_total=len(ids),
    )
    logger.info("export_job.queued job=%s file=%s rows=%s", job.pk, file_name, len(ids))
    return job


def export_job_run(*, job_id: int) -> str:
    """The worker's side: write the rows in batches, then keep the file."""
    job = ExportJob.objects.get(pk=job_id)
    if job.finished:
        return job.status
    try:
        data = _export(job)
    except Exception as exc:
        logger.exception("export_job.failed job=%s file=%s", job.pk, job.file_name)
        _finish(job, ExportJobStatus.FAILED, error=FAILED_MESSAGE.format(error=exc))
        raise
    name = default_storage.save(f"{EXPORT_FOLDER}/{uuid.uuid4().hex}", ContentFile(data))
    job.stored_name = name
    _finish(job, ExportJobStatus.DONE)
    logger.info("export_job.done job=%s rows=%s", job.pk, job.rows_total)
    return job.status


def _export(job: ExportJob) -> bytes:
    spec = import_string(job.spec)
    wanted = set(job.columns)
    columns = [column for column in spec.columns if column.header in wanted]
    resource = resource_class(spec, columns)()
    dataset = tablib.Dataset(headers=[column.header for column in columns])
    model = spec.model
    for start in range(0, len(job.ids), BATCH):
        batch = job.ids[start : start + BATCH]
        rows = model._default_manager.select_related(*job.select_related).in_bulk(batch)
        # The list's order, not the database's; rows deleted since are left out.
        ordered = [rows[pk] for pk in batch if pk in rows]
        for row in resource.export(queryset=ordered):
            dataset.append(row)
        _progress(job, done=min(start + BATCH, len(job.ids)))
    return import_string(job.file_format)().export_data(dataset)


def _progress(job: ExportJob, *, done: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.WRITING, rows_done=done, progressed_at=timezone.now()
    )


def _finish(job: ExportJob, status: str, *, error: str = "") -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    if status == ExportJobStatus.DONE:
        job.rows_done = job.rows_total
    job.save(update_fields=["status", "error", "finished_at", "rows_done", "stored_name"])


def export_job_file(*, job: ExportJob) -> bytes:
    """The finished export's bytes (the caller has checked who may have them)."""
    if job.status != ExportJobStatus.DONE or not job.stored_name.startswith(f"{EXPORT_FOLDER}/"):
        raise ExportFileGone(job.pk)
    try:
        with default_storage.open(job.stored_name, "rb") as stored:
            return stored.read()
    except OSError as exc:
        raise ExportFileGone(job.pk) from exc


def exports_delete_stale(*, now: datetime | None = None) -> int:
    """Delete export files older than ``EXPORT_KEEP_HOURS``: a step of the daily job."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    # One query when there is nothing to delete: the daily job's quiet run stays cheap.
    stale = list(
        ExportJob.objects.filter(finished_at__lt=cutoff)
        .exclude(stored_name="")
        .values_list("pk", "stored_name")
    )
    for _, stored_name in stale:
        with contextlib.suppress(OSError):
            default_storage.delete(stored_name)
    if stale:
        ExportJob.objects.filter(pk__in=[pk for pk, _ in stale]).update(stored_name="")
    deleted = len(stale)
    if deleted:
        logger.info("export_jobs.deleted count=%s", deleted)
    return deleted
