"""How the kernel spent one thread's time: on a CPU, waiting for one, or asleep in a call.

Linux keeps, per thread, the nanoseconds spent on a CPU and the nanoseconds spent runnable but
waiting on a run queue (``/proc/<pid>/task/<tid>/schedstat``), and says where a sleeping thread
sleeps (``wchan``; ``syscall`` as a second source). The event-loop watchdog reads the loop
thread's counters around a stall:

- time it waited for a CPU was taken from the app by the machine (other processes);
- time it slept on a futex was a wait for a lock - in a Python process almost always the
  interpreter lock (GIL), held by another thread that the machine did not let run; time it slept
  anywhere else (``time.sleep``, a socket, a file) is a call the app made on the loop.

The files are read with the GIL held (through ``ctypes.PyDLL``), so a reading sees the loop thread
as it was while the watchdog held the lock, not after it let go. Where the files do not exist
(another OS, a kernel without scheduler statistics) `SchedClock.read()` answers None and nothing
is discounted.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SchedClock", "SchedReading", "waited_ms"]

# futex and futex_waitv by architecture: the `syscall` file's first field when `wchan` says nothing
_FUTEX_SYSCALLS = {"x86_64": {202, 449}, "amd64": {202, 449}, "aarch64": {98, 449}, "arm64": {98, 449}}.get(
    platform.machine().lower(), set()
)


@dataclass(frozen=True, slots=True)
class SchedReading:
    on_cpu_ns: int
    waiting_ns: int  # runnable, waiting on a run queue for a CPU
    on_lock: bool = False  # asleep on a futex (a lock, usually the GIL) when read


def _gil_holding_pread() -> Callable[[int], bytes]:
    """pread(fd, 256, 0) that keeps the GIL (ctypes.PyDLL); os.pread (which releases it) as a fallback."""
    try:
        import ctypes

        libc = ctypes.PyDLL(None, use_errno=True)
        pread = libc.pread
        pread.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long]
        pread.restype = ctypes.c_ssize_t
    except (ImportError, OSError, AttributeError):
        return lambda fd: os.pread(fd, 256, 0)
    buffer = ctypes.create_string_buffer(256)

    def read(fd: int) -> bytes:
        count = pread(fd, buffer, 256, 0)
        if count < 0:
            raise OSError(ctypes.get_errno(), "pread")
        return buffer.raw[:count]

    return read


class SchedClock:
    """Reads one thread's scheduler counters; keeps the files open (one pread each per reading)."""

    __slots__ = ("_read", "_schedstat", "_syscall", "_wchan", "native_id")

    def __init__(self, native_id: int) -> None:
        self.native_id = native_id
        folder = f"/proc/{os.getpid()}/task/{native_id}"
        self._schedstat = _open(f"{folder}/schedstat")
        self._wchan = _open(f"{folder}/wchan") if self._schedstat is not None else None
        self._syscall = _open(f"{folder}/syscall") if self._schedstat is not None else None
        self._read = _gil_holding_pread()

    @property
    def available(self) -> bool:
        return self._schedstat is not None

    def read(self, *, where: bool = True) -> SchedReading | None:
        """The counters now; with `where`, also whether the thread sleeps on a lock (read from
        another thread: a thread reading its own is running)."""
        if self._schedstat is None:
            return None
        try:
            fields = self._read(self._schedstat).split()
            return SchedReading(int(fields[0]), int(fields[1]), self._on_lock() if where else False)
        except (OSError, ValueError, IndexError):  # the thread ended, or a format we do not know
            return None

    def _on_lock(self) -> bool:
        if self._wchan is not None:
            with _suppress():
                where = self._read(self._wchan).strip()
                if where not in (b"", b"0"):
                    return b"futex" in where
        if self._syscall is not None and _FUTEX_SYSCALLS:
            with _suppress():
                first = self._read(self._syscall).split(maxsplit=1)[:1]
                return bool(first) and first[0].isdigit() and int(first[0]) in _FUTEX_SYSCALLS
        return False

    def close(self) -> None:
        for name in ("_schedstat", "_wchan", "_syscall"):
            fd = getattr(self, name)
            setattr(self, name, None)
            if fd is not None:
                os.close(fd)


def _open(path: str) -> int | None:
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None


def _suppress():
    import contextlib

    return contextlib.suppress(OSError, ValueError)


def waited_ms(before: SchedReading | None, after: SchedReading | None) -> float:
    """Milliseconds the thread spent waiting for a CPU between two readings (0 when unknown)."""
    if before is None or after is None:
        return 0.0
    return max(0, after.waiting_ns - before.waiting_ns) / 1e6


def on_cpu_ms(before: SchedReading | None, after: SchedReading | None) -> float | None:
    """Milliseconds the thread ran on a CPU between two readings (None when unknown)."""
    if before is None or after is None:
        return None
    return max(0, after.on_cpu_ns - before.on_cpu_ns) / 1e6
