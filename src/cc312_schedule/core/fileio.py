"""Reading and writing files safely: bounded reads of regular files, atomic writes.

Reading (:func:`read_input`): only a regular file is read (a FIFO, a device such as
``/dev/zero`` or a folder is refused at once, without blocking), and never more than a size
limit, so a link to something endless cannot hang the tool or exhaust its memory.

Writing (:func:`write_atomic`): a temporary file in the same folder (created with
``O_EXCL | O_NOFOLLOW``, so a planted link is never followed), then a rename. A target that is
a symbolic link is written *through*: the link stays and its target gets the new content. A
FIFO or the process's own standard output is written directly (a rename would replace it);
any other special file (a device, a socket, a folder) is refused, never replaced.
Temporaries left by a killed writer (``.NAME.xxxxxxxx.tmp``) are removed by the next write
of the same file once they are stale: not held by a live writer and older than
:data:`STALE_AFTER` seconds. A writer holds an OS lock on each temporary while it writes it,
and a shared lock on the folder itself (``flock`` on the folder: no file is added) from its
first temporary there to its last rename, so the finished temporaries of a long export
(10,000 calendars waiting for their renames) are never taken for a killed writer's, however
old they are.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ScheduleError, UsageError

__all__ = ["InputFileError", "StagedFiles", "cannot_write", "read_input", "read_state",
           "remove_stale_temporaries", "resolve_output", "write_atomic"]

#: Largest study CSV read (10,000 subjects' visits.csv is ~25 MB). 64 MB of rows that are all
#: errors is checked in ~25 s and ~350 MB (benchmarks/RESULTS.md); 256 MB took 155 s and
#: 11 GB before errors were counted instead of kept (issue 20).
CSV_LIMIT = 64 * 1024 * 1024
#: Largest TOML file read (study.toml, a protocol): they are a few kilobytes.
TOML_LIMIT = 1024 * 1024
#: Largest workbook read, on disk and unpacked (an export for 10,000 subjects is ~20 MB).
WORKBOOK_LIMIT = 256 * 1024 * 1024
#: A temporary not held by a writer and older than this (seconds) is a killed writer's leftover.
STALE_AFTER = 60.0

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


class InputFileError(ValueError):
    """An input file that is not read: not a regular file, or larger than the limit."""

    def __init__(self, message: str, hint: str) -> None:
        self.message, self.hint = message, hint
        super().__init__(f"{message} ({hint})")


def read_input(path: str | Path, *, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (links followed), at most ``limit`` of them.

    Raises :class:`InputFileError` for a FIFO, a device, a socket or a folder (opened without
    blocking, then refused) and for a file larger than ``limit``; ``OSError`` (e.g.
    ``FileNotFoundError``) as ``open`` does.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError(f"cannot read: not a regular file but {_kind(st.st_mode)}",
                                 "give an ordinary file; copy the data into one")
        if st.st_size > limit:
            raise InputFileError(f"cannot read: too large, {st.st_size:,} bytes (the limit is "
                                 f"{limit:,})",
                                 "is this the right file?")
        chunks, total = [], 0
        while True:  # read to the end, not to st_size: the file may grow while read
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise InputFileError(f"cannot read: too large, more than {limit:,} bytes",
                                     "is this the right file?")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


#: Largest state file read (the calendars' state of 10,000 subjects is ~100 MB).
STATE_LIMIT = 512 * 1024 * 1024


def read_state(path: str | Path, *, fmt: str, version: int, what: str, hint: str,
               error: type[ScheduleError]) -> dict[str, Any] | None:
    """A tool's own JSON state file (calendars, feeds, CalDAV): ``None`` when there is none yet;
    the document when it is a ``{"format": fmt, "version": version, ...}`` object; otherwise an
    ``error`` naming the file and ``what`` it is (read bounded, like every input).

    The caller reads the document's own fields and raises ``error`` the same way for a bad one.
    """
    p = Path(path)
    try:
        text = read_input(p, limit=STATE_LIMIT).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, InputFileError) as exc:
        raise error(f"cannot read the {what}: {exc}", path=p, hint=hint) from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != fmt:
            raise ValueError(f"not a {fmt!r} file")
        if data.get("version") != version:
            raise ValueError(f"unknown version {data.get('version')!r}")
    except (ValueError, RecursionError) as exc:
        raise error(f"corrupt {what} ({type(exc).__name__}: {exc})", path=p, hint=hint) from None
    return data


def cannot_write(exc: OSError, *, key: str | None = None, value: str | None = None,
                 path: str | Path | None = None) -> UsageError:
    """The error for an output that could not be written (a full disk, a read-only folder):
    every atomic writer leaves the old files as they were, so the message says so.

    >>> import errno
    >>> err = cannot_write(OSError(errno.ENOSPC, "No space left on device"), key="-o", value="p")
    >>> print(err.message, "/", err.hint)
    cannot write: No space left on device; nothing was changed / free some space, then run the command again
    """
    space = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    hint = ("free some space, then run the command again" if space
            else "choose a writable folder")
    kw: dict[str, Any] = {"key": key, "hint": hint, "path": path}
    if value is not None:
        kw["value"] = value
    return UsageError(f"cannot write: {exc.strerror or exc}; nothing was changed", **kw)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The temporary file is flushed and fsynced before the rename; on any error (a full disk
    included) it is removed, the old file is left as it was and the ``OSError`` is raised.
    Permissions: the new file keeps the permission bits of the file it replaces (a study
    folder shared with colleagues stays readable to them); a new file gets what ``open()``
    would give it, ``0o666`` less the umask. After the rename the folder itself is fsynced
    (where the OS allows it), so the rename survives a crash.

    A symbolic link is written through (the link is kept); a FIFO or this process's standard
    output is written directly; another special file raises :class:`~.errors.UsageError`.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target, st = _behind(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISFIFO(st.st_mode) or _is_stdout(st):
            _write_direct(target, raw)
            return
        raise UsageError(f"will not replace {_kind(st.st_mode)}", path=path,
                         hint="write to an ordinary file, or '-' for standard output")
    with StagedFiles() as files:
        files.stage(target, [raw])
        files.commit()


class StagedFiles:
    """The one atomic writer: files written as a set, each to a temporary beside its target,
    then renamed together by :meth:`commit`, so readers see all the old files or all the new.

    Each temporary is created with ``O_EXCL`` (``tempfile.mkstemp``: a planted link is never
    followed), held with an OS lock while it is written (so :func:`remove_stale_temporaries`
    leaves it alone) and synced at :meth:`commit`, all together (syncing each as it was written
    cost ~2.5 ms a file: 25 s for 10,000 calendars); then every file is renamed in order and
    each folder synced. Permissions: a replaced file keeps its bits, a new one gets ``0o666``
    less the umask. A link is written through; a FIFO, device, socket or folder in a target's
    place raises :class:`~.errors.UsageError` (a set cannot be written directly). Leaving the
    ``with`` block without :meth:`commit` (an error, a full disk) removes every temporary and
    changes nothing; an ``OSError`` is raised as it is.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with StagedFiles() as files:
    ...     files.stage(folder / "a.txt", [b"one"])
    ...     files.stage(folder / "b.txt", [b"two", b"!"])
    ...     [p.name for p in files.commit()]
    ['a.txt', 'b.txt']
    >>> (folder / "b.txt").read_bytes()
    b'two!'
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path, Path]] = []  # (temporary, target, path as given)
        self._folders: dict[Path, int | None] = {}  # folder -> its fd, our shared lock on it

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for tmp, _, _ in self._staged:  # after commit() nothing is left to remove
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self._release()

    def _release(self) -> None:
        for fd in self._folders.values():
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)  # closing the file releases its lock
        self._folders = {}

    def stage(self, path: str | Path, pieces: Iterable[bytes]) -> None:
        """Write ``pieces`` to a temporary for ``path`` (renamed only by :meth:`commit`)."""
        target = resolve_output(path)  # a link is written through; special files refused
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        if target.parent not in self._folders:  # before our own lock makes the folder busy
            remove_stale_temporaries(target.parent, (target.name,))
            self._folders[target.parent] = _share(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        self._staged.append((tmp, target, Path(path)))
        with os.fdopen(fd, "wb") as fh:
            _hold(fh.fileno())  # marks the temporary as in use while it is written
            for piece in pieces:
                fh.write(piece)
        os.chmod(tmp, mode)  # mkstemp creates 0o600

    def commit(self) -> tuple[Path, ...]:
        """Sync every staged file, rename them all in order, sync their folders; the paths as
        given (a link, not its target)."""
        for tmp, _, _ in self._staged:
            fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for tmp, target, _ in self._staged:
            os.replace(tmp, target)
        folders: dict[Path, list[str]] = {}
        for _, target, _ in self._staged:
            folders.setdefault(target.parent, []).append(target.name)
        for folder in folders:
            _fsync_dir(folder)
        shown = tuple(p for _, _, p in self._staged)
        self._staged = []
        self._release()
        for folder, names in folders.items():  # the other names' leftovers, now we are done
            remove_stale_temporaries(folder, tuple(names))
        return shown


def resolve_output(path: str | Path) -> Path:
    """The file a write to ``path`` replaces: a symbolic link's target (written through), the
    path itself otherwise; a FIFO, a device, a socket or a folder raises
    :class:`~.errors.UsageError` (for writers that can only replace a regular file)."""
    target, st = _behind(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UsageError(f"will not replace {_kind(st.st_mode)}", path=path,
                         hint="remove it, or write to another folder")
    return target


def _behind(path: str | Path) -> tuple[Path, os.stat_result | None]:
    """The file a write to ``path`` reaches (a link's target) and its status (None: none yet)."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        return target, os.stat(target)
    except FileNotFoundError:
        return target, None


def _is_stdout(st: os.stat_result) -> bool:
    """Whether ``st`` is the file behind this process's standard output (``-o /dev/stdout``)."""
    for stream in (sys.stdout, sys.__stdout__):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            out = os.fstat(stream.fileno())  # type: ignore[union-attr]
            if (out.st_dev, out.st_ino) == (st.st_dev, st.st_ino):
                return True
    return False


def _write_direct(target: Path, raw: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _hold(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - Windows: an open file cannot be deleted anyway
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _share(folder: Path) -> int | None:
    """Hold a shared lock on ``folder`` (``flock`` on the folder itself); its fd, or ``None``
    where it cannot be held (the temporaries are then judged by their own locks and age)."""
    if os.name == "nt":  # pragma: no cover
        return None
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a remover checks (a moment)
    except OSError:
        os.close(fd)
        return None
    return fd


def _writers_live(folder: str | Path) -> bool:
    """Whether a live writer holds its shared lock on ``folder`` (this process's own
    :class:`StagedFiles` included)."""
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def remove_stale_temporaries(folder: str | Path, names: tuple[str, ...], *,
                             older_than: float | None = None) -> int:
    """Remove the temporaries ``.NAME.*.tmp`` of ``names`` in ``folder`` that a killed writer left.

    A temporary is stale when no live writer holds it (every writer holds an OS lock on its
    temporary while it writes it, and a shared lock on the folder until its renames are done:
    while any writer holds that, nothing is removed) and it was last
    modified before ``older_than`` (a ``time.time()`` value; default: :data:`STALE_AFTER`
    seconds ago). Only regular files are removed, never a link. Returns how many were
    removed; errors are ignored (a later run tries again).
    """
    if os.name == "nt":  # pragma: no cover
        return 0
    import fcntl

    if _writers_live(folder):
        return 0
    cutoff = time.time() - STALE_AFTER if older_than is None else older_than
    prefixes = tuple(f".{n}." for n in names)
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefixes) and entry.name.endswith(".tmp")):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_mtime >= cutoff:
                continue
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: held, keep it
                same = os.fstat(fd)
                if (same.st_dev, same.st_ino) == (st.st_dev, st.st_ino):
                    os.unlink(entry.path)
                    removed += 1
            finally:
                os.close(fd)
    return removed


def _umask() -> int:
    """The process umask, read without changing it where the OS tells it (Linux)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: set and put back at once
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - Windows cannot open a folder to fsync it
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def open_no_follow(path: Path, *, extra_flags: int, what: str, link_hint: str) -> int:
    """Open (creating it) a study folder's own file for reading and writing without following
    a symbolic link: a planted link is refused, never written through. ``what`` names the
    file in the error ("the lock file"), ``link_hint`` says what to do about a link. Returns
    the file descriptor; any other failure is a :class:`UsageError` saying the folder must be
    writable."""
    flags = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0) | extra_flags)
    try:
        return os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(f"{what} is a symbolic link: refusing to write through it",
                             path=path, hint=link_hint) from None
        raise UsageError(f"cannot open {what}: {exc.strerror}", path=path,
                         hint="the study folder must be writable") from None

