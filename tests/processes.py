"""Child processes for tests that are never left behind, whatever happens to the test.

Every child starts in its own session (so its process group can be killed whole, with
any grandchildren such as Chromium's renderers) and, on Linux, with
``PR_SET_PDEATHSIG``: if pytest itself is killed (SIGKILL, a thread-method timeout,
a closed terminal) the kernel kills the child too. :class:`Children` tracks what a test
started and kills every group it still has on exit, so a failed assertion, a pytest
timeout or Ctrl-C cleans up the same way a passing test does.

Children also carry ``SB_TEST_RUN`` in their environment; the session check in
``conftest.py`` looks for any process still holding this run's value at the end.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

RUN_TAG = "SB_TEST_RUN"  # not SOCIALBOT_*: tests of a hermetic demo strip those
PR_SET_PDEATHSIG = 1
STOP_GRACE = 10.0  # seconds a child gets to exit after SIGTERM before SIGKILL

# Resolved before any fork: the child only calls it (no dlopen between fork and exec).
_prctl: Callable[..., int] | None = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError, AttributeError):
        _prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with(parent: int, then: Callable[[], None] | None = None) -> Callable[[], None] | None:
    """A preexec_fn asking the kernel to SIGKILL the child when ``parent`` goes away.

    The death signal follows the *thread* that forked, so tests start children from the
    main thread. If the parent already died before the call, the child ends itself.
    ``then`` is the caller's own preexec_fn (a resource limit, say), run afterwards.
    """
    if _prctl is None:
        return then
    prctl = _prctl

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        if then is not None:
            then()

    return preexec


def tagged_env(env: dict[str, str] | None) -> dict[str, str]:
    """``env`` (default: ours) with this run's tag, so the end-of-run check can find it."""
    out = dict(os.environ if env is None else env)
    tag = os.environ.get(RUN_TAG)
    if tag:
        out[RUN_TAG] = tag
    return out


def tagged_processes(tag: str, *, group: int | None = None) -> dict[int, str]:
    """Live processes (pid -> command line) carrying ``tag``, optionally in one group.

    Reads /proc, so it also finds orphans and grandchildren; zombies (already dead)
    have no environment and are not listed.
    """
    found: dict[int, str] = {}
    needle = f"{RUN_TAG}={tag}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if group is not None:
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[2]) != group:
                    continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace").strip()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        found[int(entry.name)] = cmdline
    return found


def kill_group(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    """Signal the child's whole process group (it leads its own session).

    While the child is unreaped its pid cannot be reused, so ``killpg`` is safe. Once
    it has been reaped, only processes of that group that carry this run's tag are
    signalled: a recycled pid never makes us signal someone else's process.
    """
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        return
    tag = os.environ.get(RUN_TAG)
    if not tag or not Path("/proc").is_dir():
        return
    for pid in tagged_processes(tag, group=proc.pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


class Children:
    """The processes one test (or fixture) started; all killed, group and all, on close."""

    def __init__(self) -> None:
        self._procs: list[subprocess.Popen[Any]] = []

    def start(self, args: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """``subprocess.Popen`` in a new session, tied to our life, tracked."""
        kwargs["env"] = tagged_env(kwargs.get("env"))
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        preexec = _die_with(os.getpid(), kwargs.pop("preexec_fn", None))
        proc = subprocess.Popen(list(args), start_new_session=True, preexec_fn=preexec, **kwargs)
        self._procs.append(proc)
        return proc

    def run(self, args: Sequence[str], *, timeout: float, check: bool = False,
            input: str | bytes | None = None, capture_output: bool = False,
            **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """Like ``subprocess.run``, but the whole group dies on timeout or any error."""
        if capture_output:
            kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
        if input is not None:
            kwargs["stdin"] = subprocess.PIPE
        proc = self.start(args, **kwargs)
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except BaseException:
            self.kill(proc)
            raise
        finally:
            kill_group(proc)  # a grandchild the child left running goes too
        done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        if check:
            done.check_returncode()
        return done

    def kill(self, proc: subprocess.Popen[Any], timeout: float = 60.0) -> int:
        """SIGKILL the group now and reap the child."""
        kill_group(proc, signal.SIGKILL)
        return proc.wait(timeout=timeout)

    def stop(self, proc: subprocess.Popen[Any], timeout: float = 60.0) -> int:
        """SIGTERM the child (a clean stop) and wait for it; SIGKILL if it does not go."""
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(proc)
            raise

    def close(self) -> None:
        """Kill every group still alive (SIGTERM, then SIGKILL after a grace) and reap."""
        alive = [p for p in self._procs if p.poll() is None]
        for proc in alive:
            kill_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for proc in alive:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        for proc in self._procs:
            kill_group(proc, signal.SIGKILL)  # the child and anything it left in its group
            if proc.poll() is None:
                proc.wait(timeout=60)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        self._procs.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def run(args: Sequence[str], *, timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """One short-lived child, run to the end (see :meth:`Children.run`)."""
    with Children() as children:
        return children.run(args, timeout=timeout, **kwargs)


@contextlib.contextmanager
def child(args: Sequence[str], **kwargs: Any) -> Iterator[subprocess.Popen[Any]]:
    """One long-lived child (a server) for the duration of a ``with`` block."""
    with Children() as children:
        yield children.start(args, **kwargs)


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str,
             interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s.

    Deadlines are generous on purpose: they only bound a test that is already broken,
    they never decide whether a working one passes.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
