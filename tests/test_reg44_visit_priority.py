"""A run of missing Regulation 44 reports raises a children's home's next visit in
the schedule: with no report for REG44_MISSING_RUN_MONTHS months in a row, the
home is due now and ranks one rating worse on Due and overdue."""

from datetime import timedelta

import pytest
from django.urls import reverse

from registers.dates import add_months
from registers.selectors.visits import settings_due_for_visit
from tests.factories import (
    InspectionFactory,
    ProviderFactory,
    RegulationReportFactory,
    SettingFactory,
    VisitFactory,
    today,
)

pytestmark = pytest.mark.django_db


def home(rating: str, *, visited_days_ago: int, provision_type="Children's home"):
    setting = SettingFactory(
        provider=ProviderFactory(approval_status="approved"), provision_type=provision_type
    )
    InspectionFactory(setting=setting, overall=rating)
    visited = today() - timedelta(days=visited_days_ago)
    VisitFactory(
        setting=setting,
        status="completed",
        planned_date=visited,
        actual_date=visited,
        rag="green",
        findings="Fine",
    )
    return setting


def reports(setting, *months_ago: int) -> None:
    last = add_months(today().replace(day=1), -1)
    for n in months_ago:
        RegulationReportFactory(setting=setting, period_start=add_months(last, -(n - 1)))


def due() -> list:
    return settings_due_for_visit(today=today())


def test_a_good_home_missing_two_months_comes_before_good_homes_due_earlier():
    good = home("good", visited_days_ago=400)
    reports(good, 1, 2)
    missing = home("good", visited_days_ago=380)  # due later than ``good``
    rows = due()
    assert [row.setting for row in rows] == [missing, good]
    by_setting = {row.setting: row for row in rows}
    assert by_setting[missing].reg44_missing_run
    assert not by_setting[good].reg44_missing_run


def test_the_ranking_is_one_rating_worse():
    ri = home("requires_improvement", visited_days_ago=400)
    reports(ri, 1, 2)
    good_missing = home("good", visited_days_ago=380)
    inadequate = home("inadequate", visited_days_ago=200)
    reports(inadequate, 1, 2)
    rows = [row.setting for row in due()]
    # Inadequate (4) first; RI (3) and the Good home missing its reports (2 + 1)
    # share a rank, by due date: the RI home's next visit fell due first.
    assert rows == [inadequate, ri, good_missing]


def test_a_home_not_yet_due_is_due_now_with_a_run_missing():
    recent = home("outstanding", visited_days_ago=20)
    assert [row.setting for row in due()] == [recent]
    reports(recent, 2)  # the month before last received: no run of two
    assert due() == []
    reports(recent, 1)
    assert due() == []


def test_one_month_missing_is_not_a_run():
    recent = home("good", visited_days_ago=20)
    reports(recent, 2)
    assert due() == []


def test_the_run_is_a_setting(settings):
    recent = home("good", visited_days_ago=20)
    reports(recent, 3)  # last month and the one before are missing: a run of two
    assert [row.setting for row in due()] == [recent]
    settings.REG44_MISSING_RUN_MONTHS = 3
    assert due() == []


def test_only_childrens_homes_keep_regulation_44_reports():
    home("good", visited_days_ago=20, provision_type="Independent fostering agency")
    assert due() == []


def test_a_planned_visit_takes_it_off_the_list():
    recent = home("good", visited_days_ago=20)
    VisitFactory(setting=recent)
    assert due() == []


def test_the_due_page_shows_why(qa1, client_for):
    home("good", visited_days_ago=20)
    page = client_for(qa1).get(reverse("admin:registers_visit_due")).content.decode()
    assert "No Reg 44 for 2+ months" in page
