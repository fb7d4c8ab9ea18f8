"""Fill the rating columns from the inspections already recorded."""

from collections import defaultdict

from django.db import migrations

from registers.models.settings import RATING_FIELDS, rating_columns

CHUNK = 2000


def fill(apps, schema_editor):
    Setting = apps.get_model("registers", "Setting")
    Inspection = apps.get_model("registers", "Inspection")
    ids = list(Setting.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        latest = defaultdict(list)
        rows = (
            Inspection.objects.filter(setting_id__in=chunk, inspection_type="full")
            .order_by("setting_id", "-inspection_date", "-id")
            .values_list("setting_id", "overall", "inspection_date")
        )
        for setting_id, overall, when in rows:
            if len(latest[setting_id]) < 2:
                latest[setting_id].append((overall, when))
        settings = []
        for setting in Setting.objects.filter(pk__in=latest):
            for name, value in rating_columns(latest[setting.pk]).items():
                setattr(setting, name, value)
            settings.append(setting)
        Setting.objects.bulk_update(settings, list(RATING_FIELDS), batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("registers", "0004_setting_rating_columns")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
