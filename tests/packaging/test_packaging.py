"""Packaging and tooling: entry point, package data, pre-commit hooks, CI script, Makefile.

Fast checks only; building and installing the wheel is done by .ci/wheel-check.
"""

from __future__ import annotations

import fnmatch
import glob
import importlib.resources
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from qunce.cli import main

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS: dict[str, Any] = PYPROJECT["tool"]["setuptools"]
DATA_PACKAGES = ("schemas", "templates", "playbooks")


def package_data_files(package_dir: Path, patterns: list[str]) -> set[Path]:
    """The files setuptools ships for these package-data patterns (it globs recursively)."""
    found: set[Path] = set()
    for pattern in patterns:
        found.update(Path(p) for p in glob.glob(str(package_dir / pattern), recursive=True) if os.path.isfile(p))
    return found


def repo_files(folder: Path) -> set[Path]:
    return {
        p for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc") and p.name != ".gitkeep"
    }


# --- pyproject.toml ------------------------------------------------------------


def test_entry_point_is_the_package_cli() -> None:
    assert PYPROJECT["project"]["scripts"]["qunce"] == "qunce.cli:main"
    assert "py-modules" not in SETUPTOOLS  # no top-level module of ours in site-packages


def test_one_import_name_maps_the_repository_folders() -> None:
    assert SETUPTOOLS["package-dir"] == {"qunce": "engine", "qunce.schemas": "schemas",
                                         "qunce.templates": "templates", "qunce.playbooks": "playbooks"}
    assert {name.split(".")[0] for name in SETUPTOOLS["packages"]} == {"qunce"}


def test_every_engine_package_is_listed() -> None:
    """A new folder under engine/ must be in [tool.setuptools] packages, or the wheel lacks it."""
    found = {"qunce" + "".join("." + part for part in d.relative_to(ROOT / "engine").parts)
             for d in [ROOT / "engine", *(ROOT / "engine").rglob("*")]
             if d.is_dir() and (d / "__init__.py").is_file()}
    listed = set(SETUPTOOLS["packages"]) - {f"qunce.{name}" for name in DATA_PACKAGES}
    assert listed == found


def test_cli_py_is_the_package_cli() -> None:
    link = ROOT / "engine" / "cli.py"
    assert link.is_symlink() and link.resolve() == (ROOT / "cli.py").resolve()


def test_code_is_imported_under_one_name() -> None:
    """The editable install maps qunce to engine/: nothing is loaded as engine.x or cli."""
    import qunce
    import qunce.cli
    import qunce.commands.simulate

    assert Path(qunce.__file__).resolve().parent == (ROOT / "engine").resolve()
    import sys

    assert not [name for name in sys.modules if name in ("cli", "engine") or name.startswith("engine.")]


def test_schema_files_are_package_data() -> None:
    patterns = SETUPTOOLS["package-data"]["qunce.schemas"]
    for name in ("playbook.schema.json", "fragment.schema.json"):
        assert any(fnmatch.fnmatchcase(name, p) for p in patterns), (name, patterns)


def test_template_patterns_reach_nested_folders(tmp_path: Path) -> None:
    patterns = SETUPTOOLS["package-data"]["qunce.templates"]
    wanted = {tmp_path / "page.md.j2", tmp_path / "handbook" / "index.html.j2", tmp_path / "handbook" / "style.css"}
    for path in wanted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    assert package_data_files(tmp_path, patterns) == wanted


@pytest.mark.parametrize("package", DATA_PACKAGES)
def test_every_data_file_in_the_repo_ships(package: str) -> None:
    """A file in schemas/, templates/ or playbooks/ that no package-data pattern matches would
    silently be left out of the wheel."""
    folder = ROOT / package
    present = repo_files(folder) if folder.is_dir() else set()
    shipped = package_data_files(folder, SETUPTOOLS["package-data"].get(f"qunce.{package}", []))
    missing = sorted(str(p.relative_to(ROOT)) for p in present - shipped)
    assert not missing, f"not matched by [tool.setuptools.package-data] qunce.{package}: {missing}"


@pytest.mark.parametrize("package", DATA_PACKAGES)
def test_data_package_is_readable_with_importlib_resources(package: str) -> None:
    """engine/resources.py reads the data through importlib.resources.files(). Under the
    editable install, a folder without __init__.py is a namespace package that setuptools'
    finder does not map below the top level: each data folder needs an __init__.py."""
    root = importlib.resources.files(f"qunce.{package}")
    assert root.is_dir()
    assert Path(str(root)).resolve() == (ROOT / package).resolve()


# --- .pre-commit-hooks.yaml ----------------------------------------------------


def load_hooks() -> dict[str, dict[str, Any]]:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return {hook["id"]: hook for hook in hooks}


def hook_selects(hook: dict[str, Any], path: str) -> bool:
    """Whether pre-commit would pass `path` to the hook (files / exclude are re.search'ed)."""
    return bool(re.search(hook["files"], path)) and not re.search(hook.get("exclude", "^$"), path)


def test_pre_commit_hooks() -> None:
    hooks = load_hooks()
    assert set(hooks) == {"qunce-validate", "qunce-validate-strict"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["entry"].split()[:2] == ["qunce", "validate"]
        assert hook["pass_filenames"] is True
        assert hook["require_serial"] is False
        # Fragments are selected too: a fragment named on the command line is checked through the playbooks
        # that include or extend it.
        for path in ("playbooks/brand.yaml", "playbooks/sub/a.yml", "playbooks/x/fragments/sop.yaml"):
            assert hook_selects(hook, path), (hook["id"], path)
        for path in ("playbooks/notes.md", "tests/golden/a.yaml", "pyproject.toml"):
            assert not hook_selects(hook, path), (hook["id"], path)
    assert "--strict" in hooks["qunce-validate-strict"]["entry"].split()
    assert "--strict" not in hooks["qunce-validate"]["entry"].split()


def test_pre_commit_entries_are_valid_commands() -> None:
    """The options a hook passes must exist (checked through --help, without running anything)."""
    for hook in load_hooks().values():
        args = hook["entry"].split()[1:] + hook.get("args", [])
        result = CliRunner().invoke(main, [args[0], "--help"])
        assert result.exit_code == 0, result.output
        for option in (a for a in args[1:] if a.startswith("--")):
            assert option in result.output, (hook["id"], option)


def test_pre_commit_hook_passes_on_the_bundled_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file the hook would be given, checked on its own (pre-commit may pass any subset)."""
    monkeypatch.chdir(ROOT)
    hook = load_hooks()["qunce-validate"]
    selected = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "playbooks").rglob("*") if p.is_file())
    selected = [p for p in selected if hook_selects(hook, p)]
    assert selected, "the hook selects none of the bundled playbooks"
    for path in selected:
        result = CliRunner().invoke(main, [*hook["entry"].split()[1:], path])
        assert result.exit_code == 0, f"{path} fails when pre-commit passes it alone:\n{result.output}"


# --- CI scripts ----------------------------------------------------------------


def git_mode(path: Path) -> str | None:
    """The file mode git records for `path`, or None when untracked or git is missing."""
    if shutil.which("git") is None:
        return None
    proc = subprocess.run(["git", "ls-files", "-s", "--", str(path.relative_to(ROOT))], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return proc.stdout.split()[0] if proc.returncode == 0 and proc.stdout.strip() else None


@pytest.mark.parametrize("script", [".ci/run", ".ci/wheel-check"])
def test_ci_script_is_executable_and_strict(script: str) -> None:
    path = ROOT / script
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(path, os.X_OK), f"{script} is not executable (chmod +x)"
    mode = git_mode(path)
    assert mode in (None, "100755"), f"git records {script} as {mode}; run: git update-index --chmod=+x {script}"


def test_ci_run_runs_the_readme_test_command_then_the_wheel_check() -> None:
    lines = [line.strip() for line in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()]
    assert "make test" in lines
    assert "bash .ci/wheel-check" in lines
    assert lines.index("make test") < lines.index("bash .ci/wheel-check")


def test_wheel_check_installs_outside_the_repo_and_cleans_up() -> None:
    text = (ROOT / ".ci/wheel-check").read_text(encoding="utf-8")
    assert re.search(r"^trap .*rm -rf", text, re.MULTILINE)
    assert "python3 -m venv" in text
    assert "playbook.schema.json" in text
    assert "pip install -e" not in text


# --- Makefile ------------------------------------------------------------------


MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.mark.parametrize("target", ["demo", "test", "lint", "schema", "bench", "wheel-check", "clean"])
def test_makefile_has_target(target: str) -> None:
    assert re.search(rf"^{re.escape(target)}:", MAKEFILE, re.MULTILINE), target


def test_makefile_sets_up_the_venv_once_per_pyproject_change() -> None:
    assert "python3" in MAKEFILE and "-m venv" in MAKEFILE
    assert "pip install -e '.[dev]'" in MAKEFILE
    assert re.search(r"^\S*(STAMP|\.installed)\S*:.*\bpyproject\.toml\b", MAKEFILE, re.MULTILINE)


def make_env() -> dict[str, str]:
    """The environment without an outer make's flags (this test may run under `make test`)."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@needs_make
def test_makefile_parses() -> None:
    proc = subprocess.run(["make", "-n", "-C", str(ROOT), "help"], capture_output=True, text=True,
                          env=make_env(), check=False)
    assert proc.returncode == 0, proc.stderr


@needs_make
def test_make_turns_no_tests_collected_into_a_failure() -> None:
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        pytest.skip("the .venv is not set up and current (would install)")
    proc = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "pytest",
         "PYTEST_ARGS=tests/packaging/test_packaging.py -k no_test_has_this_name -p no:cacheprovider"],
        capture_output=True, text=True, env=make_env(), check=False, timeout=120,
    )
    assert proc.returncode != 0
    assert "no tests ran" in proc.stderr


# --- the installed names, in the editable install --------------------------------------------


@pytest.mark.parametrize("command", [[sys.executable, "-m", "qunce"], [str(Path(sys.executable).parent / "qunce")]])
def test_python_m_qunce_and_the_script_work(command: list[str], tmp_path: Path) -> None:
    if not Path(command[0]).exists():
        pytest.skip("no qunce script next to this interpreter")
    proc = subprocess.run([*command, "--help"], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage: qunce" in proc.stdout and "simulate" in proc.stdout


def test_import_qunce_is_light_and_offers_the_commands() -> None:
    proc = subprocess.run([sys.executable, "-c", "import sys, qunce; print(sorted(m for m in ('duckdb', 'ibis', "
                           "'pyarrow', 'numpy', 'pandas', 'pydantic') if m in sys.modules)); "
                           "print(qunce.validate.__module__, qunce.run_simulation.__module__)"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["[]", "qunce.commands.validate qunce.commands.simulate"]


def test_the_validate_cache_keys_on_the_package_files_only() -> None:
    """Installed in site-packages, the package's neighbours (another project's cli.py) must not
    be part of the key."""
    from qunce import cache

    stamped = [Path(stamp[0]) for stamp in cache.code_fingerprint() if stamp]
    package = (ROOT / "engine").resolve()
    assert stamped and all(p.is_relative_to(package) or p == (ROOT / "cli.py").resolve() for p in stamped)
    assert (ROOT / "cli.py").resolve() in stamped  # through engine/cli.py: the cli's changes count
    assert len(stamped) == len([p for p in package.rglob("*.py")])


def test_no_api_name_is_a_module_of_the_package() -> None:
    """Importing qunce.simulate (the stage) sets the attribute qunce.simulate to that module,
    which would hide an API function of the same name."""
    import qunce

    modules = {p.stem for p in (ROOT / "engine").glob("*.py")} | {p.name for p in (ROOT / "engine").iterdir()
                                                                   if (p / "__init__.py").is_file()}
    assert not set(qunce.__all__) & modules
    import qunce.simulate.context
    assert callable(qunce.validate) and callable(qunce.run_simulation)
