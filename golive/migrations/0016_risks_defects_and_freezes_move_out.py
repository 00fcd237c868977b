"""Risks and defects now belong to the registers app, freeze windows and overrides to the freezes app.

The tables keep their names, so nothing happens in the database but the app label of their content types,
which permissions, redactions and audit events refer to: the rows are relabelled, not recreated.
"""

from django.db import migrations

from golive.migrations._app_moves import relabel_content_types

MOVED = {"risk": "registers", "defect": "registers", "freezewindow": "freezes", "freezeoverride": "freezes"}


class Migration(migrations.Migration):
    dependencies = [
        ("golive", "0015_one_click_vote_links"),
        ("registers", "0001_initial"),
        ("freezes", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="FreezeOverride"),
                migrations.DeleteModel(name="FreezeWindow"),
                migrations.DeleteModel(name="Risk"),
                migrations.DeleteModel(name="Defect"),
            ],
        ),
        relabel_content_types(MOVED),
    ]
