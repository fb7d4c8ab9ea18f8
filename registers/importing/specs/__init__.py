"""Spreadsheet layouts of each register: the same columns import and export."""

from registers.importing.specs.contracts import ContractSpec
from registers.importing.specs.inspections import InspectionSpec
from registers.importing.specs.providers import ProviderSpec, SettingSpec
from registers.importing.specs.visits import ActionItemSpec, VisitSpec

SPECS = {
    "provider": ProviderSpec,
    "setting": SettingSpec,
    "inspection": InspectionSpec,
    "contract": ContractSpec,
    "visit": VisitSpec,
    "actionitem": ActionItemSpec,
}


def spec_for(model) -> type:
    return SPECS[model._meta.model_name]
