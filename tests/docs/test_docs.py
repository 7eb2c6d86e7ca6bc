"""The docs stand alone: links resolve in the repository, examples parse, tables match the code."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from lrsim.core.runfile import parse_runfile
from lrsim.core.surfaces import SURFACES

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
COMMENTED_KEY = re.compile(r"^(\s*)#\s?(\s*[A-Za-z_][\w.\"-]*\s*=.*)$")


def _make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "tools" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ids(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).strip().replace(" ", "-")
        anchors.add(slug)
    return anchors


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_resolves_inside_the_repository(page):
    links = LINK.findall(page.read_text(encoding="utf-8"))
    for target in links:
        assert "://" not in target and not target.startswith("mailto:"), (
            f"{page.name} links out of the repository: {target}"
        )
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        assert resolved.is_relative_to(ROOT), f"{page.name}: {target} leaves the repository"
        assert resolved.exists(), f"{page.name}: {target} does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in _ids(resolved), f"{page.name}: no anchor #{anchor} in {resolved.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_docs_name_no_file_outside_the_repository(page):
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text and "shared folder" not in text


def _toml_blocks(page: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)


def test_there_are_toml_examples_to_check():
    assert sum(len(_toml_blocks(page)) for page in PAGES) >= 3


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_commented_toml_examples_are_valid_once_uncommented(page):
    for block in _toml_blocks(page):
        tomllib.loads(block)
        lines = block.splitlines()
        for index, line in enumerate(lines):
            match = COMMENTED_KEY.match(line)
            if match is None:
                continue
            uncommented = lines[:index] + [match.group(1) + match.group(2)] + lines[index + 1 :]
            try:
                tomllib.loads("\n".join(uncommented))
            except tomllib.TOMLDecodeError as error:
                pytest.fail(f"{page.name}: `{line.strip()}` uncommented is not TOML: {error}")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_whole_run_file_examples_are_run_files(page):
    for block in _toml_blocks(page):
        data = tomllib.loads(block)
        if "steps" in data and "runs" in data:
            parse_runfile(data)  # raises ConfigError naming the field if the example is wrong


def test_reference_pages_match_the_registries():
    make_docs = _make_docs()
    for name, build in make_docs.PAGES.items():
        committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert committed == build(), f"docs/{name} is stale: run python tools/make_docs.py"


def test_every_surface_has_a_formula_and_a_small_thumbnail():
    make_docs = _make_docs()
    assert set(make_docs.FORMULAS) == set(SURFACES)
    for name in SURFACES:
        image = ROOT / "docs" / "images" / "surfaces" / f"{name}.png"
        assert image.exists(), f"no thumbnail for {name}: run python tools/make_docs.py --images"
        assert image.stat().st_size < 40_000
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_schedule_page_says_where_lrsim_differs_from_pytorch():
    text = (ROOT / "docs" / "schedules.md").read_text(encoding="utf-8")
    cosine = text[text.index("## `cosine`") :]
    assert "| `T_max` | the run's `steps` (PyTorch requires it) |" in cosine
    for line in ("label", "color"):
        assert f"`{line}`" in (ROOT / "docs" / "run-config.md").read_text(encoding="utf-8")
