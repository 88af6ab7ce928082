"""scripts/ensure-chromium: what `make run` and `make test` do when no Chromium is found.

The script runs for real, with stand-ins on PATH for what would change the machine
(apt-get, sudo, id, Playwright's installer); each stand-in records how it was called.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "ensure-chromium"


def stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f'#!/bin/bash\necho "{name} $*" >> "$CALLS"\n{body}\n')
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path):
    """A bin/ with bash's basics but no Chromium, a venv whose Playwright has no browser yet."""
    bin_dir, venv_bin = tmp_path / "bin", tmp_path / "venv" / "bin"
    bin_dir.mkdir()
    venv_bin.mkdir(parents=True)
    for tool in ("bash", "env", "dirname", "cat"):
        os.symlink(subprocess.check_output(["bash", "-c", f"command -v {tool}"], text=True).strip(), bin_dir / tool)
    # The venv's python answers the "does Playwright have its browser?" question from a flag file.
    stub(venv_bin, "python", f'cat > /dev/null; test -e "{tmp_path}/playwright-installed"')
    stub(venv_bin, "playwright", f'/usr/bin/touch "{tmp_path}/playwright-installed"')
    stub(
        bin_dir,
        "apt-get",
        f'if [ "$1" = install ]; then /bin/ln -s "{bin_dir}/env" "{bin_dir}/chromium-headless-shell"; fi',
    )
    calls = tmp_path / "calls"
    calls.touch()

    def run(uid: int, sudo: bool | None = None) -> tuple[subprocess.CompletedProcess, list[str]]:
        stub(bin_dir, "id", f"echo {uid}")
        if sudo is not None:
            stub(bin_dir, "sudo", 'if [ "$1" = -n ]; then exit ' + ("0" if sudo else "1") + '; fi; "$@"')
        env = {"PATH": str(bin_dir), "CALLS": str(calls), "HOME": str(tmp_path)}
        result = subprocess.run(
            [str(SCRIPT), str(venv_bin / "python")], env=env, capture_output=True, text=True, timeout=60
        )
        return result, calls.read_text().splitlines()

    return run


def test_as_root_it_installs_debians_headless_shell_and_says_so(machine):
    result, calls = machine(uid=0)
    assert result.returncode == 0, result.stderr
    assert "installing Debian's chromium-headless-shell" in result.stdout
    assert any(c.startswith("apt-get install") and " chromium-headless-shell " in c + " " for c in calls)
    assert not any(c.startswith("playwright") for c in calls)


def test_with_passwordless_sudo_it_installs_through_sudo(machine):
    result, calls = machine(uid=1000, sudo=True)
    assert result.returncode == 0, result.stderr
    assert "with sudo apt-get" in result.stdout
    assert any(c.startswith("sudo env DEBIAN_FRONTEND=noninteractive apt-get install") for c in calls)


def test_without_rights_it_installs_playwrights_build_and_says_so(machine):
    result, calls = machine(uid=1000, sudo=False)
    assert result.returncode == 0, result.stderr
    assert "playwright install chromium" in result.stdout
    assert "playwright install chromium" in calls
    assert not any(c.startswith("apt-get") for c in calls)


def test_a_chromium_already_found_means_nothing_is_installed(machine):
    machine(uid=0)  # installs one
    result, calls = machine(uid=0)
    assert result.returncode == 0 and result.stdout == ""
    assert sum(c.startswith("apt-get install") for c in calls) == 1


def test_when_apt_get_cannot_install_it_falls_back_to_playwright(machine, tmp_path):
    stub(
        tmp_path / "bin", "apt-get", 'if [ "$1" = install ]; then echo "E: Unable to locate package" >&2; exit 100; fi'
    )
    result, calls = machine(uid=0)
    assert result.returncode == 0, result.stderr
    assert "apt-get could not install it" in result.stderr
    assert "playwright install chromium" in calls


def test_a_full_chromium_is_kept_when_the_headless_shell_cannot_be_installed(machine, tmp_path):
    os.symlink(tmp_path / "bin" / "env", tmp_path / "bin" / "chromium")
    result, calls = machine(uid=1000, sudo=False)
    assert result.returncode == 0, result.stderr
    assert "using the full Chromium" in result.stdout
    assert not any(c.startswith(("apt-get", "playwright")) for c in calls)


def test_as_root_the_headless_shell_is_installed_beside_a_full_chromium(machine, tmp_path):
    os.symlink(tmp_path / "bin" / "env", tmp_path / "bin" / "chromium")
    result, calls = machine(uid=0)
    assert result.returncode == 0, result.stderr
    assert any(c.startswith("apt-get install") and " chromium-headless-shell " in c + " " for c in calls)
    assert (tmp_path / "bin" / "chromium-headless-shell").exists()
