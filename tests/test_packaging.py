"""The package as a user installs it: the wheel builds without warnings, and installed in a fresh
environment, away from the checkout, it still refuses gold for training and runs the rules."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLD_DOC = "000_b9b2ccb77d9719e0"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                          "-w", str(out), "-q"], capture_output=True, text=True, cwd=out)
    assert run.returncode == 0, run.stderr
    assert "warning" not in (run.stdout + run.stderr).lower(), run.stdout + run.stderr
    [built] = out.glob("hatif-*.whl")
    return built


def test_wheel_ships_its_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in ("hatif/rules/lexicon.json", "hatif/rules/resources/gazetteer.json", "hatif/data/schema.json", "hatif/data/protected_docs.txt",
                     "hatif/model/pretrained/config.json", "hatif/show/view.css", "hatif/__main__.py"):
        assert resource in names
    assert not any(name.startswith(("corpus/", "hatif/corpus")) for name in names)  # no corpus in the package


def test_installed_wheel_refuses_gold_and_runs_the_rules(wheel, tmp_path):
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    # the dependencies come from the test's own environment (a path line: its .pth files, such as
    # the editable install of this checkout, are not processed)
    [purelib] = (env_dir / "lib").glob("python*/site-packages")
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(purelib), str(wheel)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    work = tmp_path / "elsewhere"  # no corpus/ here, nothing of the checkout
    work.mkdir()
    record = {"id": f"{GOLD_DOC}-s00", "doc_id": GOLD_DOC, "doc_date": "2022-10-21",
              "text": "أجرى الرئيس الفرنسي إيمانويل ماكرون اتصالاً هاتفياً مع المستشار الألماني أولاف شولتس أمس.",
              "entities": [], "relations": []}
    (work / "train.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    check = ("import hatif, sys\n"
             "from hatif.data.training_data import GoldDataError, load_training_records\n"
             "assert 'elsewhere' not in hatif.__file__ and str(sys.argv[1]) not in hatif.__file__, hatif.__file__\n"
             "try:\n    load_training_records('train.jsonl')\nexcept GoldDataError as err:\n    print('refused:', err)\n")
    run = subprocess.run([str(python), "-c", check, str(REPO)], capture_output=True, text=True, cwd=work)
    assert run.returncode == 0 and "refused:" in run.stdout and GOLD_DOC in run.stdout, run.stdout + run.stderr
    run = subprocess.run([str(python), "-m", "hatif", "predict", "--model", "rules", "--records", "train.jsonl",
                          "--out", "pred.jsonl"], capture_output=True, text=True, cwd=work)
    assert run.returncode == 0, run.stderr
    [row] = [json.loads(line) for line in (work / "pred.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {(e["label"], e["text"]) for e in row["entities"]} >= {("TRIGGER", "اتصالاً هاتفياً"), ("DATE", "أمس")}
