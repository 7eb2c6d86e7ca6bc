import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_FIRST_FONT = []  # the shared QApplication's font when the first GUI test ran


@pytest.fixture(autouse=True)
def _app_font_kept(qapp):
    """Each GUI test starts with the same application font: ``lrsim render`` and the app's
    start (``create_app``) set a bigger base font on the one QApplication of the session,
    and a test measuring widgets after them would measure in that font."""
    from PySide6.QtGui import QFont

    if not _FIRST_FONT:
        _FIRST_FONT.append(QFont(qapp.font()))
    yield
    qapp.setFont(_FIRST_FONT[0])


@pytest.fixture(autouse=True)
def _cycles_collected_between_tests(qapp):
    """As in the app (``lrsim.gui.gc_timer``): no automatic cycle collection while a test
    builds windows; after it, the closed windows are deleted and their cycles collected
    here, at a quiet moment, not mid-way through the next test's pyqtgraph items, once
    every background task the test left has stopped."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    from lrsim.gui.background import BackgroundTask

    was_enabled = gc.isenabled()
    gc.disable()
    yield
    BackgroundTask.stop_all()  # no thread may still run when its QThread object goes
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    if was_enabled:  # the tests after tests/gui (kernels, presets) collect as usual
        gc.enable()
