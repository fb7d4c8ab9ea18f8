"""Ofsted's provider-level files in any year's layout, all-or-nothing and idempotent."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from registers.importing.specs.ofsted import OfstedSpec
from registers.models import Inspection, Judgement, Provider, Setting
from registers.services.imports import import_file
from tests.factories import ProviderFactory, SettingFactory
from tests.ofsted_files import (
    EXCERPT_2016,
    latest_layout_xlsx,
    latest_row,
    older_layout_csv,
    older_row,
)
from tests.spreadsheets import csv_bytes, ods_bytes

pytestmark = pytest.mark.django_db


def run(data: bytes, name: str, user=None, **kwargs):
    return import_file(spec=OfstedSpec(), data=data, file_name=name, user=user, **kwargs)


def test_the_2016_file_as_published(manager):
    result = run(EXCERPT_2016.read_bytes(), "providers_at_31_march_2016.csv", manager)
    assert result.ok, [str(p) for p in result.problems[:5]]
    assert result.counts["Settings"].created == 40
    assert result.counts["Inspections"].created == 40
    assert result.counts["Providers"].created == 0  # the 2016 file names no owners
    home = Setting.objects.get(urn="1159682")
    assert (home.name, home.postcode, home.provider) == ("", "", None)  # REDACTED is unknown
    assert home.inspections.get().overall == Judgement.REQUIRES_IMPROVEMENT
    school = Setting.objects.get(urn="SC001831")
    assert school.name == "The Grange Therapeutic School"
    assert school.postcode == "LE15 8LY"
    assert school.linked_education_urn == "120330"
    inspection = school.inspections.get()
    assert (inspection.event_number, inspection.inspection_date) == ("2457346", date(2016, 3, 3))
    assert (
        Setting.history.filter(
            history_user=manager,
            history_change_reason="Imported from providers_at_31_march_2016.csv",
        ).count()
        == 40
    )


def test_the_latest_layout_in_xlsx_with_owners(manager):
    rows = [
        latest_row("SC700001", "Acme Care Ltd", "Requires improvement to be good"),
        latest_row("SC700002", "ACME CARE LIMITED", "Good", event="20002"),
        latest_row("2700003", "Brightpath Homes", "Outstanding", event="20003"),
    ]
    result = run(latest_layout_xlsx(rows), "providers_2024.xlsx", manager)
    assert result.ok, [str(p) for p in result.problems]
    assert result.counts["Providers"].created == 2  # Acme written two ways is one provider
    acme = Provider.objects.get(normalised_name="acme care")
    assert set(acme.settings.values_list("urn", flat=True)) == {"SC700001", "SC700002"}
    setting = Setting.objects.get(urn="SC700001")
    assert setting.ofsted_region == "North West"
    assert setting.registration_date == date(2019, 5, 1)
    inspection = setting.inspections.get()
    assert inspection.overall == Judgement.REQUIRES_IMPROVEMENT
    assert inspection.publication_date == date(2024, 10, 1)
    assert inspection.help_and_protection == Judgement.REQUIRES_IMPROVEMENT


def test_an_older_layout_with_other_names_and_encoding(manager):
    existing = ProviderFactory(name="Harbour Fostering Ltd")
    rows = [older_row("SC800001", "Harbour Fostering", "Requires Improvement")]
    result = run(older_layout_csv(rows), "ofsted_2019.csv", manager)
    assert result.ok, [str(p) for p in result.problems]
    setting = Setting.objects.get(urn="SC800001")
    assert setting.name == "Café House"
    assert setting.provider == existing  # matched by normalised name, not duplicated
    assert setting.inspections.get().event_number == "30001"


def test_ods_layout(manager):
    header = [
        "URN",
        "Provision type",
        "Setting name",
        "Local authority",
        "Inspection date",
        "Overall effectiveness",
        "Event number",
    ]
    data = ods_bytes(
        [["Title line"], header, ["SC900001", "Children's home", "Ivy House", "Sefton", "", "", ""]]
    )
    result = run(data, "ofsted.ods", manager)
    assert result.ok, [str(p) for p in result.problems]
    assert Setting.objects.get().name == "Ivy House"


def test_redacted_never_overwrites_a_known_name_or_address(manager):
    known = SettingFactory(urn="SC700001", name="Willow House", postcode="PR8 1AB")
    run(latest_layout_xlsx([latest_row("SC700001", "Acme Care Ltd", "Good")]), "f.xlsx", manager)
    known.refresh_from_db()
    assert (known.name, known.postcode) == ("Willow House", "PR8 1AB")


def test_reimporting_the_same_file_changes_nothing_and_writes_no_history(manager):
    data = EXCERPT_2016.read_bytes()
    run(data, "f.csv", manager)
    counts = (Setting.history.count(), Inspection.history.count(), Provider.history.count())
    again = run(data, "f.csv", manager)
    assert again.counts["Settings"].unchanged == 40
    assert again.counts["Inspections"].unchanged == 40
    assert (again.counts["Settings"].updated, again.counts["Inspections"].created) == (0, 0)
    assert (Setting.history.count(), Inspection.history.count(), Provider.history.count()) == counts


def test_a_newer_year_adds_inspections_and_moves_rating_and_trend(manager):
    run(latest_layout_xlsx([latest_row("SC700001", "Acme", "Good", event="1")]), "a.xlsx", manager)
    newer = latest_row(
        "SC700001",
        "Acme",
        "Inadequate",
        event="2",
        inspected=datetime(2025, 6, 1),
        published=datetime(2025, 7, 1),
    )
    result = run(latest_layout_xlsx([newer]), "b.xlsx", manager)
    assert result.counts["Inspections"].created == 1
    setting = Setting.objects.get(urn="SC700001")
    assert (setting.current_rating, setting.previous_rating, setting.trend) == (
        "inadequate",
        "good",
        "declined",
    )


def test_an_unrecognised_layout_is_refused_with_the_missing_columns(manager):
    data = csv_bytes([["URN", "Colour"], ["SC100001", "Blue"]])
    result = run(data, "odd.csv", manager)
    message = str(result.problems[0])
    assert "not a layout this portal recognises" in message
    assert "Missing columns 'Provision type', 'Local authority'." in message
    assert not Setting.objects.exists()


def test_a_file_without_any_urn_column_is_refused(manager):
    result = run(csv_bytes([["Name", "Town"], ["A", "B"]]), "odd.csv", manager)
    assert "no header row with a 'URN' column" in str(result.problems[0])


def test_one_invalid_row_writes_nothing(manager):
    rows = [
        latest_row("SC700001", "Acme", "Good"),
        latest_row("SC70000X", "Acme", "Good", event="9"),
    ]
    result = run(latest_layout_xlsx(rows), "f.xlsx", manager)
    assert [str(p) for p in result.problems] == [
        "Row 6, column 'URN': 'SC70000X' is not an Ofsted URN: use SC followed by 6 digits "
        "(SC123456), 7 digits (1234567) or, for some older registrations, 6 digits (123456)."
    ]
    assert not Setting.objects.exists() and not Provider.objects.exists()
    assert not Setting.history.exists()


def test_unknown_judgement_is_refused_naming_the_column(manager):
    rows = [latest_row("SC700001", "Acme", "Brilliant")]
    result = run(latest_layout_xlsx(rows), "f.xlsx", manager)
    first = str(result.problems[0])
    assert first.startswith("Row 5, column 'Overall experiences and progress of children and")
    assert "'Brilliant' is not one of: Outstanding, Good" in first


def test_a_urn_repeated_in_the_file_names_both_rows(manager):
    rows = [latest_row("SC700001", "Acme", "Good"), latest_row("SC700001", "Acme", "Good")]
    result = run(latest_layout_xlsx(rows), "f.xlsx", manager)
    assert "repeats URN SC700001 of row 5" in str(result.problems[0])


class TestCommand:
    def test_dry_run_writes_nothing_and_reports(self, manager, tmp_path):
        path = tmp_path / "ofsted.csv"
        path.write_bytes(EXCERPT_2016.read_bytes())
        out = StringIO()
        call_command("import_ofsted", str(path), "--dry-run", stdout=out)
        assert "Settings: 40 created" in out.getvalue()
        assert "Dry run: nothing was written." in out.getvalue()
        assert not Setting.objects.exists()

    def test_import_records_the_named_user(self, manager, tmp_path):
        path = tmp_path / "ofsted.csv"
        path.write_bytes(EXCERPT_2016.read_bytes())
        call_command("import_ofsted", str(path), "--user", manager.username, stdout=StringIO())
        assert Setting.history.filter(history_user=manager).count() == 40

    def test_invalid_rows_exit_non_zero(self, tmp_path):
        path = tmp_path / "bad.xlsx"
        path.write_bytes(latest_layout_xlsx([latest_row("SC7", "Acme", "Good")]))
        with pytest.raises(CommandError, match="1 invalid row"):
            call_command("import_ofsted", str(path), stdout=StringIO(), stderr=StringIO())
        assert not Setting.objects.exists()

    def test_unknown_user_is_refused(self, tmp_path):
        path = tmp_path / "ofsted.csv"
        path.write_bytes(EXCERPT_2016.read_bytes())
        with pytest.raises(CommandError, match="No active user"):
            call_command("import_ofsted", str(path), "--user", "nobody")
