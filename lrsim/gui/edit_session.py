"""From the editor to the controller: validate after a typing pause, then simulate.

The editor emits its run file's data once per edit; ``EditSession`` marks the
document dirty with it and, ``EDIT_DELAY_MS`` after the last edit, validates it
with ``parse_runfile`` (a ``ConfigError`` goes back to the field its path names,
and nothing runs) and hands a changed run file to the controller. File, tool and
live actions go through ``show_data``/``apply_editor``/``load_runfile`` so every
way into the simulation reports problems the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from lrsim.core.errors import ConfigError
from lrsim.core.runfile import RunFile, parse_runfile
from lrsim.gui.controller import SimulationController, same_simulation
from lrsim.gui.document import RunDocument
from lrsim.gui.panels.run_editor import RunEditor
from lrsim.gui.playback import Playback

EDIT_DELAY_MS = 300  # validate and re-run this long after the last keystroke


class EditSession(QObject):
    """Joins ``editor``, ``document``, ``controller`` and ``playback``;
    ``show_problem(message)`` puts why nothing ran in the status bar ("" clears it)."""

    def __init__(
        self,
        editor: RunEditor,
        document: RunDocument,
        controller: SimulationController,
        playback: Playback,
        show_problem: Callable[[str], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.editor = editor
        self.document = document
        self.controller = controller
        self.playback = playback
        self.show_problem = show_problem
        self._edited: dict[str, Any] | None = None  # the last edit, until it is applied
        self.valid = False  # the editor's last applied run file is the one simulated
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(EDIT_DELAY_MS)
        self.timer.timeout.connect(lambda: self.apply_editor(self._edited))
        editor.state_changed.connect(self._on_edited)
        controller.failed.connect(self._on_load_failed)

    def _on_edited(self, data: dict[str, Any]) -> None:
        self._edited = data
        self.document.update(data)
        self.timer.start()

    def cancel_pending(self) -> None:
        """Forget the edit waiting for the typing pause (it is shown some other way now)."""
        self.timer.stop()
        self._edited = None

    def flush(self) -> bool:
        """Apply an edit still waiting for the typing pause; False when the editor's run file
        is not the one simulated (its error is shown)."""
        if self.timer.isActive():
            return self.apply_editor(self._edited)
        return self.valid

    def _on_load_failed(self, error: Exception) -> None:
        """A background load refused the run file: the simulation shown is the old one."""
        self.valid = False
        if isinstance(error, ConfigError):
            self.editor.show_error(error)
        self.show_problem(f"Not run: {error}")

    def show_error(self, error: ConfigError) -> None:
        self.editor.show_error(error)
        self.show_problem(f"Not run: {error}")

    def validated_runfile(self, data: dict[str, Any] | None = None) -> RunFile | None:
        """The editor's run file (or ``data``'s), or None after showing why it is not valid."""
        try:
            return parse_runfile(self.editor.data() if data is None else data)
        except ConfigError as error:
            self.show_error(error)
            return None

    def apply_editor(self, data: dict[str, Any] | None = None) -> bool:
        """Validate the editor's ``data`` now and, if changed, simulate it; False if invalid.

        ``data`` is what the editor last emitted; None reads the editor (after
        ``set_data``, which emits nothing)."""
        self.cancel_pending()
        runfile = self.validated_runfile(data)
        if runfile is None:
            self.valid = False
            return False
        self.editor.clear_errors()
        self.show_problem("")
        current = self.controller.runfile
        if current is not None and same_simulation(runfile, current):
            self.valid = True
            return True
        return self.load_runfile(runfile)

    def show_data(self, data: dict[str, Any]) -> bool:
        """Put ``data`` in the editor as an edit (dirty, undoable by the caller) and run it."""
        self.editor.set_data(data)
        data = self.editor.data()
        self.document.update(data)
        return self.apply_editor(data)

    def load_runfile(
        self, runfile: RunFile, *, rewind: bool = False, background: bool = False
    ) -> bool:
        """Simulate ``runfile``; on a ConfigError show it and keep the current simulation.

        ``background`` builds the simulation off the GUI thread (the first one of
        a process loads numba and its kernels; the window paints meanwhile).
        """
        was_playing = self.playback.playing
        self.valid = False
        try:
            self.controller.load(runfile, background=background)
        except ConfigError as error:
            self.show_error(error)
            return False
        except MemoryError:
            self.show_problem("Not run: out of memory; try fewer particles or steps")
            return False
        except Exception as error:  # an engine bug must not take the window down
            self.show_problem(f"Not run: internal error: {type(error).__name__}: {error}")
            return False
        self.valid = True
        if rewind:
            self.playback.to_start()
        elif was_playing:
            self.playback.play()
        return True
