from django_tasks import task

from .services import DumpInProgress, dump_write


@task()
def write_open_data_dump() -> dict:
    """Write today's dump of everything published, unless it exists or is being written."""
    try:
        info = dump_write()
    except DumpInProgress:
        return {"written": False, "reason": "in progress"}
    if info is None:
        return {"written": False, "reason": "exists"}
    return {"written": True, "file": info.name, "rows": info.rows, "sha256": info.sha256}
