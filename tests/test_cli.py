"""The symgrad command: reproduce, derive, check."""

import pathlib
import subprocess
import sys

import pytest
from helpers import MINIMAL_MODEL

from symgrad.cli import main

MINIMAL = MINIMAL_MODEL
ROOT = pathlib.Path(__file__).resolve().parents[1]


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


def test_check_of_a_model_with_one_chart_checks_descent(model, capsys):
    assert main(["check", str(model)]) == 0
    out = capsys.readouterr().out
    assert "metric 'euclid'" in out and "a descent of the cost: yes" in out
    assert "chart independence: not checked; it needs two charts" in out


def test_check_of_the_shipped_single_chart_model_passes(capsys):
    path = ROOT / "derivations" / "models" / "synaptic_plasticity.toml"
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    for name in ("per_synapse", "crosstalk", "euclidean"):
        assert f"metric {name!r}" in out
    assert out.count("a descent of the cost: yes") == 3


def test_check_fails_when_a_flow_is_no_descent(model, monkeypatch, capsys):
    import symgrad.analysis.invariance as invariance

    monkeypatch.setattr(invariance, "check_descent", lambda flow, chart=None, params=None: False)
    assert main(["check", str(model)]) == 1
    assert "a descent of the cost: NO" in capsys.readouterr().out


# -- outputs: validated first, written atomically, never over a user's file ------------------------


def test_reproduce_refuses_unknown_derivations_before_making_the_folder(tmp_path, capsys):
    out = tmp_path / "paper"
    assert main(["reproduce", "--out", str(out), "--only", "nonexistent"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'nonexistent'" in err and "one_dimensional, wicked_map" in err
    assert not out.exists()


def test_reproduce_refuses_a_folder_it_cannot_write(tmp_path, capsys, monkeypatch):
    import symgrad.paper

    monkeypatch.setattr(symgrad.paper, "run", lambda name: pytest.fail("ran a derivation"))
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    assert main(["reproduce", "--out", str(blocker / "paper"), "--only", "one_dimensional"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write into the output folder" in err


def test_reproduce_lists_its_files_and_reruns_over_them(tmp_path, capsys):
    out = tmp_path / "paper"
    files = ["one_dimensional.tex", "one_dimensional.png", "one_dimensional.pdf", "report.md"]
    assert main(["reproduce", "--out", str(out), "--only", "one_dimensional"]) == 0
    assert f"wrote 4 files into {out}: {', '.join(files)}" in capsys.readouterr().err
    manifest = (out / ".symgrad-outputs").read_text().splitlines()
    assert sorted(line for line in manifest if not line.startswith("#")) == sorted(files)
    assert main(["reproduce", "--out", str(out), "--only", "one_dimensional"]) == 0  # its own files
    assert sorted(p.name for p in out.iterdir()) == sorted([*files, ".symgrad-outputs"])


def test_reproduce_does_not_overwrite_a_users_file_without_force(tmp_path, capsys, monkeypatch):
    import symgrad.paper

    out = tmp_path / "paper"
    out.mkdir()
    (out / "report.md").write_text("my notes")
    real_run = symgrad.paper.run
    monkeypatch.setattr(symgrad.paper, "run", lambda name: pytest.fail("ran a derivation"))
    assert main(["reproduce", "--out", str(out), "--only", "one_dimensional"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did not write: report.md" in err and "--force" in err
    assert (out / "report.md").read_text() == "my notes" and not (out / "one_dimensional.tex").exists()
    monkeypatch.setattr(symgrad.paper, "run", real_run)
    assert main(["reproduce", "--out", str(out), "--only", "one_dimensional", "--force"]) == 0
    assert (out / "report.md").read_text().startswith("# symgrad")


def test_an_interrupted_reproduce_leaves_the_earlier_files_intact(tmp_path, monkeypatch):
    import matplotlib.figure

    out = tmp_path / "paper"
    assert main(["reproduce", "--out", str(out), "--only", "one_dimensional"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def interrupted(self, fname, *args, **kwargs):  # writes the start of a file, then Ctrl-C
        if hasattr(fname, "write"):
            fname.write(b"\x89PNG\r\n")
        else:
            pathlib.Path(fname).write_bytes(b"\x89PNG\r\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", interrupted)
    assert main(["reproduce", "--out", str(out), "--only", "one_dimensional"]) == 130
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after.keys() == before.keys()  # no temporary file is left
    assert after["one_dimensional.png"] == before["one_dimensional.png"]
    assert after["one_dimensional.pdf"] == before["one_dimensional.pdf"]


def test_atomic_write_keeps_the_old_file_on_error(tmp_path):
    from symgrad.numeric._files import atomic_write

    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(f):
        f.write(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, fail)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    atomic_write(target, lambda f: f.write(b"new"))
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_derive_does_not_overwrite_a_file_without_force(model, tmp_path, capsys):
    target = tmp_path / "rule.tex"
    target.write_text("mine")
    assert main(["derive", str(model), "--output", str(target)]) == 2
    assert "rule.tex exists; pass --force" in capsys.readouterr().err
    assert target.read_text() == "mine"
    assert main(["derive", str(model), "--output", str(target), "--force"]) == 0
    assert r"\frac{d \mu}{d t}" in target.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "symgrad.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("symgrad ")
