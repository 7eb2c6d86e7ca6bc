"""Open, save, new and the unsaved-changes question, as the File menu does them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import Qt  # QtGui's Qt has mightBeRichText, convertFromPlainText
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar, QWidget

from lrsim.core.errors import ConfigError
from lrsim.core.runfile import load_runfile, runfile_to_dict, save_runfile
from lrsim.core.safe_text import printable
from lrsim.gui.edit_session import EditSession
from lrsim.gui.resources import default_preset, resources_dir

RUN_FILES = "Run files (*.toml *.json);;All files (*)"
SETTING_LAST_FILE = "last_file"
NEW_RUN_FILE = {
    "title": "New run file",
    "steps": 100,
    "surface": {"name": "quadratic"},
    "particles": {"points": [[-4.0, 3.5]]},
    "runs": [{"label": "sgd", "color": "#1f77b4", "optimizer": {"name": "sgd", "lr": 0.1}}],
}


def warn(parent: QWidget, title: str, message: str) -> None:
    """A warning dialog; a message that Qt would take for HTML (a key from a file such as
    ``<a href=...>``) is shown as the text it is."""
    if Qt.mightBeRichText(message):
        message = Qt.convertFromPlainText(message, Qt.WhiteSpaceMode.WhiteSpaceNormal)
    QMessageBox.warning(parent, title, message)


def is_preset(path: Path) -> bool:
    folder = resources_dir()
    return folder is not None and path.resolve().parent == (folder / "presets").resolve()


class FileActions(QObject):
    """The File menu's run-file commands; ``replaced(data)`` when another document is shown
    (opened or new), before it is simulated. Dialogs open over ``parent``."""

    replaced = Signal(object)

    def __init__(
        self, parent: QWidget, session: EditSession, settings: QSettings, status: QStatusBar
    ):
        super().__init__(parent)
        self.parent_widget = parent
        self.session = session
        self.document = session.document
        self.settings = settings
        self.status = status

    def open_initial(self, path: str | Path | None) -> None:
        """The file given, else the last one opened (if it still loads), else the preset."""
        candidates = [path] if path else []
        last = self.settings.value(SETTING_LAST_FILE, "", type=str)
        if not path and last:
            candidates.append(last)
        preset = default_preset()
        if preset is not None:
            candidates.append(preset)
        for candidate in candidates:
            if self.open_path(Path(candidate), quiet=candidate != path, background=True):
                return
        self.new_document()

    def remember_file(self, path: Path) -> None:
        """The file the next start reopens."""
        self.settings.setValue(SETTING_LAST_FILE, str(path))

    def open_path(self, path: Path, *, quiet: bool = False, background: bool = False) -> bool:
        """Load ``path`` into the editor and simulate it; False (with a message) if it is bad."""
        try:
            runfile = load_runfile(path)
        except Exception as error:  # a hostile file never reaches the event loop
            if not quiet:
                message = (
                    str(error)
                    if isinstance(error, ConfigError)
                    else (f"{path}: cannot be read ({type(error).__name__}: {error})")
                )
                warn(self.parent_widget, "Cannot open run file", printable(message))
            return False
        self._replace(runfile_to_dict(runfile), path, writable=not is_preset(path))
        self.remember_file(path)
        self.session.show_problem("")
        if not self.session.load_runfile(runfile, rewind=True, background=background):
            return True  # shown in the editor with its error
        self.status.showMessage(f"Opened {path}", 4000)
        return True

    def new_document(self) -> None:
        self._replace(NEW_RUN_FILE, None, writable=False)
        self.session.apply_editor()
        self.session.playback.to_start()

    def _replace(self, data: dict, source: Path | None, *, writable: bool) -> dict:
        """Show another document in the editor, unchanged (not dirty)."""
        editor = self.session.editor
        self.session.cancel_pending()  # an edit of the document it replaces must not run
        editor.set_data(data)
        data = editor.data()
        self.document.reset(data, source, writable=writable)
        self.replaced.emit(data)
        return data

    # ------------------------------------------------------------------ the menu

    def maybe_save(self) -> bool:
        """True when it is fine to drop the editor's state (saved, discarded or unchanged)."""
        if not self.document.dirty:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.parent_widget,
            "Unsaved changes",
            f"“{self.document.display_name}” has changes that are not saved. Save them?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    def open_file(self, path: Path) -> bool:
        if not self.maybe_save():
            return False
        return self.open_path(Path(path))

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        start = str(self.document.source.parent) if self.document.source else ""
        path, _filter = QFileDialog.getOpenFileName(
            self.parent_widget, "Open run file", start, RUN_FILES
        )
        return bool(path) and self.open_path(Path(path))

    def new(self) -> None:
        if self.maybe_save():
            self.new_document()

    def save(self) -> bool:
        """Save to the document's file, or ask where (a preset or a new file)."""
        if self.document.path is None:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        source = self.document.source
        suggested = str(source.with_suffix(".toml").name) if source else "untitled.toml"
        if self.document.path is not None:
            suggested = str(self.document.path)
        path, _filter = QFileDialog.getSaveFileName(
            self.parent_widget, "Save run file", suggested, RUN_FILES
        )
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() not in (".toml", ".json"):
            path = path.with_suffix(".toml")
        return self._write(path)

    def _write(self, path: Path) -> bool:
        data = self.session.editor.data()
        runfile = self.session.validated_runfile(data)
        if runfile is None:
            warn(
                self.parent_widget,
                "Cannot save",
                "The run file has an error (shown in the editor); fix it first.",
            )
            return False
        try:
            save_runfile(runfile, path)
        except (ConfigError, OSError) as error:
            warn(self.parent_widget, "Cannot save", str(error))
            return False
        self.document.saved(data, path)
        self.remember_file(path)
        self.status.showMessage(f"Saved {path}", 4000)
        return True
