"""For the migrations that move models out of golive: relabel their content types, not recreate them.

The tables keep their names; the content types' app label is what permissions, redactions and audit
events refer to. (The migration loader skips modules whose name starts with "_".)
"""

from django.db import migrations


def relabel_content_types(moved: dict[str, str]) -> migrations.RunPython:
    """Forwards, each model of `moved` (model name → its new app label) leaves golive; backwards, returns."""

    def relabel(apps, *, forward: bool) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for model, new_label in moved.items():
            old_label, target_label = ("golive", new_label) if forward else (new_label, "golive")
            moving = content_type.objects.filter(app_label=old_label, model=model).first()
            if moving is None:
                continue
            # A row created for the new label by an earlier partial migrate holds nothing yet: the moving row
            # carries the permissions and records that refer to it.
            content_type.objects.filter(app_label=target_label, model=model).delete()
            moving.app_label = target_label
            moving.save(update_fields=["app_label"])

    return migrations.RunPython(
        lambda apps, schema_editor: relabel(apps, forward=True),
        lambda apps, schema_editor: relabel(apps, forward=False),
    )
