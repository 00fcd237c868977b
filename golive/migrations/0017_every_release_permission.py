"""'May do everything' becomes a permission granted on purpose instead of following is_staff.

Every user who was site staff before keeps exactly what they had: the new golive.act_on_every_release
(everything on every release, freeze windows) and golive.add_release (create releases) are granted to
each of them directly. From now on is_staff only opens the admin site.
"""

from django.db import migrations


def _permission(apps, codename: str, name: str):
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    content_type, _ = content_type_model.objects.get_or_create(app_label="golive", model="release")
    permission, _ = permission_model.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def grant_to_existing_staff(apps, schema_editor):
    user_model = apps.get_model("auth", "User")
    staff = list(user_model.objects.filter(is_staff=True))
    if not staff:
        return
    granted = [
        _permission(apps, "act_on_every_release", "May do everything on every release"),
        _permission(apps, "add_release", "Can add release"),
    ]
    for user in staff:
        user.user_permissions.add(*granted)


class Migration(migrations.Migration):
    dependencies = [
        ("golive", "0016_risks_defects_and_freezes_move_out"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="release",
            options={
                "ordering": ["target_go_live", "pk"],
                "permissions": [("act_on_every_release", "May do everything on every release")],
            },
        ),
        migrations.RunPython(grant_to_existing_staff, migrations.RunPython.noop),
    ]
