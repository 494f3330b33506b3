"""`.env.example` lists every setting the code reads from the environment, and nothing else.

Found by reading the code's syntax tree: calls of settings' `env`, `env_bool`, `env_list`,
`os.environ.get`, `os.getenv` and `os.environ[...]` with a literal name.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "urbanmine"
READERS = {"env", "env_bool", "env_list", "getenv"}
# Set for the process, not read as a setting.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _name(call: ast.Call) -> str | None:
    func = call.func
    is_reader = (isinstance(func, ast.Name) and func.id in READERS) or (
        isinstance(func, ast.Attribute)
        and (
            func.attr == "getenv"
            or (func.attr == "get" and ast.unparse(func.value) == "os.environ")
        )
    )
    if is_reader and call.args and isinstance(call.args[0], ast.Constant):
        return call.args[0].value
    return None


def settings_read_by_the_code() -> set[str]:
    names = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (name := _name(node)):
                names.add(name)
            if (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.ctx, ast.Load)
            ):
                names.add(node.slice.value)
    return names - NOT_SETTINGS


def settings_in_the_example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_env_example_lists_exactly_the_settings_the_code_reads():
    code, example = settings_read_by_the_code(), settings_in_the_example()
    assert code, "found no settings: has settings.py changed its reader?"
    assert not code - example, f"missing from .env.example: {sorted(code - example)}"
    assert not example - code, f"in .env.example but never read: {sorted(example - code)}"
