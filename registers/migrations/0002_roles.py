from django.db import migrations

from registers.roles import sync_role_groups


def create_roles(apps, schema_editor):
    sync_role_groups(apps=apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
