from django.db import migrations, models

# When each public paper was first on a published agenda. (The services set it from now on;
# for existing papers the first agenda's publication is the best record there is.)
BACKFILL = """
UPDATE committees_paper AS p
SET first_published_at = f.first_published_at
FROM (
    SELECT c.paper_id, min(m.agenda_published_at) AS first_published_at
    FROM committees_consultation AS c
    JOIN committees_meeting AS m ON m.id = c.meeting_id
    WHERE m.agenda_published_at IS NOT NULL
    GROUP BY c.paper_id
) AS f
WHERE p.id = f.paper_id AND p.is_public
"""


class Migration(migrations.Migration):
    dependencies = [("committees", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="historicalpaper",
            name="first_published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="paper",
            name="first_published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        # Reversed, the column is dropped just after: nothing to undo.
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                models.OrderBy(models.F("first_published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("first_published_at__isnull", False)),
                name="paper_first_published",
            ),
        ),
    ]
