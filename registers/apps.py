from django.apps import AppConfig
from django.db.models.signals import post_migrate

from registers.roles import sync_role_groups


def _sync_roles(sender, **kwargs):
    sync_role_groups()


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = "Registers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Permissions added by later migrations reach the role groups too.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="registers-sync-roles")
        # Django's documented place to connect receivers: the models are loaded now.
        from registers import signals  # noqa: F401, PLC0415
