"""Tools > Memory and recording…: the memory budget and the recording stride of the app.

The same two knobs as the commands' ``--memory-budget`` and ``--stride``: a
million particles times a few hundred steps passes the default budget of 2 GB,
and a lecturer should be able to raise it (on a big machine) or keep every k-th
step only. Kept in QSettings, so the next start uses them too.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
)

from lrsim.core.engine import DEFAULT_MEMORY_BUDGET
from lrsim.gui.controller import SimulationController

SETTING_BUDGET = "simulation/memory_budget_bytes"
SETTING_STRIDE = "simulation/stride"
GIB = 1024**3


class SimulationSettingsDialog(QDialog):
    """Memory budget (GB) and stride (1: every step; larger: every k-th step and the last)."""

    def __init__(self, budget: int, stride: int | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Memory and recording")
        layout = QVBoxLayout(self)
        note = QLabel(
            "The recorded history of every particle at every step must fit the memory budget. "
            "Over it, the app records every k-th step (and the last) on its own; a stride "
            "records every k-th step even when the history would fit.",
            self,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.budget_box = QDoubleSpinBox(self)
        self.budget_box.setRange(0.1, 1024.0)
        self.budget_box.setDecimals(1)
        self.budget_box.setSuffix(" GB")
        self.budget_box.setValue(budget / GIB)
        self.budget_box.setToolTip(f"Default {DEFAULT_MEMORY_BUDGET / GIB:g} GB (--memory-budget)")
        form.addRow("Memory budget", self.budget_box)
        self.stride_box = QSpinBox(self)
        self.stride_box.setRange(1, 1_000_000)
        self.stride_box.setValue(stride or 1)
        self.stride_box.setToolTip("Record every k-th step and the last (--stride); 1: every step")
        form.addRow("Record every k-th step", self.stride_box)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> tuple[int, int | None]:
        """(budget in bytes, stride or None for every step)."""
        stride = self.stride_box.value()
        return int(round(self.budget_box.value() * GIB)), (stride if stride > 1 else None)


def apply_saved(settings: QSettings, controller: SimulationController) -> None:
    """Give the controller the budget and stride saved by an earlier session."""
    budget = settings.value(SETTING_BUDGET, DEFAULT_MEMORY_BUDGET, type=int)
    stride = settings.value(SETTING_STRIDE, 1, type=int)
    controller.memory_budget = budget if budget > 0 else DEFAULT_MEMORY_BUDGET
    controller.stride = stride if stride > 1 else None


def apply(
    settings: QSettings, controller: SimulationController, budget: int, stride: int | None
) -> None:
    """Use (and remember) these values, and redo the current simulation with them."""
    changed = (budget, stride) != (controller.memory_budget, controller.stride)
    controller.memory_budget, controller.stride = budget, stride
    settings.setValue(SETTING_BUDGET, budget)
    settings.setValue(SETTING_STRIDE, stride or 1)
    if changed and controller.runfile is not None:
        controller.load(controller.runfile, background=True)


def open_dialog(parent, settings: QSettings, controller: SimulationController) -> None:
    dialog = SimulationSettingsDialog(controller.memory_budget, controller.stride, parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        apply(settings, controller, *dialog.values())
