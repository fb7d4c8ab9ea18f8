"""Issue 15's set-up friction: the port, the sample files, the templates' example rows."""

import io
import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from registers.importing.specs.contracts import ContractSpec
from registers.importing.specs.providers import ProviderSpec
from registers.models import Contract, Provider
from registers.services.imports import import_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "samples"

pytestmark = pytest.mark.django_db


def test_make_run_serves_on_the_port_given_and_tells_the_commands():
    plan = subprocess.run(  # noqa: S603 - a fixed command, no user input
        ["make", "-n", "run", "PORT=8010"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "runserver 127.0.0.1:8010" in plan
    assert re.search(r"PORT=8010 .*manage.py seed_demo", plan)
    assert "http://127.0.0.1:8010/" in plan


def test_seed_demo_prints_the_address_of_the_port(settings):
    settings.DEBUG = True
    settings.PORT = 8010
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "http://127.0.0.1:8010/" in out.getvalue()
    assert "8000" not in out.getvalue()


def test_every_sample_file_the_readme_names_exists():
    readme = (SAMPLES / "README.md").read_text()
    named = re.findall(r"`([\w.-]+\.(?:csv|xlsx|ods))`", readme)
    assert {"providers.csv", "contracts.csv"} <= set(named)
    for name in named:
        assert (SAMPLES / name).exists(), name


def test_the_sample_providers_and_contracts_import_cleanly(manager):
    for spec, name in ((ProviderSpec(), "providers.csv"), (ContractSpec(), "contracts.csv")):
        result = import_file(
            spec=spec, data=(SAMPLES / name).read_bytes(), file_name=name, user=manager
        )
        assert not result.problems, [str(p) for p in result.problems]
    assert Provider.objects.filter(name="Oak Tree Care Ltd").exists()
    assert Contract.objects.count() == 2


@pytest.mark.parametrize(
    "model", ["provider", "setting", "inspection", "contract", "visit", "actionitem"]
)
def test_each_import_template_has_one_marked_example_row(model, manager, client_for):
    client = client_for(manager)
    url = reverse(f"admin:registers_{model}_import_template")
    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert str(rows[1][0]).startswith("Example (skipped):")
    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2


def test_a_filled_in_template_imports_without_its_example_row(manager, client_for):
    client = client_for(manager)
    url = reverse("admin:registers_provider_import_template")
    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    header = text.splitlines()[0]
    filled = text.strip() + "\r\n" + "Hillside Care Ltd" + "," * header.count(",") + "\r\n"
    result = import_file(
        spec=ProviderSpec(), data=filled.encode(), file_name="providers.csv", user=manager
    )
    assert not result.problems, [str(p) for p in result.problems]
    assert list(Provider.objects.values_list("name", flat=True)) == ["Hillside Care Ltd"]
    assert any("example row is skipped" in str(w) for w in result.warnings)
