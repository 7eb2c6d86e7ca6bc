"""The golden files are complete and current, and the comparison helper does its job.

No torch and no lrsim engine: this checks the committed cases and expected CSVs
against each other and exercises ``golden.assert_rows_match``. (The engine's
comparison against these files lives in tests/golden/test_golden.py.)
"""

from __future__ import annotations

import hashlib
import tomllib

import pytest

from tests.golden import golden

CASES = golden.case_paths()


def _case(path):
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def test_there_are_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_expected_file_matches_its_case(path):
    case = _case(path)
    meta = golden.load_meta(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta["case_sha256"] == digest, (
        f"{path.name} changed since its golden CSV was made: rerun tools/make_golden.py"
    )
    assert meta["torch"].startswith("2.13.0")
    rows = golden.load_expected(path)
    starts = case["particles"]["points"]
    runs = case["runs"]
    steps = case["steps"]
    assert len(rows) == len(runs) * len(starts) * (steps + 1)
    keys = [(r["run"], r["particle"], r["step"]) for r in rows]
    assert keys == [
        (r, i, t) for r in range(len(runs)) for i in range(len(starts)) for t in range(steps + 1)
    ]
    for row in rows:
        assert row["label"] == runs[row["run"]]["label"]
        if row["step"] == 0:
            assert [row["x"], row["y"]] == [float(v) for v in starts[row["particle"]]]
        for column in golden.FLOAT_COLUMNS:
            value = row[column]
            assert value == value and abs(value) < float("inf"), (row, column)
        for column in ("x", "y", "loss"):
            assert abs(row[column]) <= 1e12


def test_expected_files_round_trip_and_stay_small():
    total = 0
    for path in CASES:
        csv_path = golden.expected_path(path)
        text = csv_path.read_text(encoding="utf-8")
        total += len(text.encode())
        for row in golden.read_rows(text)[:50]:
            for column in golden.FLOAT_COLUMNS:
                assert repr(row[column]) in text
    assert total < 2_000_000


def test_no_orphan_expected_files():
    names = set(golden.case_names())
    for path in golden.EXPECTED_DIR.iterdir():
        stem = path.name.removesuffix(".meta.json").removesuffix(".csv").removesuffix(".state")
        assert stem in names, f"{path.name} has no case file"


def test_divergence_cases_freeze_at_last_good_position():
    rows = golden.load_expected("radam_rosenbrock_early_sgd_phase_diverges")
    meta = golden.load_meta("radam_rosenbrock_early_sgd_phase_diverges")
    assert meta["runs"][0]["particles"][0]["diverged_step"] == 2
    frozen = [(r["x"], r["y"], r["loss"]) for r in rows if r["step"] >= 1]
    assert len(set(frozen)) == 1


# -- the helper ------------------------------------------------------------------------------

NAME = "contract_example_quadratic"


def _text(rows):
    lines = [",".join(golden.COLUMNS)]
    for r in rows:
        label = f'"{r["label"]}"' if "," in r["label"] else r["label"]
        values = [repr(r[c]) for c in golden.FLOAT_COLUMNS]
        lines.append(",".join([str(r["run"]), label, str(r["particle"]), str(r["step"]), *values]))
    return "\n".join(lines) + "\n"


def test_identical_rows_match_from_text_path_and_rows(tmp_path):
    expected = golden.load_expected(NAME)
    golden.assert_rows_match(golden.expected_path(NAME), expected, case=NAME)
    golden.assert_rows_match(str(golden.expected_path(NAME)), NAME)
    golden.assert_rows_match(golden.expected_path(NAME).read_text(), expected)
    out = tmp_path / "out.csv"
    out.write_text(_text(expected))
    golden.assert_rows_match(out, expected, check_order=True)
    assert golden.max_error_ratio(out, expected) == 0.0


def test_within_tolerance_passes_and_outside_fails_with_a_clear_message():
    expected = golden.load_expected(NAME)
    near = [dict(r) for r in expected]
    for r in near:
        r["x"] = r["x"] * (1 + 5e-10) + 5e-13
    golden.assert_rows_match(near, expected)
    far = [dict(r) for r in expected]
    far[45]["lr"] = far[45]["lr"] * (1 + 3e-9)
    far[50]["y"] += 1e-6
    with pytest.raises(AssertionError) as info:
        golden.assert_rows_match(_text(far), expected, case=NAME)
    msg = str(info.value)
    first = far[45]
    assert f"golden case '{NAME}'" in msg
    assert f"run {first['run']} ('{first['label']}') particle 0 step {first['step']}" in msg
    assert "column 'lr'" in msg and "2 of" in msg and "column 'y'" in msg


def test_nan_missing_extra_and_label_problems_fail():
    expected = golden.load_expected(NAME)
    bad = [dict(r) for r in expected]
    bad[3]["loss"] = float("nan")
    with pytest.raises(AssertionError, match="column 'loss'"):
        golden.assert_rows_match(bad, expected)
    with pytest.raises(AssertionError, match="missing"):
        golden.assert_rows_match(expected[:-1], expected)
    with pytest.raises(AssertionError, match="duplicate"):
        golden.assert_rows_match([*expected, expected[0]], expected)
    relabelled = [dict(r, label="other") if r["run"] == 1 else r for r in expected]
    with pytest.raises(AssertionError, match="label"):
        golden.assert_rows_match(relabelled, expected)
    with pytest.raises(AssertionError, match="header"):
        golden.assert_rows_match("run,x\n0,1.0\n", expected)
    shuffled = list(reversed(expected))
    golden.assert_rows_match(shuffled, expected)
    with pytest.raises(AssertionError, match="row 1 is"):
        golden.assert_rows_match(shuffled, expected, check_order=True)
