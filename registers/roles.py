"""The role table of DESIGN.md as data: each auth Group and its model permissions.

Object-level rights (a QA officer's own visits, a commissioning officer's own
contracts) are granted per record by registers.services.access, not here.
"""

MANAGER = "Manager"
BUSINESS_SUPPORT = "Business support"
QA_OFFICER = "QA officer"
COMMISSIONING_OFFICER = "Commissioning officer"
AUDITOR = "Auditor"
ROLES = (MANAGER, BUSINESS_SUPPORT, QA_OFFICER, COMMISSIONING_OFFICER, AUDITOR)

# Every model a role can see; "everything" in the role table means these.
REGISTER_MODELS = (
    "provider",
    "setting",
    "inspection",
    "framework",
    "lot",
    "contract",
    "contractvariation",
    "contractreview",
    "contractdocument",
    "spotfundapplication",
    "visit",
    "actionitem",
    "concern",
)
# Models that import and export through spreadsheets.
SPREADSHEET_MODELS = ("provider", "setting", "inspection", "contract", "visit", "actionitem")
# Models whose history is separately viewable.
HISTORY_MODELS = tuple(f"historical{model}" for model in REGISTER_MODELS) + (
    "historicallot_providers",
)

BUSINESS_SUPPORT_MAINTAINS = (
    "provider",
    "setting",
    "inspection",
    "framework",
    "lot",
    "contract",
    "contractvariation",
    "contractreview",
    "contractdocument",
    "spotfundapplication",
)


def _perms(actions: tuple[str, ...], models: tuple[str, ...]) -> set[str]:
    return {f"registers.{action}_{model}" for action in actions for model in models}


VIEW_EVERYTHING = _perms(("view",), REGISTER_MODELS) | _perms(("view",), HISTORY_MODELS)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    MANAGER: (
        _perms(("view", "add", "change", "delete"), REGISTER_MODELS)
        | _perms(("view",), HISTORY_MODELS)
        | _perms(("import", "export"), SPREADSHEET_MODELS)
        | {
            "registers.approve_provider",
            "registers.authorise_spot_purchase",
            "registers.assign_visit",
            "registers.revert_history",
            # Managing per-record permissions through guardian's pages.
            "guardian.view_userobjectpermission",
            "guardian.change_userobjectpermission",
            "guardian.view_groupobjectpermission",
            "guardian.change_groupobjectpermission",
            "auth.view_user",
            "auth.view_group",
        }
    ),
    BUSINESS_SUPPORT: (
        VIEW_EVERYTHING
        | _perms(("add", "change"), BUSINESS_SUPPORT_MAINTAINS)
        | _perms(("export",), SPREADSHEET_MODELS)
    ),
    QA_OFFICER: VIEW_EVERYTHING | {"registers.add_visit"},
    COMMISSIONING_OFFICER: VIEW_EVERYTHING | {"registers.add_spotfundapplication"},
    AUDITOR: VIEW_EVERYTHING | _perms(("export",), SPREADSHEET_MODELS),
}
