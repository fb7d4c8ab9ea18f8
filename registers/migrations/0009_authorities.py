"""Authorities: one is created, and every existing record and user put in it,
so that an install of one council behaves as before."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


OWNED = ("contract", "visit", "concern", "spotfundapplication")


def one_authority(apps, schema_editor):
    Authority = apps.get_model("registers", "Authority")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    authority = Authority.objects.create(name="Our council")
    authority.members.set(User.objects.all())
    for model_name in OWNED:
        for name in (model_name, f"historical{model_name}"):
            apps.get_model("registers", name).objects.update(authority=authority)


class Migration(migrations.Migration):

    dependencies = [
        ('registers', '0008_merge_ofsted_files_and_rating_columns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Authority',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('code', models.CharField(blank=True, help_text="The authority's ONS code, such as E08000014.", max_length=9, verbose_name='ONS code')),
                ('members', models.ManyToManyField(blank=True, related_name='authorities', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'authorities',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='concern',
            name='authority',
            field=models.ForeignKey(help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registers.authority'),
        ),
        migrations.AddField(
            model_name='contract',
            name='authority',
            field=models.ForeignKey(help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registers.authority'),
        ),
        migrations.AddField(
            model_name='historicalconcern',
            name='authority',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registers.authority'),
        ),
        migrations.AddField(
            model_name='historicalcontract',
            name='authority',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registers.authority'),
        ),
        migrations.AddField(
            model_name='historicalspotfundapplication',
            name='authority',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registers.authority'),
        ),
        migrations.AddField(
            model_name='historicalvisit',
            name='authority',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registers.authority'),
        ),
        migrations.AddField(
            model_name='spotfundapplication',
            name='authority',
            field=models.ForeignKey(help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registers.authority'),
        ),
        migrations.AddField(
            model_name='visit',
            name='authority',
            field=models.ForeignKey(help_text='The council this record belongs to.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registers.authority'),
        ),
        migrations.RunPython(one_authority, migrations.RunPython.noop),
    ]
