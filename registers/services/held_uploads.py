"""Uploads awaiting confirmation: the checked file and the versions of the records
its preview showed, kept until the user confirms or cancels, and no longer than
``IMPORT_HELD_HOURS``.

They live in the shared file storage (MEDIA_ROOT, or whatever STORAGES["default"]
names), not /tmp: the confirming request may reach another app server than the
one that checked the file.
"""

import contextlib
import json
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

HELD_FOLDER = "pending-imports"
VERSIONS_SUFFIX = ".versions.json"


class HeldUploadGone(Exception):
    """The held upload was confirmed, cancelled or deleted for its age."""


def held_upload_save(*, data: bytes, versions: dict) -> str:
    """Keep the checked file and its preview's record versions; returns its name."""
    name = default_storage.save(f"{HELD_FOLDER}/{uuid.uuid4().hex}", ContentFile(data))
    default_storage.save(name + VERSIONS_SUFFIX, ContentFile(json.dumps(versions).encode("utf-8")))
    return name


def held_upload_read(*, name: str) -> bytes:
    """The held file's bytes, left in place (a background check reads it before
    the user confirms)."""
    if not _is_held_name(name):
        raise HeldUploadGone(name)
    try:
        with default_storage.open(name, "rb") as held:
            return held.read()
    except OSError as exc:
        raise HeldUploadGone(name) from exc


def held_upload_keep_versions(*, name: str, versions: dict) -> None:
    """Replace the versions kept beside a held file with its preview's."""
    if not _is_held_name(name):
        raise HeldUploadGone(name)
    with contextlib.suppress(OSError):
        default_storage.delete(name + VERSIONS_SUFFIX)
    default_storage.save(name + VERSIONS_SUFFIX, ContentFile(json.dumps(versions).encode("utf-8")))


def held_upload_take(*, name: str) -> tuple[bytes, dict]:
    """The held file's bytes and versions; both are removed, so it confirms only once."""
    if not _is_held_name(name):
        raise HeldUploadGone(name)
    try:
        with default_storage.open(name, "rb") as held:
            data = held.read()
        with default_storage.open(name + VERSIONS_SUFFIX, "rb") as held:
            versions = json.loads(held.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise HeldUploadGone(name) from exc
    finally:
        held_upload_delete(name=name)
    return data, versions


def held_upload_delete(*, name: str) -> None:
    """Delete a held upload (cancelled, confirmed, or pushed out of the session)."""
    if not _is_held_name(name):
        return
    for part in (name, name + VERSIONS_SUFFIX):
        with contextlib.suppress(OSError):
            default_storage.delete(part)


def held_uploads_delete_stale(*, now: datetime | None = None) -> int:
    """Delete held uploads older than ``IMPORT_HELD_HOURS``: a step of the daily job.
    Returns how many uploads were deleted."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IMPORT_HELD_HOURS)
    try:
        files = default_storage.listdir(HELD_FOLDER)[1]
    except (FileNotFoundError, NotImplementedError):
        return 0
    deleted = 0
    for file_name in files:
        name = f"{HELD_FOLDER}/{file_name}"
        try:
            stale = default_storage.get_modified_time(name) < cutoff
        except (OSError, NotImplementedError):
            continue
        if stale:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
            deleted += not file_name.endswith(VERSIONS_SUFFIX)
    if deleted:
        logger.info("held_uploads.deleted count=%s", deleted)
    return deleted


def _is_held_name(name: str) -> bool:
    # Only names this module made: a forged session entry cannot reach other files.
    rest = name.removeprefix(f"{HELD_FOLDER}/")
    return rest != name and "/" not in rest and ".." not in rest and bool(rest)
