"""Set-up as the README says (issue 10): `make test` without root, CI that never skips.

* ``require_program`` (tests/conftest.py): a test needing a missing program skips with the
  reason outside CI and fails in CI;
* ``tests/setup-system.sh``: as root it installs the Debian packages (``apt-get update`` once);
  without root it says what it skipped and succeeds, except in CI, where it stops;
* ``.ci/run`` sets ``CI`` itself, so running it by hand checks what the CI runner checks.

The scripts run with a PATH of stand-ins (``id``, ``apt-get``, ``make``) in a temporary folder,
so the tests neither need root nor install anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import in_ci, require_program

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "tests" / "setup-system.sh"


@pytest.mark.parametrize(("ci", "expected"), [
    (None, False), ("", False), ("0", False), ("false", False), ("False", False), ("no", False),
    ("1", True), ("true", True), ("yes", True),
], ids=["unset", "empty", "0", "false", "False", "no", "1", "true", "yes"])
def test_in_ci(monkeypatch: pytest.MonkeyPatch, ci: str | None, expected: bool) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert in_ci() is expected


def test_require_program_finds_the_first_present(tmp_path: Path) -> None:
    exe = tmp_path / "tool"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert require_program("no-such-program-cc312", "sh") == shutil.which("sh")
    assert require_program(str(exe)) == str(exe)


@pytest.mark.parametrize(("ci", "outcome"), [
    (None, pytest.skip.Exception),
    ("false", pytest.skip.Exception),
    ("1", pytest.fail.Exception),
    ("true", pytest.fail.Exception),
], ids=["outside-ci-skips", "ci-false-skips", "ci-1-fails", "ci-true-fails"])
def test_require_program_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str | None,
                                 outcome: type[BaseException]) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    not_executable = tmp_path / "khal"
    not_executable.write_text("")
    with pytest.raises(outcome) as caught:
        require_program("no-such-program-cc312", str(not_executable), what="khal",
                        install="run 'sh tests/setup-system.sh'")
    assert str(caught.value).startswith("khal is not installed: run 'sh tests/setup-system.sh'")
    assert str(caught.value).endswith("(CI must run this test)") is (outcome is pytest.fail.Exception)


def stand_ins(folder: Path, *, uid: int, apt: bool) -> Path:
    """A bin folder holding only what setup-system.sh may call: ``id`` (printing ``uid``),
    ``tr``, and optionally an ``apt-get`` that logs its arguments instead of installing."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    if apt:
        (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {folder / "apt.log"}\n')
    for exe in bin_dir.iterdir():
        exe.chmod(0o755)
    tr = shutil.which("tr")
    assert tr is not None
    (bin_dir / "tr").symlink_to(tr)
    for venv, exe in ((".venv-khal", "khal"), (".venv-vdirsyncer", "vdirsyncer"),
                      (".venv-cdisc", "python")):
        tool = folder / "repo" / venv / "bin" / exe  # the tools' own venvs: already there
        tool.parent.mkdir(parents=True)
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    return bin_dir


def run_setup(tmp_path: Path, *, uid: int, apt: bool, ci: str | None) -> subprocess.CompletedProcess[str]:
    bin_dir = stand_ins(tmp_path, uid=uid, apt=apt)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(["/bin/sh", str(SETUP)], cwd=tmp_path / "repo", env=env,
                          capture_output=True, text=True, timeout=60, check=False)


PAGES = "chromium poppler-utils fonts-noto-cjk libharfbuzz-subset0"  # the printed pages' programs
SKIPPED = ("setup-system: not root (or no apt-get): skipped installing {};"
           " the tests that need it will be skipped (as root: sh tests/setup-system.sh)")


@pytest.mark.parametrize(("uid", "apt", "ci", "code", "stderr", "apt_log"), [
    (1000, True, None, 0, [SKIPPED.format("calcurse"), SKIPPED.format("libreoffice-calc-nogui"), SKIPPED.format(PAGES), SKIPPED.format("nginx-light")], []),
    (1000, True, "false", 0, [SKIPPED.format("calcurse"), SKIPPED.format("libreoffice-calc-nogui"), SKIPPED.format(PAGES), SKIPPED.format("nginx-light")], []),
    (0, False, None, 0, [SKIPPED.format("calcurse"), SKIPPED.format("libreoffice-calc-nogui"), SKIPPED.format(PAGES), SKIPPED.format("nginx-light")], []),
    (1000, True, "1", 1, ["setup-system: CI needs calcurse installed, but this is not root with apt-get"], []),
    (1000, True, "true", 1, ["setup-system: CI needs calcurse installed, but this is not root with apt-get"], []),
    (0, True, "true", 0, [], ["update -q",
                              "install -y -q --no-install-recommends calcurse",
                              "install -y -q --no-install-recommends libreoffice-calc-nogui",
                              f"install -y -q --no-install-recommends {PAGES}",
                              "install -y -q --no-install-recommends nginx-light"]),
], ids=["not-root-skips-with-message", "not-root-ci-false", "no-apt-get-skips", "not-root-in-ci-stops",
        "not-root-ci-true-stops", "root-installs-update-once"])
def test_setup_system(tmp_path: Path, uid: int, apt: bool, ci: str | None, code: int,
                      stderr: list[str], apt_log: list[str]) -> None:
    done = run_setup(tmp_path, uid=uid, apt=apt, ci=ci)
    assert (done.returncode, done.stderr.splitlines()) == (code, stderr), done.stdout
    log = tmp_path / "apt.log"
    assert (log.read_text().splitlines() if log.exists() else []) == apt_log


@pytest.mark.parametrize(("ci", "seen"), [(None, "1"), ("", "1"), ("true", "true")],
                         ids=["unset-becomes-1", "empty-becomes-1", "runner-value-kept"])
def test_ci_run_sets_ci(tmp_path: Path, ci: str | None, seen: str) -> None:
    """.ci/run runs `make test` with CI set (here `make` is a stand-in printing what it got)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "make").write_text('#!/bin/sh\necho "make $* CI=$CI in $PWD"\n')
    (bin_dir / "make").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    if ci is not None:
        env["CI"] = ci
    done = subprocess.run(["bash", str(ROOT / ".ci" / "run")], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout == f"make test CI={seen} in {ROOT}\n"
