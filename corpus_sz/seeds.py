"""Stage 0: the seed files, byte for byte, checked against their manifest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import E001, E002, E003, CorpusError
from .paths import seeds_dir


@dataclass(frozen=True)
class SeedRecord:
    file: str
    id: str
    sha256: str
    bytes: int
    origin: str
    recipe: str | None = None  # reports added by `corpus-sz new-report`: a named generic recipe


def manifest(root: Path | None = None) -> list[SeedRecord]:
    path = (root or seeds_dir()) / "manifest.json"
    data = read_json(path)
    return [SeedRecord(**s) for s in data["seeds"]]


def read_json(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CorpusError(E001, f"cannot read: {e.strerror}", path=str(path)) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise CorpusError(E003, f"not UTF-8 (byte {e.start})", path=str(path),
                          hint="save the file as UTF-8") from None
    except json.JSONDecodeError as e:
        raise CorpusError(E003, f"invalid JSON: {e.msg}", path=str(path), line=e.lineno,
                          col=e.colno) from None


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, or fail with one clear line."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CorpusError(E001, "no such file", path=str(path)) from None
    except IsADirectoryError:
        raise CorpusError(E003, "is a directory, not a text file", path=str(path)) from None
    except OSError as e:
        raise CorpusError(E003, f"cannot read: {e.strerror}", path=str(path)) from None
    if b"\x00" in raw:
        raise CorpusError(E003, "binary file (contains NUL bytes)", path=str(path),
                          hint="give a UTF-8 text file") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise CorpusError(E003, f"not valid UTF-8 (byte offset {e.start})", path=str(path), line=line,
                          hint="convert the file to UTF-8, e.g. iconv -f GB18030 -t UTF-8") from None


def read_seed(record: SeedRecord, root: Path | None = None) -> str:
    """The seed's text, after checking it against the manifest."""
    path = (root or seeds_dir()) / record.file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(E001, "seed file missing", path=str(path),
                          hint="seeds are never edited; restore it from git") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != record.sha256 or len(raw) != record.bytes:
        raise CorpusError(E002, f"checksum {digest[:12]}… does not match the manifest ({record.sha256[:12]}…)",
                          path=str(path), hint="seeds are never edited; restore the original bytes")
    return read_text(path)
