"""Runbook steps and rehearsals now belong to the runbook app.

The tables keep their names, so nothing happens in the database but the app label of their content types,
which permissions, redactions and audit events refer to: the rows are relabelled, not recreated. A
communication's runbook step now points at the runbook app's model (same table, same column).
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {"golivestep": "runbook", "rehearsal": "runbook", "rehearsalstep": "runbook"}


def _relabel(apps, *, forward: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model, new_label in MOVED.items():
        old_label, target_label = ("golive", new_label) if forward else (new_label, "golive")
        moving = content_type.objects.filter(app_label=old_label, model=model).first()
        if moving is None:
            continue
        # A row created for the new label by an earlier partial migrate holds nothing yet: the moving row
        # carries the permissions and records that refer to it.
        content_type.objects.filter(app_label=target_label, model=model).delete()
        moving.app_label = target_label
        moving.save(update_fields=["app_label"])


def relabel_content_types(apps, schema_editor) -> None:
    _relabel(apps, forward=True)


def restore_content_types(apps, schema_editor) -> None:
    _relabel(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("golive", "0017_every_release_permission"),
        ("runbook", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="communication",
                    name="runbook_step",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The “send communication” step this message completes when it is sent.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="communications",
                        to="runbook.golivestep",
                    ),
                ),
                migrations.DeleteModel(name="RehearsalStep"),
                migrations.DeleteModel(name="Rehearsal"),
                migrations.DeleteModel(name="GoLiveStep"),
            ],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
