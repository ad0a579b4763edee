import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_variable_the_code_reads_and_no_other():
    code = "\n".join(p.read_text() for p in (ROOT / "resourcecentre").rglob("*.py"))
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', code))
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set(), "missing from .env.example"
    assert listed - read == set(), "listed in .env.example but never read"
