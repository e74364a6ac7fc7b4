"""OUTPUT/run.json: what a reader needs to know before it trusts OUTPUT.

Written atomically at the start of a run (``"state": "running"``) and again at
its end: ``"finished"`` (every planned output was written or failed, exit code
0 or 1), ``"interrupted"`` (Ctrl-C, SIGTERM, or the caller stopped iterating;
rerun to finish) or ``"failed"`` (an unexpected error stopped the run). Only a
SIGKILL or a power cut leaves ``"running"`` behind. Train on OUTPUT only when
it says ``finished``.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from augment.run.storage import Storage

__all__ = ["RUN_STATE_NAME", "RunState", "read_run_state"]

RUN_STATE_NAME = "run.json"
_FORMAT = 1


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def read_run_state(output: str | Path | Storage) -> dict[str, Any] | None:
    """The run.json of ``output`` (a folder or a Storage) as a dict, or None when there is none or it is unreadable."""
    try:
        if isinstance(output, Storage):
            text = output.read_text(RUN_STATE_NAME)
            if text is None:
                return None
        else:
            text = Path(output, RUN_STATE_NAME).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class RunState:
    """The state of one run, kept in OUTPUT/run.json.

    Args:
        storage: Where OUTPUT is.
        record: The fixed facts of the run (version, input, seed, arguments...).
    """

    storage: Storage
    record: dict[str, Any]
    notices: list[str] = field(default_factory=list)

    def start(self) -> None:
        """Say the run is running (before any output is touched)."""
        self.record.update(format=_FORMAT, state="running", started=_now(), finished=None,
                           counts=None, exit_code=None, error=None)
        self._write()

    def finish(self, state: str, counts: dict[str, dict[str, int]], exit_code: int | None,
               error: str | None = None) -> None:
        """Say how the run ended: "finished", "interrupted" or "failed"."""
        self.record.update(state=state, finished=_now(), counts=counts, exit_code=exit_code, error=error,
                           notices=self.notices)
        self._write()

    def _write(self) -> None:
        # Keys in a fixed order, so the file reads the same way every time.
        self.storage.write_text(RUN_STATE_NAME, json.dumps(self.record, indent=2, ensure_ascii=False) + "\n")
