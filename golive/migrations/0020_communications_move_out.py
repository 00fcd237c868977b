"""Communications, audiences' addresses and production issues now belong to the communications app.

The tables keep their names, so nothing happens in the database but the app label of their content types,
which permissions, redactions and audit events refer to: the rows are relabelled, not recreated.
"""

from django.db import migrations

from golive.migrations._app_moves import relabel_content_types

MOVED = {
    "communication": "communications",
    "productionissue": "communications",
    "audienceaddresses": "communications",
}


class Migration(migrations.Migration):
    dependencies = [
        ("golive", "0019_gonogo_moves_out"),
        ("communications", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Communication"),
                migrations.DeleteModel(name="ProductionIssue"),
                migrations.DeleteModel(name="AudienceAddresses"),
            ],
        ),
        relabel_content_types(MOVED),
    ]
