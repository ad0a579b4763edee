from django.db import migrations

COMPONENT_TYPES = [
    ("article", "Article"),
    ("briefing", "Briefing"),
    ("company-response", "Company response"),
    ("company-non-response", "Company non-response"),
    ("rejoinder", "Rejoinder"),
    ("statement", "Statement"),
]

# Editors write and publish content and keep the vocabularies; only administrators
# (superusers) delete taxonomy, manage users and change the component types.
EDITOR_PERMISSIONS = {
    "news": {"story": "add change delete publish", "component": "add change delete publish", "source": "add change"},
    "companies": {"company": "add change"},
    "taxonomy": {"issue": "add change", "sector": "add change", "stakeholder": "add change"},
    "site_messages": {"sitemessage": "add change delete"},
}


def load(apps, schema_editor):
    ComponentType = apps.get_model("news", "ComponentType")
    for order, (slug, name) in enumerate(COMPONENT_TYPES):
        ComponentType.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions.split():
                # Permissions are normally created after migrations; make them now.
                content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("companies", "0001_initial"),
        ("taxonomy", "0002_load_regions_and_countries"),
        ("site_messages", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0001_initial"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
