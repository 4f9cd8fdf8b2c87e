"""The one safe reader and writer: bounded, decoded, never a traceback, never half a file."""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from assistant import files
from assistant.errors import InputFileError, ModelchoiceError, OutputError, ProfileError
from assistant.files import check_output, decode, load_json, load_yaml, read_stdin, read_text, write_text


@pytest.fixture(autouse=True)
def _fresh_inputs():
    files.forget_inputs()
    yield
    files.forget_inputs()


# --- decoding ----------------------------------------------------------------------------------------
def test_utf8_with_and_without_bom() -> None:
    assert decode(b"task: narrow\n", "p") == "task: narrow\n"
    assert decode(codecs.BOM_UTF8 + "caf\u00e9".encode(), "p") == "caf\u00e9"


def test_latin1_names_the_file_the_byte_and_its_offset() -> None:
    with pytest.raises(InputFileError) as info:
        decode("task: narrow # caf\u00e9".encode("latin-1"), "p.yaml")
    message = str(info.value)
    assert message.startswith("p.yaml: not UTF-8 text: byte 0xe9 at offset 18")
    assert "re-save it as UTF-8" in message


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ("task: narrow\n".encode("utf-16"), "UTF-16 text (it starts with a UTF-16 byte-order mark)"),
        ("task: narrow\n".encode("utf-16-be"), "UTF-16 text without a byte-order mark"),
        ("task: narrow\n".encode("utf-32"), "UTF-32"),
        (b"\x00\x01\x02\x03binary", "binary data, not text (a NUL byte at offset 0)"),
    ],
)
def test_other_encodings_are_named(data: bytes, needle: str) -> None:
    with pytest.raises(InputFileError, match="re-save it as UTF-8") as info:
        decode(data, "p")
    assert needle in str(info.value)


def test_the_caller_chooses_the_error_class() -> None:
    with pytest.raises(ProfileError):
        decode(b"\xff", "p", ProfileError)


# --- reading files ----------------------------------------------------------------------------------
def test_os_errors_become_messages_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"missing\.yaml: cannot read the profile: no such file"):
        read_text(tmp_path / "missing.yaml", what="the profile", limit=100)
    with pytest.raises(InputFileError, match="it is a directory"):
        read_text(tmp_path, what="the profile", limit=100)
    with pytest.raises(InputFileError, match="no file name"):
        read_text(Path(""), limit=100)


def test_permission_denied_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("task: narrow\n")

    def denied(*args: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "open", denied)  # as root, chmod 0 would not stop the read
    with pytest.raises(InputFileError, match=r"secret\.yaml: cannot read the file: permission denied"):
        read_text(secret, limit=100)


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2000)
    with pytest.raises(InputFileError, match=r"too large \(2,000 bytes\); the limit is 1,000 bytes"):
        read_text(big, limit=1000)
    assert read_text(big, limit=2000) == "#" * 2000


def test_endless_files_are_cut_at_the_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(InputFileError, match="too large"):
        read_text(Path("/dev/zero"), limit=100_000)
    assert time.perf_counter() - started < 1


def test_a_fifo_without_a_writer_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert read_text(fifo, limit=100) == ""


def test_stdin_closed_or_too_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputFileError, match="stdin is closed"):
        read_stdin(what="a profile", limit=100)

    class Big:
        buffer = type("B", (), {"read": staticmethod(lambda n: b"x" * n)})()
        closed = False

    monkeypatch.setattr(sys, "stdin", Big())
    with pytest.raises(InputFileError, match="stdin: the input is too large"):
        read_stdin(limit=100)


# --- parsing ----------------------------------------------------------------------------------------
def test_yaml_aliases_and_anchors_are_refused() -> None:
    with pytest.raises(InputFileError, match=r"line 2: YAML anchors and aliases \(&name, \*name\)"):
        load_yaml("a: 1\nb: &x [1, 2]\nc: *x\n", "p")


def test_alias_bomb_is_refused_at_once() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        bomb += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    started = time.perf_counter()
    with pytest.raises(InputFileError, match="anchors and aliases"):
        load_yaml(bomb, "bomb.yaml")
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 5000 + "]" * 5000,
        "- " * 5000 + "x",
        "".join(" " * i + f"k{i}:\n" for i in range(60)),
        "[" * 51 + "]" * 51,
    ],
    ids=["flow", "compact-sequence", "block-mapping", "just-over"],
)
def test_deep_yaml_is_refused(text: str) -> None:
    with pytest.raises(InputFileError, match="nested more than 50 levels deep"):
        load_yaml(text, "p")


def test_fifty_levels_are_fine() -> None:
    assert load_yaml("[" * 50 + "]" * 50, "p") is not None


def test_deep_json_is_refused_but_brackets_in_strings_do_not_count() -> None:
    with pytest.raises(InputFileError, match="nested more than 50"):
        load_json("[" * 5000 + "]" * 5000, "s.json")
    assert load_json('{"a": "' + "[" * 500 + '\\"[["}', "s.json") == {"a": "[" * 500 + '"[['}


def test_json_errors_name_line_and_column() -> None:
    with pytest.raises(InputFileError, match=r"s\.json: not valid JSON \(.* at line 2, column 1\)"):
        load_json('{"a": 1,\n', "s.json")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("d: 2024-13-45\n", "a value cannot be read"),
        ("n: " + "9" * 5000 + "\n", "a value cannot be read"),
        ("x: !!python/object:os.system {}\n", "not valid YAML"),
        ("x: [1, 2\n", "not valid YAML or JSON"),
        ("x: [" + "1, " * 60_000 + "1]\n", "more than 50,000 values"),
    ],
)
def test_bad_values_are_messages(text: str, needle: str) -> None:
    with pytest.raises(InputFileError, match=needle.replace("(", r"\(")):
        load_yaml(text, "p")


def test_a_megabyte_costs_well_under_a_second() -> None:
    documents = [
        "data_type: [" + "1, " * 333_000 + "1]\n",
        "unknown_field: value\n" * 47_000,
        "data_type: '" + "a" * 999_000 + "'\n",
        "# comment\n" * 99_000,
        "k: [" * 40 + "]" * 40 + "\n" + "# pad\n" * 160_000,
    ]
    for text in documents:
        started = time.perf_counter()
        with contextlib.suppress(ModelchoiceError):
            load_yaml(text, "p")
        assert time.perf_counter() - started < 1, text[:40]


# --- writing ----------------------------------------------------------------------------------------
def test_write_is_atomic_and_keeps_mode_and_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "record.md"
    write_text(target, "one")
    assert target.read_text() == "one"
    target.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_text(link, "two")
    assert link.is_symlink() and target.read_text() == "two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "record.md"]


def test_outputs_never_overwrite_an_input(tmp_path: Path) -> None:
    source = tmp_path / "s.json"
    source.write_text("{}")
    read_text(source, limit=100)
    for out in (source, tmp_path / "." / "s.json"):
        with pytest.raises(OutputError, match="refusing to write the record over a file it was read from"):
            write_text(out, "x", what="the record")
    hard = tmp_path / "hard.json"
    os.link(source, hard)
    with pytest.raises(OutputError, match="refusing"):
        write_text(hard, "x")
    assert source.read_text() == "{}"
    write_text(source, "{ }", allow=source)  # the one file a command means to update
    assert source.read_text() == "{ }"


def test_output_names_that_are_no_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="no file name given for the record"):
        check_output(Path(""), what="the record")
    with pytest.raises(OutputError, match="it is a directory"):
        write_text(tmp_path, "x")
    with pytest.raises(OutputError, match="no such file or directory"):
        write_text(tmp_path / "nope" / "r.md", "x")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_device_is_written_in_place_and_a_full_one_reported() -> None:
    with pytest.raises(OutputError, match="/dev/full: cannot write the record: no space left on the device"):
        write_text(Path("/dev/full"), "x", what="the record")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # never renamed over


def test_a_full_disk_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.md"
    target.write_text("old")

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "write", full)
    with pytest.raises(OutputError, match="no space left on the device; nothing was changed"):
        write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


def test_guarded_output_keeps_going_after_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import console

    monkeypatch.setattr(console, "silence_stdout", lambda: None)  # keep pytest's own stdout
    calls: list[str] = []

    def echo(text: str, nl: bool = True) -> None:
        calls.append(text)
        raise OSError(errno.ENOSPC, "No space left on device")

    out = console.GuardedOutput(echo)
    out.echo("a")
    out.echo("b")
    assert calls == ["a"]
    failure = out.failure("the answer")
    assert isinstance(failure, OutputError)
    assert str(failure) == "cannot write the answer to standard output: no space left on the device"


# --- profiles through the reader ------------------------------------------------------------------
def test_profile_values_must_be_single_values() -> None:
    from assistant.profile import load_profile

    with pytest.raises(ProfileError, match=r"p\.yaml: privacy: expected one value, got a list"):
        load_profile("privacy: [strict, none]\n", "p.yaml")
    with pytest.raises(ProfileError, match="anchors and aliases"):
        load_profile("a: &x strict\nprivacy: *x\n", "p.yaml")


def test_read_profile_reads_files_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.profile import read_profile

    path = tmp_path / "p.yaml"
    path.write_bytes(codecs.BOM_UTF8 + b"privacy: strict\n")
    assert read_profile(path).to_dict() == {"privacy": "strict"}
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(ProfileError, match="stdin is closed"):
        read_profile("-")
