"""Tests for augment.run.remote: URLs, credentials kept out of sight, stores, and listings (one per prefix)."""

from __future__ import annotations

import os
import pickle

import pytest

from augment.run.options import SetupError
from augment.run.remote import REDACTED, Store, is_url, iter_files, iter_folder, locate, redact, scrub

ACCESS_KEY = "AKIAEXAMPLEKEY000042"
SECRET_KEY = "example-secret-0b1c2d3e4f"


def test_urls_and_paths_are_told_apart():
    assert is_url("s3://bucket/train") and is_url("memory://x") and is_url("gs://b")
    assert not is_url("C:\\data\\train") and not is_url("/data/train") and not is_url("train")
    assert not is_url(os.path.join("a", "b"))


def test_locate_a_local_path_a_file_url_and_a_store(tmp_path):
    local = locate(str(tmp_path / "x" / ".." / "in"), "INPUT")
    assert local.store is None and local.path == str(tmp_path / "in") and not local.remote
    assert locate(f"file://{tmp_path}/in", "INPUT") == local
    where = locate("s3://bucket/data/train/", "INPUT", {"anon": True})
    assert where.text == "s3://bucket/data/train" and where.path == "bucket/data/train"
    assert where.store == Store.of("s3", {"anon": True}) and where.join("a/b.png") == "bucket/data/train/a/b.png"
    assert locate("s3://bucket", "OUTPUT").path == "bucket"
    assert where.contains(locate("s3://bucket/data/train/aug", "OUTPUT", {"anon": True}))
    assert not where.contains(locate("s3://bucket/data/training", "OUTPUT", {"anon": True}))
    assert not where.contains(locate("s3://bucket/data/train/aug", "OUTPUT"))  # another store: other options


@pytest.mark.parametrize("url, shown", [
    (f"s3://{ACCESS_KEY}:{SECRET_KEY}@bucket/train", "s3://***@bucket/train holds credentials in the URL"),
    (f"s3://bucket/train?X-Amz-Credential={ACCESS_KEY}&X-Amz-Signature={SECRET_KEY}",
     "s3://bucket/train: a folder URL takes no query string"),
])
def test_a_url_with_credentials_is_refused_with_the_fix_and_without_them(url, shown):
    with pytest.raises(SetupError) as info:
        locate(url, "INPUT")
    message = str(info.value)
    assert shown in message and "standard means" in message
    assert ACCESS_KEY not in message and SECRET_KEY not in message


def test_chained_unknown_and_uninstalled_stores_are_refused():
    with pytest.raises(SetupError, match="chained URLs"):
        locate("simplecache::s3://bucket/x", "INPUT")
    with pytest.raises(SetupError, match="INPUT nosuchproto://x/y: .*nosuchproto"):
        locate("nosuchproto://x/y", "INPUT")
    # A store whose package is not installed here: fsspec's own hint says what to install.
    protocol, hint = _uninstalled_store()
    with pytest.raises(SetupError, match=f"OUTPUT {protocol}://bucket/x: ") as info:
        locate(f"{protocol}://bucket/x", "OUTPUT")
    assert hint in str(info.value)


def _uninstalled_store():
    import importlib.util

    from fsspec.registry import known_implementations

    for protocol, spec in known_implementations.items():
        if spec.get("err") and importlib.util.find_spec(spec["class"].split(".")[0]) is None:
            return protocol, spec["err"]
    raise AssertionError("every filesystem fsspec knows is installed here")


def test_redact_hides_secret_values_at_any_depth_and_keeps_the_rest():
    options = {"key": ACCESS_KEY, "secret": SECRET_KEY, "anon": False, "endpoint_url": "http://me:pw@host:9000",
               "client_kwargs": {"region_name": "eu-west-1", "aws_session_token": "tok-123456"},
               "s3_additional_kwargs": {"SSECustomerKey": "abcdefgh", "ServerSideEncryption": "AES256"}}
    assert redact(options) == {
        "key": REDACTED, "secret": REDACTED, "anon": False, "endpoint_url": "http://***@host:9000",
        "client_kwargs": {"region_name": "eu-west-1", "aws_session_token": REDACTED},
        "s3_additional_kwargs": {"SSECustomerKey": REDACTED, "ServerSideEncryption": "AES256"}}
    assert redact(None) is None


def test_scrub_removes_known_secrets_environment_credentials_and_url_userinfo(monkeypatch):
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-98765")
    text = f"denied for {ACCESS_KEY} with session-token-98765 at https://u:p@host/x (key {SECRET_KEY})"
    cleaned = scrub(text, [ACCESS_KEY, SECRET_KEY])
    assert cleaned == "denied for *** with *** at https://***@host/x (key ***)"
    assert scrub("a short ab value", ["ab"]) == "a short ab value"  # too short to be a secret worth garbling text


def test_a_store_pickles_hashes_shows_no_secret_and_builds_one_filesystem_per_process():
    store = Store.of("memory", {"token": SECRET_KEY, "anon": True})
    assert pickle.loads(pickle.dumps(store)) == store and hash(store) == hash(Store.of("memory", store.options))
    assert SECRET_KEY not in repr(store) and REDACTED in repr(store)
    assert store.secrets() == [SECRET_KEY]
    assert store.atomic_put and not Store.of("local").atomic_put
    plain = Store.of("memory")
    assert plain.filesystem() is plain.filesystem()


def _put(s3, bucket, keys):
    for key in keys:
        s3.client.put_object(Bucket=bucket, Key=key, Body=key.encode())


def test_s3_folder_listing_streams_pages_in_key_order(s3):
    bucket = s3.bucket()
    _put(s3, bucket, ["d/b.txt", "d/a/1.txt", "d/a.txt", "d/c/2.txt", "d/.hidden", "d/e.txt", "d/", "other/x"])
    fs = Store.of("s3").filesystem()
    expected = [(".hidden", False), ("a.txt", False), ("a", True), ("b.txt", False), ("c", True), ("e.txt", False)]
    assert list(iter_folder(fs, f"{bucket}/d")) == expected
    assert list(iter_folder(fs, f"{bucket}/d", page=2)) == expected  # four requests, the same answer
    assert sorted(iter_files(fs, f"{bucket}/d", page=3)) == [".hidden", "a.txt", "a/1.txt", "b.txt", "c/2.txt", "e.txt"]
    assert list(iter_folder(fs, f"{bucket}/missing")) == [] and list(iter_files(fs, f"{bucket}/missing")) == []


def test_s3_listings_make_one_request_per_page_and_none_per_file(s3):
    bucket = s3.bucket()
    _put(s3, bucket, [f"d/f{i:02d}.txt" for i in range(10)])
    fs = Store.of("s3").filesystem()
    before = s3.log.read_text().count(f"/{bucket}?list-type=2")
    heads = s3.log.read_text().count(f"HEAD /{bucket}/")
    assert len(list(iter_folder(fs, f"{bucket}/d", page=4))) == 10
    assert len(list(iter_files(fs, bucket, page=4))) == 10
    log = s3.log.read_text()
    assert log.count(f"/{bucket}?list-type=2") - before == 3 + 3
    assert log.count(f"HEAD /{bucket}/") == heads


def test_generic_store_listings_sort_names_and_skip_nothing():
    store = Store.of("memory")
    fs = store.filesystem()
    for rel in ("b.txt", "a/1.txt", ".h", "c/d/e.txt"):
        fs.pipe_file(f"/listing-test/{rel}", b"x")
    try:
        assert list(iter_folder(fs, "/listing-test")) == [(".h", False), ("a", True), ("b.txt", False), ("c", True)]
        assert sorted(iter_files(fs, "/listing-test")) == [".h", "a/1.txt", "b.txt", "c/d/e.txt"]
        assert list(iter_files(fs, "/listing-test-none")) == []
    finally:
        fs.rm("/listing-test", recursive=True)
