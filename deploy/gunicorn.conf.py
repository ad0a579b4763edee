"""gunicorn settings for Resource Centre: `gunicorn -c deploy/gunicorn.conf.py resourcecentre.wsgi`.

Every value can be overridden from the environment (GUNICORN_*), so one file serves a small
host and a large one. See docs/operations.md.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let one process keep idle keep-alive connections from the proxy without a process each;
# Django is thread-safe and the work is mostly waiting on PostgreSQL and Redis.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request that takes longer than this is a bug or an attack: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = 500
# The app is imported once in the master and forked: less memory, faster restarts.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "resourcecentre"


def on_starting(server) -> None:
    """prometheus_client's multiprocess mode keeps one file per process: start from none."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker) -> None:
    # Connections opened in the master (by preload) must not be shared across processes.
    from django.db import connections

    connections.close_all()
