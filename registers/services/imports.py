"""Importing a file: the engine plans, the registers' services check and write.

A row meets the same rules as the same change made on a form, because the
same service checks it: approval reasons, status transitions, eligibility,
per-record permissions. One refused row means nothing is written. History
records the importing user and "Imported from <file>".
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, IntegrityError

from registers.changes import link_parents
from registers.importing.engine import Spec, plan_file
from registers.importing.plans import Plan
from registers.importing.results import ImportResult
from registers.models import ActionItem, Contract, Inspection, Provider, Setting, Visit
from registers.permissions import Actor
from registers.selectors.versions import changes_since, record_versions
from registers.services.action_items import action_items_check, action_items_write
from registers.services.contracts import contracts_check, contracts_write
from registers.services.import_runs import import_ratings_before, import_run_record
from registers.services.inspections import inspections_check, inspections_write
from registers.services.monitoring import QUEUE as MONITORING
from registers.services.providers import providers_check, providers_write
from registers.services.recording import log_write
from registers.services.registrations import RESULT as REGISTRATIONS
from registers.services.settings import settings_check, settings_write
from registers.services.units import write_unit
from registers.services.visits import visits_check, visits_write

logger = logging.getLogger(__name__)

# Each register's bulk check and write: the same functions its forms use.
SERVICES: dict[type, tuple[Callable, Callable]] = {
    Provider: (providers_check, providers_write),
    Setting: (settings_check, settings_write),
    Inspection: (inspections_check, inspections_write),
    Contract: (contracts_check, contracts_write),
    Visit: (visits_check, visits_write),
    ActionItem: (action_items_check, action_items_write),
}


def import_reason(file_name: str) -> str:
    return f"Imported from {file_name}"


# progress(stage, rows_done, rows_total): called outside the write transaction.
Progress = Callable[[str, int, int], None]


def import_file(
    *,
    spec: Spec,
    data: bytes,
    file_name: str,
    user: Actor,
    dry_run: bool = False,
    progress: Progress | None = None,
    preview_versions: dict | None = None,
) -> ImportResult:
    """Check and (unless ``dry_run`` or any problem) write the file.

    A dry run (the preview) notes in ``result.read_versions`` the version of each
    stored record it would change. Confirming passes them back as
    ``preview_versions``: if any of those records changed since, nothing is written.
    """
    plan = plan_file(spec=spec, data=data, file_name=file_name, user=user)
    result = plan.result
    result.dry_run = dry_run
    if result.ok:
        _check(plan, user, progress)
    if result.ok and preview_versions is not None:
        _check_unchanged_since_preview(plan, preview_versions)
    if result.ok and dry_run:
        result.read_versions = plan_versions(plan)
    if not result.ok or dry_run:
        return result
    ratings_before = import_ratings_before(plan=plan)
    if progress:
        progress("writing", result.rows_read, result.rows_read)
    try:
        with write_unit(user=user) as unit:
            for model in plan.spec.write_order():
                group = plan.groups.get(model)
                if group and group.changes:
                    _, write = SERVICES[model]
                    write(changes=group.changes, user=user, reason=import_reason(file_name))
    except (IntegrityError, DatabaseError) as exc:
        logger.warning("import.refused_by_database file=%s error=%s", file_name, exc)
        result.add_problem(
            f"Nothing was imported: the database refused a row ({exc.__class__.__name__}). "
            "Another user may have changed the same records meanwhile: try again."
        )
        return result
    result.written = True
    for outcome in (unit.results.get(MONITORING), unit.results.get(REGISTRATIONS)):
        if outcome is not None and outcome.changed:
            result.follow_up.append(outcome.summary())
    import_run_record(plan=plan, unit=unit, ratings_before=ratings_before, user=user)
    log_write(
        logger,
        "import.written",
        user=user,
        file=file_name,
        **{
            label.lower().replace(" ", "_"): c.created + c.updated
            for label, c in result.counts.items()
        },
    )
    return result


def plan_versions(plan: Plan) -> dict[str, list[list[int]]]:
    """{model label: [[record id, version, row], ...]} for each stored record the
    plan touches (unchanged rows too: confirming would write their values back)."""
    versions = {}
    for model, group in plan.groups.items():
        stored = [change for change in group.changes if not change.is_new]
        latest = record_versions(model, [change.obj.pk for change in stored])
        versions[model._meta.label] = [
            [change.obj.pk, latest.get(change.obj.pk, 0), change.row] for change in stored
        ]
    return versions


PREVIEW_AGAIN = (
    "Nothing was imported: records in the file changed after your preview. "
    "Upload the file again to preview the changes against the records as they are now."
)


def _check_unchanged_since_preview(plan: Plan, preview_versions: dict) -> None:
    """Refuse the plan if a record it changes was changed, added or deleted by
    someone else since the preview: the user confirmed changes to other values."""
    stale: list[tuple[int | None, str]] = []
    for model, group in plan.groups.items():
        label = model._meta.label
        then = {pk: (version, row) for pk, version, row in preview_versions.get(label, [])}
        stored = [change for change in group.changes if not change.is_new]
        latest = record_versions(model, [change.obj.pk for change in stored])
        name = str(model._meta.verbose_name)
        for change in stored:
            pk = change.obj.pk
            if pk not in then:
                stale.append((change.row, f"{name} '{change.obj}' was added after your preview"))
                continue
            version = then[pk][0]
            if latest.get(pk, 0) != version:
                since = "; ".join(c.describe() for c in changes_since(model, pk, version))
                stale.append(
                    (change.row, f"{name} '{change.obj}' changed after your preview ({since})")
                )
        still_there = {change.obj.pk for change in stored}
        for pk, (_, row) in then.items():
            if pk not in still_there:
                stale.append((row, f"the {name} this row updated in your preview is gone"))
    if not stale:
        return
    plan.result.add_problem(PREVIEW_AGAIN)
    for row, message in sorted(stale, key=lambda item: (item[0] is None, item[0] or 0)):
        plan.result.add_problem(message, row=row)
    logger.info("import.stale_preview file=%s records=%s", plan.result.file_name, len(stale))


def _check(plan: Plan, user: Actor, progress: Progress | None = None) -> None:
    """Every planned change goes through its register's checks; refusals name
    the row and the column."""
    result = plan.result
    total = result.rows_read
    models = [model for model in plan.spec.write_order() if plan.groups.get(model)]
    if progress:
        progress("checking", 0, total)
    for model in plan.spec.write_order():
        group = plan.groups.get(model)
        if not group:
            continue
        check, _ = SERVICES[model]
        for change in group.changes:
            link_parents(change.obj)
        for refusal in check(changes=group.changes, user=user):
            for field_name, message in refusal.messages():
                column = plan.spec.column_for(model, field_name)
                result.add_problem(
                    message, row=refusal.change.row, column=column.header if column else None
                )
        if progress:
            # A file's rows are checked register by register: each one done moves the bar.
            progress("checking", total * (models.index(model) + 1) // len(models), total)
    plan.count_invalid()
