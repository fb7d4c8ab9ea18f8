"""Confirming an import writes what the preview showed, or nothing: if a record
the file changes was changed, added or deleted by someone else after the
preview, the confirm is refused, names the rows and records, and asks for a
new preview."""

import io

import pytest
from django.urls import reverse

from registers import roles
from registers.importing.specs.providers import ProviderSpec
from registers.models import Provider
from registers.services.imports import import_file
from registers.services.providers import provider_save
from tests.factories import ProviderFactory
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [
    ["Name", "Companies House number", "Town"],
    ["Acme Care Ltd", "01234567", "Preston"],
    ["Birch Homes Ltd", "07654321", "Wigan"],
]


def run(user, *, dry_run, preview_versions=None, rows=ROWS):
    return import_file(
        spec=ProviderSpec(),
        data=csv_bytes(rows),
        file_name="providers.csv",
        user=user,
        dry_run=dry_run,
        preview_versions=preview_versions,
    )


@pytest.fixture
def providers():
    return (
        ProviderFactory(name="Acme Care Ltd", company_number="01234567", town="Leeds"),
        ProviderFactory(name="Birch Homes Ltd", company_number="07654321", town="Wigan"),
    )


@pytest.fixture
def colleague(make_user):
    return make_user(roles.MANAGER, username="ben", first_name="Ben", last_name="Cole")


def test_a_record_changed_after_the_preview_refuses_the_confirm_and_writes_nothing(
    manager, colleague, providers
):
    acme, birch = providers
    preview = run(manager, dry_run=True)
    assert preview.ok and preview.read_versions

    birch.contact_phone = "01942 000000"
    provider_save(provider=birch, user=colleague)

    result = run(manager, dry_run=False, preview_versions=preview.read_versions)
    assert not result.written
    messages = [str(problem) for problem in result.problems]
    assert "changed after your preview" in messages[0]
    assert "preview" in messages[0] and "again" in messages[0]
    stale = [m for m in messages if "Birch Homes Ltd" in m]
    assert len(stale) == 1
    assert stale[0].startswith("Row 3:")
    assert "by Ben Cole on" in stale[0]
    assert not any("Acme" in m for m in messages)
    acme.refresh_from_db()
    assert acme.town == "Leeds"


def test_an_unchanged_record_changed_since_is_refused_too(manager, colleague, providers):
    """Birch's row writes no change at preview; confirming would write Wigan back."""
    _, birch = providers
    preview = run(manager, dry_run=True)
    birch.town = "Bolton"
    provider_save(provider=birch, user=colleague)
    result = run(manager, dry_run=False, preview_versions=preview.read_versions)
    assert not result.written
    assert any(str(p).startswith("Row 3:") for p in result.problems)
    birch.refresh_from_db()
    assert birch.town == "Bolton"


def test_a_record_added_after_the_preview_refuses_the_confirm(manager, colleague):
    rows = [["Name", "Companies House number"], ["New Care Ltd", "05555555"]]
    preview = run(manager, dry_run=True, rows=rows)
    assert preview.counts["Providers"].created == 1
    provider_save(
        provider=Provider(name="New Care Ltd", company_number="05555555", sector="private"),
        user=colleague,
    )
    result = run(manager, dry_run=False, preview_versions=preview.read_versions, rows=rows)
    assert not result.written
    assert any("Row 2:" in str(p) and "added after your preview" in str(p) for p in result.problems)
    assert Provider.objects.count() == 1


def test_a_record_deleted_after_the_preview_refuses_the_confirm(manager, providers):
    acme, _ = providers
    preview = run(manager, dry_run=True)
    acme.delete()
    result = run(manager, dry_run=False, preview_versions=preview.read_versions)
    assert not result.written
    assert any(str(p).startswith("Row 2:") for p in result.problems)
    assert not Provider.objects.filter(company_number="01234567").exists()


def test_unchanged_records_confirm_as_previewed(manager, providers):
    acme, _ = providers
    preview = run(manager, dry_run=True)
    result = run(manager, dry_run=False, preview_versions=preview.read_versions)
    assert result.written
    acme.refresh_from_db()
    assert acme.town == "Preston"


def upload(client, url, rows):
    file = io.BytesIO(csv_bytes(rows))
    file.name = "providers.csv"
    return client.post(url, {"import_file": file, "format": "0", "resource": "0"})


def test_the_import_page_refuses_a_stale_confirm_and_asks_for_a_new_preview(
    manager, colleague, providers, client_for
):
    acme, birch = providers
    client = client_for(manager)
    preview = upload(client, reverse("admin:registers_provider_import"), ROWS)
    token = preview.context["confirm_token"]

    acme.town = "York"
    provider_save(provider=acme, user=colleague)

    response = client.post(reverse("admin:registers_provider_process_import"), {"token": token})
    assert response.status_code == 200
    text = response.content.decode()
    assert "The file was not imported: nothing has been written" in text
    assert "changed after your preview" in text
    assert "Row 2: provider &#x27;Acme Care Ltd&#x27; changed after your preview" in text
    assert "Town by Ben Cole on" in text
    acme.refresh_from_db()
    assert acme.town == "York"

    # A new preview shows the change as it now is, and confirms.
    again = upload(client, reverse("admin:registers_provider_import"), ROWS)
    assert "York" in again.content.decode()
    confirm = client.post(
        reverse("admin:registers_provider_process_import"),
        {"token": again.context["confirm_token"]},
    )
    assert confirm.status_code == 302
    acme.refresh_from_db()
    assert acme.town == "Preston"
