"""One record of every register, for tests that walk every admin page."""

from registers.models import ImportRun
from tests.factories import (
    ActionItemFactory,
    ComplianceDocumentFactory,
    ConcernFactory,
    ContractFactory,
    ContractReviewFactory,
    EnforcementFactory,
    FrameworkFactory,
    InspectionFactory,
    LetterTemplateFactory,
    LotFactory,
    PlacementCheckFactory,
    ProviderFactory,
    ReferralFactory,
    RegulationReportFactory,
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
    document = ComplianceDocumentFactory(provider=provider)
    regulation_report = RegulationReportFactory(setting=setting)
    placement_check = PlacementCheckFactory()
    # A brokerage referral on the lot, its allocated worker the given manager.
    referral = ReferralFactory(lot=lot, **({"allocated_worker": manager} if manager else {}))
    enforcement = EnforcementFactory(setting=setting)
    letter_template = LetterTemplateFactory()
    run = ImportRun.objects.create(
        file_name="providers.csv",
        kind="Ofsted provider-level file",
        user=manager,
        rows_read=1,
        counts={"Settings": {"created": 1, "updated": 0, "unchanged": 0, "skipped": 0}},
        warnings=["Row 5, column 'Provision type': 'Zoo' is not a provision type"],
        report=[
            {
                "section": "declined",
                "urn": setting.urn,
                "setting": setting.display_name,
                "local_authority": setting.local_authority,
                "detail": "Good to Inadequate",
            }
        ],
    )
    return {
        "importrun": run,
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
        "compliancedocument": document,
        "compliancedocumentkind": document.kind,
        "regulationreport": regulation_report,
        "placementcheck": placement_check,
        "referral": referral,
        "enforcement": enforcement,
        "lettertemplate": letter_template,
    }
