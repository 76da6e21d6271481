"""Writing files atomically, and never over anything that is not a regular file.

Every file sknielsen writes (models, histories, comparison results, figures,
predictions, downloaded data sets) goes through :func:`write_bytes_atomically`:
the data go to a temporary file ``.<name>.<16 hex digits>.tmp`` in the
target's folder (the name cut to 200 characters), are flushed to disk and
renamed over the target, and the rename is flushed too, so a crash leaves
the old file or the new one, never half of one, and the new one once the
write has returned.

What is not a regular file (a directory, a device such as ``/dev/null``, a
FIFO, a socket) is refused with :class:`NotARegularFileError`: renaming over
it would destroy it. A symbolic link is written *through*: its final target
is replaced atomically and the link itself stays, as ``open(path, "w")``
would leave it. A save killed outright (SIGKILL, power cut) cannot remove its
temporary file; the next save to the same target removes such leftovers of
that target once they are :data:`STALE_SECONDS` old.
"""

import contextlib
import errno
import os
import re
import secrets
import stat
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

# A live temporary file is written in one call right after it is created, so
# one untouched for an hour belongs to a save that was killed.
STALE_SECONDS = 3600
_RANDOM_BYTES = 8  # 16 hex digits in the temporary file's name
# Room for the dot, the digits and ".tmp" within the usual 255-byte name limit.
_NAME_KEPT = 200
_CREATE_TRIES = 100
#: Where Linux (4.7 on) says the process's umask, which elsewhere is read by setting it.
_PROCESS_STATUS = "/proc/self/status"
#: Held while the umask is set to be read: two threads doing it at once left it 0.
_UMASK_LOCK = threading.Lock()
_SPECIAL_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)

__all__ = [
    "NotARegularFileError",
    "UnsavableModelError",
    "check_readable",
    "check_writable",
    "make_folder",
    "missing_folders",
    "write_bytes_atomically",
    "write_text_atomically",
]


class NotARegularFileError(OSError):
    """A path that exists but is a directory, device, FIFO or socket, not a regular file."""


class UnsavableModelError(ValueError):
    """A model that a save refuses to write, with the reason apart from the message.

    ``str(error)`` is ``"Cannot save this model: <reason>"``, or
    ``"<saver> cannot save this model: <reason>"`` when a callback that
    saves (:class:`~sknielsen.callbacks.Checkpoint`) refused it: it reads
    ``reason`` rather than cutting the message.

    Parameters
    ----------
    reason : str
        Why, without "Cannot save this model".
    saver : str, optional
        Who refused: a callback's class name; None for :func:`sknielsen.save`.

    Attributes
    ----------
    reason : str
        Why the model cannot be saved, as the message gives it after the colon.
    saver : str or None
        The class name of the callback that refused it; None for
        :func:`sknielsen.save`.
    """

    def __init__(self, reason, saver=None):
        self.reason, self.saver = reason, saver
        who = "Cannot" if saver is None else f"{saver} cannot"
        super().__init__(f"{who} save this model: {reason}")


def file_path(path, name="path"):
    """``path`` as a :class:`~pathlib.Path`: a str, bytes or an ``os.PathLike``.

    Anything else is refused by type: an int would be read as an open file
    descriptor by ``open`` and ``os.stat``.

    An empty name is refused: ``Path("")`` is the working directory, and an
    empty name is most often a variable never set.

    Raises
    ------
    TypeError
        Naming ``name`` and the type given.
    FileNotFoundError
        For an empty name, as the system refuses it.
    ValueError
        For a name holding a NUL character, which no file's name can.
    """
    if isinstance(path, (str, bytes, os.PathLike)):
        if not os.fspath(path):  # Path("") is ".", which the checks below took for a folder
            raise FileNotFoundError(errno.ENOENT, f"{name} is an empty string: give a name")
        decoded = os.fsdecode(path)
        if "\0" in decoded:  # the system's "embedded null byte" named no argument
            raise ValueError(
                f"{name} holds a NUL character, which no file's name can: {decoded!r:.80}."
            )
        return Path(decoded)
    raise TypeError(
        f"{name} must be a str or path-like (a file's name); got {type(path).__name__}."
    )


def _named(path):
    """``path`` as the str it names: bytes decoded, a final separator kept (a Path has none).

    Refused as :func:`file_path` refuses it. pathlib refuses bytes, which
    ``os.path.realpath`` returns for bytes.
    """
    file_path(path)
    return os.fsdecode(path)


def _kind_of(mode):
    for is_kind, name in _SPECIAL_KINDS:
        if is_kind(mode):
            return name
    return "a special file"


def _refuse_special(path, target, verb):
    """Raise if ``target`` (``path`` with its links resolved) exists and is not a regular file."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise _file_in_the_way(path, verb) from None
    if not stat.S_ISREG(mode):
        link = f" (a link to {target})" if Path(os.path.abspath(path)) != target else ""
        raise NotARegularFileError(
            f"Cannot {verb} {path}{link}: it is {_kind_of(mode)}, not a regular file."
        )


def _make_writable_command():
    """How a read-only file is made writable, in the words of the system's shell."""
    return "attrib -r" if sys.platform == "win32" else "chmod u+w"


def _refuse_read_only(path, target):
    """Raise if ``target`` exists and is read-only: its owner made it so to keep it.

    Replacing a file needs write permission on its folder only, so an atomic
    write would swap it whatever its own mode (and root may write anything):
    its write bits are read as the owner meant them.
    """
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return  # nothing to keep, or a folder in the way, said where the file is created
    if mode & 0o222 == 0 or not os.access(target, os.W_OK):
        raise PermissionError(
            errno.EACCES,
            f"Cannot write it: it is read-only; make it writable ({_make_writable_command()}) to "
            "replace it",
            str(path),
        )


def _not_a_folder(path):
    """What ``path``, which exists but is not a folder, is: "a file", "a broken link", ..."""
    mode = os.lstat(path).st_mode
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISLNK(mode):  # a folder would have been followed to
        return "a broken link (or a loop of links)"
    return _kind_of(mode)


def _file_in_the_way(path, verb):
    """The error for ``path``, one of whose folders on the way is not a folder."""
    # The parents as written: "file/../x" goes through "file", which realpath would skip.
    candidates = (*Path(path).parents, *Path(os.path.realpath(path)).parents)
    blocking = next((f for f in candidates if os.path.lexists(f) and not f.is_dir()), None)
    where = "a folder on its way" if blocking is None else blocking
    what = "a file" if blocking is None else _not_a_folder(blocking)
    return NotADirectoryError(
        errno.ENOTDIR, f"Cannot {verb} there: {where} is {what}, not a folder", str(path)
    )


def _resolved_target(path):
    """The file that writing ``path`` replaces: the end of its chain of links.

    ``path`` is a name :func:`_named` gave: checked (an empty name would
    resolve to the current folder).
    """
    # realpath drops a final separator: "models/" would become a file named "models".
    if os.fsdecode(path).endswith(("/", os.sep)):
        raise IsADirectoryError(
            errno.EISDIR, "The path ends with a separator, naming a folder: name a file", path
        )
    # realpath also drops "file/..", which the system refuses: writing there must too.
    try:
        os.stat(os.path.dirname(os.fspath(path)) or ".")
    except NotADirectoryError:
        raise _file_in_the_way(path, "write") from None
    except FileNotFoundError:
        pass  # a missing folder is said where the file is created
    return Path(os.path.realpath(path))


def missing_folders(path, what="folder"):
    """The folders that making the folder ``path`` would create; refuse a file in the way.

    ``Path.mkdir`` says only "[Errno 17] File exists" when ``path`` is a
    file, and "Not a directory" when a parent is one.

    Parameters
    ----------
    path : str or path-like
    what : str, default="folder"
        What the folder is, for the error message.

    Returns
    -------
    missing : list of Path
        ``path`` and the parents it lacks, deepest first; empty when it exists.

    Raises
    ------
    NotADirectoryError
        If ``path`` or one of its parents exists and is not a folder (a file,
        a broken link, a FIFO...).
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        if os.path.lexists(folder):
            blocked = "is" if folder == path else f"cannot be made: {folder} is"
            raise NotADirectoryError(
                f"The {what} {path} {blocked} {_not_a_folder(folder)}, not a folder."
            )
        missing.append(folder)
    return missing


def make_folder(path, what="folder"):
    """Make the folder ``path`` and its missing parents (see :func:`missing_folders`).

    Returns
    -------
    created : list of Path
        The folders made, deepest first (to remove them again after a refusal).
    """
    created = missing_folders(path, what)
    Path(path).mkdir(parents=True, exist_ok=True)
    return created


def check_readable(path):
    """Refuse, with a clear error, a path to read that is missing or not a regular file.

    Reading a FIFO or a device such as ``/dev/zero`` would block or never end.

    Parameters
    ----------
    path : str or path-like

    Raises
    ------
    FileNotFoundError
        If nothing is there.
    NotADirectoryError
        If a folder on its way is a file.
    NotARegularFileError
        If it is a directory, device, FIFO or socket (links are followed).
    TypeError
        If ``path`` is no file's name (:func:`file_path`).
    """
    path = _named(path)  # os.stat(3) read 3 as an open file descriptor
    try:
        os.stat(path)  # a missing file or folder raises the usual FileNotFoundError
    except NotADirectoryError:
        raise _file_in_the_way(path, "read") from None
    _refuse_special(path, _resolved_target(path), "read")


def check_writable(path):
    """Fail now, before long work, if :func:`write_bytes_atomically` would fail later.

    Refuses what is not a regular file and tries creating (then removes) a
    temporary file in the target's folder, which finds a missing or
    read-only folder whatever the user's rights.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    target : Path
        The file a write will replace: ``path`` with its links resolved.

    Raises
    ------
    NotARegularFileError
        If ``path`` is a directory, device, FIFO or socket.
    NotADirectoryError
        If a folder on its way is a file.
    OSError
        If its folder is missing or cannot be written, naming ``path``.
    TypeError
        If ``path`` is no file's name (:func:`file_path`).
    """
    path = _named(path)
    target = _resolved_target(path)
    _refuse_special(path, target, "write")
    _refuse_read_only(path, target)
    probe, handle = _create_temporary(path, target)
    handle.close()
    os.unlink(probe)
    return target


def _create_temporary(path, target):
    """Create a private temporary file next to ``target``; return its path and binary handle."""
    # Windows' os.open opens in text mode (each b"\n" written as b"\r\n") without
    # O_BINARY, which only Windows has; os.fdopen(..., "wb") does not change that.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_CREATE_TRIES):
        name = f".{target.name[:_NAME_KEPT]}.{secrets.token_hex(_RANDOM_BYTES)}.tmp"
        temporary = target.parent / name
        try:
            descriptor = os.open(temporary, flags, 0o600)
        except FileExistsError:
            continue
        except FileNotFoundError:
            raise FileNotFoundError(
                errno.ENOENT,
                f"Cannot write there: the folder {target.parent} does not exist",
                str(path),
            ) from None
        except OSError as exc:
            # Name the file the user asked for, not our temporary one.
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        try:
            return temporary, os.fdopen(descriptor, "wb")
        except BaseException as exc:  # no handle owns the file yet, to close and remove it
            os.close(descriptor)
            os.unlink(temporary)
            if isinstance(exc, OSError):
                raise _naming(exc, path, temporary) from None
            raise
    raise FileExistsError(f"Cannot write {path}: no free temporary name in {target.parent}.")


def _is_our_stale_temporary(entry, cutoff):
    # Another save to the same target may rename or remove its temporary
    # file between the listing and here: a file that is gone is not stale.
    try:
        if not entry.is_file(follow_symlinks=False):
            return False
        info = entry.stat(follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return mine and info.st_mtime < cutoff


def _remove_stale_temporaries(target):
    """Remove the temporary files that killed saves to ``target`` left behind."""
    pattern = re.compile(
        re.escape(f".{target.name[:_NAME_KEPT]}.")
        + f"[0-9a-f]{{{2 * _RANDOM_BYTES}}}"
        + re.escape(".tmp")
    )
    cutoff = time.time() - STALE_SECONDS
    try:
        entries = os.scandir(target.parent)
    except OSError:
        return  # the write itself will report the missing or unreadable folder
    with entries:
        stale = [
            entry.path
            for entry in entries
            if pattern.fullmatch(entry.name) and _is_our_stale_temporary(entry, cutoff)
        ]
    for leftover in stale:
        with contextlib.suppress(FileNotFoundError):  # another save removed it first
            os.unlink(leftover)


def _file_mode(path):
    """The mode of the file being replaced, or the umask's default for a new file."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask():
    """The process's umask, read without changing it where the system says it.

    Elsewhere it is read by setting it and setting it back, which every
    thread sees meanwhile: under a lock, so that two saves at once cannot
    leave it 0 for good (each set back what the other had set), and every
    file the process makes after them writable by everyone.
    """
    try:
        with open(_PROCESS_STATUS, encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        umask = os.umask(0)
        os.umask(umask)
    return umask


def write_bytes_atomically(path, data):
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one.

    Parameters
    ----------
    path : str or path-like
        A regular file, a new name in an existing folder, or a link to one
        (the link's final target is replaced; the link stays).
    data : bytes

    Raises
    ------
    NotARegularFileError
        If ``path`` is a directory, device, FIFO or socket: nothing is written.
    OSError
        If the folder is missing or cannot be written; a ``PermissionError``
        naming ``path`` if it cannot be replaced (on Windows, while another
        program holds it open), which leaves it unchanged. A write that fails
        part way (a full disk) names ``path`` too, and leaves the old file
        and no temporary one; so does a ``KeyboardInterrupt``.
    """
    path = _named(path)
    target = _resolved_target(path)
    _refuse_special(path, target, "write")
    _refuse_read_only(path, target)
    _remove_stale_temporaries(target)
    mode = _file_mode(target)
    temporary, handle = _create_temporary(path, target)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)  # temporary files are created private
        _replace(temporary, target, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _naming(exc, path, temporary) from None
        raise
    _sync_folder(target.parent)


def _naming(exc, path, temporary):
    """``exc``, an error of writing ``path``, naming ``path`` where the system named no file.

    The errors of the temporary file's handle (a full disk at its ``write``
    or ``fsync``) name no file, and those of ``chmod`` our temporary one,
    which the user never asked for: "[Errno 28] No space left on device"
    said nothing of which save failed.
    """
    if exc.filename not in (None, str(temporary)) or exc.errno is None:
        return exc  # ours, naming ``path`` already, or the system's naming another file
    return OSError(exc.errno, f"{exc.strerror}; nothing was written", str(path))


def _replace(temporary, target, path):
    """Put ``temporary`` in ``target``'s place, naming ``path`` where that is refused.

    Windows refuses to replace a file that another program holds open (a
    spreadsheet showing a CSV, a virus scan), and its error named the
    temporary file, which the user never asked for.
    """
    try:
        os.replace(temporary, target)
    except PermissionError as exc:
        raise PermissionError(
            exc.errno,
            f"Cannot replace {path}: another program may hold it open (Windows does not "
            "replace an open file), or its folder does not allow it; it is unchanged. "
            f"Close it and try again ({exc.strerror})",
            str(path),
        ) from None


def _sync_folder(folder):
    """Flush a rename in ``folder`` to disk: until then a power cut may undo it.

    Best effort: the new file is complete and in place already; a system
    that cannot open or sync a folder (Windows, some network file systems)
    leaves the rename to its own schedule.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        with contextlib.suppress(OSError):  # the new file is in place: the save succeeded
            os.close(descriptor)


def write_text_atomically(path, text):
    """Write ``text`` as UTF-8 to ``path``, as :func:`write_bytes_atomically` does."""
    write_bytes_atomically(path, text.encode("utf-8"))


def check_outputs(*paths, inputs=()):
    """Refuse, before any long work, outputs that cannot be written or name one file twice.

    Parameters
    ----------
    *paths : str, path-like or None
        The files a command will write; None entries are skipped.
    inputs : str, path-like or sequence of them, default=()
        Files the command reads, which no output may overwrite; None
        entries (or None) are skipped.

    Raises
    ------
    ValueError
        Two outputs name the same file, or an output is an input.
    TypeError
        An output or an input that is no file's name.
    OSError
        An output cannot be written (a folder, a FIFO, a missing folder),
        or is an empty string (a ``FileNotFoundError``).

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sknielsen.utils import check_outputs
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     model = os.path.join(folder, "model.json")
    ...     check_outputs(model, os.path.join(folder, "history.csv"))  # fine: nothing happens
    ...     for outputs, inputs in [
    ...         ((model, model), ()),
    ...         ((model,), (model,)),
    ...         ((os.path.join(folder, "missing", "model.json"),), ()),
    ...     ]:
    ...         try:
    ...             check_outputs(*outputs, inputs=inputs)
    ...         except (ValueError, OSError) as error:
    ...             print(f"{type(error).__name__}: {error}")
    ...     print(os.listdir(folder))  # nothing was written
    ValueError: Two outputs name the same file: ...model.json, ...model.json.
    ValueError: An output would overwrite an input: ...model.json.
    FileNotFoundError: [Errno 2] Cannot write there: the folder ...missing does not exist: ...
    []
    """
    given = [path for path in paths if path is not None]
    for path in given:
        file_path(path, "paths")  # named as the argument: check_writable's would say 'path'
    targets = [check_writable(path) for path in given]
    if len(set(targets)) < len(targets):
        raise ValueError(f"Two outputs name the same file: {', '.join(map(os.fsdecode, given))}.")
    if inputs is None or isinstance(inputs, (str, bytes, os.PathLike)):
        # One name is one input: a str iterated is one-letter names, matching nothing.
        inputs = () if inputs is None else (inputs,)
    elif not isinstance(inputs, Iterable):  # iterated: "'int' object is not iterable"
        raise TypeError(
            "inputs must be a file's name or a sequence of files' names; got "
            f"{type(inputs).__name__}."
        )
    read = {
        Path(os.path.realpath(file_path(path, "inputs"))) for path in inputs if path is not None
    }
    overwritten = set(targets) & read
    if overwritten:
        raise ValueError(f"An output would overwrite an input: {', '.join(map(str, overwritten))}.")


def write_atomically(path, data):
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one.

    The data go to a temporary file in the same folder, are flushed to
    disk, then renamed over ``path``.

    Parameters
    ----------
    path : str or path-like
        A regular file, or a name in an existing folder.
    data : str or bytes
        Text is written as UTF-8.

    Raises
    ------
    TypeError
        If ``data`` is neither (an array's memory is not a file's bytes),
        or ``path`` is no file's name (None, a number).
    ValueError
        If ``data`` is text that UTF-8 cannot encode (a lone surrogate), or
        ``path`` holds a NUL character.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sknielsen.utils import write_atomically
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "notes.txt"
    ...     write_atomically(path, "first draft\\n")
    ...     write_atomically(path, b"second draft\\n")  # replaces the whole file at once
    ...     text, names = path.read_text(encoding="utf-8"), sorted(os.listdir(folder))
    >>> text, names  # the last text, and no temporary file left behind
    ('second draft\\n', ['notes.txt'])
    """
    if not isinstance(data, (str, bytes, bytearray)):
        # Any buffer would be written as its raw memory: an array's, not a .npy file.
        raise TypeError(
            f"write_atomically writes str or bytes; got {type(data).__name__}. For an array, "
            "np.save it into an io.BytesIO and write its getvalue()."
        )
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as exc:  # the codec's words named no argument
            unencodable = exc.object[exc.start : exc.end]
            raise ValueError(
                f"write_atomically writes text as UTF-8; data holds {unencodable!r} at "
                f"position {exc.start}, which UTF-8 cannot encode (a lone surrogate, as "
                "bytes decoded with errors='surrogateescape' leave): write those bytes "
                "instead, or text without it."
            ) from None
    write_bytes_atomically(path, data)
