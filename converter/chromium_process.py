"""The operating-system side of one Chromium: its process group and its profile directory.

Playwright starts Chromium as the leader of a new process group, so killing that group
takes every helper process (zygotes, renderers, GPU, network service) with it. This is
the last resort when a graceful ``browser.close()`` hangs; otherwise a warm Lambda keeps
collecting orphaned Chromiums and profile directories in /tmp until it dies.
"""

from __future__ import annotations

import os
import shutil
import signal
from dataclasses import dataclass

_PROFILE_FLAG = "--user-data-dir="


@dataclass(frozen=True)
class ChromiumProcess:
    """The process group Playwright started (``pid``: its leader, also the group's id) and the
    browser's profile directory. The leader is the browser itself, or a wrapper script that
    runs the browser as its child without ``exec`` (Debian's ``/usr/bin/chromium-headless-shell``):
    the group holds both, and killing it takes both."""

    pid: int
    profile_dir: str | None

    @classmethod
    def from_pid(cls, pid: int) -> ChromiumProcess:
        """From the browser process's own pid (what Chromium reports of itself)."""
        fields = _stat_fields(str(pid))
        return cls(pid=fields[1] if fields else pid, profile_dir=_profile_dir_of(pid))

    def members(self, include_zombies: bool = True) -> list[int]:
        """Process ids still in this browser's process group (Linux /proc; [] elsewhere)."""
        return group_members(self.pid, include_zombies)

    def kill(self) -> None:
        """SIGKILL the whole process group; a group that is already gone is fine."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def remove_profile(self) -> None:
        if self.profile_dir:
            shutil.rmtree(self.profile_dir, ignore_errors=True)


def _profile_dir_of(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            arguments = handle.read().decode(errors="replace").split("\0")
    except OSError:
        return None
    for argument in arguments:
        if argument.startswith(_PROFILE_FLAG):
            return argument[len(_PROFILE_FLAG) :]
    return None


def _stat_fields(pid: str) -> tuple[str, int] | None:
    """(state, process group) from /proc/<pid>/stat; the command name may contain spaces."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read().decode(errors="replace")
    except OSError:
        return None
    after_name = raw[raw.rfind(")") + 2 :].split()
    if len(after_name) < 3:
        return None
    return after_name[0], int(after_name[2])


def group_members(pgid: int, include_zombies: bool = True) -> list[int]:
    """Every process whose process group is ``pgid`` (optionally skipping zombies)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    members = []
    for entry in entries:
        if not entry.isdigit():
            continue
        fields = _stat_fields(entry)
        if fields is None or fields[1] != pgid:
            continue
        if fields[0] == "Z" and not include_zombies:
            continue
        members.append(int(entry))
    return members
