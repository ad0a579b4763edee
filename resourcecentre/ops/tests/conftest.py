import pytest


@pytest.fixture
def commit():
    """Run what committing the test's transaction would run (it never commits)."""

    def run() -> None:
        from django.db import connection

        pending, connection.run_on_commit = connection.run_on_commit, []
        for _, callback, _ in pending:
            callback()

    return run
