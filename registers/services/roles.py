"""Creates the five role groups with the model permissions of the role table."""

from django.apps import apps as global_apps

from registers.roles import ROLE_PERMISSIONS


def sync_role_groups(*, apps=global_apps) -> None:
    """Make each role group hold exactly its permissions. Safe to repeat."""
    from django.contrib.auth.management import create_permissions

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
        if missing:
            raise LookupError(f"Role {role!r} names unknown permissions: {', '.join(missing)}")
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set([known[perm] for perm in perms])
