"""The role table of DESIGN.md as data: each auth Group and its model permissions.

Object-level rights (a QA officer's own visits, a commissioning officer's own
contracts) are granted per record by registers.services.access, not here.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

MANAGER = "Manager"
BUSINESS_SUPPORT = "Business support"
QA_OFFICER = "QA officer"
COMMISSIONING_OFFICER = "Commissioning officer"
AUDITOR = "Auditor"
REGIONAL_LEAD = "Regional lead"
ROLES = (MANAGER, BUSINESS_SUPPORT, QA_OFFICER, COMMISSIONING_OFFICER, AUDITOR, REGIONAL_LEAD)
# What every authority shares (owned registers are each council's own).
SHARED_MODELS = ("provider", "setting", "inspection", "framework", "lot")

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
    # Compliance documents and Regulation 44/45 reports belong to providers and
    # settings (shared records): every authority sees the same ones.
    "compliancedocumentkind",
    "compliancedocument",
    "regulationreport",
    # A council's own placement checks (manual 003): managers complete them,
    # everyone else with a role reads them.
    "placementcheck",
    # Visit reports (the PDFs issued to providers): QA officers issue them and record
    # the provider's response for the visits they lead, through the visit's permission.
    "visitreport",
    # A concern's stages (written by the escalation alone), the council's letters,
    # and Ofsted's enforcement on settings.
    "concernescalation",
    "lettertemplate",
    "enforcement",
)
# Brokerage (seed 004): each council's referrals with their rounds and responses.
# Not in REGISTER_MODELS: a QA officer sees only the placements at settings they visit.
REFERRAL_MODELS = (
    "referral",
    "referralschedule",
    "referralround",
    "referralinvitation",
    "referralresponse",
)
REFERRAL_HISTORY = tuple(f"historical{model}" for model in REFERRAL_MODELS)
# Written only by a service's decision (a concern's escalation), never on their own page.
SERVICE_WRITTEN_MODELS = ("concernescalation",)
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
    "compliancedocument",
    # Ofsted's compliance notices and restrictions, as the setting's dates were.
    "enforcement",
)
# QA officers record the children's homes' Regulation 44/45 reports.
QA_OFFICER_RECORDS = ("regulationreport",)


def _perms(actions: tuple[str, ...], models: tuple[str, ...]) -> set[str]:
    return {f"registers.{action}_{model}" for action in actions for model in models}


VIEW_EVERYTHING = _perms(("view",), REGISTER_MODELS) | _perms(("view",), HISTORY_MODELS)
VIEW_REFERRALS = _perms(("view",), REFERRAL_MODELS + REFERRAL_HISTORY)
RECORD_RESPONSES = "registers.respond_referral"
# QA officers see the awarded placements of the settings they visit, no other referral.
VIEW_PLACEMENTS = "registers.view_placements_referral"
# Who imported what, and what it changed: for those who import, and for audit.
IMPORT_RUNS = "registers.view_importrun"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    MANAGER: (
        _perms(
            ("view", "add", "change", "delete"),
            tuple(m for m in REGISTER_MODELS if m not in SERVICE_WRITTEN_MODELS),
        )
        | VIEW_EVERYTHING
        | _perms(("view", "add", "change", "delete"), REFERRAL_MODELS[:2])
        | VIEW_REFERRALS
        | _perms(("import", "export"), SPREADSHEET_MODELS)
        | {
            IMPORT_RUNS,
            "registers.approve_provider",
            "registers.approve_referral",
            RECORD_RESPONSES,
            "registers.choose_use_setting",
            "registers.authorise_spot_purchase",
            "registers.decide_spotfundapplication",
            "registers.assign_visit",
            "registers.revert_history",
            # Sharing a saved list view with a role (every user saves their own).
            "registers.share_savedview",
            # Managing per-record permissions through guardian's pages.
            "guardian.view_userobjectpermission",
            "guardian.change_userobjectpermission",
            "guardian.view_groupobjectpermission",
            "guardian.change_groupobjectpermission",
            "auth.view_user",
            "auth.view_group",
            # Sign-in security: reset second factors, clear lockouts, read the trail.
            "registers.manage_sign_in",
            "registers.view_accessevent",
            # Each role's default reminders in the manager's council.
            "registers.view_rolereminderdefault",
            "registers.change_rolereminderdefault",
        }
    ),
    BUSINESS_SUPPORT: (
        VIEW_EVERYTHING
        | _perms(("add", "change"), BUSINESS_SUPPORT_MAINTAINS)
        | _perms(("export",), SPREADSHEET_MODELS)
        | {"registers.add_concern"}
        # Business support record providers' responses taken by phone or email.
        | VIEW_REFERRALS
        | {RECORD_RESPONSES}
    ),
    QA_OFFICER: VIEW_EVERYTHING
    | _perms(("add", "change"), QA_OFFICER_RECORDS)
    | {"registers.add_visit", "registers.add_concern", VIEW_PLACEMENTS},
    # Brokerage is a commissioning officer's job: they change the referrals they own.
    COMMISSIONING_OFFICER: VIEW_EVERYTHING
    | VIEW_REFERRALS
    | _perms(("add",), REFERRAL_MODELS[:2])
    | {"registers.add_spotfundapplication", "registers.add_concern", RECORD_RESPONSES},
    AUDITOR: VIEW_EVERYTHING
    | VIEW_REFERRALS
    | _perms(("export",), SPREADSHEET_MODELS)
    | {IMPORT_RUNS, "registers.view_accessevent"},
    # Counts and sums across every authority; the shared registers, and no
    # record of any council's contracts, visits or concerns.
    REGIONAL_LEAD: _perms(("view",), SHARED_MODELS) | {"registers.view_regional"},
}
# Every role that sees a setting may raise a concern about it (add_concern);
# escalating and closing stay with managers, who alone hold change_concern,
# and alone write the council's letters (lettertemplate). A concern's stages
# are written only by its escalation: no role adds or changes them directly.
# Deciding spot-fund applications is a manager's (decide_spotfundapplication).


def sync_role_groups(*, apps=global_apps, strict: bool = True) -> None:
    """Make each role group hold exactly its permissions. Safe to repeat.

    An early migration runs before later migrations add their permissions:
    it passes ``strict=False``, and the sync after every migrate completes it.
    """
    # On a fresh database the permissions only exist after post_migrate;
    # create them now so the groups can hold them.
    for label in ("auth", "guardian", "registers"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in ROLE_PERMISSIONS.items():
        missing = sorted(perm for perm in perms if perm not in known)
        if missing and strict:
            raise LookupError(f"Role {role!r} names unknown permissions: {', '.join(missing)}")
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set([known[perm] for perm in perms if perm in known])
