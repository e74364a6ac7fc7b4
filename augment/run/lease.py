"""One run per OUTPUT in a store: a lock object with a lease.

An object store has no ``flock``, and a run that dies there releases nothing.
So the run that writes OUTPUT holds ``OUTPUT/.augment-dir.lock``, an object
saying who holds it and until when. The holder renews it every quarter of the
lease while it lives; another run refuses to start while the lease is valid,
and takes it over once it has expired (or at once when the holder is a dead
process on this same machine). Creating, renewing, taking over and releasing
are conditional writes where the store has them (S3 ``If-None-Match: *`` and
``If-Match``: two runs racing for one lock cannot both win); elsewhere each
write first reads the lock back (a narrow race is left, said in the README).

A holder that fails to renew (a partition, a pause longer than the lease)
learns it at its next renewal and stops before it writes OUTPUT's run files
again; outputs it wrote meanwhile are the same bytes the next holder writes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import socket
import threading
import time
import uuid
from typing import Any

from augment import __version__
from augment.run.remote import StoreError

__all__ = ["CLOCK_SKEW", "LEASE_NAME", "Lease", "LeaseHeld", "LeaseLost", "lease_seconds"]

LEASE_NAME = ".augment-dir.lock"
#: Default lease length in seconds (``AUGMENT_DIR_LEASE_SECONDS`` sets another).
LEASE_SECONDS = 60.0
#: How far the clocks of two machines writing one OUTPUT may disagree; an expired
#: lease is taken over only this long after its expiry.
CLOCK_SKEW = 5.0


class LeaseHeld(Exception):
    """Another live run holds OUTPUT's lease."""


class LeaseLost(RuntimeError):
    """This run no longer holds OUTPUT's lease (another run took it over, or it could not be renewed)."""


def lease_seconds() -> float:
    """The lease length: ``AUGMENT_DIR_LEASE_SECONDS`` if set (at least 1), else 60 s."""
    from augment.run.options import env_seconds

    return env_seconds("AUGMENT_DIR_LEASE_SECONDS", LEASE_SECONDS, at_least=1, or_equal=True)


def _iso(seconds: float) -> str:
    stamp = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).isoformat(timespec="seconds")
    return stamp.replace("+00:00", "Z")


def _machine() -> dict[str, str]:
    """What tells this machine and PID namespace apart (a PID means something only within both)."""
    facts = {"host": socket.gethostname()}
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            facts["boot"] = fh.read().strip()
        facts["pidns"] = os.readlink("/proc/self/ns/pid")
    except OSError:
        pass  # not Linux: a dead holder's lease is waited out
    return facts


def _is_dead_here(holder: dict[str, Any]) -> bool:
    """Whether the holder is a process of this machine and PID namespace that no longer exists."""
    here = _machine()
    if "boot" not in here or "pidns" not in here:
        return False  # cannot tell: wait for the lease to expire
    if any(holder.get(key) != value for key, value in here.items()) or not isinstance(holder.get("pid"), int):
        return False
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _error_code(exc: BaseException) -> str | None:
    """The S3 error code behind an exception s3fs translated (None if there is none)."""
    while exc is not None:
        response = getattr(exc, "response", None)
        if isinstance(response, dict):
            return str(response.get("Error", {}).get("Code"))
        exc = exc.__cause__  # type: ignore[assignment]
    return None


_CONFLICT = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


class _Changed(Exception):
    """The lock object is not the one this run last saw (a conditional write failed)."""


class _S3Lock:
    """The lock object through S3's conditional requests (s3fs's client)."""

    def __init__(self, fs: Any, path: str) -> None:
        self.fs = fs
        self.bucket, self.key, _ = fs.split_path(path)

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return self.fs.call_s3(method, Bucket=self.bucket, Key=self.key, **kwargs)
        except FileExistsError:
            raise _Changed() from None
        except OSError as exc:
            if _error_code(exc) in _CONFLICT:
                raise _Changed() from None
            raise

    def create(self, body: bytes) -> str:
        return str(self._call("put_object", Body=body, IfNoneMatch="*")["ETag"])

    def read(self) -> tuple[bytes, str] | None:
        from fsspec.asyn import sync

        async def get() -> tuple[bytes, str]:
            response = await self.fs._call_s3("get_object", Bucket=self.bucket, Key=self.key)
            async with response["Body"] as body:
                return await body.read(), str(response["ETag"])

        try:
            return sync(self.fs.loop, get)
        except FileNotFoundError:
            return None

    def replace(self, body: bytes, tag: str) -> str:
        return str(self._call("put_object", Body=body, IfMatch=tag)["ETag"])

    def delete(self, tag: str) -> None:
        try:
            self._call("delete_object", IfMatch=tag)
        except (_Changed, FileNotFoundError):
            pass  # not ours any more, or gone: nothing to release


class _PlainLock:
    """The lock object on a store without conditional requests: each write reads the lock back first.

    On a store whose writes are not whole (no object store), each body goes to
    a temporary name and is renamed over the lock, so a reader never sees half of one.
    """

    def __init__(self, fs: Any, path: str, atomic_put: bool = True) -> None:
        self.fs, self.path, self.atomic_put = fs, path, atomic_put

    @staticmethod
    def _tag(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    def _write(self, body: bytes) -> None:
        if self.atomic_put:
            self.fs.pipe_file(self.path, body)
            return
        from augment.core.files import temp_path_for

        temp = str(temp_path_for(self.path))
        self.fs.pipe_file(temp, body)
        self.fs.mv(temp, self.path)

    def create(self, body: bytes) -> str:
        if self.atomic_put:
            try:
                self.fs.pipe_file(self.path, body, mode="create")
            except FileExistsError:
                raise _Changed() from None
        elif self.fs.exists(self.path):
            raise _Changed()
        else:
            self._write(body)
        return self._tag(body)

    def read(self) -> tuple[bytes, str] | None:
        try:
            body = self.fs.cat_file(self.path)
        except FileNotFoundError:
            return None
        return body, self._tag(body)

    def replace(self, body: bytes, tag: str) -> str:
        current = self.read()
        if current is None or current[1] != tag:
            raise _Changed()
        self._write(body)
        return self._tag(body)

    def delete(self, tag: str) -> None:
        current = self.read()
        if current is not None and current[1] == tag:
            self.fs.rm_file(self.path)


class Lease:
    """This run's hold on OUTPUT in a store.

    Args:
        fs: The store's filesystem.
        path: The lock object's path in the store (``OUTPUT/.augment-dir.lock``).
        name: How messages name the lock (its URL).
        seconds: The lease length (renewed every quarter of it).
        atomic_put: Whether the store shows a written object whole (else the lock is written by rename).
    """

    def __init__(self, fs: Any, path: str, name: str, seconds: float | None = None, atomic_put: bool = True) -> None:
        from augment.run.remote import _is_s3

        self.name = name
        self.seconds = lease_seconds() if seconds is None else seconds
        self._lock = _S3Lock(fs, path) if _is_s3(fs) else _PlainLock(fs, path, atomic_put)
        self._id = uuid.uuid4().hex
        self._started = time.time()
        self._tag: str | None = None
        self._writing = 0.0  # the expiry in the body being written
        self._expires = 0.0  # the expiry of the last body the store took
        self._lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()

    def _body(self) -> bytes:
        now = time.time()
        self._writing = now + self.seconds
        record = {"run": self._id, **_machine(), "pid": os.getpid(), "augment_dir": __version__,
                  "started": _iso(self._started), "renewed": _iso(now), "lease_seconds": self.seconds,
                  "expires": self._writing, "expires_at": _iso(self._writing)}
        return (json.dumps(record, indent=2) + "\n").encode("utf-8")

    def acquire(self) -> None:
        """Take the lease (or take over an expired one) and start renewing it.

        Raises:
            LeaseHeld: Another run holds a valid lease (the message says until when).
            StoreError: The store refused the lock object.
        """
        try:
            self._tag = self._take()
            self._expires = self._writing
        except (LeaseHeld, StoreError):
            raise
        except OSError as exc:
            raise StoreError(f"cannot write the lock {self.name}: {exc}") from None
        self._thread = threading.Thread(target=self._renew_loop, daemon=True, name="augment-dir-lease")
        self._thread.start()

    def _take(self) -> str:
        for _ in range(3):  # the lock may vanish or change between our reads: look again
            try:
                return self._lock.create(self._body())
            except _Changed:
                pass
            current = self._lock.read()
            if current is None:
                continue
            body, tag = current
            try:
                holder = json.loads(body)
                expires = float(holder["expires"])
            except (ValueError, KeyError, TypeError):
                holder, expires = {}, 0.0  # not a lock we can read: treat it as expired
            if time.time() <= expires + CLOCK_SKEW and not _is_dead_here(holder):
                raise LeaseHeld(
                    f"another augment-dir run is writing to this OUTPUT: {self.name} is held by process "
                    f"{holder.get('pid')} on {holder.get('host')} (started {holder.get('started')}), whose lease "
                    f"runs until {holder.get('expires_at')}; wait for it to finish (if it was killed, the lease "
                    f"expires by itself within {holder.get('lease_seconds')} s)"
                )
            try:
                return self._lock.replace(self._body(), tag)
            except _Changed:
                continue  # another run took it over first; look again
        raise LeaseHeld(f"another augment-dir run is taking {self.name} at the same moment; try again")

    def renew(self) -> None:
        """Extend the lease now (the renewing thread does this on its own)."""
        with self._mutex:
            if self._lost is not None or self._tag is None:
                return
            try:
                self._tag = self._lock.replace(self._body(), self._tag)
                self._expires = self._writing
            except _Changed:
                self._lost = f"another run took over {self.name} (this run's lease was not renewed in time)"
            except Exception as exc:  # a network error: retried at the next renewal, unless the lease runs out
                if time.time() > self._expires:
                    self._lost = f"could not renew {self.name} before its lease ran out ({type(exc).__name__})"

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.seconds / 4):
            self.renew()
            if self._lost is not None:
                return

    def check(self) -> None:
        """Raise :class:`LeaseLost` if this run no longer holds the lease (renewing it first if it ran out)."""
        if self._lost is None and time.time() > self._expires:
            self.renew()  # this process was paused past the lease: still ours only if nobody took it
            if self._lost is None and time.time() > self._expires:
                self._lost = f"its lease on {self.name} ran out"
        if self._lost is not None:
            raise LeaseLost(f"this run no longer holds OUTPUT: {self._lost}; it stopped. "
                            f"Rerun to resume once the other run has finished")

    @property
    def held(self) -> bool:
        """Whether this run still holds the lease."""
        return self._tag is not None and self._lost is None

    def release(self) -> None:
        """Stop renewing and remove the lock object, if it is still this run's."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._mutex:
            if self._tag is not None and self._lost is None:
                try:
                    self._lock.delete(self._tag)
                except OSError:
                    pass  # it expires by itself
            self._tag = None
