"""Writing outputs safely: one file, several files (all or none), whole folders.

The rules every command follows when it writes:

* a regular file is replaced atomically: the data goes to a temporary file in the
  same folder, which is then renamed over it, so a crash never leaves it half-written;
* a symbolic link is followed: its target is replaced, the link stays a link;
* anything else that already exists and is not a folder (a FIFO, a character
  device such as ``/dev/null``, ``/dev/stdout``, an open descriptor under
  ``/proc``) cannot be renamed over: it is opened and written directly, as a
  shell redirection would;
* a folder where a file should go is an error;
* when a command writes several files they are staged first and renamed into
  place together (:func:`write_files`), and folders a command owns are built
  beside the old ones and swapped in whole (:func:`replacing_dirs`).

Low-level functions raise :class:`OSError`; :func:`write_files`,
:func:`writing` and :func:`replacing_dirs` turn it into a
:class:`~corpus_sz.errors.CorpusError` (E510 unless the caller has its own code)
that names the path and says what to do.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .errors import E510, CorpusError

WRITE_HINT = "check that the folder exists, is a folder and is writable, or choose another path"


def output_error(e: OSError, path: str | Path, code: str = E510, hint: str = WRITE_HINT) -> CorpusError:
    """The CorpusError for an OSError met while writing ``path``."""
    reason = e.strerror or str(e) or type(e).__name__
    culprit = e.filename if e.filename not in (None, "") else None
    if culprit is not None and os.fspath(culprit) != os.fspath(path):
        # the failing path can be a parent or a staged file: name it so the user knows what to fix
        reason += f" ({os.fsdecode(culprit)})"
    return CorpusError(code, f"cannot write {path}: {reason}", path=str(path), hint=hint)


@contextmanager
def writing(path: str | Path, code: str = E510, hint: str = WRITE_HINT) -> Iterator[None]:
    """Turn an OSError raised inside the block into one clear CorpusError about ``path``."""
    try:
        yield
    except OSError as e:
        raise output_error(e, path, code, hint) from None


def _through_descriptor(path: Path) -> bool:
    """True when ``path`` is, or links to, an open descriptor (``/dev/stdout``, ``/dev/fd/N``, ``/proc/…``).

    Such paths are kernel aliases: ``os.path.realpath`` cannot be trusted on them (a pipe resolves to
    ``pipe:[N]``) and renaming over them is impossible, so they are written in place.
    """
    p = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a chain of links
        if p == "/proc" or p.startswith(("/proc/", "/dev/fd/")):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return False


@dataclass
class _Target:
    path: Path          # the path as given (for messages)
    real: Path          # where the bytes go (a symlink's target)
    in_place: bool      # written directly: cannot be renamed over
    old_mode: int | None  # permission bits of the file it replaces


def _target(path: Path) -> _Target:
    """Decide how ``path`` is written (see the module docstring). Raises OSError for a folder."""
    if _through_descriptor(path):
        st = _stat(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
        return _Target(path, path, True, None)
    # follow a symlink (chains too) so that its target is replaced and the link stays a link
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    st = _stat(real)
    if st is None:
        return _Target(path, real, False, None)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
    if not stat.S_ISREG(st.st_mode):  # FIFO, device, socket: renaming over it would destroy it
        return _Target(path, real, True, None)
    return _Target(path, real, False, stat.S_IMODE(st.st_mode))


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _missing_parents(folder: Path) -> list[Path]:
    """The folders ``folder.mkdir(parents=True)`` would create, outermost first."""
    out: list[Path] = []
    p = Path(os.path.abspath(folder))
    while not os.path.lexists(p) and p != p.parent:
        out.append(p)
        p = p.parent
    return out[::-1]


def _remove_dirs(created: list[Path]) -> None:
    for d in reversed(created):  # innermost first; only if still empty
        try:
            os.rmdir(d)
        except OSError:
            pass


def _stage(target: _Target, data: bytes) -> str:
    """Write ``data`` to a temporary file beside the target; return its name."""
    fd, tmp = tempfile.mkstemp(dir=target.real.parent, prefix=f".{target.real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # a replaced file keeps its permissions; a new one is readable by all, like the releases it holds
        os.chmod(tmp, target.old_mode if target.old_mode is not None else 0o644)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(p: str | Path) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass


def _write_in_place(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:  # a FIFO blocks here until a reader opens it, as with `> fifo`
        f.write(data)


def write_files_raw(payload: Iterable[tuple[str | Path, bytes | str]]) -> list[Path]:
    """Write every (path, data) pair, all or none; raise OSError (nothing changed) on failure.

    Phase 1 stages every file beside its target (a folder in the way, a missing or read-only
    folder fails here, before anything visible changes). Phase 2 renames the staged files into
    place, keeping the old contents to put back if a rename fails. Paths written in place (FIFOs,
    devices) come last, since what is written to them cannot be taken back.
    """
    items: list[tuple[_Target, bytes]] = []
    for path, data in payload:
        items.append((Path(path), data.encode("utf-8") if isinstance(data, str) else bytes(data)))  # type: ignore[arg-type]
    created: list[Path] = []
    staged: list[tuple[_Target, str]] = []
    streams: list[tuple[_Target, bytes]] = []
    done: list[tuple[_Target, bytes | None]] = []
    try:
        for path, data in items:
            if not _through_descriptor(path):
                missing = _missing_parents(path.parent)
                path.parent.mkdir(parents=True, exist_ok=True)
                created.extend(missing)
            t = _target(path)
            if t.in_place:
                streams.append((t, data))
            else:
                staged.append((t, _stage(t, data)))
        for t, tmp in staged:
            old = t.real.read_bytes() if t.old_mode is not None else None
            os.replace(tmp, t.real)
            done.append((t, old))
        for t, data in streams:
            _write_in_place(t.real, data)
    except BaseException:
        for t, tmp in staged:
            _unlink(tmp)
        for t, old in reversed(done):  # put back what phase 2 already replaced
            try:
                if old is None:
                    os.unlink(t.real)
                else:
                    os.replace(_stage(t, old), t.real)
            except OSError:
                pass
        _remove_dirs(created)
        raise
    return [p for p, _ in items]


def write_file(path: str | Path, data: bytes | str) -> None:
    """Write one file by the rules above; raise OSError on failure."""
    write_files_raw([(path, data)])


def write_files(payload: Iterable[tuple[str | Path, bytes | str]], code: str = E510,
                hint: str = WRITE_HINT) -> list[Path]:
    """:func:`write_files_raw`, with a failure as a CorpusError naming the path."""
    items = [(Path(p), d) for p, d in payload]
    try:
        return write_files_raw(items)
    except OSError as e:
        raise output_error(e, _blame([p for p, _ in items], e.filename), code, hint) from None


def _blame(paths: list[Path], filename) -> Path | str:
    """The output an OSError is about: the path itself, a folder on its way, or its staged file."""
    if filename:
        f = Path(os.fsdecode(filename))
        for p in paths:
            if p == f or f in p.parents or (f.name.startswith(f".{p.name}.") and f.name.endswith(".tmp")):
                return p
        return f
    return paths[0] if paths else "?"


def check_out_dir(out: str | Path, option: str = "--out", code: str = E510) -> Path:
    """Refuse early (before any work) an output folder that is an existing non-folder."""
    out = Path(out)
    if os.path.lexists(out) and not out.is_dir():
        raise CorpusError(code, f"{option} {out} is a file, not a folder", path=str(out),
                          hint=f"give {option} a folder (it is created if missing), or move the file away")
    return out


def check_can_create(out: str | Path, option: str = "--out", code: str = E510) -> Path:
    """Refuse early an output folder that could not be written at the end of a long job.

    Probes by creating (and removing) a temporary folder where ``out`` will go, since
    permission bits say little when running as root; folders made for the probe are removed.
    """
    out = check_out_dir(out, option, code)
    parent = Path(os.path.abspath(out)).parent
    created = _missing_parents(parent)
    with writing(out, code):
        try:
            parent.mkdir(parents=True, exist_ok=True)
            os.rmdir(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=parent))
        finally:
            _remove_dirs(created)
    return out


@contextmanager
def replacing_dirs(out: str | Path, names: Sequence[str], code: str = E510,
                   option: str = "--out") -> Iterator[Path]:
    """Build folders ``names`` of ``out`` in a staging folder, then swap each in whole.

    Yields the staging folder (inside ``out``, so that renames stay on one file system). When
    the block succeeds, ``out/NAME`` is replaced by ``staging/NAME`` for every name: files left
    from an earlier run do not survive, and nothing else in ``out`` is touched. When it fails,
    ``out`` is as it was (a created ``out`` is removed again).
    """
    out = check_out_dir(out, option, code)
    for n in names:
        p = out / n
        if p.is_symlink() or (p.exists() and not p.is_dir()):
            raise CorpusError(code, f"{p} is in the way: it is not a folder", path=str(p),
                              hint=f"the folders {', '.join(names)} of {option} are replaced as a whole; "
                                   f"move {p} away or choose another {option}")
    created = _missing_parents(out)
    stage: Path | None = None
    try:
        with writing(out, code):
            out.mkdir(parents=True, exist_ok=True)
            stage = Path(tempfile.mkdtemp(dir=out, prefix=".staging-", suffix=".tmp"))
        try:
            yield stage
        except OSError as e:
            raise output_error(e, out, code) from None
        with writing(out, code):
            _swap(stage, out, names)
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        _remove_dirs(created)
        raise
    shutil.rmtree(stage, ignore_errors=True)  # now holds only the replaced old folders


def _swap(stage: Path, out: Path, names: Sequence[str]) -> None:
    done: list[tuple[str, bool]] = []
    try:
        for n in names:
            new, cur, old = stage / n, out / n, stage / f".old-{n}"
            if not new.is_dir():
                continue
            had = cur.exists()
            if had:
                os.rename(cur, old)
            try:
                os.rename(new, cur)
            except OSError:
                if had:
                    os.rename(old, cur)
                raise
            done.append((n, had))
    except OSError:
        for n, had in reversed(done):  # back to the old folders: all swapped or none
            try:
                os.rename(out / n, stage / n)
                if had:
                    os.rename(stage / f".old-{n}", out / n)
            except OSError:
                pass
        raise
