"""Tools > Tune in the main window: open the dialog, put its tuned values in the editor's
runs, and take them back out again (one level of undo per Apply).

Only the tuned keys change (``lr``, ``momentum`` or ``betas``), and only in a run that
still has the optimizer the search tuned; everything else the user edited meanwhile stays.
"""

from __future__ import annotations

import copy
from typing import Any

import shiboken6
from PySide6.QtCore import Qt

from lrsim.core.tune import TuneResult

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


def open_tune_dialog(window):
    """Open Tools > Tune on the window's run file; returns the dialog (None if nothing to tune)."""
    from lrsim.gui.tune_dialog import TuneDialog  # loads on first use

    if window.runfile is None:
        window.show_problem("Tune: there is no valid run file to tune yet")
        return None
    old = getattr(window, "tune_dialog", None)
    if old is not None and shiboken6.isValid(old):
        old.close()
    dialog = TuneDialog(window.runfile, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    saved: dict[str, Any] = {}

    def apply(result: TuneResult) -> None:
        before = window.editor.data()
        data, changed = tuned_data(before, result)
        if not changed:
            window.show_problem("Tune: no run has the tuned optimizer any more; nothing changed")
            return
        saved["before"] = before
        _show(window, data)

    def undo() -> None:
        before = saved.pop("before", None)
        if before is not None:
            _show(window, before)

    dialog.apply_tuning.connect(apply)
    dialog.undo_requested.connect(undo)
    window.controller.scene_changed.connect(dialog.set_scene)  # Tune again: the edited runs
    dialog.show()
    window.tune_dialog = dialog
    return dialog


def _show(window, data: dict[str, Any]) -> None:
    window.editor.set_data(data)
    window.document.update(window.editor.data())
    window.apply_editor()
