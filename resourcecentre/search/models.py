from django.db import models


class SearchIndexChange(models.Model):
    """A story, component or company that changed and must be re-read into the index.

    Written in the same transaction as the change itself, so nothing is missed if a worker
    dies; every host's index applies the log in order from the last id it applied.
    """

    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "object_id"], name="search_change_object")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
