from django.apps import AppConfig
from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.db.models.signals import post_migrate

from registers.compliance_defaults import DEFAULT_KINDS
from registers.people import person_name
from registers.roles import sync_role_groups


def _sync_roles(sender, **kwargs):
    sync_role_groups()


def _ensure_authority(sender, **kwargs):
    # An install always has an authority (0009 makes it): an emptied database
    # (flush) gets one back, so new records always have one to take.
    authority = global_apps.get_model("registers", "Authority")
    if not authority.objects.exists():
        authority.objects.create(name="Our council")


def _ensure_compliance_kinds(sender, **kwargs):
    # Likewise the managed list's starting kinds (0014, 0017), unless a council
    # has made its own list since.
    kind_model = global_apps.get_model("registers", "ComplianceDocumentKind")
    if kind_model.objects.exists():
        return
    kind_model.objects.bulk_create(
        kind_model(name=name, default_validity_months=months, checked_for_placements=placements)
        for name, months, placements in DEFAULT_KINDS
    )


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = "Registers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Permissions added by later migrations reach the role groups too.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="registers-sync-roles")
        # Django's documented place to connect receivers: the models are loaded now.
        from registers import signals  # noqa: F401, PLC0415

        post_migrate.connect(
            _ensure_authority, sender=self, dispatch_uid="registers-ensure-authority"
        )
        post_migrate.connect(
            _ensure_compliance_kinds, sender=self, dispatch_uid="registers-compliance-kinds"
        )
        # One place names a person: every choice (lead officer, contract manager,
        # owners), autocomplete, list filter, list column and read-only field prints
        # a user with str(), which Django's own User makes the username.
        get_user_model().__str__ = person_name
