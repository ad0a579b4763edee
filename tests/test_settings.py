import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_variable_the_code_reads_and_no_other():
    code = "\n".join(p.read_text() for p in (ROOT / "resourcecentre").rglob("*.py"))
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', code))
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set(), "missing from .env.example"
    assert listed - read == set(), "listed in .env.example but never read"


def test_production_settings_pass_the_deployment_checks():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "a-long-random-looking-secret-for-this-test-only-0123456789",
        "ALLOWED_HOSTS": "resourcecentre.example",
        "SECURE_SSL_REDIRECT": "true",
        "BEHIND_PROXY": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "SECURE_COOKIES": "true",
        "EDITOR_2FA_REQUIRED": "true",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests, never in deployment
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
