"""The symgrad command: reproduce, derive, check."""

import pathlib
import subprocess
import sys

import pytest
from helpers import MINIMAL_MODEL

from symgrad.cli import main

MINIMAL = MINIMAL_MODEL


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.toml"
    path.write_text(MINIMAL)
    return path


def test_reproduce_writes_figures_equations_and_report(tmp_path, capsys):
    out = tmp_path / "paper"
    assert main(["reproduce", "--out", str(out), "--only", "one_dimensional", "wicked_map"]) == 0
    for stem in ("one_dimensional", "fig2_wicked_map"):
        assert (out / f"{stem}.png").stat().st_size > 1000
        assert (out / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-"
        assert r"\begin{align*}" in (out / f"{stem}.tex").read_text()
    report = (out / "report.md").read_text()
    assert "![Fig 2: the wicked map](fig2_wicked_map.png)" in report
    assert "passed: the map's naive gradient is not the terrain's" in report
    assert "All checks passed." in report
    captured = capsys.readouterr()
    assert "2/2" in captured.err and "all checks passed" in captured.out


def test_reproduce_fails_when_a_check_fails(tmp_path, monkeypatch):
    import symgrad.paper.wicked_map as wm

    monkeypatch.setattr(wm, "checks", lambda results: {"a statement that does not hold": False})
    assert main(["reproduce", "--out", str(tmp_path), "--only", "wicked_map"]) == 1
    assert "FAILED: a statement that does not hold" in (tmp_path / "report.md").read_text()


def test_derive_prints_the_update_rule(model, capsys):
    assert main(["derive", str(model), "--format", "latex"]) == 0
    text = capsys.readouterr().out
    assert r"\frac{d \mu}{d t}" in text and r"\sigma" in text
    assert text.endswith("\\end{align}\n")  # one newline, no blank line after the rule


def test_derive_formats_and_output_file(model, tmp_path, capsys):
    target = tmp_path / "rule.py"
    assert main(["derive", str(model), "--format", "python", "--output", str(target)]) == 0
    source = target.read_text()
    assert "import numpy" in source and "sympy" not in source
    assert main(["derive", str(model), "--format", "c"]) == 0
    assert "#include <math.h>" in capsys.readouterr().out


def test_derive_errors_name_the_problem(model, capsys):
    assert main(["derive", str(model), "--metric", "fisher"]) == 2
    assert "has no metric 'fisher'" in capsys.readouterr().err
    assert main(["derive", str(model), "--chart", "Z"]) == 2
    assert "has no chart 'Z'" in capsys.readouterr().err
    assert main(["derive", str(model.parent / "missing.toml")]) == 2


def test_check_runs_the_invariance_checks(capsys):
    path = pathlib.Path(__file__).resolve().parents[1] / "derivations" / "models" / "gaussian_kl.toml"
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "metric 'fisher'" in out and "Riemannian gradient: chart independent" in out


def test_check_of_a_model_with_one_chart_says_there_is_nothing_to_compare(model, capsys):
    assert main(["check", str(model)]) == 2
    assert "add a chart" in capsys.readouterr().err


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "symgrad.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("symgrad ")
