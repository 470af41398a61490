"""The layering of docs/ARCHITECTURE.md: each package imports only the packages its table row
allows, and the light ones (text, data, rules, predict) import torch and transformers only inside
functions, so that `hatif --help` and `hatif predict --model rules` start without them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Package (hatif.<name>, from the folder of the same name) -> the packages it may import.
# "hatif" is the CLI package (hatif/cli.py, hatif/__main__.py); nothing else may import it.
ALLOWED = {
    "text": set(),
    "data": {"text"},
    "model": {"text", "data"},
    "rules": {"text", "data"},
    "eval": {"text", "data"},
    "show": {"data", "eval"},
    "predict": {"text", "data", "model", "rules"},
    "train": {"text", "data", "model", "eval"},
    "hatif": {"text", "data", "model", "rules", "eval", "show", "predict", "train"},
}
LIGHT = ["text", "data", "rules", "predict"]
HEAVY = {"torch", "transformers"}


@dataclass(frozen=True)
class Import:
    where: str  # "folder/file.py:line", for the failure message
    module: str  # absolute dotted name, relative imports resolved
    lazy: bool  # inside a function: runs only when it is called


def module_name(package: str, path: Path) -> list[str]:
    inside = path.relative_to(REPO / package).with_suffix("").parts
    parts = ["hatif"] + ([] if package == "hatif" else [package]) + list(inside)
    return parts[:-1] if parts[-1] == "__init__" else parts


def parse_imports(source: str, home: list[str], label: str) -> list[Import]:
    """Every import in ``source``; ``home`` is the package that `from .` names in that file."""
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            where = f"{label}:{getattr(child, 'lineno', 0)}"
            if isinstance(child, ast.Import):
                found.extend(Import(where, alias.name, inner) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = home[:len(home) - child.level + 1] if child.level else []
                found.append(Import(where, ".".join(base + ([child.module] if child.module else [])), inner))
            visit(child, inner)

    visit(ast.parse(source, filename=label), False)
    return found


def imports_of(package: str, path: Path) -> list[Import]:
    name = module_name(package, path)
    home = name if path.name == "__init__.py" else name[:-1]
    return parse_imports(path.read_text(encoding="utf-8"), home, str(path.relative_to(REPO)))


def package_imports(package: str) -> list[Import]:
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"no modules found under {package}/"
    return [imp for path in files for imp in imports_of(package, path)]


def layer_of(module: str) -> str | None:
    """The package a hatif module belongs to (hatif.train.pretrain.run -> train); None outside hatif."""
    parts = module.split(".")
    if parts[0] != "hatif":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "hatif"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_the_layers_below_it(package):
    crossing = [f"{imp.where}: {imp.module}" for imp in package_imports(package)
                if layer_of(imp.module) not in (None, package) and layer_of(imp.module) not in ALLOWED[package]]
    assert not crossing, f"{package} may import only {sorted(ALLOWED[package])}:\n" + "\n".join(crossing)


@pytest.mark.parametrize("package", LIGHT)
def test_light_package_imports_torch_only_inside_functions(package):
    eager = [f"{imp.where}: {imp.module}" for imp in package_imports(package)
             if not imp.lazy and imp.module.split(".")[0] in HEAVY]
    assert not eager, f"{package} may import {sorted(HEAVY)} only inside functions:\n" + "\n".join(eager)


@pytest.mark.parametrize(("source", "module", "lazy"), [
    ("from .records import Record", "hatif.data.records", False),
    ("from . import jsonl", "hatif.data", False),
    ("from ..text.arabic import normalize_key", "hatif.text.arabic", False),
    ("import hatif.text.dates as dates", "hatif.text.dates", False),
    ("def load():\n    import torch", "torch", True),
    ("class Backend:\n    def __init__(self):\n        from hatif.rules.extract import predict_records",
     "hatif.rules.extract", True),
])
def test_imports_resolve_as_python_would(source, module, lazy):
    # as if written in data/augment.py (package hatif.data)
    [found] = parse_imports(source, ["hatif", "data"], "data/augment.py")
    assert (found.module, found.lazy) == (module, lazy)


@pytest.mark.parametrize(("command", "output", "expected"), [
    (["--help"], None, "predict"),
    (["predict", "--model", "rules", "--records", "in.jsonl", "--out", "pred.jsonl"], "pred.jsonl", "اتصالاً هاتفياً"),
])
def test_command_runs_without_torch(tmp_path, command, output, expected):
    record = {"id": "d1-s00", "doc_id": "d1", "doc_date": "2022-10-21", "entities": [], "relations": [],
              "text": "أجرى الرئيس الفرنسي إيمانويل ماكرون اتصالاً هاتفياً مع المستشار الألماني أولاف شولتس أمس."}
    (tmp_path / "in.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "hatif", *command],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert expected in (run.stdout if output is None else (tmp_path / output).read_text(encoding="utf-8"))
    # -X importtime writes "import time: self | cumulative | <indent>module" for every module imported
    loaded = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "hatif.cli" in loaded
    assert sorted(name for name in loaded if name.split(".")[0] in HEAVY) == []
