"""Who holds a `sending` claim, and whether that process of this host has ended.

A sender that dies strands the draft it claimed. Claims of this host's ended processes are
released at once instead of after the lease; everything that might still be alive keeps it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

# The instances this process has sent as: a claim under our own pid is ours only if listed here.
_SENDERS_HERE: set[str] = set()
# How much later than a claim a process must have started to prove it is not the claimer: room
# for the whole-second boot time and for small clock steps since boot.
_START_TOLERANCE = timedelta(seconds=30)


def remember_sender(instance: str) -> None:
    """This process sends as `instance`: its own claims are never taken for a dead one's."""
    _SENDERS_HERE.add(instance)


def gone(claimer: str, claimed_at: datetime | None) -> bool:
    """Whether the process of this host that made a claim has ended.

    A pid names one process at a time but is reused once that process ends, so a running pid
    does not prove the claimer alive. The claimer is gone when its pid is ours but the instance
    is not one this process sent as (a restarted container runs the service under the same pid
    again), when no process or only a zombie holds its pid, or when the process holding it
    started after the claim (the pid was reused). Anything else may be the claimer, alive, and
    keeps its lease; so does every claim where /proc cannot tell start times (outside Linux).
    """
    _, pid = host_and_pid(claimer)
    if pid is None or os.name != "posix":
        return False
    if pid == os.getpid():
        return claimer not in _SENDERS_HERE
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the pid exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists under another user: maybe the claimer
    fields = proc_stat(pid)
    if fields is None:
        return False
    state, started = fields
    return state == "Z" or (claimed_at is not None and started > claimed_at + _START_TOLERANCE)


def host_and_pid(instance: str) -> tuple[str | None, int | None]:
    parts = instance.rsplit(":", 2)
    try:
        pid = int(parts[1]) if len(parts) == 3 else 0
    except ValueError:
        pid = 0
    # 0 and negative pids would make os.kill signal whole process groups.
    return (parts[0], pid) if pid > 0 else (None, None)


def proc_stat(pid: int) -> tuple[str, datetime] | None:
    """The state and start time of process `pid`, from Linux's /proc; None where unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        btime = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
        # Field 22 (starttime, in clock ticks since boot) is the 20th after the command name.
        seconds = int(btime.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    return fields[0], datetime.fromtimestamp(seconds, timezone.utc)
