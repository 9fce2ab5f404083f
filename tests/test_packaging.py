"""The distribution installs the package as ``zhaiyao`` from the ``app/`` folder: nothing named ``app``
lands in site-packages, and the installed copy finds its manifest and sample page without a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.slow  # builds a wheel: about 20 s on 2 cores


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out)]
    subprocess.run([*build, str(ROOT)], check=True, capture_output=True, timeout=300)
    return next(out.glob("zhaiyao-*.whl"))


def test_the_wheel_holds_zhaiyao_and_no_app(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("zhaiyao-")}
    assert tops == {"zhaiyao"}
    assert "zhaiyao/data/manifest.toml" in names
    assert "zhaiyao/data/zhuzhou_front_page.txt" in names
    assert "zhaiyao/viewer/page.py" in names


def test_installed_copy_imports_as_zhaiyao_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, timeout=300)
    code = (
        "import importlib.util, zhaiyao\n"
        "from zhaiyao.config import SAMPLE_PAGE\n"
        "from zhaiyao.manifest import default_model_name\n"
        f"assert zhaiyao.__file__.startswith({str(target)!r}), zhaiyao.__file__\n"
        "assert importlib.util.find_spec('app') is None\n"
        "print(default_model_name(), SAMPLE_PAGE.stat().st_size > 1000)\n"
    )
    # The base interpreter, without this venv's editable install, from a folder without app/ in it.
    python = getattr(sys, "_base_executable", sys.executable)
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [python, "-s", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["qwen2.5-coder-1.5b-instruct", "True"]
