from django_tasks import task


@task()
def explode() -> None:
    raise RuntimeError("a task that fails, for the metrics test")
