"""The layers stay one-way: the analysis library knows nothing of the web app or the database."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: package -> top-level names it must never import
FORBIDDEN = {
    "qmethod": {"webapp", "storage", "streamlit", "studies", "analysis", "sqlalchemy"},
    "analysis": {"webapp", "storage", "streamlit"},
    "studies": {"webapp", "storage", "streamlit"},
    "storage": {"webapp", "streamlit"},
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_source_imports_no_higher_layer(package):
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    offences = {f"{p.relative_to(REPO)} imports {name}"
                for p in files for name in _imported_roots(p) & FORBIDDEN[package]}
    assert not offences, "\n".join(sorted(offences))


def test_importing_every_qmethod_module_loads_no_ui_or_database():
    # The static check misses importlib tricks and transitive imports: import every
    # module for real and look at what ended up loaded.
    code = (
        "import pkgutil, importlib, sys, qmethod\n"
        "for m in pkgutil.walk_packages(qmethod.__path__, 'qmethod.'):\n"
        "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "{'webapp', 'storage', 'streamlit', 'studies', 'sqlalchemy'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
