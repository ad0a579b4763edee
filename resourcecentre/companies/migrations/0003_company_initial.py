import string

from anyascii import anyascii
from django.db import migrations, models


def fill(apps, schema_editor):
    Company = apps.get_model("companies", "Company")
    for company in Company.objects.only("pk", "name"):
        first = anyascii(company.name.strip())[:1].upper()
        company.initial = first if first in string.ascii_uppercase else "#"
        company.save(update_fields=["initial"])


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_profile_and_contacts")]

    operations = [
        migrations.AddField(
            model_name="company",
            name="initial",
            field=models.CharField(db_index=True, default="#", editable=False, max_length=1),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
