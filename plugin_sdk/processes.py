"""Which process is this (a token another process can check), and children that die with it.

A *process token* (``<host>-<pid>-<start>``) names one process on one machine: the host tag
(from the hostname and the kernel's boot id), the pid, and the process's start time, so a pid
that the kernel reused later never passes for the old process. :func:`token_alive` answers
whether that process still runs, ``None`` when it ran on another machine (this one cannot tell).

:func:`die_with_parent` gives ``subprocess`` a ``preexec_fn`` that has the kernel kill the child
(ffmpeg, say) when the thread that started it dies, so a work horse killed with SIGKILL leaves no
encoder running on and writing files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import signal
import socket
from collections.abc import Callable
from functools import cache
from pathlib import Path

__all__ = ["die_with_parent", "host_tag", "pid_alive", "process_token", "token_alive"]

_PR_SET_PDEATHSIG = 1
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _BASE36[digit] + out
        if not number:
            return out


def host_tag() -> str:
    """Eight characters naming this machine (hostname and boot): the same for every process on it."""
    return _host_tag()


@cache
def _host_tag() -> str:
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    digest = hashlib.sha1(f"{socket.gethostname()}\0{boot}".encode()).digest()
    return _base36(int.from_bytes(digest[:6], "big")).rjust(8, "0")[-8:]


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state, start time in clock ticks since boot)`` of ``pid`` from ``/proc``, or ``None``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[19])


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs on this machine (a zombie waiting to be reaped counts as gone)."""
    stat = _stat(pid)
    if stat is not None:
        return stat[0] not in ("Z", "X")
    if Path("/proc/self/stat").exists():
        return False
    try:  # no /proc: ask the kernel
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_token(pid: int | None = None) -> str:
    """``<host>-<pid>-<start>`` for ``pid`` (this process by default); see :func:`token_alive`."""
    pid = os.getpid() if pid is None else pid
    stat = _stat(pid)
    return f"{host_tag()}-{pid}-{_base36(stat[1]) if stat else '0'}"


def token_alive(token: str) -> bool | None:
    """Does the process a :func:`process_token` names still run? ``None``: another machine's
    (or not a token), so this one cannot tell."""
    parts = token.split("-")
    if len(parts) != 3 or not parts[1].isdigit() or parts[0] != host_tag():
        return None
    pid, start = int(parts[1]), parts[2]
    if not pid_alive(pid):
        return False
    stat = _stat(pid)
    return stat is None or start == "0" or _base36(stat[1]) == start


@cache
def _prctl() -> Callable[..., int] | None:
    if not hasattr(os, "fork") or not Path("/proc/self").exists():
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` for :mod:`subprocess`: the child is killed (SIGKILL) when the thread that
    started it dies, so nothing it runs outlives a killed work horse.

    ``subprocess.run(cmd, ..., preexec_fn=die_with_parent())``. Start the child from a thread that
    waits for it (the kernel ties the signal to the starting thread). ``None`` (no ``preexec_fn``)
    where the platform has no ``prctl``.
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent, kill = os.getpid(), int(signal.SIGKILL)

    def arm() -> None:  # runs in the child between fork and exec: keep it to these calls
        prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above took effect
            os.kill(os.getpid(), kill)

    return arm
