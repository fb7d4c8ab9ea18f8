"""Regulation 44/45 reports: recording them, and the flags a missing one raises."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from registers import roles
from registers.dates import add_months
from registers.models import ApprovalStatus, RegulationReport, RegulationReportKind, Setting
from registers.selectors.regulation_reports import (
    regulation_flagged,
    settings_missing_reports,
    with_regulation_flags,
)
from registers.services.regulation_reports import regulation_report_save
from tests.factories import ProviderFactory, RegulationReportFactory, SettingFactory, today

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def flags(setting, *, on=TODAY):
    row = with_regulation_flags(Setting.objects.filter(pk=setting.pk), today=on).get()
    return row.reg44_missing, row.reg45_overdue


def report(setting, kind, start, end=None, **kwargs):
    return RegulationReportFactory(
        setting=setting,
        kind=kind,
        period_start=start,
        period_end=end or add_months(start, 1 if kind == "reg44" else 6) - timedelta(days=1),
        received_on=kwargs.pop("received_on", TODAY),
        **kwargs,
    )


class TestRecording:
    def test_a_reg44_report_covers_the_calendar_month(self, qa1):
        saved = regulation_report_save(
            report=RegulationReport(
                setting=SettingFactory(),
                kind=RegulationReportKind.REG44,
                period_start=date(2026, 10, 17),
                received_on=date(2026, 11, 5),
                author="J. Independent",
                key_findings="Staffing stable; one missing-from-home episode reviewed.",
            ),
            user=qa1,
        )
        saved.refresh_from_db()
        assert (saved.period_start, saved.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
        assert saved.recorded_by == qa1

    def test_a_reg45_review_covers_six_months_unless_told(self, qa1):
        saved = regulation_report_save(
            report=RegulationReport(
                setting=SettingFactory(),
                kind=RegulationReportKind.REG45,
                period_start=date(2026, 4, 1),
                received_on=date(2026, 10, 20),
                author="Registered manager",
            ),
            user=qa1,
        )
        assert saved.period_end == date(2026, 9, 30)

    def test_only_childrens_homes_keep_them(self, qa1):
        agency = SettingFactory(provision_type="Independent fostering agency")
        with pytest.raises(ValidationError, match="children's homes only"):
            regulation_report_save(
                report=RegulationReport(
                    setting=agency,
                    kind=RegulationReportKind.REG44,
                    period_start=date(2026, 10, 1),
                    received_on=date(2026, 11, 1),
                    author="X",
                ),
                user=qa1,
            )
        assert not RegulationReport.objects.exists()

    def test_one_report_per_month_is_refused_twice_with_a_clear_message(self, qa1):
        setting = SettingFactory(name="Oak House")
        report(setting, "reg44", date(2026, 10, 1))
        with pytest.raises(ValidationError) as refused:
            regulation_report_save(
                report=RegulationReport(
                    setting=setting,
                    kind=RegulationReportKind.REG44,
                    period_start=date(2026, 10, 9),
                    received_on=date(2026, 11, 1),
                    author="X",
                ),
                user=qa1,
            )
        assert "Oak House already has" in refused.value.message_dict["period_start"][0]

    @pytest.mark.parametrize(
        "role", [roles.BUSINESS_SUPPORT, roles.COMMISSIONING_OFFICER, roles.AUDITOR, None]
    )
    def test_only_qa_officers_and_managers_record_them(self, make_user, role):
        with pytest.raises(ValidationError, match="Only QA officers and managers"):
            regulation_report_save(
                report=RegulationReport(
                    setting=SettingFactory(),
                    kind=RegulationReportKind.REG44,
                    period_start=date(2026, 10, 1),
                    received_on=date(2026, 11, 1),
                    author="X",
                ),
                user=make_user(role),
            )

    def test_a_manager_records_them_too(self, manager):
        regulation_report_save(
            report=RegulationReport(
                setting=SettingFactory(),
                kind=RegulationReportKind.REG44,
                period_start=date(2026, 10, 1),
                received_on=date(2026, 11, 1),
                author="X",
            ),
            user=manager,
        )
        assert RegulationReport.objects.count() == 1


class TestFlags:
    def test_a_home_in_use_without_last_months_reg44_is_flagged(self):
        home = SettingFactory()
        report(home, "reg45", date(2026, 4, 1))
        assert flags(home) == (True, False)
        report(home, "reg44", date(2026, 9, 1))  # the month before last: not enough
        assert flags(home) == (True, False)
        report(home, "reg44", date(2026, 10, 1))
        assert flags(home) == (False, False)

    def test_a_reg45_review_over_six_months_old_is_flagged(self):
        home = SettingFactory()
        report(home, "reg44", date(2026, 10, 1))
        assert flags(home) == (False, True)  # none at all
        report(home, "reg45", date(2025, 11, 1), date(2026, 4, 30))
        assert flags(home) == (False, True)  # ended more than six months before 23/11/2026
        report(home, "reg45", date(2026, 5, 1), date(2026, 10, 31))
        assert flags(home) == (False, False)

    def test_the_reg45_edge_is_six_months_to_the_day(self):
        home = SettingFactory()
        report(home, "reg44", date(2026, 10, 1))
        report(home, "reg45", date(2025, 11, 24), date(2026, 5, 23))
        assert flags(home) == (False, False)
        assert flags(home, on=date(2026, 11, 24)) == (False, True)

    def test_settings_not_in_use_or_not_homes_are_never_flagged(self):
        applicant = ProviderFactory(approval_status=ApprovalStatus.APPLICANT)
        unused = SettingFactory(provider=applicant)
        agency = SettingFactory(provision_type="Independent fostering agency")
        assert flags(unused) == (False, False)
        assert flags(agency) == (False, False)
        flagged_home = SettingFactory()
        on_list = set(regulation_flagged(Setting.objects.all(), today=TODAY))
        assert on_list == {flagged_home}

    def test_the_qa_list_and_the_filter_come_from_the_same_selector(self):
        home = SettingFactory()
        covered = SettingFactory()
        report(covered, "reg44", date(2026, 10, 1))
        report(covered, "reg45", date(2026, 5, 1))
        assert list(settings_missing_reports(today=TODAY)) == [home]

    def test_it_reads_the_real_today_by_default(self):
        home = SettingFactory()
        report(home, "reg44", add_months(today().replace(day=1), -1))
        report(home, "reg45", add_months(today(), -3))
        assert flags(home, on=today()) == (False, False)
