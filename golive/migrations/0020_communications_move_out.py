"""Communications, audiences' addresses and production issues now belong to the communications app.

The tables keep their names, so nothing happens in the database but the app label of their content types,
which permissions, redactions and audit events refer to: the rows are relabelled, not recreated.
"""

from django.db import migrations

MOVED = {
    "communication": "communications",
    "productionissue": "communications",
    "audienceaddresses": "communications",
}


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
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
