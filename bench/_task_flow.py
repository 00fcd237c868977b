"""The soak's ledger of tasks, read from the stack's log: dispatched, started (after how long), ended."""

import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FINAL_STATES = {"SUCCESS", "FAILURE", "EXPIRED", "REVOKED", "IGNORED", "REJECTED"}
DISPATCHED = re.compile(r"dispatched (\S+)\[([0-9a-f-]+)\]")
STARTED = re.compile(r"started (\S+)\[([0-9a-f-]+)\] waited ([-\d.]+) s")
ENDED = re.compile(r"ended (\S+)\[([0-9a-f-]+)\] (\w+)")


@dataclass
class TaskFlow:
    """Every task by id: how often it was dispatched and ended, how it ended, how long it waited to start.

    Lines from different processes reach the log in any order (a worker's "ended" can come before beat's
    "dispatched"), so a task counts as done when it has ended at least as often as it was dispatched (a
    retry is dispatched again under the same id and ends once more) and one of its ends was final.
    """

    dispatched_at: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    dispatches: Counter = field(default_factory=Counter)
    ends: Counter = field(default_factory=Counter)
    final_state: dict = field(default_factory=dict)
    waits: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, line: str, now: float) -> None:
        with self.lock:
            if match := DISPATCHED.search(line):
                name, task_id = match.groups()
                self.dispatched_at[task_id], self.names[task_id] = now, name
                self.dispatches[task_id] += 1
            elif match := STARTED.search(line):
                self.waits.append((float(match.group(3)), match.group(1)))
            elif match := ENDED.search(line):
                name, task_id, state = match.groups()
                self.names.setdefault(task_id, name)
                self.ends[task_id] += 1
                if state in FINAL_STATES:
                    self.final_state[task_id] = state

    def done(self, task_id: str) -> bool:
        return task_id in self.final_state and self.ends[task_id] >= self.dispatches[task_id]


class FlowHandler(logging.Handler):
    """This script's own dispatches (communications, pings) are read like the stack's."""

    def __init__(self, flow: TaskFlow):
        super().__init__()
        self.flow = flow

    def emit(self, record):
        self.flow.read(record.getMessage(), time.time())


def follow(path: Path, flow: TaskFlow, lines: list, stop: threading.Event) -> None:
    with open(path, errors="replace") as log:
        while not stop.is_set():
            line = log.readline()
            if not line:
                time.sleep(0.2)
                continue
            lines.append(line)
            flow.read(line, time.time())
