from django.db import migrations
from django.utils.text import slugify


def load(apps, schema_editor):
    from resourcecentre.lib.regions import REGIONS, countries

    Region = apps.get_model("taxonomy", "Region")
    Country = apps.get_model("taxonomy", "Country")
    regions = {name: Region.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0] for name in REGIONS}
    for code, name, region in countries():
        Country.objects.get_or_create(
            code=code, defaults={"name": name, "slug": slugify(name), "region": regions[region]}
        )


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
