from django.db import migrations

# Editors work the inbox, keep the feeds and extend the issue lexicon.
EDITOR_PERMISSIONS = {
    "ingest": {
        "feed": "add change view",
        "candidate": "change view",
        "issuekeyword": "add change delete view",
    },
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            for action in actions.split():
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("ingest", "0002_issue_lexicon"), ("news", "0002_component_types_and_editors")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
