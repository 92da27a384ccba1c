"""Zone scope: the one helper, its meaning, and a guard that nobody writes it by hand again."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope

PACKAGE = Path(__file__).resolve().parents[2] / "camnet"
SCOPE_MODULE = PACKAGE / "auth" / "scope.py"
PRINCIPAL_MODULE = PACKAGE / "auth" / "principal.py"


def _paths_in_scope(paths: list[str], root: str) -> set[str]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE zone(path TEXT)")
    conn.executemany("INSERT INTO zone VALUES (?)", [(p,) for p in paths])
    clause, params = in_scope("path", root)
    return {r[0] for r in conn.execute(f"SELECT path FROM zone WHERE {clause}", params)}  # noqa: S608


def test_subtree_and_nothing_else() -> None:
    paths = ["/", "/1/", "/1/4/", "/1/4/9/", "/1/40/", "/1/41/7/", "/2/", "/14/"]
    assert _paths_in_scope(paths, "/1/4/") == {"/1/4/", "/1/4/9/"}
    assert _paths_in_scope(paths, "/1/") == {"/1/", "/1/4/", "/1/4/9/", "/1/40/", "/1/41/7/"}
    assert _paths_in_scope(paths, "/") == set(paths)


def test_agrees_with_the_python_check() -> None:
    paths = ["/1/", "/1/4/", "/1/4/9/", "/1/40/", "/2/"]
    for root in ("/", "/1/", "/1/4/", "/2/"):
        actor = Principal(1, "u", "viewer", 1, root)
        assert _paths_in_scope(paths, root) == {p for p in paths if actor.sees_path(p)}


@pytest.mark.parametrize("bad", ["z.path; DROP TABLE zone", "path)", ""])
def test_refuses_anything_but_a_column(bad: str) -> None:
    with pytest.raises(ValueError, match="column"):
        in_scope(bad, "/1/")


@pytest.mark.parametrize("bad", ["1/", "/1", "", "%"])
def test_refuses_a_malformed_root(bad: str) -> None:
    with pytest.raises(ValueError, match="zone path"):
        in_scope("path", bad)


def test_no_hand_written_scope_anywhere_else() -> None:
    """Scoping is written once: no ``path LIKE`` and no ``sees_path`` outside camnet.auth."""
    pattern = re.compile(r"path\s+LIKE|\.sees_path\(|zone_path\)\s*\+", re.IGNORECASE)
    offenders = []
    for source in PACKAGE.rglob("*.py"):
        if source in (SCOPE_MODULE, PRINCIPAL_MODULE):
            continue
        for number, line in enumerate(source.read_text("utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{source.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert not offenders, "use camnet.auth.scope (in_scope / fetch_in_scope):\n" + "\n".join(offenders)
