"""The services' bulk history writer writes what django-simple-history would."""

from datetime import date
from decimal import Decimal

import pytest
from simple_history.utils import bulk_create_with_history

from registers.history_rows import bulk_create_recorded, bulk_update_recorded
from registers.models import Contract, Inspection, Provider, Setting, Visit
from tests.factories import (
    ContractFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

# Differ by design between the two copies: keys, unique values, timestamps.
SKIP = {
    "history_id",
    "history_date",
    "id",
    "urn",
    "reference",
    "company_number",
    "event_number",
    "created_at",
    "updated_at",
}


def pair(model):
    """Two unsaved records alike in every field but their unique ones."""
    if model is Provider:
        return ProviderFactory.build(company_number="01000001"), ProviderFactory.build(
            company_number="01000002"
        )
    if model is Setting:
        provider = ProviderFactory()
        return (
            SettingFactory.build(provider=provider, urn="SC900001"),
            SettingFactory.build(provider=provider, urn="SC900002"),
        )
    if model is Inspection:
        setting = SettingFactory()
        return (
            InspectionFactory.build(setting=setting, event_number="1"),
            InspectionFactory.build(setting=setting, event_number="2"),
        )
    if model is Contract:
        provider = ProviderFactory()
        return (
            ContractFactory.build(provider=provider, reference="A"),
            ContractFactory.build(provider=provider, reference="B"),
        )
    setting = SettingFactory()
    return VisitFactory.build(setting=setting), VisitFactory.build(setting=setting)


def history_values(model, obj):
    row = model.history.filter(id=obj.pk).values().get()
    return {key: value for key, value in row.items() if key not in SKIP}


@pytest.mark.parametrize("model", [Provider, Setting, Inspection, Contract, Visit])
def test_same_history_rows_as_django_simple_history(model, manager):
    ours, theirs = pair(model)
    theirs.name = getattr(ours, "name", None) or ""
    for obj in (ours, theirs):
        if hasattr(obj, "title"):
            obj.title = "Same title"
        if model in (Provider, Setting):
            obj.name = "Same name"
            if model is Provider:
                obj.normalised_name = "same name"
    bulk_create_recorded([ours], model, user=manager, reason="Imported from a.csv")
    bulk_create_with_history(
        [theirs], model, default_user=manager, default_change_reason="Imported from a.csv"
    )
    mine, library = history_values(model, ours), history_values(model, theirs)
    assert mine == library
    assert (mine["history_user_id"], mine["history_type"]) == (manager.pk, "+")


def test_updates_write_tilde_rows_with_the_new_values(manager):
    provider = ProviderFactory(town="Old")
    provider.town = "New"
    bulk_update_recorded([provider], Provider, ["town"], user=manager, reason="Imported")
    latest = provider.history.order_by("-history_id").first()
    assert (latest.history_type, latest.town, latest.history_change_reason) == (
        "~",
        "New",
        "Imported",
    )
    assert Provider.objects.get(pk=provider.pk).town == "New"


def test_bulk_updates_store_each_kind_of_value_as_the_orm_would(manager, officer):
    """Dates, money, flags, keys and blanks read back as they were set."""
    first = ContractFactory(review_date=None, is_key_contract=False)
    second = ContractFactory(review_date=date(2026, 1, 31), contract_manager=officer)
    first.review_date, first.is_key_contract = date(2027, 3, 31), True
    first.contract_manager = officer
    first.annual_value = Decimal("12345.67")
    second.review_date, second.contract_manager, second.title = None, None, "Renamed"
    fields = ["review_date", "is_key_contract", "contract_manager", "annual_value", "title"]
    bulk_update_recorded([first, second], Contract, fields, user=manager, reason="Imported")
    stored = {c.pk: c for c in Contract.objects.filter(pk__in=[first.pk, second.pk])}
    for expected in (first, second):
        assert [getattr(stored[expected.pk], f) for f in fields] == [
            getattr(expected, f) for f in fields
        ]
