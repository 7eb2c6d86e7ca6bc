"""The shape of the house, checked rather than hoped for (issue 8).

Small modules with one job: a module that grows past 400 lines is asking to be
split, so none may. The packages the design names exist, and every test
folder mirrors a package or module of lrsim (plus the golden, kernel, preset and docs suites).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400


def test_no_module_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "lrsim").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}


def test_test_folders_mirror_the_packages():
    suites = {"golden", "kernels", "presets", "docs"}  # cross-cutting suites, not packages
    for folder in sorted((ROOT / "tests").rglob("test_*.py")):
        parts = folder.relative_to(ROOT / "tests").parent.parts
        if not parts or parts[0] in suites:
            continue
        place = ROOT / "lrsim" / Path(*parts)
        mirrored = place.is_dir() or place.with_suffix(".py").is_file()
        assert mirrored, f"tests/{'/'.join(parts)} mirrors no package or module of lrsim"
