"""Files written whole or not at all: figures and text of symgrad's outputs."""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Callable, Sequence
from typing import BinaryIO

__all__ = ["save_figure", "atomic_write"]


def save_figure(fig, stem, formats: Sequence[str] = ("png", "pdf")) -> list:
    """Save ``fig`` as ``stem.png`` and ``stem.pdf`` (or the given formats) at 150 dpi.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : str or os.PathLike
        The path without suffix; missing parent folders are made.  Each format's
        suffix is appended (``"fig.v2"`` gives ``fig.v2.png``).
    formats : sequence of str
        File suffixes that matplotlib can write.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Examples
    --------
    >>> import os, tempfile
    >>> from matplotlib.figure import Figure
    >>> from symgrad.plotting import save_figure
    >>> paths = save_figure(Figure(figsize=(1, 1)), os.path.join(tempfile.mkdtemp(), "out", "fig"))
    >>> [p.name for p in paths], all(p.is_file() for p in paths)
    (['fig.png', 'fig.pdf'], True)
    """
    stem = pathlib.Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.parent / f"{stem.name}.{fmt}"
        atomic_write(path, lambda f, fmt=fmt: fig.savefig(f, format=fmt, dpi=150))
        paths.append(path)
    return paths


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> pathlib.Path:
    """Write ``path`` whole or not at all, through a temporary file in its folder.

    ``write(file)`` fills the temporary file (opened in binary mode), which then
    replaces ``path`` (:func:`os.replace`).  An error or an interruption (``KeyboardInterrupt``) while writing leaves an
    existing ``path`` as it was and removes the temporary file.
    """
    path = pathlib.Path(path)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
