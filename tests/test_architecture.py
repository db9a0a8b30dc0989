"""Imports point one way, as docs/DESIGN.md draws them ("Layout and the direction of imports"), and none of our
apps' imports hides in a function to dodge a cycle. Read from the source (ast), so nothing is imported to check it.

The arrows, as the one table this test enforces (an app may import the apps its arrows lead to, followed down:
accounts → security → messaging lets accounts use messaging too, as any layer may use the layers below it):
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# app: the other apps of ours it may import
ALLOWED = {
    "accounts": {"security", "messaging"},  # accounts → security → messaging
    "security": {"messaging"},  # security → messaging
    "messaging": set(),  # messaging imports no other app of ours
    "orders": set(),  # no arrow leaves orders: it refers to the user through settings.AUTH_USER_MODEL only
    "delivery": {"orders", "security", "messaging"},  # delivery → orders; delivery → security → messaging
    "otpapi": {"security", "messaging"},  # the Pinpoint OTP API: nothing imports it but config/urls.py
    "config": set(),  # settings, urls, wsgi, celery: the apps name config, never the other way
}
# config's infrastructure, which every app may import.
INFRASTRUCTURE = {"config.crypto", "config.ratelimit", "config.env", "config.languages", "config.dates"}
# The composition root may import every app: it puts the site together (URLs, the demo data). config/settings.py
# names apps in strings, which are not imports.
COMPOSITION_ROOT = ("config/urls.py", "config/management/")
# Nothing of ours imports the tests.
FORBIDDEN = {"tests"}

OURS = set(ALLOWED) | FORBIDDEN


def _sources():
    for app in ALLOWED:
        yield from sorted((ROOT / app).rglob("*.py"))


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """The full names a statement imports (`from a.b import c` gives a.b.c), relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = _module_of(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def _imports(path: Path, source: str | None = None):
    """(line, imported name, the function it sits in or None) for every import of one of our apps in a file."""
    tree = ast.parse(path.read_text() if source is None else source, filename=str(path))

    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in _imported(child, path):
                    if name.split(".")[0] in OURS:
                        yield child.lineno, name, function
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            yield from walk(child, "<lambda>" if isinstance(child, ast.Lambda) else inner)

    yield from walk(tree, None)


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def _direction_violation(path: Path, name: str) -> str | None:
    source_app, target_app = path.relative_to(ROOT).parts[0], name.split(".")[0]
    relative = path.relative_to(ROOT).as_posix()
    if target_app in FORBIDDEN:
        return f"{source_app} imports {target_app} (nothing imports the tests)"
    if target_app == source_app or relative.startswith(COMPOSITION_ROOT):
        return None
    if target_app == "config" and any(name == module or name.startswith(f"{module}.") for module in INFRASTRUCTURE):
        return None
    if target_app not in ALLOWED[source_app]:
        allowed = ", ".join(sorted(ALLOWED[source_app])) or "no other app"
        return f"{source_app} → {target_app} ({name}); {source_app} may import {allowed} and config's infrastructure"
    return None


def _is_registration_hook(path: Path, function: str) -> bool:
    """AppConfig.ready() in apps.py is Django's documented place to import what registers checks and signals."""
    return path.name == "apps.py" and function == "ready"


def test_imports_follow_the_arrows_of_docs_design():
    violations = [
        f"{_where(path, line)}: {problem}"
        for path in _sources()
        for line, name, _function in _imports(path)
        if (problem := _direction_violation(path, name))
    ]
    print("\n".join(violations))
    assert not violations, "imports against docs/DESIGN.md's arrows:\n" + "\n".join(violations)


def test_no_import_of_our_apps_hides_in_a_function():
    violations = [
        f"{_where(path, line)}: {name} imported inside {function}()"
        for path in _sources()
        for line, name, function in _imports(path)
        if function is not None and not _is_registration_hook(path, function)
    ]
    print("\n".join(violations))
    assert not violations, "imports of our apps inside functions (move the code, or pass it in):\n" + "\n".join(
        violations
    )


def test_the_check_sees_imports_at_every_depth():
    """The walk itself: module-level, relative and function-local imports are each found, and judged."""
    source = (
        "from . import models\nimport accounts.models\n\nclass A:\n    def f(self):\n        from security import x\n"
    )
    found = list(_imports(ROOT / "orders" / "rules.py", source))
    assert found == [(1, "orders.models", None), (2, "accounts.models", None), (6, "security.x", "f")]
    assert _direction_violation(ROOT / "messaging" / "outbox.py", "security.models.Challenge")
    assert _direction_violation(ROOT / "orders" / "rules.py", "config.ui_tags.money")
    assert _direction_violation(ROOT / "delivery" / "demo.py", "tests.helpers")
    assert not _direction_violation(ROOT / "orders" / "rules.py", "config.ratelimit.limit_hit")
    assert not _direction_violation(ROOT / "config" / "urls.py", "accounts.urls")
    assert not _direction_violation(ROOT / "delivery" / "notify.py", "messaging.outbox.message_queue")
