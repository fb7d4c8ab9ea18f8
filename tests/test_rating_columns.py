"""A setting's rating columns always say what its inspections say.

The columns (current and previous rating, trend, latest full inspection date)
are a copy kept by the inspection services. After every kind of write (one
inspection by its service, by the admin form and the setting's inline, many
in bulk, a register import, an Ofsted file, a move to another setting, a
delete) they must equal what the inspections give, worked out here afresh.
"""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from registers.changes import Change
from registers.importing.specs.inspections import InspectionSpec
from registers.importing.specs.ofsted import OfstedSpec
from registers.models import Inspection, Setting
from registers.models.inspections import JUDGEMENT_RANK
from registers.services.imports import import_file
from registers.services.inspections import (
    inspection_delete,
    inspection_save,
    inspections_write,
    setting_ratings_refresh,
)
from registers.services.settings import setting_save
from tests.factories import InspectionFactory, SettingFactory, today
from tests.helpers import add_inline_form, change_form_data
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


def expected(setting: Setting) -> dict:
    """The ratings as the inspections give them, without the service's code."""
    full = list(
        Inspection.objects.filter(setting=setting, inspection_type="full").order_by(
            "-inspection_date", "-id"
        )
    )
    current = full[0].overall if full else ""
    previous = full[1].overall if len(full) > 1 else ""
    if not current:
        trend = ""
    elif not previous:
        trend = "first"
    else:
        now, then = JUDGEMENT_RANK[current], JUDGEMENT_RANK[previous]
        trend = "improved" if now < then else "declined" if now > then else "same"
    return {
        "current_rating": current,
        "previous_rating": previous,
        "trend": trend,
        "latest_full_inspection_date": full[0].inspection_date if full else None,
        "current_rating_rank": JUDGEMENT_RANK.get(current),
    }


def stored(setting: Setting) -> dict:
    row = Setting.objects.get(pk=setting.pk)
    return {name: getattr(row, name) for name in expected(setting)}


def assert_columns_match(*settings: Setting) -> None:
    for setting in settings:
        assert stored(setting) == expected(setting), setting.urn


def new_inspection(setting, days_ago, overall, kind="full", event=""):
    return Inspection(
        setting=setting,
        event_number=event,
        inspection_type=kind,
        inspection_date=today() - timedelta(days=days_ago),
        overall=overall,
    )


def test_a_setting_never_inspected_has_empty_columns():
    setting = SettingFactory()
    assert stored(setting) == {
        "current_rating": "",
        "previous_rating": "",
        "trend": "",
        "latest_full_inspection_date": None,
        "current_rating_rank": None,
    }


def test_one_inspection_by_its_service_then_a_second_one(manager):
    setting = SettingFactory()
    inspection_save(inspection=new_inspection(setting, 400, "good"), user=manager)
    assert_columns_match(setting)
    assert stored(setting)["trend"] == "first"
    inspection_save(inspection=new_inspection(setting, 10, "inadequate"), user=manager)
    assert_columns_match(setting)
    assert stored(setting)["trend"] == "declined"


def test_an_interim_inspection_leaves_the_rating_alone(manager):
    setting = SettingFactory()
    inspection_save(inspection=new_inspection(setting, 400, "good"), user=manager)
    inspection_save(
        inspection=new_inspection(setting, 10, "improved", kind="interim"), user=manager
    )
    assert_columns_match(setting)
    assert stored(setting)["current_rating"] == "good"


def test_an_older_inspection_recorded_later_becomes_the_previous_rating(manager):
    setting = SettingFactory()
    inspection_save(inspection=new_inspection(setting, 10, "good"), user=manager)
    inspection_save(inspection=new_inspection(setting, 800, "inadequate"), user=manager)
    assert_columns_match(setting)
    assert stored(setting)["trend"] == "improved"


def test_changing_a_judgement_and_deleting_an_inspection(manager):
    setting = SettingFactory()
    older = inspection_save(inspection=new_inspection(setting, 400, "good"), user=manager)
    newer = inspection_save(inspection=new_inspection(setting, 10, "good"), user=manager)
    newer.overall = "outstanding"
    inspection_save(inspection=newer, user=manager)
    assert_columns_match(setting)
    inspection_delete(inspection=newer, user=manager)
    assert_columns_match(setting)
    inspection_delete(inspection=older, user=manager)
    assert_columns_match(setting)
    assert stored(setting)["current_rating"] == ""


def test_moving_an_inspection_to_another_setting_updates_both(manager):
    first, second = SettingFactory(), SettingFactory()
    moved = inspection_save(inspection=new_inspection(first, 10, "inadequate"), user=manager)
    moved.setting = second
    inspection_save(inspection=moved, user=manager)
    assert_columns_match(first, second)
    assert stored(first)["current_rating"] == ""


def test_many_inspections_in_bulk(manager):
    settings = [SettingFactory() for _ in range(5)]
    judgements = ["good", "inadequate", "outstanding", "requires_improvement"]
    changes = [
        Change(obj=new_inspection(s, 30 + 200 * n, judgements[(i + n) % 4], event=f"{i}-{n}"))
        for i, s in enumerate(settings)
        for n in range(i)
    ]
    inspections_write(changes=changes, user=manager, reason="bulk")
    assert_columns_match(*settings)


def test_a_register_import(manager):
    setting = SettingFactory(urn="SC200001")
    InspectionFactory(setting=setting, inspection_date=date(2022, 3, 1), overall="outstanding")
    rows = [
        ["URN", "Event number", "Type", "Inspection date", "Overall judgement"],
        ["SC200001", "9001", "Full", "01/03/2024", "Requires Improvement"],
    ]
    result = import_file(
        spec=InspectionSpec(), data=csv_bytes(rows), file_name="i.csv", user=manager
    )
    assert result.ok, [str(p) for p in result.problems]
    assert_columns_match(setting)
    assert stored(setting)["trend"] == "declined"


def test_an_import_refused_by_a_bad_row_changes_no_column(manager):
    setting = SettingFactory(urn="SC200002")
    InspectionFactory(setting=setting, inspection_date=date(2022, 3, 1), overall="good")
    before = stored(setting)
    rows = [
        ["URN", "Event number", "Type", "Inspection date", "Overall judgement"],
        ["SC200002", "9002", "Full", "01/03/2024", "Inadequate"],
        ["SC200002", "9003", "Full", "not a date", "Good"],
    ]
    result = import_file(
        spec=InspectionSpec(), data=csv_bytes(rows), file_name="i.csv", user=manager
    )
    assert not result.ok
    assert stored(setting) == before


def test_an_ofsted_file(manager):
    rows = [
        [
            "URN",
            "Provider type",
            "Provider name",
            "Local authority",
            "Inspection date",
            "Overall effectiveness",
        ],
        ["SC300001", "Children's home", "Ash House", "Sefton", "01/02/2024", "Good"],
    ]
    result = import_file(
        spec=OfstedSpec(), data=csv_bytes(rows), file_name="ofsted.csv", user=manager
    )
    assert result.ok, [str(p) for p in result.problems]
    setting = Setting.objects.get(urn="SC300001")
    assert_columns_match(setting)
    assert stored(setting)["current_rating"] == "good"


def test_the_inspection_admin_form(client_for, manager):
    setting = SettingFactory()
    client = client_for(manager)
    url = reverse("admin:registers_inspection_add")
    response = client.post(
        url,
        {
            "setting": setting.pk,
            "inspection_type": "full",
            "event_number": "5001",
            "inspection_date": (today() - timedelta(days=5)).strftime("%d/%m/%Y"),
            "overall": "inadequate",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert_columns_match(setting)
    assert stored(setting)["current_rating"] == "inadequate"


def test_the_setting_pages_inline_and_an_edit_that_keeps_the_columns(client_for, manager):
    setting = SettingFactory()
    client = client_for(manager)
    url = reverse("admin:registers_setting_change", args=[setting.pk])
    data = change_form_data(client.get(url))
    add_inline_form(
        data,
        "inspections",
        {
            "inspection_type": "full",
            "event_number": "6001",
            "inspection_date": (today() - timedelta(days=5)).strftime("%d/%m/%Y"),
            "overall": "good",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert_columns_match(setting)
    assert stored(setting)["current_rating"] == "good"


def test_a_setting_saved_from_a_stale_copy_keeps_the_current_rating(manager):
    setting = SettingFactory()
    stale_copy = Setting.objects.get(pk=setting.pk)
    InspectionFactory(setting=setting, overall="inadequate")
    stale_copy.name = "Renamed"
    setting_save(setting=stale_copy, user=manager)
    assert_columns_match(setting)
    assert stored(setting)["current_rating"] == "inadequate"


def test_a_refresh_with_nothing_to_change_writes_nothing(manager):
    setting = SettingFactory()
    InspectionFactory(setting=setting)
    assert setting_ratings_refresh(setting_ids=[setting.pk]) == 0


def test_the_data_migration_fills_the_columns_from_the_inspections():
    fill = importlib.import_module("registers.migrations.0005_fill_setting_ratings").fill
    settings = [SettingFactory() for _ in range(3)]
    InspectionFactory(setting=settings[0], overall="good", inspection_date=date(2021, 1, 1))
    InspectionFactory(setting=settings[0], overall="inadequate", inspection_date=date(2024, 1, 1))
    InspectionFactory(setting=settings[1], overall="outstanding")
    Setting.objects.update(
        current_rating="", previous_rating="", trend="", latest_full_inspection_date=None
    )
    fill(django_apps, None)
    assert_columns_match(*settings)
