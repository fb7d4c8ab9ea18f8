"""Each register imports by its natural key, all-or-nothing, with history."""

import io
from datetime import date

import pytest
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import load_workbook

from registers.importing.specs.action_items import ActionItemSpec
from registers.importing.specs.contracts import ContractSpec
from registers.importing.specs.inspections import InspectionSpec
from registers.importing.specs.providers import ProviderSpec
from registers.importing.specs.settings import SettingSpec
from registers.importing.specs.visits import VisitSpec
from registers.models import ActionItem, Contract, Inspection, Provider, Setting, Visit
from registers.services import recording
from registers.services.imports import import_file
from tests.factories import (
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    VisitFactory,
)
from tests.ofsted_files import EXCERPT_2016
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


def run(spec, rows, user, name="file.csv", **kwargs):
    return import_file(spec=spec, data=csv_bytes(rows), file_name=name, user=user, **kwargs)


class TestKeys:
    def test_provider_updates_by_companies_house_number(self, manager):
        provider = ProviderFactory(name="Old Name Ltd", company_number="01234567")
        run(
            ProviderSpec(),
            [["Name", "Companies House number"], ["New Name Ltd", "1234567"]],
            manager,
        )
        provider.refresh_from_db()
        assert provider.name == "New Name Ltd"
        assert Provider.objects.count() == 1

    def test_provider_without_number_updates_by_normalised_name(self, manager):
        provider = ProviderFactory(name="Acme Care Limited", company_number="", town="")
        result = run(ProviderSpec(), [["Name", "Town"], ["ACME CARE LTD.", "Preston"]], manager)
        assert result.counts["Providers"].updated == 1
        provider.refresh_from_db()
        assert provider.town == "Preston"

    def test_provider_known_by_name_gains_its_number(self, manager):
        provider = ProviderFactory(name="Acme Care Ltd", company_number="")
        run(ProviderSpec(), [["Name", "Companies House number"], ["Acme Care", "SC12345"]], manager)
        provider.refresh_from_db()
        assert provider.company_number == "SC012345"

    def test_setting_by_urn(self, manager):
        setting = SettingFactory(urn="SC100001", places=3)
        run(
            SettingSpec(),
            [["URN", "Provision type", "Places"], ["sc100001", "Children's home", "5"]],
            manager,
        )
        setting.refresh_from_db()
        assert setting.places == 5

    def test_inspection_by_urn_and_event_number_else_date(self, manager):
        setting = SettingFactory(urn="SC100001")
        by_event = InspectionFactory(setting=setting, event_number="777", overall="good")
        by_date = InspectionFactory(
            setting=setting, event_number="", inspection_date=date(2024, 1, 10), overall="good"
        )
        header = ["URN", "Event number", "Type", "Inspection date", "Overall judgement"]
        result = run(
            InspectionSpec(),
            [
                header,
                [
                    "SC100001",
                    "777",
                    "Full",
                    by_event.inspection_date.strftime("%d/%m/%Y"),
                    "Requires Improvement",
                ],
                ["SC100001", "", "Full", "10/01/2024", "Inadequate"],
            ],
            manager,
        )
        assert result.ok, [str(p) for p in result.problems]
        assert Inspection.objects.count() == 2
        by_event.refresh_from_db()
        by_date.refresh_from_db()
        assert (by_event.overall, by_date.overall) == ("requires_improvement", "inadequate")

    def test_contract_by_reference(self, manager):
        ProviderFactory(name="Acme Care Ltd")
        header = [
            "Reference",
            "Title",
            "Provider",
            "Procurement route",
            "Start date",
            "End date",
            "Annual value (£)",
        ]
        row = [
            "C-1",
            "Care",
            "Acme Care Ltd",
            "Open tender",
            "01/04/2025",
            "31/03/2027",
            "£12,500.00",
        ]
        run(ContractSpec(), [header, row], manager)
        row[-1] = "13000"
        result = run(ContractSpec(), [header, row], manager)
        assert result.counts["Contracts"].updated == 1
        assert str(Contract.objects.get(reference="C-1").annual_value) == "13000.00"


class TestAllOrNothing:
    def test_one_bad_row_writes_no_record_and_no_history(self, manager):
        rows = [["Name", "Contact email"]] + [[f"Provider {n}", "a@b.org"] for n in range(50)]
        rows.append(["Provider bad", "not an email"])
        result = run(ProviderSpec(), rows, manager)
        assert [str(p) for p in result.problems] == [
            "Row 52, column 'Contact email': 'not an email' Enter a valid email address."
        ]
        assert not Provider.objects.exists()
        assert not Provider.history.exists()
        assert result.counts["Providers"].invalid == 1

    def test_a_database_refusal_rolls_everything_back(self, manager, monkeypatch):
        def boom(*args, **kwargs):
            raise IntegrityError("simulated")

        ProviderFactory(name="Existing Ltd", company_number="", town="")
        monkeypatch.setattr(recording, "bulk_update_recorded", boom)
        result = run(
            ProviderSpec(), [["Name", "Town"], ["New Ltd", "A"], ["Existing Ltd", "B"]], manager
        )
        monkeypatch.undo()
        assert "Nothing was imported" in str(result.problems[0])
        assert not Provider.objects.filter(name="New Ltd").exists()
        assert not Provider.history.filter(name="New Ltd").exists()


class TestHistory:
    def test_created_and_changed_rows_have_history_with_the_user_and_file(self, manager):
        ProviderFactory(name="Existing Ltd", company_number="", town="")
        run(
            ProviderSpec(),
            [["Name", "Town"], ["New Ltd", "A"], ["Existing Ltd", "B"]],
            manager,
            name="April list.csv",
        )
        entries = Provider.history.filter(history_change_reason="Imported from April list.csv")
        assert sorted(entries.values_list("history_type", flat=True)) == ["+", "~"]
        assert set(entries.values_list("history_user", flat=True)) == {manager.pk}

    def test_unchanged_rows_write_no_history(self, manager):
        ProviderFactory(name="Existing Ltd", company_number="", town="A")
        before = Provider.history.count()
        result = run(ProviderSpec(), [["Name", "Town"], ["Existing Ltd", "A"]], manager)
        assert result.counts["Providers"].unchanged == 1
        assert Provider.history.count() == before

    def test_dry_run_writes_nothing(self, manager):
        result = run(ProviderSpec(), [["Name"], ["New Ltd"]], manager, dry_run=True)
        assert result.counts["Providers"].created == 1
        assert not Provider.objects.exists()


class TestVisitsAndActions:
    def test_new_visits_give_their_lead_the_permission(self, manager, qa1):
        SettingFactory(urn="SC100001")
        rows = [
            ["Setting URN", "Planned date", "Lead officer"],
            ["SC100001", "01/12/2026", qa1.username],
        ]
        assert run(VisitSpec(), rows, manager).ok
        visit = Visit.objects.get()
        assert qa1.has_perm("registers.change_visit", visit)

    def test_visit_rows_follow_the_lifecycle_rules(self, manager):
        visit = VisitFactory(lead_officer=manager)
        rows = [
            ["Visit ID", "Planned date", "Status"],
            [str(visit.pk), visit.planned_date.strftime("%d/%m/%Y"), "Completed"],
        ]
        result = run(VisitSpec(), rows, manager)
        text = " ".join(str(p) for p in result.problems)
        assert "Give the date of the visit" in text and "Record the findings" in text

    def test_action_items_import_onto_a_visit(self, manager):
        visit = VisitFactory()
        rows = [
            ["Visit ID", "Action", "Owner at the provider", "Due date"],
            [str(visit.pk), "Send the action plan", "Manager", "15/12/2026"],
        ]
        assert run(ActionItemSpec(), rows, manager).ok
        assert ActionItem.objects.get().due_date == date(2026, 12, 15)


class TestAdminFlow:
    def upload(self, client, model, data: bytes, name: str):
        file = io.BytesIO(data)
        file.name = name
        return client.post(
            reverse(f"admin:registers_{model}_import"),
            {"import_file": file, "format": "0", "resource": "0"},
        )

    def test_preview_then_confirm(self, manager, client_for):
        ProviderFactory(name="Existing Ltd", company_number="", town="Old town")
        client = client_for(manager)
        data = csv_bytes([["Name", "Town"], ["New Ltd", "A"], ["Existing Ltd", "New town"]])
        preview = self.upload(client, "provider", data, "providers.csv")
        assert preview.status_code == 200
        result = preview.context["result"]
        assert (result.counts["Providers"].created, result.counts["Providers"].updated) == (1, 1)
        text = preview.content.decode()
        assert "Preview: nothing has been written yet" in text
        assert "Old town" in text and "New town" in text
        assert Provider.objects.count() == 1
        token = preview.context["confirm_token"]
        confirmed = client.post(
            reverse("admin:registers_provider_process_import"), {"token": token}
        )
        assert confirmed.status_code == 302
        assert Provider.objects.count() == 2
        assert (
            Provider.history.filter(
                history_user=manager, history_change_reason="Imported from providers.csv"
            ).count()
            == 2
        )
        # A token works once.
        again = client.post(reverse("admin:registers_provider_process_import"), {"token": token})
        assert again.status_code == 302 and Provider.objects.count() == 2

    def test_a_confirm_token_belongs_to_its_register(self, manager, client_for):
        client = client_for(manager)
        preview = self.upload(client, "provider", csv_bytes([["Name"], ["New Ltd"]]), "p.csv")
        response = client.post(
            reverse("admin:registers_setting_process_import"),
            {"token": preview.context["confirm_token"]},
        )
        assert response.status_code == 302
        assert not Provider.objects.exists() and not Setting.objects.exists()

    def test_a_bad_file_shows_every_problem_and_offers_no_confirm(self, manager, client_for):
        client = client_for(manager)
        data = csv_bytes([["Name", "Contact email"], ["A", "x"], ["B", "y"]])
        response = self.upload(client, "provider", data, "p.csv")
        text = response.content.decode()
        assert "Row 2, column &#x27;Contact email&#x27;" in text
        assert "Row 3, column &#x27;Contact email&#x27;" in text
        assert "confirm_token" not in response.context
        assert not Provider.objects.exists()

    def test_preview_of_ten_thousand_rows_is_summarised(self, manager, client_for, settings):
        client = client_for(manager)
        rows = [["Name"]] + [[f"Provider {n}"] for n in range(10_000)]
        response = self.upload(client, "provider", csv_bytes(rows), "big.csv")
        result = response.context["result"]
        assert result.counts["Providers"].created == 10_000
        assert len(result.changes) == settings.IMPORT_PREVIEW_ROWS
        assert b"the first 50 of 10000" in response.content
        assert len(response.content) < 400_000

    def test_import_page_lists_the_columns_and_offers_a_template(self, manager, client_for):
        client = client_for(manager)
        page = client.get(reverse("admin:registers_contract_import"))
        text = page.content.decode()
        assert "Procurement route" in text and "(required)" in text
        template = client.get(
            reverse("admin:registers_contract_import_template"), {"format": "xlsx"}
        )
        sheet = load_workbook(io.BytesIO(template.content)).active
        assert [cell.value for cell in sheet[1]][:3] == ["Reference", "Title", "Description"]

    def test_ofsted_button_flow(self, manager, client_for):
        client = client_for(manager)
        file = io.BytesIO(EXCERPT_2016.read_bytes())
        file.name = "ofsted_2016.csv"
        preview = client.post(
            reverse("admin:registers_setting_ofsted_import"),
            {"import_file": file, "format": "0", "resource": "0"},
        )
        assert preview.context["result"].counts["Settings"].created == 40
        assert not Setting.objects.exists()
        client.post(
            reverse("admin:registers_setting_ofsted_confirm"),
            {"token": preview.context["confirm_token"]},
        )
        assert Setting.objects.count() == 40


@pytest.mark.parametrize("file_format", ["0", "1", "2"], ids=["csv", "xlsx", "ods"])
def test_export_escapes_formulae_in_every_format(file_format, auditor, client_for):
    ProviderFactory(
        name="=CMD()", trading_name="@SUM(A1)", contact_name="-2+3", contact_phone="\t=1"
    )
    response = client_for(auditor).post(
        reverse("admin:registers_provider_export"), {"format": file_format, "resource": "0"}
    )
    assert response.status_code == 200
    if file_format == "0":
        text = response.content.decode("utf-8-sig")
        for value in ("'=CMD()", "'@SUM(A1)", "'-2+3"):
            assert value in text
    elif file_format == "1":
        row = [c.value for c in load_workbook(io.BytesIO(response.content)).active[2]]
        assert {"'=CMD()", "'@SUM(A1)", "'-2+3", "'\t=1"} <= set(row)
    else:
        import zipfile

        content = zipfile.ZipFile(io.BytesIO(response.content)).read("content.xml").decode()
        assert "&apos;=CMD()" in content or "'=CMD()" in content
