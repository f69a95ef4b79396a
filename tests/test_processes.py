"""The suite's own promise: no test leaves a process behind, however it ends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.processes import Children, run, wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
pytestmark = pytest.mark.timeout(600)


def gone(pid: int) -> bool:
    """Dead (or a zombie waiting for its reaper): nothing of it runs any more."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def kill_if_sleeper(pid: int) -> None:
    """Clean up after a failed check, without ever signalling a recycled pid."""
    with contextlib.suppress(OSError):
        if b"time.sleep(600)" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGKILL)


def test_close_kills_the_whole_group_grandchildren_too() -> None:
    script = ("import subprocess, sys, time; "
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
              "print(p.pid, flush=True); time.sleep(600)")
    with Children() as kids:
        parent = kids.start([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        grandchild = int(parent.stdout.readline())
    try:
        assert parent.returncode is not None
        wait_for(lambda: gone(grandchild), timeout=60, what="the grandchild to die")
    finally:
        kill_if_sleeper(grandchild)


def test_a_killed_parent_takes_its_children_along(children: Children) -> None:
    """PR_SET_PDEATHSIG: a SIGKILLed pytest (no teardown at all) still orphans nothing."""
    script = textwrap.dedent("""
        import sys, time
        from tests.processes import Children
        kid = Children().start([sys.executable, "-c", "import time; time.sleep(600)"])
        print(kid.pid, flush=True)
        time.sleep(600)
    """)
    parent = children.start([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=REPO)
    orphan = int(parent.stdout.readline())
    try:
        os.kill(parent.pid, signal.SIGKILL)  # the parent alone: its own session holds the kid
        parent.wait(timeout=60)
        wait_for(lambda: gone(orphan), timeout=60, what="the orphan to die with its parent")
    finally:
        kill_if_sleeper(orphan)


def test_run_timeout_kills_the_child() -> None:
    with Children() as kids:
        with pytest.raises(subprocess.TimeoutExpired):
            kids.run(SLEEPER, timeout=0.5)
        proc = kids._procs[0]
        assert proc.returncode is not None


INNER_CONFTEST = "from tests.conftest import *  # noqa: F403\n"


def run_inner(tmp_path: Path, test_source: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """A small pytest session with our conftest; returns its result and the pid it wrote."""
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST, encoding="utf-8")
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(test_source), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get(
        "PYTHONPATH", "")])}
    done = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "-o", "addopts=", str(tmp_path / "test_inner.py")],
               cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    return done, int((tmp_path / "pid").read_text())


def test_session_check_fails_a_run_that_leaves_a_process_and_kills_it(tmp_path: Path) -> None:
    done, pid = run_inner(tmp_path, """
        import subprocess, sys
        from pathlib import Path

        def test_forgets_its_child():
            p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                                 start_new_session=True)
            Path("pid").write_text(str(p.pid))
    """)
    try:
        assert done.returncode != 0, done.stdout
        assert "1 passed, 1 error" in done.stdout, done.stdout
        assert f"process {pid} still running" in done.stdout
        wait_for(lambda: gone(pid), timeout=60, what="the leftover to be killed")
    finally:
        kill_if_sleeper(pid)


def test_a_failing_test_still_leaves_nothing(tmp_path: Path) -> None:
    done, pid = run_inner(tmp_path, """
        import sys
        from pathlib import Path

        def test_fails_while_its_child_runs(children):
            p = children.start([sys.executable, "-c", "import time; time.sleep(600)"])
            Path("pid").write_text(str(p.pid))
            assert False, "on purpose"
    """)
    try:
        assert "1 failed" in done.stdout and "still running" not in done.stdout, done.stdout
        assert gone(pid)
    finally:
        kill_if_sleeper(pid)
