"""Writing files: never over what is not a regular file, through links, no stray temporaries."""

import os
import re
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sknielsen import NielsenMLPClassifier, save
from sknielsen._core import files as _io
from sknielsen._core.files import (
    STALE_SECONDS,
    NotARegularFileError,
    check_readable,
    check_writable,
    write_bytes_atomically,
    write_text_atomically,
)

REPOSITORY = str(Path(__file__).resolve().parents[1])


@pytest.fixture(scope="module")
def fitted(small_digits):
    X, _, y, _ = small_digits
    return NielsenMLPClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=0).fit(X, y)


def make_fifo(path):
    os.mkfifo(path)
    return path


def make_socket(path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


def make_folder(path):
    path.mkdir()
    return path


SPECIAL_FILES = {"a FIFO": make_fifo, "a socket": make_socket, "a directory": make_folder}
WRITERS = {
    "write_bytes_atomically": lambda path: write_bytes_atomically(path, b"data"),
    "write_text_atomically": lambda path: write_text_atomically(path, "data"),
    "check_writable": check_writable,
    "save": None,  # filled with the fitted model in the test
}


@pytest.mark.parametrize("kind", SPECIAL_FILES)
@pytest.mark.parametrize("writer", WRITERS)
def test_what_is_not_a_regular_file_is_refused_and_kept(kind, writer, fitted, tmp_path):
    target = SPECIAL_FILES[kind](tmp_path / "target")
    mode = os.lstat(target).st_mode
    write = WRITERS[writer] or (lambda path: save(fitted, path))
    with pytest.raises(NotARegularFileError, match=f"Cannot write .*target: it is {kind}"):
        write(target)
    assert os.lstat(target).st_mode == mode  # still there, still what it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]  # no temporary left


@pytest.mark.parametrize(
    "file_type, kind",
    [(stat.S_IFCHR, "a character device"), (stat.S_IFBLK, "a block device")],
)
def test_devices_are_refused(file_type, kind, tmp_path, monkeypatch):
    # Tests never touch /dev: the target's stat is faked to say it is a device.
    target = tmp_path / "null"
    real_stat = os.stat

    def fake_stat(path, *args, **kwargs):
        if os.fspath(path) == os.fspath(target):
            return os.stat_result((file_type | 0o666, *real_stat(tmp_path)[1:]))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(_io.os, "stat", fake_stat)
    with pytest.raises(NotARegularFileError, match=f"{target}: it is {kind}, not a regular"):
        write_bytes_atomically(target, b"data")
    assert not os.path.lexists(target)  # nothing written (lstat is not faked)


def test_a_link_is_written_through_atomically(fitted, tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "net.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    save(fitted, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith('{"format": "sknielsen-model"')
    assert check_writable(link) == target
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["link.json", "net.json", "real"]


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "new")
    write_text_atomically(link, "hello")
    assert link.is_symlink() and (tmp_path / "new").read_text() == "hello"


def test_a_link_to_a_fifo_is_refused_naming_both(tmp_path):
    fifo = make_fifo(tmp_path / "fifo")
    link = tmp_path / "link"
    link.symlink_to(fifo)
    with pytest.raises(NotARegularFileError, match=r"link \(a link to .*fifo\): it is a FIFO"):
        write_text_atomically(link, "x")
    with pytest.raises(NotARegularFileError, match=r"Cannot read .*link.*it is a FIFO"):
        check_readable(link)


def test_a_name_near_the_length_limit_is_saved(tmp_path):
    target = tmp_path / ("n" * 250)  # with ".<16 digits>.tmp" added, too long as it is
    write_text_atomically(target, "data")
    write_text_atomically(target, "again")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_check_writable_names_the_path_and_leaves_nothing(tmp_path):
    missing = tmp_path / "missing" / "net.json"
    message = f"the folder {missing.parent} does not exist: '{missing}'"
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        check_writable(missing)
    with pytest.raises(FileNotFoundError, match="path is an empty string: give a name"):
        check_writable("")
    (tmp_path / "file").write_text("")
    for path in (
        tmp_path / "file" / "net.json",
        tmp_path / "file" / "a" / "net.json",
        f"{tmp_path}/file/../net.json",  # the system refuses it; realpath would not
    ):
        message = f"Cannot write there: {tmp_path / 'file'} is a file, not a folder: '{path}'"
        with pytest.raises(NotADirectoryError, match=re.escape(message)):
            check_writable(path)
    assert check_writable(tmp_path / "new.json") == tmp_path / "new.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    # A final "/" names a folder; it was dropped, and a file named "models" written.
    for write in (check_writable, lambda path: write_text_atomically(path, "x")):
        with pytest.raises(IsADirectoryError, match="ends with a separator, naming a folder"):
            write(f"{tmp_path}/models/")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_read_only_file_is_refused_and_kept(writer, fitted, tmp_path):
    # os.replace swaps a file its owner made read-only (chmod a-w) as long as the folder is
    # writable: the protected file was replaced without a word.
    protected = tmp_path / "net.json"
    protected.write_text("kept")
    protected.chmod(0o444)
    write = WRITERS[writer] or (lambda path: save(fitted, path))
    with pytest.raises(PermissionError, match=r"Cannot write it: it is read-only; .*net.json'"):
        write(protected)
    assert protected.read_text() == "kept" and sorted(tmp_path.iterdir()) == [protected]
    protected.chmod(0o644)
    write(protected)  # writable again: written
    assert writer == "check_writable" or protected.read_text() != "kept"


@pytest.mark.parametrize(("platform", "command"), [("linux", "chmod u+w"), ("win32", "attrib -r")])
def test_a_read_only_file_is_refused_with_the_systems_way_to_make_it_writable(
    platform, command, tmp_path, monkeypatch
):
    # Windows was told "chmod u+w", which its shell does not know.
    protected = tmp_path / "net.json"
    protected.write_text("kept")
    protected.chmod(0o444)
    monkeypatch.setattr(_io.sys, "platform", platform)
    with pytest.raises(PermissionError, match=rf"make it writable \({re.escape(command)}\) to"):
        write_bytes_atomically(protected, b"new")


def test_check_readable(tmp_path):
    with pytest.raises(FileNotFoundError):
        check_readable(tmp_path / "missing")
    with pytest.raises(NotARegularFileError, match=r"Cannot read .*: it is a directory"):
        check_readable(tmp_path)
    (tmp_path / "ok").write_text("")
    check_readable(tmp_path / "ok")
    message = f"Cannot read there: {tmp_path / 'ok'} is a file, not a folder"
    for path in (tmp_path / "ok" / "net.json", f"{tmp_path}/ok/../net.json"):
        with pytest.raises(NotADirectoryError, match=re.escape(message)):
            check_readable(path)
    with pytest.raises(FileNotFoundError):
        check_readable(f"{tmp_path}/missing/")


def test_a_folder_is_made_unless_a_file_is_in_the_way(tmp_path):
    (tmp_path / "file").write_text("kept")
    with pytest.raises(NotADirectoryError, match=r"The results folder .*file is a file, not a"):
        _io.make_folder(tmp_path / "file", "results folder")
    blocked = re.escape(f"cannot be made: {tmp_path / 'file'} is a file")
    with pytest.raises(NotADirectoryError, match=blocked):
        _io.make_folder(tmp_path / "file" / "a" / "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text() == "kept"
    (tmp_path / "broken").symlink_to(tmp_path / "nothing")
    os.mkfifo(tmp_path / "fifo")
    for name, what in [("broken", "a broken link (or a loop of links)"), ("fifo", "a FIFO")]:
        with pytest.raises(NotADirectoryError, match=re.escape(f"{name}/a cannot be made: ")):
            _io.make_folder(tmp_path / name / "a")
        with pytest.raises(NotADirectoryError, match=re.escape(f"{name} is {what}")):
            _io.make_folder(tmp_path / name)
    made = tmp_path / "new" / "folder"
    assert _io.make_folder(made) == [made, made.parent] and made.is_dir()
    assert _io.make_folder(made) == []


def temporary_name(target_name, digits="0123456789abcdef"):
    return f".{target_name}.{digits}.tmp"


def age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_stale_temporaries_of_the_target_are_removed_and_nothing_else(tmp_path):
    old = STALE_SECONDS + 60
    leftovers = {
        temporary_name("net.json"): old,  # ours, stale: removed
        temporary_name("net.json", "fedcba9876543210"): 5,  # ours, maybe a live save: kept
        temporary_name("other.json"): old,  # another target's: kept
        ".net.json.backup.tmp": old,  # not our name pattern: kept
        temporary_name("net.json", "0123456789ABCDEF"): old,  # not our digits: kept
    }
    for name, seconds in leftovers.items():
        (tmp_path / name).write_text("partial")
        age(tmp_path / name, seconds)
    link = tmp_path / temporary_name("net.json", "1111111111111111")
    link.symlink_to(tmp_path / "elsewhere")
    age(link, old)  # a link with our name is not a file we made: kept
    write_text_atomically(tmp_path / "net.json", "new")
    remaining = {p.name for p in tmp_path.iterdir()}
    assert remaining == (set(leftovers) | {link.name, "net.json"}) - {temporary_name("net.json")}


def test_an_atomic_write_syncs_its_folder_after_the_rename(tmp_path, monkeypatch):
    # Only the file was synced: a power cut just after the save returned could undo
    # the rename, leaving the old file where the user had saved a new one.
    target = tmp_path / "net.json"
    target.write_text("old")
    synced = []
    fsync = os.fsync

    def recording(descriptor):
        is_folder = stat.S_ISDIR(os.fstat(descriptor).st_mode)
        synced.append((is_folder, target.read_text()))
        fsync(descriptor)

    monkeypatch.setattr(_io.os, "fsync", recording)
    write_text_atomically(target, "new")
    assert synced == [(False, "old"), (True, "new")]


def test_an_atomic_write_opens_its_temporary_file_in_binary_mode(tmp_path, monkeypatch):
    # On Windows os.open opens a file in text mode unless given O_BINARY: every
    # b"\n" written became b"\r\n", which broke PNG figures, .npy predictions and
    # downloaded .gz data sets, and wrote "\r\r\n" line ends into comparison.csv.
    # O_BINARY exists on Windows only: a stand-in bit here, taken off again below.
    binary = 1 << 30
    monkeypatch.setattr(_io.os, "O_BINARY", binary, raising=False)
    opened = []
    real_open = os.open

    def recording(path, flags, *args, **kwargs):
        opened.append(flags)
        return real_open(path, flags & ~binary, *args, **kwargs)

    monkeypatch.setattr(_io.os, "open", recording)
    data = b"\x89PNG\r\n\x1a\n\n"
    write_bytes_atomically(tmp_path / "figure.png", data)
    created = [flags for flags in opened if flags & os.O_CREAT]
    assert created and all(flags & binary for flags in created)
    assert (tmp_path / "figure.png").read_bytes() == data


def test_a_file_that_cannot_be_replaced_is_named_and_left_as_it_was(tmp_path, monkeypatch):
    # Windows refuses to replace a file another program holds open (comparison.csv in a
    # spreadsheet, a scan): the error named our temporary file, "[WinError 5] Access is
    # denied: '.comparison.csv.3f9a….tmp' -> 'comparison.csv'".
    target = tmp_path / "comparison.csv"
    target.write_bytes(b"old\n")

    def held_open(source, destination):
        raise PermissionError(13, "Access is denied", str(source), None, str(destination))

    monkeypatch.setattr(_io.os, "replace", held_open)
    with pytest.raises(PermissionError, match=r"Cannot replace .*comparison\.csv: .*open") as info:
        write_bytes_atomically(target, b"new\n")
    assert info.value.filename == str(target) and ".tmp" not in str(info.value)
    assert target.read_bytes() == b"old\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["comparison.csv"]


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from sknielsen._core import files as _io

    def stall(descriptor):  # the data are written; the save hangs before the rename
        print("writing", flush=True)
        time.sleep(60)

    _io.os.fsync = stall
    _io.write_text_atomically(sys.argv[1], "new contents")
    """
)


def test_a_save_killed_mid_write_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path):
    target = tmp_path / "net.json"
    target.write_text("old contents")
    env = {**os.environ, "PYTHONPATH": REPOSITORY}  # this checkout's sknielsen
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert writer.stdout.readline() == "writing\n"
    finally:
        writer.kill()  # SIGKILL: no handler, no cleanup
        writer.wait()
        writer.stdout.close()
    (leftover,) = [p for p in tmp_path.iterdir() if p.name != "net.json"]
    assert target.read_text() == "old contents"
    assert leftover.name.startswith(".net.json.") and leftover.read_text() == "new contents"
    write_text_atomically(target, "next")
    assert leftover.exists()  # too recent to be known dead
    age(leftover, STALE_SECONDS + 1)
    write_text_atomically(target, "after")
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]
    assert target.read_text() == "after"


def test_check_outputs_reads_one_path_as_inputs_as_one_input(tmp_path):
    # A str was read as a sequence of one-letter names, so the overwrite went unnoticed;
    # a Path or None failed with "object is not iterable".
    from sknielsen.utils import check_outputs

    model = tmp_path / "model.json"
    model.write_text("kept")
    for inputs in (str(model), model, os.fsencode(model)):
        with pytest.raises(ValueError, match="An output would overwrite an input"):
            check_outputs(model, inputs=inputs)
    check_outputs(tmp_path / "other.json", inputs=[None, model])  # None is skipped, as in paths
    check_outputs(tmp_path / "other.json", inputs=None)
    with pytest.raises(TypeError, match=r"inputs must be .*; got int"):
        check_outputs(tmp_path / "other.json", inputs=[3])
    assert model.read_text() == "kept"


def test_check_outputs_names_an_empty_output_as_its_paths(tmp_path):
    # It said "path is an empty string", an argument check_outputs does not have.
    from sknielsen.utils import check_outputs

    with pytest.raises(FileNotFoundError, match=r"paths is an empty string: give a name"):
        check_outputs(tmp_path / "model.json", "")


def test_write_atomically_refuses_what_is_neither_text_nor_bytes(tmp_path):
    # An array was written as its raw memory, a file no reader understands.
    import numpy as np

    from sknielsen.utils import write_atomically

    for data in (np.arange(3), memoryview(b"abc"), 5):
        with pytest.raises(TypeError, match="writes str or bytes; got"):
            write_atomically(tmp_path / "x.bin", data)
    assert list(tmp_path.iterdir()) == []
    write_atomically(tmp_path / "x.bin", bytearray(b"ok"))
    assert (tmp_path / "x.bin").read_bytes() == b"ok"


def test_an_atomic_write_into_a_missing_folder_names_the_folder(tmp_path):
    # The stale temporaries are looked for in a folder that is not there: the write says so.
    missing = tmp_path / "missing" / "net.json"
    message = f"the folder {missing.parent} does not exist: '{missing}'"
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        write_text_atomically(missing, "x")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_refuses_the_temporary_file_is_named_by_the_path_given(tmp_path, monkeypatch):
    # As a user without the right to write there (root may write anywhere): the error
    # named our temporary file, ".net.json.3f9a….tmp", never the file asked for.
    real_open = os.open

    def refused(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(_io.os, "open", refused)
    target = tmp_path / "net.json"
    for write in (check_writable, lambda path: write_text_atomically(path, "x")):
        with pytest.raises(PermissionError, match="Permission denied") as info:
            write(target)
        assert info.value.filename == str(target) and ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_temporary_names_all_taken_are_refused_after_the_tries(tmp_path, monkeypatch):
    # Another writer's temporaries (or a hostile user's files) at every name drawn.
    monkeypatch.setattr(_io.secrets, "token_hex", lambda n: "0" * (2 * n))
    taken = tmp_path / f".net.json.{'0' * (2 * _io._RANDOM_BYTES)}.tmp"
    taken.write_text("another writer's")
    with pytest.raises(FileExistsError, match=r"Cannot write .*net\.json: no free temporary name"):
        write_text_atomically(tmp_path / "net.json", "x")
    assert taken.read_text() == "another writer's"
    assert not (tmp_path / "net.json").exists()


def test_a_name_given_as_bytes_is_written_and_checked_as_the_str_it_names(tmp_path):
    # file_path takes bytes, but the writes then resolved them with pathlib, which
    # refused them: "argument should be a str object or an os.PathLike object ... not
    # <class 'bytes'>", naming no argument.
    from sknielsen.utils import check_outputs, write_atomically

    target = tmp_path / "notes.txt"
    write_atomically(os.fsencode(target), "first")
    assert target.read_text() == "first"
    write_text_atomically(os.fsencode(target), "second")
    assert target.read_text() == "second"
    assert check_writable(os.fsencode(target)) == target
    check_readable(os.fsencode(target))
    check_outputs(os.fsencode(tmp_path / "other.txt"))
    with pytest.raises(ValueError, match=f"Two outputs name the same file: {target}, {target}"):
        check_outputs(os.fsencode(target), str(target))
    with pytest.raises(ValueError, match="An output would overwrite an input"):
        check_outputs(os.fsencode(target), inputs=[target])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_name_holding_a_nul_character_is_refused_naming_the_argument(tmp_path):
    # The system's "embedded null byte" named no argument.
    from sknielsen.utils import check_outputs, write_atomically

    bad = f"{tmp_path}/a\0b.txt"
    with pytest.raises(ValueError, match=r"^path holds a NUL character"):
        write_atomically(bad, "x")
    with pytest.raises(ValueError, match=r"^paths holds a NUL character"):
        check_outputs(bad)
    with pytest.raises(ValueError, match=r"^inputs holds a NUL character"):
        check_outputs(tmp_path / "model.json", inputs=[os.fsencode(bad)])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("inputs", [3, 2.5, object()])
def test_check_outputs_refuses_inputs_that_are_no_names_nor_a_sequence_of_them(tmp_path, inputs):
    # Iterated: "TypeError: 'int' object is not iterable".
    from sknielsen.utils import check_outputs

    with pytest.raises(TypeError, match=r"^inputs must be a file's name or a sequence of .*; got"):
        check_outputs(tmp_path / "model.json", inputs=inputs)


def test_write_atomically_names_text_that_utf8_cannot_encode(tmp_path):
    # A lone surrogate (bytes decoded with errors="surrogateescape") failed in the
    # codec's words, "'utf-8' codec can't encode character '\ud800'", naming no argument.
    from sknielsen.utils import write_atomically

    with pytest.raises(ValueError, match=r"^write_atomically writes text as UTF-8; data holds "):
        write_atomically(tmp_path / "notes.txt", "ok \udcff")
    assert list(tmp_path.iterdir()) == []
