"""INPUT and OUTPUT as fsspec URLs: parsing, credentials kept out of sight, filesystems, listings, transfers.

A location is either a local folder (a plain path or a ``file://`` URL: the
fast path, no fsspec involved) or a folder in an fsspec store (``s3://``,
``gs://``, ``az://``, ``memory://``...). A :class:`Store` names the store
(protocol and storage options) in a form that travels to worker processes and
Dask workers, which build their own filesystem from it and talk to the store
directly.

Credentials come by each filesystem's standard means (for S3 the AWS
environment, profiles and ``AWS_ENDPOINT_URL``) or the storage options. They
never appear in what the run writes or says: a URL that embeds them is
refused, storage options are shown redacted, and error text is scrubbed of
every secret the run knows of.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["IN_PROCESS_STORES", "OBJECT_STORES", "REDACTED", "Location", "Store", "StoreError", "is_folder",
           "is_object", "is_url", "iter_files", "iter_folder", "locate", "redact", "scrub"]

REDACTED = "***"
# A URL: a scheme of two letters or more (so "C:\\data" is a path), then "://" (or fsspec's "::" chaining).
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+(://|::)")
# Storage option names whose values are secrets (s3fs key/secret/token, adlfs account_key/sas_token/
# connection_string/client_secret, gcsfs token, SSECustomerKey...).
_SECRET_NAME = re.compile(r"key|secret|token|passw|credential|sas|signature|auth|connection_string", re.IGNORECASE)
# Environment variables that hold secrets of the stores fsspec reaches.
_SECRET_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
               "AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_SAS_TOKEN",
               "AZURE_STORAGE_CONNECTION_STRING", "AZURE_CLIENT_SECRET", "GOOGLE_OAUTH_ACCESS_TOKEN")
# user:password@ in a URL (an endpoint, a message).
_USERINFO = re.compile(r"(://)[^/@\s]+@")
# Shorter values are not scrubbed: replacing every "ab" would garble messages and hide nothing.
_SCRUB_MIN = 4
#: Stores whose uploads appear whole or not at all (one PUT, or a multipart upload
#: that appears on completion): an output is uploaded straight to its name. On any
#: other store it is uploaded under a hidden temporary name and renamed.
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oci", "oss", "memory"})
#: Stores that live in one process's memory: worker processes cannot see them.
IN_PROCESS_STORES = frozenset({"memory"})


class StoreError(OSError):
    """A store refused or failed an operation of the run itself (its message names the URL, never a secret)."""


def is_url(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` is a URL (``scheme://...``) rather than a local path."""
    return isinstance(text, str) and _URL.match(text) is not None


def _secret_values(value: Any, secret: bool = False) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _secret_values(item, secret or bool(_SECRET_NAME.search(str(key))))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _secret_values(item, secret)
    elif secret and isinstance(value, str) and len(value) >= _SCRUB_MIN:
        yield value


def redact(options: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``options`` with every secret value replaced by ``***`` (and ``user:password@`` in URLs masked)."""
    if options is None:
        return None

    def walk(value: Any, secret: bool) -> Any:
        if isinstance(value, Mapping):
            return {key: walk(item, secret or bool(_SECRET_NAME.search(str(key)))) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(item, secret) for item in value]
        if secret and value is not None and not isinstance(value, bool):
            return REDACTED
        return _USERINFO.sub(rf"\1{REDACTED}@", value) if isinstance(value, str) else value

    return walk(options, False)


def _env_secrets() -> list[str]:
    return [os.environ[name] for name in _SECRET_ENV if len(os.environ.get(name, "")) >= _SCRUB_MIN]


def scrub(text: str, secrets: Iterator[str] | list[str] | tuple[str, ...] = ()) -> str:
    """``text`` with every known secret (``secrets``, the stores' credential variables) and URL userinfo masked."""
    for secret in sorted({*secrets, *_env_secrets()}, key=len, reverse=True):
        if len(secret) >= _SCRUB_MIN:
            text = text.replace(secret, REDACTED)
    return _USERINFO.sub(rf"\1{REDACTED}@", text)


# One filesystem per store per process: building one (a client, a session) is not free,
# and a worker reuses it for every task.
_FILESYSTEMS: dict[Store, AbstractFileSystem] = {}
_FILESYSTEMS_LOCK = threading.Lock()


@dataclass(frozen=True, repr=False)
class Store:
    """A store: an fsspec protocol and its storage options (as canonical JSON, so it hashes and pickles).

    Its ``repr`` shows the options redacted; the options themselves travel to
    worker processes (and Dask workers), which need them to reach the store.
    """

    protocol: str
    options_json: str = "{}"

    @classmethod
    def of(cls, protocol: str, options: Mapping[str, Any] | None = None) -> Store:
        """The store of ``protocol`` with ``options``."""
        return cls(protocol, json.dumps(dict(options or {}), sort_keys=True))

    @property
    def options(self) -> dict[str, Any]:
        """The storage options."""
        options: dict[str, Any] = json.loads(self.options_json)
        return options

    @property
    def atomic_put(self) -> bool:
        """Whether an upload to a name appears whole or not at all."""
        return self.protocol in OBJECT_STORES

    def secrets(self) -> list[str]:
        """The secret values among the options (to scrub from messages)."""
        return list(_secret_values(self.options))

    def filesystem(self) -> AbstractFileSystem:
        """This process's filesystem for the store (made once)."""
        with _FILESYSTEMS_LOCK:
            fs = _FILESYSTEMS.get(self)
            if fs is None:
                import fsspec
                import fsspec.config
                from fsspec.dircache import DirCache

                cls = fsspec.get_filesystem_class(self.protocol)
                # fsspec's own configuration (FSSPEC_<PROTOCOL>_<OPTION>, ~/.config/fsspec/) gives defaults.
                options = fsspec.config.apply_config(cls, self.options)
                # Our own instance (not fsspec's shared one), and one that caches no listing: a run lists
                # each prefix once anyway, and a cached listing would answer for objects written since.
                fs = _FILESYSTEMS[self] = cls(**options, skip_instance_cache=True)
                fs.dircache = DirCache(use_listings_cache=False)
            return fs

    def __repr__(self) -> str:
        return f"Store({self.protocol!r}, {redact(self.options)!r})"


@dataclass(frozen=True)
class Location:
    """INPUT or OUTPUT: a local folder (``store`` None) or a folder in a store.

    Attributes:
        text: How messages, run.json and the summary name it (a URL never holds credentials).
        path: The local real path, or the store's path (``bucket/prefix``, no trailing slash).
        store: The store, or None for a local folder.
    """

    text: str
    path: str
    store: Store | None = None

    @property
    def remote(self) -> bool:
        """Whether the folder is in a store (not on a local file system)."""
        return self.store is not None

    def join(self, rel: str) -> str:
        """The path (or store path) of ``rel`` under this folder."""
        return f"{self.path}/{rel}" if self.path else rel

    def url(self, rel: str) -> str:
        """How messages name ``rel`` under this folder."""
        return f"{self.text.rstrip('/')}/{rel}"

    def contains(self, other: Location) -> bool:
        """Whether ``other`` is this folder or lies inside it (same store)."""
        if self.store != other.store:
            return False
        return other.path == self.path or other.path.startswith(self.path.rstrip("/") + "/")


def _refuse(what: str, text: str, reason: str) -> Exception:
    from augment.run.options import SetupError

    return SetupError(f"{what} {scrub(text)}: {reason}")


def locate(text: str | os.PathLike[str], what: str, storage_options: Mapping[str, Any] | None = None) -> Location:
    """Where ``text`` (INPUT or OUTPUT, named ``what`` in errors) is.

    A plain path or ``file://`` URL is a local folder (its real path); any
    other URL is a folder in that fsspec store, reached with
    ``storage_options``. Only the form is checked here, nothing is listed.

    Raises:
        SetupError: The URL embeds credentials or a query, chains filesystems,
            or names a protocol fsspec does not know (or whose package is missing).
    """
    if not is_url(text):
        return Location(str(os.path.realpath(text)), os.path.realpath(text))
    assert isinstance(text, str)  # is_url says so
    if "::" in text:
        raise _refuse(what, text, "chained URLs (a::b://...) are not supported for INPUT or OUTPUT; "
                                  "name the store itself")
    parts = urlsplit(text)
    protocol = parts.scheme.lower()
    if "@" in parts.netloc:
        masked = f"{protocol}://{REDACTED}@{parts.netloc.rsplit('@', 1)[1]}{parts.path}"
        from augment.run.options import SetupError

        raise SetupError(
            f"{what} {masked} holds credentials in the URL, which would end up in logs, run.json and shell "
            f"history; remove them from the URL and give them by the store's standard means (for S3: "
            f"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials; for others "
            f"their environment variables or --storage-options)"
        )
    if parts.query:
        bare = f"{protocol}://{parts.netloc}{parts.path}"
        raise _refuse(what, bare, "a folder URL takes no query string (?...); if it carried a key or a "
                                  "signature, give credentials by the store's standard means instead")
    if protocol == "file":
        path = os.path.realpath(parts.netloc + parts.path if parts.netloc not in ("", "localhost") else parts.path)
        return Location(path, path)
    try:
        import fsspec

        cls = fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as exc:
        raise _refuse(what, text, f"{exc}") from None
    path = str(cls._strip_protocol(text)).rstrip("/")
    store = Store.of(protocol, storage_options)
    return Location(f"{protocol}://{path}", path, store)


# ----------------------------------------------------------------------------- listings


def _is_s3(fs: AbstractFileSystem) -> bool:
    return type(fs).__module__.split(".")[0] == "s3fs" and hasattr(fs, "call_s3")


def is_object(fs: AbstractFileSystem, path: str) -> bool:
    """Whether an object (a file, not a folder) has the name ``path``: one HEAD on S3, no listing."""
    if _is_s3(fs):
        bucket, key, _ = fs.split_path(path)
        if not key:
            return False
        try:
            fs.call_s3("head_object", Bucket=bucket, Key=key)
        except FileNotFoundError:
            return False
        return True
    return bool(fs.isfile(path))


def is_folder(fs: AbstractFileSystem, path: str) -> bool:
    """Whether anything is stored under ``path/`` (or the bucket exists): on S3 one request for one key."""
    if _is_s3(fs):
        bucket, key, _ = fs.split_path(path)
        try:
            if not key:
                fs.call_s3("head_bucket", Bucket=bucket)
                return True
            listed = fs.call_s3("list_objects_v2", Bucket=bucket, Prefix=f"{key}/", MaxKeys=1)
        except FileNotFoundError:
            return False
        return bool(listed.get("KeyCount") or listed.get("Contents"))
    return bool(fs.isdir(path))


def _s3_pages(fs: Any, path: str, delimiter: str, page: int | None) -> Iterator[dict[str, Any]]:
    """ListObjectsV2 pages under ``path/``, one request each, as they come (S3 keeps them in key order)."""
    bucket, key, _ = fs.split_path(path)
    prefix = f"{key}/" if key else ""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if delimiter:
        kwargs["Delimiter"] = delimiter
    if page is not None:
        kwargs["MaxKeys"] = page
    while True:
        listed: dict[str, Any] = fs.call_s3("list_objects_v2", **kwargs)
        yield listed
        if not listed.get("IsTruncated"):
            return
        kwargs["ContinuationToken"] = listed["NextContinuationToken"]


def iter_folder(fs: AbstractFileSystem, path: str, page: int | None = None) -> Iterator[tuple[str, bool]]:
    """``(name, is_folder)`` for each entry of the folder ``path``: one listing of its prefix.

    On S3 the listing streams page by page (``page`` names per request, 1,000
    by default: a prefix of a million keys costs one page of memory), in key
    order; elsewhere it is one ``ls``, sorted by name. No entry costs a
    request of its own.
    """
    if _is_s3(fs):
        for listed in _s3_pages(fs, path, "/", page):
            start = len(listed.get("Prefix") or "")
            # A page holds keys and common prefixes apart; merged back into key order.
            names = [(item["Key"][start:], False) for item in listed.get("Contents", ())]
            names += [(item["Prefix"][start:-1], True) for item in listed.get("CommonPrefixes", ())]
            names.sort(key=lambda pair: pair[0] + "/" if pair[1] else pair[0])
            for name, folder in names:
                if name or folder:  # "" is the folder's own marker object
                    yield name, folder
        return
    try:
        listing = fs.ls(path, detail=True)
    finally:
        fs.invalidate_cache(path)
    root = path.rstrip("/")
    entries = []
    for info in listing:
        name = str(info["name"]).rstrip("/")
        if name != root:
            entries.append((name.rsplit("/", 1)[-1], info.get("type") == "directory"))
    yield from sorted(entries)


def iter_files(fs: AbstractFileSystem, path: str, page: int | None = None) -> Iterator[str]:
    """The relative path of every object under ``path``, hidden ones included: one listing for the whole tree.

    On S3 that is one ListObjectsV2 walk over the prefix (a request per
    ``page`` keys, 1,000 by default), streamed; elsewhere one ``find``.
    """
    if _is_s3(fs):
        for listed in _s3_pages(fs, path, "", page):
            start = len(listed.get("Prefix") or "")
            for item in listed.get("Contents", ()):
                rel = item["Key"][start:]
                if rel and not rel.endswith("/"):
                    yield rel
        return
    root = path.rstrip("/")
    try:
        found = fs.find(root)
    except FileNotFoundError:
        return
    finally:
        fs.invalidate_cache()
    for name in found:
        name = str(name)
        if name.startswith(root + "/"):
            yield name[len(root) + 1:]
