"""Every owned record has its authority (filled by 0009), in a migration of its
own: PostgreSQL refuses to alter a table with pending trigger events."""

import django.db.models.deletion
from django.db import migrations, models

OWNED = ("contract", "visit", "concern", "spotfundapplication")


def owned_field():
    return models.ForeignKey(
        help_text="The council this record belongs to.",
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="registers.authority",
    )


class Migration(migrations.Migration):
    dependencies = [("registers", "0009_authorities")]

    operations = [
        migrations.AlterField(model_name=model_name, name="authority", field=owned_field())
        for model_name in OWNED
    ]
