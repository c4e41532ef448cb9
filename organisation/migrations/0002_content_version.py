from django.db import migrations


class Migration(migrations.Migration):
    """The content version that keys the public page cache (governance_portal/pagecache.py)."""

    dependencies = [("organisation", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS portal_content_version",
            "DROP SEQUENCE IF EXISTS portal_content_version",
        )
    ]
