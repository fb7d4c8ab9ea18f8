"""Import runs: each written import is kept as a record, with its counts,
warnings and a "what changed" report:

- new settings in the council's area (HOME_LOCAL_AUTHORITIES; empty means all);
- ratings that declined or improved;
- settings in use newly judged Requires improvement or Inadequate;
- settings in use whose registration ended.
"""

import csv
import io
import logging

from django.conf import settings as conf

from registers.importing.plans import Plan
from registers.importing.safety import escape_formula
from registers.models import ImportRun, Inspection, Judgement, Setting
from registers.models.imports import REPORT_SECTIONS
from registers.models.inspections import JUDGEMENT_RANK
from registers.ofsted_vocabulary import local_authority_key
from registers.permissions import Actor
from registers.selectors.settings import current_ratings
from registers.services.monitoring import QUEUE as MONITORING
from registers.services.recording import log_write
from registers.services.registrations import RESULT as REGISTRATIONS
from registers.services.units import Unit

logger = logging.getLogger(__name__)

MAX_WARNINGS = 2000
REPORT_COLUMNS = ["Section", "URN", "Setting", "Local authority", "Detail"]


def import_ratings_before(*, plan: Plan) -> dict[int, str | None]:
    """Before the write: the ratings of stored settings whose inspections change."""
    group = plan.groups.get(Inspection)
    if group is None:
        return {}
    ids = {
        c.obj.setting_id
        for c in group.changes
        if c.obj.setting_id and (c.is_new or c.changed_fields())
    }
    return current_ratings(ids) if ids else {}


def import_run_record(
    *, plan: Plan, unit: Unit, ratings_before: dict[int, str | None], user: Actor
) -> ImportRun:
    """After the write: keep the run and its report; the result gains both."""
    result = plan.result
    report = _new_settings_in_area(plan) + _rating_changes(ratings_before)
    monitoring = unit.results.get(MONITORING)
    for item in getattr(monitoring, "flagged", []):
        report.append(
            _line(
                "newly_concerning",
                item.setting,
                f"{item.rating_label}, inspected {item.inspection.inspection_date:%d/%m/%Y}",
            )
        )
    registrations = unit.results.get(REGISTRATIONS)
    for item in getattr(registrations, "ended", []):
        since = f" from {item.since:%d/%m/%Y}" if item.since else ""
        report.append(_line("registration_ended", item.setting, f"{item.status_label}{since}"))
    run = ImportRun.objects.create(
        file_name=result.file_name[:255],
        kind=result.kind or f"{plan.spec.label} spreadsheet",
        user=user if getattr(user, "pk", None) else None,
        rows_read=result.rows_read,
        counts={label: counts.as_dict() for label, counts in result.counts.items()},
        warnings=[str(w) for w in result.warnings[:MAX_WARNINGS]],
        follow_up=list(result.follow_up),
        report=report,
    )
    result.run_id = run.pk
    result.report = report
    log_write(logger, "import_run.recorded", user=user, run=run.pk, report_lines=len(report))
    return run


def _line(section: str, setting: Setting, detail: str) -> dict:
    return {
        "section": section,
        "urn": setting.urn or "",
        "setting": setting.display_name,
        "local_authority": setting.local_authority,
        "detail": detail,
    }


def _new_settings_in_area(plan: Plan) -> list[dict]:
    group = plan.groups.get(Setting)
    if group is None:
        return []
    home = {local_authority_key(name) for name in conf.HOME_LOCAL_AUTHORITIES}
    return [
        _line("new_setting", c.obj, c.obj.provision_type)
        for c in group.changes
        if c.is_new and (not home or local_authority_key(c.obj.local_authority) in home)
    ]


def _rating_changes(before: dict[int, str | None]) -> list[dict]:
    rated = {pk: rating for pk, rating in before.items() if rating in JUDGEMENT_RANK}
    if not rated:
        return []
    after = current_ratings(rated)
    moved = {
        pk: (rating, after.get(pk))
        for pk, rating in rated.items()
        if after.get(pk) in JUDGEMENT_RANK and JUDGEMENT_RANK[after[pk]] != JUDGEMENT_RANK[rating]
    }
    lines = []
    for setting in Setting.objects.filter(pk__in=moved).order_by("urn"):
        old, new = moved[setting.pk]
        section = "declined" if JUDGEMENT_RANK[new] > JUDGEMENT_RANK[old] else "improved"
        lines.append(_line(section, setting, f"{Judgement(old).label} to {Judgement(new).label}"))
    return lines


def import_run_csv(*, run: ImportRun) -> str:
    """The report as CSV, cells a spreadsheet would run as a formula escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for line in run.report:
        writer.writerow(
            [
                _safe(REPORT_SECTIONS.get(line.get("section"), line.get("section", ""))),
                *[
                    _safe(line.get(key, ""))
                    for key in ("urn", "setting", "local_authority", "detail")
                ],
            ]
        )
    return out.getvalue()


def _safe(value) -> str:
    return escape_formula(str(value or ""))
