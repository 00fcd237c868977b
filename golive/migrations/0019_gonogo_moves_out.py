"""Go/no-go meetings, participants, votes, decisions, their conditions and reviews, and used voting links
now belong to the gonogo app.

The tables keep their names, so nothing happens in the database but the app label of their content types,
which permissions, redactions and audit events refer to: the rows are relabelled, not recreated.
"""

from django.db import migrations

from golive.migrations._app_moves import relabel_content_types

MOVED = {
    "gonogomeeting": "gonogo",
    "participant": "gonogo",
    "vote": "gonogo",
    "decision": "gonogo",
    "decisioncondition": "gonogo",
    "decisionreview": "gonogo",
    "votelinkuse": "gonogo",
}


class Migration(migrations.Migration):
    dependencies = [
        ("golive", "0018_runbook_moves_out"),
        ("gonogo", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="VoteLinkUse"),
                migrations.DeleteModel(name="Vote"),
                migrations.DeleteModel(name="DecisionReview"),
                migrations.DeleteModel(name="DecisionCondition"),
                migrations.DeleteModel(name="Decision"),
                migrations.DeleteModel(name="Participant"),
                migrations.DeleteModel(name="GoNoGoMeeting"),
            ],
        ),
        relabel_content_types(MOVED),
    ]
