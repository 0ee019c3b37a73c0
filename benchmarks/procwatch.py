"""Run a command and watch its whole process tree: wall clock, RSS over time, CPU time.

Every ``interval`` seconds a thread sums ``VmRSS`` (from ``/proc/<pid>/status``) over the
process and all its descendants. Descendants are found through
``/proc/<pid>/task/<tid>/children`` when the kernel has it (CONFIG_PROC_CHILDREN), else by
reading every ``/proc/<pid>/stat`` for parent ids. Summed RSS counts pages shared between
processes (the interpreter, libraries) once per process, so it is an upper bound on the
memory the tree really holds. CPU time of the tree comes from ``getrusage(RUSAGE_CHILDREN)``
(exact: every descendant is reaped by the time the command returns); the main process's
own share is its last sampled ``utime + stime``. ``/proc/stat`` gives the whole machine's
busy time over the run, so the CPU other programs used meanwhile can be shown as noise.
Each sample also sums the processes' PSS (``/proc/<pid>/smaps_rollup``), which splits shared
pages between the processes sharing them: the memory the tree really holds.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_PROC = Path("/proc")
_TICK = os.sysconf("SC_CLK_TCK")
_HAS_CHILDREN_FILE = (_PROC / "self" / "task" / str(os.getpid()) / "children").exists()


@dataclass(frozen=True, slots=True)
class Sample:
    t: float  # seconds since start
    tree_kb: int
    main_kb: int
    procs: int
    tree_pss_kb: int = 0  # proportional set size: shared pages split between their users
    progress: int | None = None  # what the probe said, if there is one


@dataclass
class Watched:
    """What one watched command did."""

    returncode: int
    wall: float
    stdout: bytes
    stderr: bytes
    samples: list[Sample] = field(default_factory=list)
    cpu_tree: float = 0.0  # seconds, every process of the tree
    cpu_main: float = 0.0  # seconds, the main process alone (sampled)
    cpu_machine: float = 0.0  # seconds, every CPU of the machine busy, anyone's
    max_procs: int = 0

    @property
    def peak_tree_mb(self) -> float:
        return max((s.tree_kb for s in self.samples), default=0) / 1024

    @property
    def peak_tree_pss_mb(self) -> float:
        return max((s.tree_pss_kb for s in self.samples), default=0) / 1024

    @property
    def peak_main_mb(self) -> float:
        return max((s.main_kb for s in self.samples), default=0) / 1024

    def tree_mb_at(self, fraction: float) -> float:
        """Summed RSS of the sample nearest to ``fraction`` of the run."""
        if not self.samples:
            return 0.0
        moment = fraction * self.wall
        return min(self.samples, key=lambda s: abs(s.t - moment)).tree_kb / 1024

    def tree_pss_mb_at(self, fraction: float) -> float:
        """Summed PSS of the sample nearest to ``fraction`` of the run."""
        if not self.samples:
            return 0.0
        moment = fraction * self.wall
        return min(self.samples, key=lambda s: abs(s.t - moment)).tree_pss_kb / 1024

    @property
    def cpu_other(self) -> float:
        """CPU seconds the rest of the machine used during the run (noise on the figures)."""
        return max(0.0, self.cpu_machine - self.cpu_tree)

    def to_json(self) -> dict[str, object]:
        return {
            "returncode": self.returncode,
            "wall_s": round(self.wall, 3),
            "peak_rss_tree_mb": round(self.peak_tree_mb, 1),
            "peak_rss_main_mb": round(self.peak_main_mb, 1),
            "peak_pss_tree_mb": round(self.peak_tree_pss_mb, 1),
            "rss_tree_mb_at": {f"{p}%": round(self.tree_mb_at(p / 100), 1) for p in (10, 50, 90)},
            "pss_tree_mb_at": {f"{p}%": round(self.tree_pss_mb_at(p / 100), 1) for p in (10, 50, 90)},
            "cpu_tree_s": round(self.cpu_tree, 2),
            "cpu_main_s": round(self.cpu_main, 2),
            "cpu_other_s": round(self.cpu_other, 2),
            "max_processes": self.max_procs,
            "samples_columns": ["t_s", "rss_tree_kb", "rss_main_kb", "processes", "pss_tree_kb", "progress"],
            "samples": [
                [round(s.t, 2), s.tree_kb, s.main_kb, s.procs, s.tree_pss_kb, s.progress]
                for s in self.samples
            ],
        }


def run_watched(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.2,
    probe: Callable[[], int | None] | None = None,
    kill_at: int | None = None,
) -> Watched:
    """Run ``cmd`` to completion, sampling its process tree every ``interval`` seconds
    (and ``probe``, a reading of the command's progress, with each sample). ``kill_at``: once
    the probe reads at least this, the command and its descendants get SIGKILL (a crash)."""
    before_children = _children_cpu()
    before_machine = machine_busy()
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=kill_at is not None,
    )
    samples: list[Sample] = []
    main_cpu = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            pids = tree(proc.pid)
            rss = {pid: rss_kb(pid) for pid in pids}
            if rss.get(proc.pid):
                main_cpu[0] = max(main_cpu[0], cpu_seconds(proc.pid))
                now = time.perf_counter() - start
                done = probe() if probe is not None else None
                pss = sum(pss_kb(pid) for pid in pids)
                samples.append(Sample(now, sum(rss.values()), rss[proc.pid], len(pids), pss, done))
                if kill_at is not None and done is not None and done >= kill_at:
                    os.killpg(proc.pid, signal.SIGKILL)  # its own session: the CLI and its workers
                    return
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    thread.join()
    return Watched(
        returncode=proc.returncode,
        wall=wall,
        stdout=stdout,
        stderr=stderr,
        samples=samples,
        cpu_tree=_children_cpu() - before_children,
        cpu_main=main_cpu[0],
        cpu_machine=machine_busy() - before_machine,
        max_procs=max((s.procs for s in samples), default=0),
    )


def tree(root: int) -> list[int]:
    """``root`` and every live descendant."""
    if _HAS_CHILDREN_FILE:
        found, todo = [], [root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(_children(pid))
        return found
    parents: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit() and (ppid := _ppid(int(entry.name))) is not None:
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, ()))
    return found


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in (_PROC / str(pid) / "task").iterdir():
            kids.extend(int(k) for k in (task / "children").read_text().split())
    except OSError:
        pass
    return kids


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (field 3 onwards)."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _ppid(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def cpu_seconds(pid: int) -> float:
    """utime + stime of one live process (0 if it is gone)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / _TICK if fields else 0.0


def rss_kb(pid: int) -> int:
    try:
        for line in (_PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid: int) -> int:
    """Proportional set size of one process (0 if it is gone or the kernel cannot say)."""
    try:
        for line in (_PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine_busy() -> float:
    """Seconds of CPU time the whole machine has spent busy since boot (all CPUs)."""
    values = [int(v) for v in (_PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    guest = sum(values[8:10]) if len(values) > 9 else 0  # already counted in user/nice
    return (sum(values) - idle - guest) / _TICK


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
