"""The package as a user installs it: the wheel builds without warnings."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_builds_without_warnings_and_ships_its_resources(tmp_path):
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                          "-w", str(tmp_path), "-q"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "warning" not in (run.stdout + run.stderr).lower(), run.stdout + run.stderr
    [wheel] = tmp_path.glob("hatif-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in ("hatif/model/lexicon.json", "hatif/data/schema.json", "hatif/model/pretrained/config.json",
                     "hatif/show/view.css", "hatif/__main__.py"):
        assert resource in names
