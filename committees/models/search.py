from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    """One public thing a visitor can find: an agenda item, a report (with its files' text),
    a minute or a decision. Only public content is ever written here, so search cannot leak
    private business. Maintained and queried by committees/search.py (reindex_*, search)."""

    class Kind(models.TextChoices):
        AGENDA_ITEM = "agenda_item", "Agenda item"
        REPORT = "report", "Report"
        MINUTES = "minutes", "Minutes"
        DECISION = "decision", "Decision"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    url = models.CharField(max_length=300)
    title = models.CharField(max_length=400)
    body = models.TextField()
    date = models.DateField()
    organization_ids = ArrayField(models.BigIntegerField(), default=list)
    vector = SearchVectorField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_entry_per_object")
        ]
        indexes = [
            GinIndex(fields=["vector"], name="search_vector_gin"),
            GinIndex(fields=["organization_ids"], name="search_organizations_gin"),
            models.Index(fields=["date"], name="search_date_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"
