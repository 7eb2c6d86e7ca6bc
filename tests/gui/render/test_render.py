"""Animation export: MP4, GIF and PNG frames rendered headless, the command and the dialog."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import PRESET

from lrsim.cli import main
from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import load_runfile
from lrsim.gui.render.animation import RenderOptions, parse_size, parse_step_range, render_animation
from lrsim.gui.render.writers import missing_dependency

SIZE = (320, 240)
SHORT = RenderOptions(size=SIZE, last_step=9)  # steps 0..9: ten frames


@pytest.fixture(name="sim", scope="module")
def sim_fixture():
    sim = Simulation(load_runfile(PRESET))
    sim.run_to_end()
    return sim


def _needs(fmt: str) -> None:
    problem = missing_dependency(fmt)
    if problem is not None:
        pytest.skip(problem)


def _mp4_frames(path) -> tuple[list[np.ndarray], dict]:
    import imageio.v2 as imageio

    reader = imageio.get_reader(str(path), "ffmpeg")
    try:
        return [np.asarray(frame) for frame in reader], reader.get_meta_data()
    finally:
        reader.close()


def _gif_frames(path) -> np.ndarray:
    import imageio.v3 as iio

    return iio.imread(str(path), index=None)


def _assert_frames_differ(frames) -> None:
    first, last = (np.asarray(f, dtype=np.int16) for f in (frames[0], frames[-1]))
    assert np.abs(first - last).max() > 100  # particles moved, the counter changed
    changed = [np.any(a != b) for a, b in zip(frames[:-1], frames[1:], strict=True)]
    assert all(changed)  # every frame shows a new step


def _leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


# ----------------------------------------------------------------------------- writers


def test_mp4_has_one_frame_per_step_at_the_size(qapp, sim, tmp_path):
    _needs("mp4")
    out = tmp_path / "short.mp4"
    result = render_animation(sim, out, SHORT)
    frames, meta = _mp4_frames(out)
    assert (result.frames, result.rendered, result.format) == (10, 10, "mp4")
    assert len(frames) == 10
    assert frames[0].shape == (240, 320, 3)
    assert meta["fps"] == pytest.approx(12.0)
    _assert_frames_differ(frames)
    assert result.bytes == out.stat().st_size > 0
    assert _leftovers(tmp_path) == []


def test_gif_frames_size_and_timing(qapp, sim, tmp_path):
    _needs("gif")
    from PIL import Image

    out = tmp_path / "short.gif"
    result = render_animation(sim, out, RenderOptions(size=SIZE, last_step=9, fps=10, hold=1.0))
    frames = _gif_frames(out)
    assert frames.shape[:3] == (10, 240, 320)
    _assert_frames_differ(frames)
    with Image.open(out) as image:
        durations = []
        for index in range(image.n_frames):
            image.seek(index)
            durations.append(image.info["duration"])
    assert durations[:-1] == [100] * 9 and durations[-1] == 1100  # the held last frame
    assert result.frames == 20  # 10 steps + 1 s held at 10 fps


def test_gif_keeps_the_runs_colours_exactly(qapp, sim, tmp_path):
    _needs("gif")
    out = tmp_path / "colours.gif"
    render_animation(sim, out, RenderOptions(size=(480, 270), last_step=5))
    last = _gif_frames(out)[-1].reshape(-1, 3)
    present = {tuple(int(v) for v in pixel) for pixel in np.unique(last, axis=0)}
    for run in sim.runs:
        rgb = tuple(int(run.color[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in present, run.color


def test_png_sequence_and_its_replacement(qapp, sim, tmp_path):
    out = tmp_path / "frames"
    result = render_animation(sim, str(out) + "/", RenderOptions(size=SIZE, last_step=4))
    names = sorted(os.listdir(out))
    assert names == [f"frame_{i:05d}.png" for i in range(5)]
    assert result.frames == 5 and result.format == "png"
    from PySide6.QtGui import QImage

    image = QImage(str(out / names[0]))
    assert (image.width(), image.height()) == SIZE
    # a second render replaces the folder as a whole: no frames of the first are left
    render_animation(sim, out, RenderOptions(size=SIZE, last_step=2, frames_per_step=1))
    assert sorted(os.listdir(out)) == [f"frame_{i:05d}.png" for i in range(3)]
    assert _leftovers(tmp_path) == []


def test_frames_per_step_and_every(qapp, sim, tmp_path):
    out = tmp_path / "slow"
    options = RenderOptions(size=SIZE, first_step=2, last_step=9, every=3, frames_per_step=2)
    result = render_animation(sim, out, options)
    assert result.rendered == 4  # steps 2, 5, 8 and 9: the last is always shown
    assert result.frames == 2 * result.rendered == len(os.listdir(out))


def test_scale_writes_smaller_frames_of_the_same_layout(qapp, sim, tmp_path):
    out = tmp_path / "half"
    result = render_animation(sim, out, RenderOptions(size=(640, 360), last_step=1, scale=0.5))
    assert result.size == (320, 180)


def test_cancel_leaves_no_output_and_keeps_an_old_file(qapp, sim, tmp_path):
    _needs("mp4")
    out = tmp_path / "talk.mp4"
    out.write_bytes(b"the good old video")
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    result = render_animation(sim, out, SHORT, cancel=cancel)
    assert result.cancelled and result.bytes == 0
    assert out.read_bytes() == b"the good old video"
    assert _leftovers(tmp_path) == []
    folder = tmp_path / "frames"
    result = render_animation(sim, folder, SHORT, cancel=lambda: True)
    assert result.cancelled and not folder.exists()
    assert _leftovers(tmp_path) == []


def test_bad_outputs_are_errors_before_any_drawing(qapp, sim, tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        render_animation(sim, tmp_path / "missing" / "talk.mp4", SHORT)
    assert not (tmp_path / "missing").exists()
    with pytest.raises(ConfigError, match="unknown animation format"):
        render_animation(sim, tmp_path / "talk.avi", SHORT)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="other than frame_"):
        render_animation(sim, tmp_path, SHORT)
    with pytest.raises(ConfigError, match="first step 60"):
        render_animation(sim, tmp_path / "frames", RenderOptions(size=SIZE, first_step=60))
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_missing_encoder_says_how_to_enable_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    assert "pip install -e '.[video]'" in missing_dependency("mp4")
    assert missing_dependency("gif") is None  # Pillow is a core dependency
    monkeypatch.setitem(sys.modules, "PIL", None)
    assert "pip install pillow" in missing_dependency("gif")
    assert missing_dependency("png") is None


def test_pillow_is_a_core_dependency_and_mp4_an_extra():
    import tomllib

    project = tomllib.loads((Path(__file__).parents[3] / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("pillow") for dep in project["dependencies"])
    assert not any(dep.startswith("imageio") for dep in project["dependencies"])
    assert any(
        dep.startswith("imageio-ffmpeg") for dep in project["optional-dependencies"]["video"]
    )


def test_odd_size_mp4_is_rounded_down_to_even_with_a_note(qapp, sim, tmp_path):
    _needs("mp4")
    result = render_animation(
        sim, tmp_path / "odd.mp4", RenderOptions(size=(321, 241), last_step=1)
    )
    assert result.size == (320, 240)
    assert any("even" in note for note in result.notes)


def test_3d_without_opengl_falls_back_to_contour(qapp, sim, tmp_path):
    from lrsim.gui.views import opengl_problem

    if opengl_problem() is None:
        pytest.skip("this display has OpenGL")
    result = render_animation(sim, tmp_path / "f", RenderOptions(size=SIZE, last_step=1, view="3d"))
    assert result.view == "contour"
    assert "contour view instead" in result.notes[0]


def test_frame_shows_step_and_learning_rates(qapp, sim):
    from lrsim.gui.render.animation import FrameRenderer

    renderer = FrameRenderer(sim, RenderOptions(size=(1280, 720), view="multiples"))
    try:
        renderer.image(4)
        frame = renderer.frame
        assert frame.counter.text() == f"step 4 / {sim.steps}"
        # the linear decay run: 1.8 * (1 - 0.9 * 4 / 6) at its 5th update
        assert [label.text() for label in frame.lr_labels] == ["lr 1.8", "lr 0.1", "lr 0.72"]
    finally:
        renderer.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0:9", (0, 9)), ("5:", (5, None)), (":20", (None, 20)), ("7", (7, 7))],
)
def test_step_range_parsing(text, expected):
    assert parse_step_range(text) == expected


@pytest.mark.parametrize("text", ["9:2", "a:b", "-1:4"])
def test_bad_step_ranges(text):
    with pytest.raises(ConfigError):
        parse_step_range(text)


def test_size_parsing():
    assert parse_size("1920x1080") == (1920, 1080)
    for bad in ("big", "1920", "0x10", "100000x10"):
        with pytest.raises(ConfigError, match="size"):
            parse_size(bad)


# ----------------------------------------------------------------------------- stills


def test_panel_images_at_the_chosen_size(qapp, sim, tmp_path):
    from PySide6.QtGui import QImage

    from lrsim.gui.render.stills import save_panel_images

    written = save_panel_images(sim, tmp_path, (640, 360), step=10, dark=False, stem="deck")
    assert [p.name for p in written] == ["deck-lr.png", "deck-loss.png"]
    for path in written:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (640, 360)
    with pytest.raises(ConfigError, match="does not exist"):
        save_panel_images(sim, tmp_path / "nope", (640, 360))


# ----------------------------------------------------------------------------- command


def test_render_command_writes_a_gif(qapp, tmp_path, capsys):
    _needs("gif")
    out = tmp_path / "slide.gif"
    args = ["render", str(PRESET), "-o", str(out), "--size", "320x240", "--steps", "0:9"]
    assert main([*args, "--fps", "8", "--theme", "light"]) == 0
    summary = capsys.readouterr().out.strip()
    assert summary.startswith(f"wrote {out}: 10 frames, 320x240, gif")
    assert summary.endswith(f"{out.stat().st_size:,} bytes")
    assert _gif_frames(out).shape[:3] == (10, 240, 320)


def test_render_command_bad_input_is_one_line(qapp, tmp_path, capsys):
    out = tmp_path / "slide.mp4"
    for args, field in (
        (["--size", "huge"], "--size"),
        (["--steps", "9:1"], "--steps"),
        (["--fps", "0"], "--fps"),
        (["--frames-per-step", "0"], "--frames-per-step"),
    ):
        assert main(["render", str(PRESET), "-o", str(out), *args]) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"lrsim: {field}:") and error.count("\n") == 1, error
    assert main(["render", str(PRESET), "-o", str(tmp_path / "no" / "x.gif")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_render_command_3d_without_a_display(qapp, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code = main(["render", str(PRESET), "-o", str(tmp_path / "f"), "--view", "3d"])
    assert code == 2
    assert "xvfb-run" in capsys.readouterr().err


# ----------------------------------------------------------------------------- dialog


def test_dialog_renders_with_progress(qtbot, sim, tmp_path):
    from lrsim.gui.render.dialog import RenderDialog

    dialog = RenderDialog(sim, None, "contour", output=tmp_path / "frames")
    qtbot.addWidget(dialog)
    dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)  # custom
    dialog.width_box.setValue(320)
    dialog.height_box.setValue(240)
    dialog.last_box.setValue(5)
    assert dialog.summary_label.text().startswith("6 frames of 320 × 240")
    assert dialog.format_label.text().startswith("PNG frame sequence")
    result = dialog.start_render()
    assert result is not None and result.frames == 6
    assert dialog.progress.value() == dialog.progress.maximum() == 6
    assert "Wrote" in dialog.status_label.text()
    assert len(os.listdir(tmp_path / "frames")) == 6


def test_dialog_cancel_leaves_nothing(qtbot, sim, tmp_path):
    from lrsim.gui.render.dialog import RenderDialog

    dialog = RenderDialog(sim, None, output=tmp_path / "frames")
    qtbot.addWidget(dialog)
    dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)
    dialog.width_box.setValue(320)
    dialog.height_box.setValue(240)
    original = dialog._on_progress

    def progress_then_cancel(done, total):
        original(done, total)
        dialog.cancel_button.click()  # what a user's click does between frames

    dialog._on_progress = progress_then_cancel
    assert dialog.start_render().cancelled
    assert "nothing was written" in dialog.status_label.text()
    assert os.listdir(tmp_path) == []
    assert dialog.render_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_dialog_says_how_to_enable_mp4(qtbot, sim, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    from lrsim.gui.render.dialog import RenderDialog

    dialog = RenderDialog(sim, None, output=tmp_path / "talk.mp4")
    qtbot.addWidget(dialog)
    assert "pip install -e '.[video]'" in dialog.format_label.text()
    assert not dialog.render_button.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "frames"))
    assert dialog.render_button.isEnabled()


def test_dialog_simulates_a_copy_of_an_unfinished_simulation(qtbot, tmp_path):
    from lrsim.gui.render.dialog import RenderDialog

    shown = Simulation(load_runfile(PRESET))
    shown.run_to(3)
    dialog = RenderDialog(shown, None, output=tmp_path / "frames")
    qtbot.addWidget(dialog)
    dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)
    dialog.width_box.setValue(320)
    dialog.height_box.setValue(240)
    result = dialog.start_render()
    assert result.frames == shown.steps + 1
    assert shown.current_step == 3  # the one on screen was left alone


def test_dialog_offers_gif_first_and_renders_it_without_the_video_extra(
    qtbot, sim, tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as in a plain `pip install -e .`
    monkeypatch.chdir(tmp_path)
    from lrsim.gui.render.dialog import RenderDialog

    dialog = RenderDialog(sim, None)
    qtbot.addWidget(dialog)
    assert dialog.path_edit.text().endswith(".gif")
    assert dialog.render_button.isEnabled()
    dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)  # custom: small frames
    dialog.width_box.setValue(320)
    dialog.height_box.setValue(240)
    result = dialog.start_render()
    assert result is not None and not result.cancelled
    assert Path(dialog.path_edit.text()).read_bytes()[:6] == b"GIF89a"
