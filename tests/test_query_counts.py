"""No changelist runs a query per row: the count is the same for 5 rows as for 200.

The counts are asserted exactly, so a new query on any list shows up here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ActionItemFactory,
    ConcernFactory,
    ContractFactory,
    ContractReviewFactory,
    FrameworkFactory,
    InspectionFactory,
    LotFactory,
    ProviderFactory,
    SettingFactory,
    SpotFundFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def make_rows(model_name: str, count: int, user) -> None:
    for _ in range(count):
        if model_name == "provider":
            provider = ProviderFactory()
            SettingFactory.create_batch(2, provider=provider)
            ContractFactory(provider=provider)
        elif model_name == "setting":
            setting = SettingFactory()
            InspectionFactory(setting=setting, overall="good")
            InspectionFactory(setting=setting, overall="inadequate")
        elif model_name == "inspection":
            InspectionFactory()
        elif model_name == "framework":
            LotFactory(framework=FrameworkFactory())
        elif model_name == "lot":
            LotFactory().providers.add(ProviderFactory())
        elif model_name == "contract":
            contract = ContractFactory(contract_manager=user)
            ContractReviewFactory(contract=contract)
        elif model_name == "visit":
            visit = VisitFactory(lead_officer=user)
            ActionItemFactory.create_batch(2, visit=visit)
        elif model_name == "actionitem":
            ActionItemFactory()
        elif model_name == "concern":
            ConcernFactory()
        elif model_name == "spotfundapplication":
            SpotFundFactory(provider=ProviderFactory())


# Queries per changelist page, whatever the number of rows.
EXPECTED = {
    "provider": 8,
    "setting": 9,
    "inspection": 9,
    "framework": 7,
    "lot": 8,
    "contract": 8,
    "visit": 8,
    "actionitem": 7,
    "concern": 7,
    "spotfundapplication": 7,
}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("model_name", sorted(EXPECTED))
def test_changelist_query_count_does_not_grow_with_rows(model_name, manager, client_for):
    client = client_for(manager)
    url = reverse(f"admin:registers_{model_name}_changelist")
    make_rows(model_name, 5, manager)
    client.get(url)  # warm caches (content types, sessions) as a user's second visit would
    few = count_queries(client, url)
    make_rows(model_name, 195, manager)
    many = count_queries(client, url)
    assert few == many, f"{model_name}: {few} queries with 5 rows, {many} with 200"
    assert many == EXPECTED[model_name]
