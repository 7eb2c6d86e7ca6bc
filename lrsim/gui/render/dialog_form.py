"""The Export animation dialog's form: output, size, frame rate, steps, view, theme, buttons.

``build_form(dialog, ...)`` lays the widgets out on a ``RenderDialog`` and connects
them to its slots; what they do is the dialog's (``dialog.py``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from lrsim.gui.render.animation import SIZE_PRESETS
from lrsim.gui.render.stills import slug
from lrsim.gui.views.registry import DEFAULT, VIEWS, view_spec

VIEW_CHOICES = tuple((spec.name, spec.title) for spec in VIEWS if spec.renderable)


def gl_problem() -> str | None:
    """Why a view that needs OpenGL cannot be rendered in this app, or None."""
    from PySide6.QtCore import QCoreApplication

    from lrsim.gui.views import opengl_problem

    problem = opengl_problem()
    if problem is not None:
        return problem
    if not QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts):
        # pyqtgraph compiles its GL shaders once per process: a second GL context that
        # does not share with the first breaks the 3D view drawn after it
        return "Rendering 3D here needs OpenGL contexts shared across windows (use lrsim render)."
    return None


def build_form(dialog, current_view: str, dark: bool, output) -> None:
    """The dialog's fields, progress bar and buttons, made children and attributes of
    ``dialog`` (a ``RenderDialog``, whose slots they are connected to)."""
    sim = dialog.simulation
    layout = QVBoxLayout(dialog)
    form = QFormLayout()
    layout.addLayout(form)

    if output is None:
        # GIF by default: it needs nothing beyond the core install (MP4 needs the video extra)
        output = Path.cwd() / f"{slug(sim.runfile.title or sim.surface.name)}.gif"
    dialog.path_edit = QLineEdit(str(output), dialog)
    dialog.path_edit.setMinimumWidth(380)
    dialog.path_edit.textChanged.connect(dialog._update_format)
    browse = QPushButton("Browse…", dialog)
    browse.clicked.connect(dialog._browse)
    row = QHBoxLayout()
    row.addWidget(dialog.path_edit, 1)
    row.addWidget(browse)
    form.addRow("Output", row)
    dialog.format_label = QLabel(dialog)
    dialog.format_label.setWordWrap(True)
    dialog.format_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    form.addRow("Format", dialog.format_label)

    dialog.size_box = QComboBox(dialog)
    for width, height in SIZE_PRESETS:
        dialog.size_box.addItem(f"{width} × {height}", (width, height))
    dialog.size_box.addItem("Custom", None)
    dialog.width_box = spin(dialog, 16, 7680, SIZE_PRESETS[0][0])
    dialog.height_box = spin(dialog, 16, 7680, SIZE_PRESETS[0][1])
    dialog.size_box.currentIndexChanged.connect(dialog._on_size_preset)
    row = QHBoxLayout()
    row.addWidget(dialog.size_box)
    row.addWidget(dialog.width_box)
    row.addWidget(QLabel("×", dialog))
    row.addWidget(dialog.height_box)
    row.addStretch(1)
    form.addRow("Size", row)
    dialog._on_size_preset()
    dialog.scale_box = QDoubleSpinBox(dialog)
    dialog.scale_box.setRange(0.1, 4.0)
    dialog.scale_box.setSingleStep(0.25)
    dialog.scale_box.setValue(1.0)
    dialog.scale_box.setToolTip(
        "Frames are laid out at the size above and written this many times as big: "
        "0.5 gives a small GIF that looks like the full-size frame"
    )
    dialog.scale_box.valueChanged.connect(dialog._update_summary)
    form.addRow("Scale", dialog.scale_box)

    dialog.fps_box = QDoubleSpinBox(dialog)
    dialog.fps_box.setRange(0.5, 60.0)
    dialog.fps_box.setValue(12.0)
    dialog.fps_box.setSuffix(" fps")
    dialog.fps_box.valueChanged.connect(dialog._update_summary)
    form.addRow("Frame rate", dialog.fps_box)

    dialog.first_box = spin(dialog, 0, sim.steps, 0)
    dialog.last_box = spin(dialog, 0, sim.steps, sim.steps)
    dialog.every_box = spin(dialog, 1, max(1, sim.steps), 1)
    dialog.repeat_box = spin(dialog, 1, 100, 1)
    dialog.hold_box = QDoubleSpinBox(dialog)
    dialog.hold_box.setRange(0.0, 60.0)
    dialog.hold_box.setSuffix(" s")
    dialog.hold_box.valueChanged.connect(dialog._update_summary)
    row = QHBoxLayout()
    for label, widget in (
        ("from", dialog.first_box),
        ("to", dialog.last_box),
        ("every", dialog.every_box),
    ):
        row.addWidget(QLabel(label, dialog))
        row.addWidget(widget)
    row.addStretch(1)
    form.addRow("Steps", row)
    row = QHBoxLayout()
    row.addWidget(dialog.repeat_box)
    row.addWidget(QLabel("frames per step; hold the last frame", dialog))
    row.addWidget(dialog.hold_box)
    row.addStretch(1)
    form.addRow("Timing", row)

    dialog.view_box = QComboBox(dialog)
    problem = gl_problem()
    for key, text in VIEW_CHOICES:
        dialog.view_box.addItem(text, key)
        if view_spec(key).needs_gl and problem is not None:
            item = dialog.view_box.model().item(dialog.view_box.count() - 1)
            item.setEnabled(False)
            item.setToolTip(problem)
    keys = [key for key, _text in VIEW_CHOICES]
    wanted = current_view if current_view in keys else DEFAULT  # e.g. the basin map
    if view_spec(wanted).needs_gl and problem is not None:
        wanted = DEFAULT
    dialog.view_box.setCurrentIndex(keys.index(wanted))
    form.addRow("View", dialog.view_box)
    dialog.theme_box = QComboBox(dialog)
    dialog.theme_box.addItem("Dark (projector)", True)
    dialog.theme_box.addItem("Light (print)", False)
    dialog.theme_box.setCurrentIndex(0 if dark else 1)
    form.addRow("Theme", dialog.theme_box)
    dialog.header_box = QCheckBox("Title, legend with learning rates, step counter", dialog)
    dialog.header_box.setChecked(True)
    dialog.strip_box = QCheckBox("Learning-rate schedules with a cursor", dialog)
    dialog.strip_box.setChecked(True)
    form.addRow("Show", dialog.header_box)
    form.addRow("", dialog.strip_box)

    dialog.summary_label = QLabel(dialog)
    layout.addWidget(dialog.summary_label)
    dialog.progress = QProgressBar(dialog)
    dialog.progress.setRange(0, 1)
    dialog.progress.setValue(0)
    layout.addWidget(dialog.progress)
    dialog.status_label = QLabel(dialog)
    dialog.status_label.setWordWrap(True)
    dialog.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(dialog.status_label)

    dialog.buttons = QDialogButtonBox(dialog)
    dialog.render_button = dialog.buttons.addButton(
        "Render", QDialogButtonBox.ButtonRole.AcceptRole
    )
    dialog.cancel_button = dialog.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    dialog.close_button = dialog.buttons.addButton(QDialogButtonBox.StandardButton.Close)
    dialog.render_button.clicked.connect(dialog.start_render)
    dialog.cancel_button.clicked.connect(dialog.cancel_render)
    dialog.close_button.clicked.connect(dialog.reject)
    dialog.cancel_button.setEnabled(False)
    layout.addWidget(dialog.buttons)
    dialog._inputs = [
        dialog.path_edit,
        browse,
        dialog.size_box,
        dialog.width_box,
        dialog.height_box,
        dialog.scale_box,
        dialog.fps_box,
        dialog.first_box,
        dialog.last_box,
        dialog.every_box,
        dialog.repeat_box,
        dialog.hold_box,
        dialog.view_box,
        dialog.theme_box,
        dialog.header_box,
        dialog.strip_box,
    ]


def spin(dialog, low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox(dialog)
    box.setRange(low, high)
    box.setValue(value)
    box.valueChanged.connect(dialog._update_summary)
    return box
