"""Files we write are written atomically: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import ConfigError


def write_atomic(path: str | Path, text: str | bytes, *, protected: tuple[str | Path, ...] = ()) -> None:
    """Write ``text`` (or bytes) to ``path`` so that readers see the old file or the whole new one.

    ``protected`` are input files that must never be overwritten.
    """
    target = Path(path)
    for item in protected:
        if target.exists() and Path(item).exists() and target.resolve() == Path(item).resolve():
            raise ConfigError(f"{path}: refusing to overwrite the input file; write to another path")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(f"{path}: folder {str(folder)!r} does not exist; create it first")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise ConfigError(f"{path}: cannot write there ({error.strerror}); choose a writable folder") from None
    try:
        if isinstance(text, bytes):
            with os.fdopen(handle, "wb") as binary:
                binary.write(text)
        else:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
        os.chmod(temporary, _mode_of(target))
        os.replace(temporary, target)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise ConfigError(f"{path}: could not be written ({reason}); the previous file is unchanged") from None
        raise


def _mode_of(target: Path) -> int:
    """The permissions the written file gets: those of the file it replaces (a private file stays private), else
    an ordinary new file's (``0666`` less the umask, not ``mkstemp``'s private ``0600``)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
