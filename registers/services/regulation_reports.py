"""Regulation 44 and 45 reports of children's homes, recorded by QA officers.

A Regulation 44 report covers one calendar month: its period starts on the
1st and ends on the month's last day. A Regulation 45 review covers six
months unless told otherwise. Only a children's home keeps them.
"""

import logging
from collections.abc import Sequence
from datetime import timedelta

from registers.changes import Change, ErrorCollector, Refusal
from registers.dates import add_months
from registers.models import RegulationReport, RegulationReportKind
from registers.models.regulation_reports import CHILDRENS_HOME_TYPES
from registers.permissions import Actor
from registers.services.checks import check_basics, write_records
from registers.services.recording import save_one

logger = logging.getLogger(__name__)

SHORT = {RegulationReportKind.REG44: "Regulation 44", RegulationReportKind.REG45: "Regulation 45"}
NOT_A_HOME = "Regulation 44 and 45 reports are kept for children's homes only."


def _fill_period(report: RegulationReport) -> None:
    if report.period_start is None:
        return
    if report.kind == RegulationReportKind.REG44:
        report.period_start = report.period_start.replace(day=1)
        report.period_end = add_months(report.period_start, 1) - timedelta(days=1)
    elif report.period_end is None:
        report.period_end = add_months(report.period_start, 6) - timedelta(days=1)


def regulation_reports_check(
    *, changes: Sequence[Change[RegulationReport]], user: Actor, **_
) -> list[Refusal]:
    errors = ErrorCollector()
    for change in changes:
        report = change.obj
        _fill_period(report)
        if change.is_new:
            report.recorded_by = report.recorded_by or user
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="Only QA officers and managers may record Regulation 44/45 reports.",
        change_refused="Only QA officers and managers may change Regulation 44/45 reports.",
    )
    for change in changes:
        report = change.obj
        setting = report.setting if report.setting_id else None
        if setting is not None and setting.provision_type not in CHILDRENS_HOME_TYPES:
            errors.add(change, NOT_A_HOME, "setting")
        if report.received_on and report.period_start and report.received_on < report.period_start:
            errors.add(
                change, "A report cannot be received before its period starts.", "received_on"
            )
    _unique_periods(changes, errors)
    return errors.refusals()


def _unique_periods(changes: Sequence[Change[RegulationReport]], errors: ErrorCollector) -> None:
    for change in changes:
        report = change.obj
        if not (report.setting_id and report.period_start and report.kind):
            continue
        taken = (
            RegulationReport.objects.filter(
                setting_id=report.setting_id, kind=report.kind, period_start=report.period_start
            )
            .exclude(pk=report.pk)
            .exists()
        )
        if taken:
            errors.add(
                change,
                f"{report.setting.display_name} already has a {SHORT[report.kind]} report "
                f"for the period from {report.period_start:%d/%m/%Y}.",
                "period_start",
            )


def regulation_reports_write(*, changes: Sequence[Change], user: Actor, reason: str, **_) -> None:
    write_records(
        changes, user=user, reason=reason, logger=logger, event="regulation_reports.written"
    )


def regulation_report_save(
    *, report: RegulationReport, user: Actor, reason: str = ""
) -> RegulationReport:
    return save_one(
        report,
        check=regulation_reports_check,
        write=regulation_reports_write,
        user=user,
        reason=reason or ("Changed in the portal" if report.pk else "Report recorded"),
    )
