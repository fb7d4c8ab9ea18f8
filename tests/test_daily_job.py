"""The daily job finds what is due with set-based queries and does nothing,
in a fixed number of queries, when nothing is due."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registers.models import Setting, Visit, VisitReason
from registers.services.daily import daily_jobs_run
from registers.services.monitoring import monitoring_due_q, monitoring_refresh
from tests.factories import InspectionFactory, ProviderFactory, SettingFactory, today

pytestmark = pytest.mark.django_db


def rated(judgement, *, days_ago=30):
    setting = SettingFactory(provider=ProviderFactory())
    InspectionFactory(
        setting=setting, overall=judgement, inspection_date=today() - timedelta(days=days_ago)
    )
    return setting


def due_ids():
    return set(Setting.objects.filter(monitoring_due_q(today=today())).values_list("pk", flat=True))


def test_only_settings_the_check_would_change_are_due(manager):
    good = rated("good")
    inadequate = rated("inadequate")
    assert due_ids() == {inadequate.pk}
    monitoring_refresh(user=None)
    inadequate.refresh_from_db()
    assert inadequate.enhanced_monitoring
    assert Visit.objects.filter(setting=inadequate, reason=VisitReason.RISK).count() == 1
    assert due_ids() == set()
    # A later Good judgement makes it due again, to lift the flag.
    InspectionFactory(setting=inadequate, overall="good", inspection_date=today())
    assert due_ids() == {inadequate.pk}
    monitoring_refresh(user=None)
    inadequate.refresh_from_db()
    assert not inadequate.enhanced_monitoring
    assert good.pk not in due_ids()


def test_a_newer_concerning_inspection_is_due_even_when_already_flagged(manager):
    setting = rated("requires_improvement", days_ago=400)
    monitoring_refresh(user=None)
    InspectionFactory(setting=setting, overall="inadequate", inspection_date=today())
    assert due_ids() == {setting.pk}


def test_a_cancelled_risk_visit_is_not_planned_again_for_the_same_inspection(manager):
    setting = rated("inadequate")
    monitoring_refresh(user=None)
    Visit.objects.filter(setting=setting).update(status="cancelled")
    assert due_ids() == set()


def test_nothing_to_do_costs_the_same_few_queries_at_any_volume(manager):
    for _ in range(3):
        rated("good")
        rated("inadequate")
    daily_jobs_run()
    with CaptureQueriesContext(connection) as few:
        daily_jobs_run()
    for _ in range(20):
        rated("good")
        rated("inadequate")
    daily_jobs_run()
    with CaptureQueriesContext(connection) as many:
        daily_jobs_run()
    assert len(few.captured_queries) == len(many.captured_queries) <= 15
