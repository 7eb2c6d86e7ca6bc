"""Open, save and the unsaved-changes question, as the File menu does them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import Qt  # QtGui's Qt has mightBeRichText, convertFromPlainText
from PySide6.QtWidgets import QFileDialog, QMessageBox

from lrsim.core.errors import ConfigError
from lrsim.core.runfile import save_runfile

RUN_FILES = "Run files (*.toml *.json);;All files (*)"


def warn(window, title: str, message: str) -> None:
    """A warning dialog; a message that Qt would take for HTML (a key from a file such as
    ``<a href=...>``) is shown as the text it is."""
    if Qt.mightBeRichText(message):
        message = Qt.convertFromPlainText(message, Qt.WhiteSpaceMode.WhiteSpaceNormal)
    QMessageBox.warning(window, title, message)


def maybe_save(window) -> bool:
    """True when it is fine to drop the editor's state (saved, discarded or unchanged)."""
    if not window.document.dirty:
        return True
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(
        window,
        "Unsaved changes",
        f"“{window.document.display_name}” has changes that are not saved. Save them?",
        buttons.Save | buttons.Discard | buttons.Cancel,
        buttons.Save,
    )
    if answer == buttons.Save:
        return save(window)
    return answer == buttons.Discard


def open_file(window, path: Path) -> bool:
    if not maybe_save(window):
        return False
    return window.open_path(Path(path))


def open_dialog(window) -> bool:
    if not maybe_save(window):
        return False
    start = str(window.document.source.parent) if window.document.source else ""
    path, _filter = QFileDialog.getOpenFileName(window, "Open run file", start, RUN_FILES)
    return bool(path) and window.open_path(Path(path))


def new(window) -> None:
    if maybe_save(window):
        window.new_document()


def save(window) -> bool:
    """Save to the document's file, or ask where (a preset or a new file)."""
    if window.document.path is None:
        return save_as(window)
    return _write(window, window.document.path)


def save_as(window) -> bool:
    source = window.document.source
    suggested = str(source.with_suffix(".toml").name) if source else "untitled.toml"
    if window.document.path is not None:
        suggested = str(window.document.path)
    path, _filter = QFileDialog.getSaveFileName(window, "Save run file", suggested, RUN_FILES)
    if not path:
        return False
    path = Path(path)
    if path.suffix.lower() not in (".toml", ".json"):
        path = path.with_suffix(".toml")
    return _write(window, path)


def _write(window, path: Path) -> bool:
    runfile = window.validated_runfile()
    if runfile is None:
        warn(
            window, "Cannot save", "The run file has an error (shown in the editor); fix it first."
        )
        return False
    try:
        save_runfile(runfile, path)
    except (ConfigError, OSError) as error:
        warn(window, "Cannot save", str(error))
        return False
    window.document.saved(window.editor.data(), path)
    window.remember_file(path)
    window.statusBar().showMessage(f"Saved {path}", 4000)
    return True
