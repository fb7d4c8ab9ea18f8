"""Ofsted's real files of every year, and the layouts described but not shared:
each imports, anomalies are warnings, joiners and leavers keep the register's
registration status current, and every import is kept as a run with a report."""

import csv
import io
import re
from datetime import date, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from registers.importing.specs.ofsted import OfstedSpec
from registers.models import (
    ImportRun,
    Inspection,
    InspectionType,
    Judgement,
    RegistrationStatus,
    Setting,
)
from registers.services.imports import import_file
from registers.services.settings import setting_save
from tests.factories import ProviderFactory, SettingFactory
from tests.ofsted_files import (
    JOINERS_LEAVERS,
    LEAVERS_IN_2016,
    PROVIDERS_2016,
    PROVIDERS_2023,
    joiners_leavers_xlsx,
    latest_layout_xlsx,
    latest_row,
    no_inspections_csv,
    oldest_layout_csv,
)

pytestmark = pytest.mark.django_db
URN_RE = re.compile(r"^(SC\d{6}|\d{6,7})$")

PROVIDER_FILE = "Ofsted provider-level file"
JOINERS_LEAVERS_FILE = "Ofsted joiners-and-leavers file"


def run(data: bytes, name: str, user=None):
    return import_file(spec=OfstedSpec(), data=data, file_name=name, user=user)


def run_path(path, user=None):
    return run(path.read_bytes(), path.name, user)


def urns_of(path) -> set[str]:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    column = next(row for row in rows if "URN" in row).index("URN")
    return {row[column] for row in rows if len(row) > column and URN_RE.match(row[column])}


# --- every shared file, through the command, on an empty database ---------------------


@pytest.mark.parametrize(
    ("path", "kind", "rows"),
    [
        (PROVIDERS_2016, PROVIDER_FILE, 30),
        (PROVIDERS_2023, PROVIDER_FILE, 27),
        (JOINERS_LEAVERS[2018], JOINERS_LEAVERS_FILE, 14),
        (JOINERS_LEAVERS[2020], JOINERS_LEAVERS_FILE, 13),
        (JOINERS_LEAVERS[2022], JOINERS_LEAVERS_FILE, 14),
    ],
    ids=["2016", "2023", "jl2018", "jl2020", "jl2022"],
)
def test_each_shared_file_imports_with_the_command_and_says_what_it_found(path, kind, rows):
    out = StringIO()
    call_command("import_ofsted", str(path), stdout=out)  # raises (exit 1) on any problem
    text = out.getvalue()
    assert f"Found: {kind}, {rows} row(s)." in text
    assert f"Settings: {rows} created, 0 updated, 0 unchanged, 0 skipped, 0 invalid" in text
    assert Setting.objects.count() == rows
    run_record = ImportRun.objects.get()
    assert (run_record.file_name, run_record.kind, run_record.rows_read) == (path.name, kind, rows)


def test_the_2023_file_as_published_imports_its_quirks(manager):
    result = run_path(PROVIDERS_2023, manager)
    assert result.ok, [str(p) for p in result.problems]
    # Short-break-only written as the column's own name; multi-building as Y.
    assert Setting.objects.filter(is_short_breaks_only=True).count() == 4
    assert Setting.objects.filter(is_multi_building=True).count() == 3
    assert Setting.objects.filter(registration_status=RegistrationStatus.SUSPENDED).count() == 3
    # One event number covers several branches: one inspection each.
    assert Inspection.objects.count() == 27
    # Owners become providers; a setting whose owner Ofsted leaves blank is listed for matching.
    assert list(Setting.objects.filter(provider__isnull=True).values_list("urn", flat=True)) == [
        "1027077"
    ]


def test_a_monitoring_inspection_with_a_judgement_is_a_warning_and_imported(manager):
    result = run_path(PROVIDERS_2023, manager)
    warned = [w for w in result.warnings if "monitoring inspection with a judgement" in str(w)]
    assert [w.row for w in warned] == [5, 6]
    assert all(w.column == "Latest full inspection event type" for w in warned)
    monitoring = Inspection.objects.filter(inspection_type=InspectionType.MONITORING)
    assert monitoring.count() == 2
    assert set(monitoring.values_list("overall", flat=True)) == {Judgement.REQUIRES_IMPROVEMENT}
    # The warnings stay with the run.
    assert len(ImportRun.objects.get().warnings) == len(result.warnings)


def test_2016_then_2023_adds_second_inspections_and_moves_rating_and_trend(manager):
    run_path(PROVIDERS_2016, manager)
    result = run_path(PROVIDERS_2023, manager)
    both = urns_of(PROVIDERS_2016) & urns_of(PROVIDERS_2023)
    assert len(both) == 12
    assert result.counts["Settings"].updated + result.counts["Settings"].unchanged == 12
    twice = Setting.objects.filter(urn__in=both)
    assert all(s.inspections.count() == 2 for s in twice)
    rated = {s.urn: s for s in twice}
    declined = {urn for urn, s in rated.items() if s.trend == "declined"}
    improved = {urn for urn, s in rated.items() if s.trend == "improved"}
    assert len(declined) >= 4 and len(improved) >= 3
    report = ImportRun.objects.latest("pk").report
    assert {line["urn"] for line in report if line["section"] == "declined"} == declined
    assert {line["urn"] for line in report if line["section"] == "improved"} == improved


def test_reimporting_a_file_changes_nothing_and_writes_no_history(manager):
    for path in (PROVIDERS_2016, PROVIDERS_2023, JOINERS_LEAVERS[2020]):
        run_path(path, manager)
        counts = (Setting.history.count(), Inspection.history.count())
        again = run_path(path, manager)
        assert again.total_written == 0, path.name
        assert (Setting.history.count(), Inspection.history.count()) == counts


# --- real errors still stop the import ----------------------------------------------


def test_a_urn_given_twice_stops_the_import_naming_the_row(manager):
    lines = PROVIDERS_2023.read_bytes().split(b"\r\n")
    data = b"\r\n".join(lines[:6] + [lines[5]] + lines[6:])
    result = run(data, "dup.csv", manager)
    assert "Row 7: repeats URN" in str(result.problems[0])
    assert not Setting.objects.exists() and not ImportRun.objects.exists()


def test_an_unreadable_value_stops_the_import_naming_row_and_column(manager):
    text = PROVIDERS_2023.read_bytes().replace(b"26/07/2022", b"26/13/2022", 1)
    result = run(text, "bad.csv", manager)
    assert [str(p) for p in result.problems] == [
        "Row 6, column 'Latest full inspection date': '26/13/2022' is not a date in DD/MM/YYYY form"
    ]
    assert not Setting.objects.exists()


# --- layouts described in the data README, built ---------------------------------------


def test_an_early_windows_1252_layout_with_no_names_coded_grades_and_six_digit_urns(manager):
    data = oldest_layout_csv(
        [
            ["123456", "Secure Training Centre", "Registered", "Medway", "", "", "41",
             "12/03/2012", "2"],
            ["SC100001", "Children's Home", "Active", "Bristol, City of", "4", "Short breaks only",
             "42", "01/02/2013", "Adequate"],
            ["SC100002", "Children\u2019s home", "Active", "St. Helens", "NULL", "???", "43",
             "05/06/2013", "Satisfactory"],
            ["SC100003", "Foster Café", "Active", "Sefton", "", "No", "44", "05/06/2013", "4"],
        ]
    )  # fmt: skip
    result = run(data, "providers_2013.csv", manager)
    assert result.ok, [str(p) for p in result.problems]
    assert result.kind == PROVIDER_FILE
    stc = Setting.objects.get(urn="123456")
    assert stc.provision_type == "Secure training centre"
    assert stc.provision_type_as_published == "Secure Training Centre"
    assert stc.inspections.get().overall == Judgement.GOOD
    home = Setting.objects.get(urn="SC100001")
    assert (home.provision_type, home.provision_type_as_published) == (
        "Children's home",
        "Children's Home",
    )
    assert (home.local_authority, home.local_authority_as_published) == (
        "Bristol",
        "Bristol, City of",
    )
    assert home.is_short_breaks_only is True
    assert home.inspections.get().overall == Judgement.ADEQUATE
    other = Setting.objects.get(urn="SC100002")
    assert (other.provision_type, other.local_authority, other.places) == (
        "Children's home",
        "St Helens",
        None,
    )
    assert other.inspections.get().overall == Judgement.SATISFACTORY
    unknown = Setting.objects.get(urn="SC100003")
    assert unknown.provision_type == "Foster Café"  # imported as published
    assert unknown.inspections.get().overall == Judgement.INADEQUATE
    assert [str(w) for w in result.warnings] == [
        "Row 7, column 'Provision type': 'Foster Café' is not a provision type the register "
        "knows: imported as published"
    ]
    # Filters list each type once.
    types = set(Setting.objects.values_list("provision_type", flat=True))
    assert types == {"Secure training centre", "Children's home", "Foster Café"}


def test_a_file_with_no_inspection_columns(manager):
    data = no_inspections_csv([["SC200001", "Willow House", "Children's home", "Sefton", "Active"]])
    result = run(data, "register.csv", manager)
    assert result.ok, [str(p) for p in result.problems]
    assert Setting.objects.get().name == "Willow House"
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("written", "read"),
    [("Yes", True), ("Y", True), ("Short-break-only children's home", True), ("No", False),
     ("", None), ("NULL", None)],
)  # fmt: skip
def test_yes_no_as_ofsted_writes_it(manager, written, read):
    row = latest_row("SC700001", "Acme", "Good")
    row[18] = written
    result = run(latest_layout_xlsx([row]), "f.xlsx", manager)
    assert result.ok, [str(p) for p in result.problems]
    assert Setting.objects.get().is_short_breaks_only is bool(read)


def test_a_registration_date_after_the_inspection_is_a_warning(manager):
    row = latest_row("SC700001", "Acme", "Good", inspected=datetime(2018, 9, 3))
    result = run(latest_layout_xlsx([row]), "f.xlsx", manager)
    assert result.ok
    assert "is after the inspection date (03/09/2018): imported as published" in str(
        result.warnings[0]
    )
    assert Inspection.objects.count() == 1


# --- joiners and leavers ---------------------------------------------------------------


@pytest.mark.parametrize("year", [2018, 2020, 2022])
def test_joiners_and_leavers_change_the_status_of_exactly_the_leavers(manager, year):
    run_path(PROVIDERS_2016, manager)
    result = run_path(JOINERS_LEAVERS[year], manager)
    assert result.ok and result.kind == JOINERS_LEAVERS_FILE
    in_2016 = Setting.objects.filter(urn__in=urns_of(PROVIDERS_2016))
    changed = set(in_2016.exclude(registration_status="active").values_list("urn", flat=True))
    assert changed == LEAVERS_IN_2016[year]
    assert not in_2016.filter(urn__in=changed, registration_status_since__isnull=True).exists()


def test_a_leaver_gets_its_status_and_the_date_it_took_effect(manager):
    run_path(PROVIDERS_2016, manager)
    run_path(JOINERS_LEAVERS[2018], manager)
    left = Setting.objects.get(urn="1179497")
    assert (left.registration_status, left.registration_status_since) == (
        RegistrationStatus.RESIGNED,
        date(2017, 11, 30),
    )
    history = left.history.first()
    assert history.history_change_reason == "Imported from joiners_leavers_2018_excerpt.csv"
    assert history.history_user == manager


def test_joiners_are_added(manager):
    result = run_path(JOINERS_LEAVERS[2020], manager)
    assert result.counts["Settings"].created == 13
    joiner = Setting.objects.exclude(registration_status_since=None).filter(
        registration_status=RegistrationStatus.ACTIVE
    )
    assert joiner.exists()
    assert all(s.registration_status_since == s.registration_date for s in joiner)


def test_an_older_file_never_undoes_a_newer_status(manager):
    run_path(PROVIDERS_2016, manager)
    run_path(JOINERS_LEAVERS[2022], manager)
    result = run_path(PROVIDERS_2016, manager)  # says Active, as at 31/03/2016
    assert Setting.objects.get(urn="1027081").registration_status == RegistrationStatus.RESIGNED
    assert any("before the status the register holds" in str(w) for w in result.warnings)


def test_another_years_layout_in_xlsx(manager):
    data = joiners_leavers_xlsx(
        [
            ["SC300001", "Children's Home", "Sefton", datetime(2015, 1, 5), datetime(2018, 7, 1),
             "", "Leaver", "Resigned", "REDACTED"],
            ["SC300002", "Independent Fostering Agency", "Sefton", datetime(2018, 9, 1), None,
             "Joiner", "", "Active", "New Dawn Fostering"],
            ["SC300003", "Children's home", "Sefton", datetime(2012, 1, 5), datetime(2019, 2, 1),
             "", "Leaver", "Cancelled", "REDACTED"],
        ]
    )  # fmt: skip
    result = run(data, "joiners_leavers_2019.xlsx", manager)
    assert result.ok and result.kind == JOINERS_LEAVERS_FILE, [str(p) for p in result.problems]
    statuses = dict(Setting.objects.values_list("urn", "registration_status"))
    assert statuses == {"SC300001": "resigned", "SC300002": "active", "SC300003": "cancelled"}
    assert Setting.objects.get(urn="SC300003").registration_status_since == date(2019, 2, 1)
    assert Setting.objects.get(urn="SC300001").provision_type == "Children's home"


class TestRegistrationEnded:
    @pytest.fixture
    def in_use(self, manager):
        run_path(PROVIDERS_2016, manager)
        setting = Setting.objects.get(urn="1179497")
        Setting.objects.filter(pk=setting.pk).update(provider=ProviderFactory())  # approved
        mail.outbox.clear()
        return setting

    def test_a_setting_in_use_is_flagged_and_managers_get_one_digest(
        self, in_use, manager, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            result = run_path(JOINERS_LEAVERS[2018], manager)
        in_use.refresh_from_db()
        assert in_use.placement_review_required
        assert in_use.placement_review_reason == "Registration resigned from 30/11/2017"
        assert len(mail.outbox) == 1
        assert "registration of 1 setting in use has ended" in mail.outbox[0].subject
        assert "1179497" in mail.outbox[0].body
        report = ImportRun.objects.latest("pk").report
        assert [line["urn"] for line in report if line["section"] == "registration_ended"] == [
            "1179497"
        ]
        assert any("placement review" in line for line in result.follow_up)

    def test_settings_not_in_use_start_no_alert(self, in_use, manager):
        run_path(JOINERS_LEAVERS[2018], manager)
        flagged = Setting.objects.filter(placement_review_required=True)
        assert list(flagged.values_list("urn", flat=True)) == ["1179497"]

    def test_not_again_on_reimport(self, in_use, manager, django_capture_on_commit_callbacks):
        run_path(JOINERS_LEAVERS[2018], manager)
        Setting.objects.filter(pk=in_use.pk).update(placement_review_required=False)
        mail.outbox.clear()
        history = in_use.history.count()
        with django_capture_on_commit_callbacks(execute=True):
            run_path(JOINERS_LEAVERS[2018], manager)
        in_use.refresh_from_db()
        assert not in_use.placement_review_required
        assert mail.outbox == []
        assert in_use.history.count() == history

    def test_the_same_rule_on_the_settings_own_page(self, in_use, manager):
        in_use.refresh_from_db()
        in_use.registration_status = RegistrationStatus.SUSPENDED
        setting_save(setting=in_use, user=manager)
        in_use.refresh_from_db()
        assert in_use.placement_review_required


# --- import runs and their report ------------------------------------------------------


def test_new_settings_are_reported_only_in_the_councils_area(manager, settings):
    settings.HOME_LOCAL_AUTHORITIES = ["County Durham", "st. helens"]  # any spelling
    run_path(PROVIDERS_2016, manager)
    report = ImportRun.objects.get().report
    areas = {line["local_authority"] for line in report if line["section"] == "new_setting"}
    assert areas == {"Durham", "St Helens"}


def test_the_run_is_listed_and_its_report_downloads_as_csv(manager, client_for):
    run_path(PROVIDERS_2016, manager)
    run_path(PROVIDERS_2023, manager)
    client = client_for(manager)
    latest = ImportRun.objects.latest("pk")
    listing = client.get(reverse("admin:registers_importrun_changelist"))
    assert b"providers_2023_excerpt.csv" in listing.content
    page = client.get(reverse("admin:registers_importrun_change", args=[latest.pk]))
    assert b"Rating declined" in page.content
    response = client.get(reverse("admin:registers_importrun_report", args=[latest.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Section", "URN", "Setting", "Local authority", "Detail"]
    assert {row[0] for row in rows[1:]} >= {"Rating declined", "Rating improved"}


def test_only_those_who_may_see_runs_see_them(support, qa1, auditor, client_for):
    run = ImportRun.objects.create(file_name="f.csv", kind=PROVIDER_FILE)
    for user, status in ((support, 403), (qa1, 403), (auditor, 200)):
        client = client_for(user)
        assert (
            client.get(reverse("admin:registers_importrun_change", args=[run.pk])).status_code
            == status
        )
        report = client.get(reverse("admin:registers_importrun_report", args=[run.pk]))
        assert report.status_code == status


def test_the_admin_page_takes_both_kinds_and_shows_the_report(manager, client_for):
    client = client_for(manager)
    url = reverse("admin:registers_setting_ofsted_import")
    for path, kind in (
        (PROVIDERS_2023, PROVIDER_FILE),
        (JOINERS_LEAVERS[2022], JOINERS_LEAVERS_FILE),
    ):
        with path.open("rb") as handle:
            preview = client.post(url, {"import_file": handle, "format": "0"})
        assert f"Found: <strong>{kind}</strong>".encode() in preview.content
        assert b"imported as published" in preview.content
        token = preview.context["confirm_token"]
        done = client.post(reverse("admin:registers_setting_ofsted_confirm"), {"token": token})
        run_record = ImportRun.objects.latest("pk")
        assert done["Location"] == reverse("admin:registers_importrun_change", args=[run_record.pk])
        assert run_record.user == manager and run_record.kind == kind


# --- settings Ofsted does not register -------------------------------------------------


def test_settings_without_a_urn_are_kept_and_urns_stay_unique_and_checked(manager):
    for name in ("Flat 1", "Flat 2"):
        setting_save(
            setting=Setting(name=name, provision_type="Supported accommodation"), user=manager
        )
    assert Setting.objects.filter(urn__isnull=True).count() == 2
    SettingFactory(urn="SC400001")
    with pytest.raises(ValidationError, match="Another setting has this URN"):
        setting_save(
            setting=Setting(urn="SC400001", provision_type="Children's home"), user=manager
        )
    with pytest.raises(ValidationError, match="is not an Ofsted URN"):
        setting_save(setting=Setting(urn="SC4", provision_type="Children's home"), user=manager)
