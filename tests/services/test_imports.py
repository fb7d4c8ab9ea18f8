"""The import service: the engine plans, the registers' services check and write.

Matching rules are the selectors' and behave the same whichever file kind
reaches them: a provider by Companies House number, else by name, never a
guess between several; an inspection by event number, else date and type.
"""

import pytest
from django.core import mail

from registers.importing.specs.inspections import InspectionSpec
from registers.importing.specs.ofsted import OfstedSpec
from registers.importing.specs.providers import ProviderSpec
from registers.importing.specs.settings import SettingSpec
from registers.models import Inspection, Provider, Setting
from registers.services.imports import import_file
from tests.factories import InspectionFactory, ProviderFactory, SettingFactory
from tests.ofsted_files import latest_layout_xlsx, latest_row
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


def ofsted(rows, user, **kwargs):
    data = latest_layout_xlsx(rows)
    return import_file(spec=OfstedSpec(), data=data, file_name="ofsted.xlsx", user=user, **kwargs)


def spreadsheet(spec, rows, user, **kwargs):
    return import_file(spec=spec, data=csv_bytes(rows), file_name="f.csv", user=user, **kwargs)


class TestProviderMatching:
    def test_several_providers_of_one_name_are_reported_in_a_spreadsheet(self, manager):
        ProviderFactory(name="Acme Care Ltd", company_number="")
        ProviderFactory(name="ACME CARE LIMITED", company_number="")
        result = spreadsheet(ProviderSpec(), [["Name", "Town"], ["Acme Care", "Preston"]], manager)
        assert [str(p) for p in result.problems] == [
            "Row 2, column 'Name': 'Acme Care' matches 2 providers of that name: add the "
            "Companies House number to tell them apart"
        ]

    def test_several_providers_of_one_name_are_never_guessed_in_an_ofsted_file(self, manager):
        ProviderFactory(name="Acme Care Ltd", company_number="")
        ProviderFactory(name="ACME CARE LIMITED", company_number="")
        result = ofsted([latest_row("SC700001", "Acme Care", "Good")], manager)
        assert result.written
        assert [str(w) for w in result.warnings] == [
            "column 'Organisation which owns the provider': 'Acme Care' matches 2 providers: "
            "the settings it owns are left for matching by hand"
        ]
        setting = Setting.objects.get(urn="SC700001")
        assert setting.provider is None and setting.owner_name_from_ofsted == "Acme Care"

    def test_one_owner_named_on_many_rows_is_one_new_provider(self, manager):
        rows = [
            latest_row("SC700001", "New Homes Ltd", "Good", event="1"),
            latest_row("SC700002", "NEW HOMES LIMITED", "Good", event="2"),
        ]
        result = ofsted(rows, manager)
        assert result.counts["Providers"].created == 1
        provider = Provider.objects.get()
        assert set(provider.settings.values_list("urn", flat=True)) == {"SC700001", "SC700002"}
        assert provider.approval_status == "applicant"


class TestInspectionMatching:
    def test_an_inspection_entered_by_hand_gains_the_event_number_from_either_file(self, manager):
        for spec_rows in ("spreadsheet", "ofsted"):
            Inspection.objects.all().delete()
            setting = SettingFactory(urn=f"SC70000{1 if spec_rows == 'ofsted' else 2}")
            by_hand = InspectionFactory(setting=setting, event_number="", overall="good")
            when = by_hand.inspection_date
            if spec_rows == "spreadsheet":
                result = spreadsheet(
                    InspectionSpec(),
                    [
                        ["URN", "Event number", "Type", "Inspection date", "Overall judgement"],
                        [setting.urn, "555", "Full", when.strftime("%d/%m/%Y"), "Good"],
                    ],
                    manager,
                )
            else:
                row = latest_row(
                    setting.urn, "", "Good", event="555", inspected=when, published=None
                )
                result = ofsted([row], manager)
            assert result.written, [str(p) for p in result.problems]
            assert list(setting.inspections.values_list("event_number", flat=True)) == ["555"]


class TestAllOrNothing:
    def test_a_plan_over_three_registers_writes_nothing_when_one_row_is_refused(self, manager):
        rows = [
            latest_row("SC700001", "New Homes Ltd", "Good", event="1"),
            latest_row("SC700002", "New Homes Ltd", "Good", event="2"),
        ]
        rows[1][22] = "01/01/2099"  # an inspection date in the future
        rows[1][23] = ""
        result = ofsted(rows, manager)
        assert not result.written
        assert [str(p) for p in result.problems] == [
            "Row 6, column 'Latest full inspection date': An inspection date cannot be in the "
            "future."
        ]
        assert not Provider.objects.exists() and not Setting.objects.exists()
        assert not Provider.history.exists()

    def test_the_dry_run_checks_every_rule_and_writes_nothing(self, manager, support):
        result = spreadsheet(
            SettingSpec(),
            [["URN", "Provision type"], ["SC700001", "Children's home"]],
            support,
            dry_run=True,
        )
        assert result.ok and not result.written
        assert not Setting.objects.exists()


def test_the_follow_up_of_the_ri_process_is_reported_and_emailed_after_commit(
    manager, django_capture_on_commit_callbacks
):
    ProviderFactory(name="Acme Care Ltd", approval_status="approved")
    with django_capture_on_commit_callbacks() as callbacks:
        result = ofsted([latest_row("SC700001", "Acme Care Ltd", "Inadequate")], manager)
        assert mail.outbox == []  # not before the commit
    for callback in callbacks:
        callback()
    assert result.follow_up == [
        "Ofsted follow-up: 1 setting(s) put under enhanced monitoring, 1 risk-based visit(s) "
        "planned, 1 approval review(s) opened, 0 lifted from enhanced monitoring."
    ]
    assert len(mail.outbox) == 1


def test_history_names_the_user_and_the_file(manager):
    ofsted([latest_row("SC700001", "Acme Care Ltd", "Good")], manager)
    for model in (Provider, Setting, Inspection):
        entry = model.history.get()
        assert (entry.history_user, entry.history_change_reason) == (
            manager,
            "Imported from ofsted.xlsx",
        )
