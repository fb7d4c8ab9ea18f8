"""An import never names a record the importer may not see: a hidden contract's
reference in a file gets the same answer as any other contract they may not change,
and its title, provider and values appear nowhere in the result or on the page."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from registers.importing.specs.contracts import ContractSpec
from registers.models import Contract
from registers.services.imports import import_file
from tests.factories import ContractFactory, ProviderFactory
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Reference", "Title", "Provider", "Procurement route", "Start date", "End date"]


@pytest.fixture
def limited_importer(make_user):
    """May import contracts, but change only the one contract granted to them."""
    user = make_user(username="limited")
    for codename in ("import_contract", "add_contract", "view_provider"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    own = ContractFactory(reference="C-OWN")
    assign_perm("registers.change_contract", user, own)
    assign_perm("registers.view_contract", user, own)
    return user


def everything_said(result) -> str:
    lines = [f"{p.row} {p.column} {p.value} {p.message}" for p in result.problems]
    lines += [f"{p.row} {p.column} {p.value} {p.message}" for p in result.warnings]
    return "\n".join(lines + result.notes + result.follow_up + result.summary_lines())


def test_a_hidden_contract_is_not_revealed_by_an_import_error(limited_importer):
    hidden = ContractFactory(
        reference="C-SECRET",
        title="Placement of child AB at Secret House",
        description="Safeguarding concern",
    )
    ProviderFactory(name="Acme Care Ltd")
    rows = [
        HEADER,
        ["C-SECRET", "New title", "Acme Care Ltd", "Open tender", "01/04/2025", "31/03/2027"],
    ]
    result = import_file(
        spec=ContractSpec(), data=csv_bytes(rows), file_name="c.csv", user=limited_importer
    )
    assert not result.ok
    said = everything_said(result)
    assert "is not a contract you may change" in said
    for secret in (hidden.title, hidden.description, hidden.provider.name):
        assert secret not in said
    hidden.refresh_from_db()
    assert hidden.title == "Placement of child AB at Secret House"


def test_the_import_page_does_not_show_a_hidden_contract(limited_importer, client_for):
    ContractFactory(reference="C-SECRET", title="Secret House placement")
    ProviderFactory(name="Acme Care Ltd")
    rows = [HEADER, ["C-SECRET", "x", "Acme Care Ltd", "Open tender", "01/04/2025", "31/03/2027"]]
    upload = csv_bytes(rows)
    client = client_for(limited_importer)
    url = reverse("admin:registers_contract_import")
    response = client.post(url, {"import_file": SimpleUploadedFile("c.csv", upload)})
    page = response.content.decode()
    assert "Secret House placement" not in page
    assert Contract.objects.get(reference="C-SECRET").title == "Secret House placement"
