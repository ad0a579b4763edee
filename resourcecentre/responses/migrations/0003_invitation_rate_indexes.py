from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0002_editor_permissions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["company", "status"], name="invitation_company_status"),
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["request", "status"], name="invitation_request_status"),
        ),
    ]
