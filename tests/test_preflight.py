"""`make test` brings what pip cannot, or stops before any test with the command to type (issue 19)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from socialmetrics import preflight

REPO = Path(__file__).resolve().parent.parent
MISSING_BROWSER = {"CHROMIUM_PATH": "/nonexistent/chromium", "PREFLIGHT_INSTALL": "never"}


def _preflight(purpose, env):
    return subprocess.run([sys.executable, "-m", "socialmetrics.preflight", purpose], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def _clean_copy(target: Path) -> Path:
    """What a clone of this working tree holds: the files git tracks or would track, no .venv or .data."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
def test_make_test_in_a_clean_clone_stops_before_the_tests_and_names_the_command(tmp_path):
    clone = _clean_copy(tmp_path / "clone")
    venv = Path(sys.prefix)
    # The clone reuses this run's virtualenv (`-o` keeps make from reinstalling the project into it).
    result = subprocess.run(["make", "--no-print-directory", "-o", str(venv / ".installed"), f"VENV={venv}", "test"],
                            cwd=clone, env={**os.environ, **MISSING_BROWSER}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "missing Debian packages (chromium: browser tests and PDF reports" in result.stderr
    assert "No test was run" in result.stderr
    assert "apt-get install -y --no-install-recommends chromium" in result.stderr
    assert "test session starts" not in result.stdout


def test_what_is_missing_is_named_with_why_and_the_exact_command():
    result = _preflight("test", MISSING_BROWSER)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[1].strip().startswith("sudo apt-get update && sudo apt-get install")
    assert lines[1].split()[-1] == "chromium" or "chromium" in lines[1].split()


def test_make_run_only_warns_the_app_runs_without_chromium():
    result = _preflight("run", MISSING_BROWSER)
    assert result.returncode == 0
    assert "PDF reports will fail until you run" in result.stderr


def test_nothing_missing_says_nothing():
    result = _preflight("test", {"PREFLIGHT_INSTALL": "never"})
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_root_installs_directly_and_never_means_never(monkeypatch):
    monkeypatch.delenv("PREFLIGHT_INSTALL", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert preflight.install_prefix() == []
    monkeypatch.setenv("PREFLIGHT_INSTALL", "never")
    assert preflight.install_prefix() is None


def test_unknown_purpose_is_a_usage_error():
    assert _preflight("deploy", {}).returncode == 2
