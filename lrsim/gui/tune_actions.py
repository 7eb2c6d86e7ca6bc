"""Tools > Tune in the main window: open the dialog, put its tuned values in the editor's
runs, and take them back out again (one level of undo per Apply).

Only the tuned keys change (``lr``, ``momentum`` or ``betas``), and only in a run that
still has the optimizer the search tuned; everything else the user edited meanwhile stays.
"""

from __future__ import annotations

import copy
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from lrsim.core.tune import TuneResult
from lrsim.gui.edit_session import EditSession

TUNED_KEYS = ("lr", "momentum", "betas")


def tuned_data(data: dict[str, Any], result: TuneResult) -> tuple[dict[str, Any], list[int]]:
    """(the editor's ``data`` with ``result``'s values, indices of the runs that changed)."""
    data = copy.deepcopy(data)
    changed = []
    runs = data.get("runs") or []
    for index, (tuning, tuned) in enumerate(zip(result.runs, result.runfile.runs, strict=False)):
        if index >= len(runs):
            break
        optimizer = dict(runs[index].get("optimizer") or {})
        if optimizer.get("name") != tuning.optimizer or all(s.skipped for s in tuning.searches):
            continue
        for key in TUNED_KEYS:
            if key in tuned.optimizer.written:
                optimizer[key] = copy.deepcopy(tuned.optimizer.written[key])
        if optimizer != runs[index].get("optimizer"):
            runs[index]["optimizer"] = optimizer
            changed.append(index)
    return data, changed


class TuneActions(QObject):
    """Tools > Tune over ``parent`` on the simulated run file; ``dialog`` is the open one."""

    def __init__(self, parent: QWidget, session: EditSession):
        super().__init__(parent)
        self.parent_widget = parent
        self.session = session
        self.dialog = None
        self._before: dict[str, Any] | None = None  # the editor's data before the last Apply

    def open_dialog(self):
        """Open Tools > Tune; returns the dialog (None if there is nothing to tune)."""
        from lrsim.gui.tune_dialog import TuneDialog  # loads on first use

        session = self.session
        runfile = session.controller.runfile
        if runfile is None:
            session.show_problem("Tune: there is no valid run file to tune yet")
            return None
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        dialog = TuneDialog(runfile, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._before = None
        dialog.apply_tuning.connect(self._apply)
        dialog.undo_requested.connect(self._undo)
        session.controller.scene_changed.connect(dialog.set_scene)  # Tune again: the edited runs
        dialog.show()
        self.dialog = dialog
        return dialog

    def _apply(self, result: TuneResult) -> None:
        before = self.session.editor.data()
        data, changed = tuned_data(before, result)
        if not changed:
            self.session.show_problem(
                "Tune: no run has the tuned optimizer any more; nothing changed"
            )
            return
        self._before = before
        self.session.show_data(data)

    def _undo(self) -> None:
        before, self._before = self._before, None
        if before is not None:
            self.session.show_data(before)
