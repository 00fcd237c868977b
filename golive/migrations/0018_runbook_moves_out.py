"""Runbook steps and rehearsals now belong to the runbook app.

The tables keep their names, so nothing happens in the database but the app label of their content types,
which permissions, redactions and audit events refer to: the rows are relabelled, not recreated. A
communication's runbook step now points at the runbook app's model (same table, same column).
"""

import django.db.models.deletion
from django.db import migrations, models

from golive.migrations._app_moves import relabel_content_types

MOVED = {"golivestep": "runbook", "rehearsal": "runbook", "rehearsalstep": "runbook"}


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
        relabel_content_types(MOVED),
    ]
