"""One record of every register, for tests that walk every admin page."""

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


def one_of_everything(*, lead=None, manager=None) -> dict:
    provider = ProviderFactory()
    setting = SettingFactory(provider=provider)
    inspection = InspectionFactory(setting=setting)
    framework = FrameworkFactory()
    lot = LotFactory(framework=framework)
    lot.providers.add(provider)
    contract = ContractFactory(provider=provider, setting=setting, contract_manager=manager)
    review = ContractReviewFactory(contract=contract)
    visit = VisitFactory(setting=setting, lead_officer=lead)
    action = ActionItemFactory(visit=visit)
    concern = ConcernFactory(setting=setting)
    fund = SpotFundFactory()
    return {
        "provider": provider,
        "setting": setting,
        "inspection": inspection,
        "framework": framework,
        "lot": lot,
        "contract": contract,
        "contractreview": review,
        "visit": visit,
        "actionitem": action,
        "concern": concern,
        "spotfundapplication": fund,
    }
