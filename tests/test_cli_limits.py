"""The command line's limits: the worker process, --timeout, --memory, one-line errors."""

import os
import subprocess
import sys
import textwrap

import pytest

from symgrad.cli import main

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker process needs os.fork")

ONE_CHART = """
[model]
name = "m"
[coordinates]
x = "positive"
[parameters]
eta = {{ type = "positive", value = 1.0 }}
[charts]
x = ["x"]
[cost]
chart = "x"
expr = "{cost}"
[metrics]
{metric}
[flow]
rate = "eta"
"""


def _model(tmp_path, cost="(x - 1)**2", metric='e = { kind = "euclidean", chart = "x" }'):
    path = tmp_path / "model.toml"
    path.write_text(ONE_CHART.format(cost=cost, metric=metric))
    return path


def _symgrad(*args, code=None, timeout=120):
    """Run the ``symgrad`` command (``main()`` with no arguments, as the console script does)."""
    script = code or "import sys; from symgrad.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


def _one_line_error(result):
    assert result.returncode == 2, result
    assert result.stderr.startswith("symgrad: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("cost", "metric", "expected"),
    [
        ("sinh(x - atan2(asin(2), 5))", None, "not a real number"),
        (
            "(x-1)**2",
            'd = { kind = "diagonal", chart = "x", entries = ["-(exp(sinh(tanh(x) - atan2(asin(4.94), 5))))"] }',
            "not a real number",
        ),
        ("exp(1000)*x", None, "larger than the largest float"),
    ],
)
def test_slow_or_wrong_expressions_are_refused_at_once(tmp_path, cost, metric, expected):
    kwargs = {"cost": cost} | ({"metric": metric} if metric else {})
    result = _symgrad("derive", _model(tmp_path, **kwargs), timeout=60)
    assert expected in _one_line_error(result)


def test_a_power_1000_cost_is_derived_and_checked_quickly(tmp_path):
    path = _model(tmp_path, cost="(x + 1)**1000")
    result = _symgrad("derive", path, "--timeout", "20", timeout=60)
    assert result.returncode == 0, result.stderr
    assert r"1000 \eta \left(x_{k} + 1\right)^{999}" in result.stdout
    result = _symgrad("check", path, "--timeout", "20", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "positive definite: yes" in result.stdout and "descent of the cost: yes" in result.stdout


def test_a_command_past_its_timeout_names_the_stage_and_the_option():
    model = os.path.join(os.path.dirname(__file__), "..", "derivations", "models", "gaussian_kl.toml")
    result = _symgrad("check", model, "--timeout", "0.3", timeout=60)
    err = _one_line_error(result)
    assert "did not finish within the budget of 0.3 s" in err and "--timeout" in err


def test_a_worker_that_ignores_its_budget_is_stopped():
    code = textwrap.dedent(
        """
        import signal, sys, time
        import symgrad.cli as cli
        cli.GRACE = 0.5
        def stuck(args):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT})
            time.sleep(60)
        cli._run = stuck
        sys.exit(cli.main())
        """
    )
    result = _symgrad("check", "m.toml", "--timeout", "0.5", code=code, timeout=30)
    err = _one_line_error(result)
    assert "did not finish within 1 s" in err and "worker process was stopped" in err


def test_a_worker_past_its_memory_limit_is_a_one_line_error():
    code = textwrap.dedent(
        """
        import sys
        import symgrad.cli as cli
        real_check = cli.check
        def hungry(path, stream=None):
            blocks = [bytearray(2**27) for _ in range(64)]  # 8 GiB
            return len(blocks)
        cli.check = hungry
        sys.exit(cli.main())
        """
    )
    result = _symgrad("check", "m.toml", "--memory", "1024", code=code, timeout=60)
    err = _one_line_error(result)
    assert "out of memory" in err and "--memory 1024" in err


@pytest.mark.parametrize("option", [["--timeout", "0"], ["--timeout", "nan"], ["--memory", "-5"], ["--timeout", "inf"]])
def test_bad_limits_are_refused_by_the_parser(option, capsys):
    with pytest.raises(SystemExit) as info:
        main(["check", "m.toml", *option])
    assert info.value.code == 2
    assert "takes a positive number" in capsys.readouterr().err


def test_an_unexpected_exception_is_one_line_at_the_boundary(tmp_path, monkeypatch, capsys):
    import symgrad.cli as cli

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(cli, "check", broken)
    assert main(["check", str(_model(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symgrad: error: internal error (KeyError") and err.count("\n") == 1


def test_each_derivation_of_reproduce_has_the_budget(tmp_path, capsys):
    out = tmp_path / "paper"
    assert main(["reproduce", "--out", str(out), "--only", "gaussian_kl", "--timeout", "0.3"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("symgrad: error: ") and "did not finish within the budget of 0.3 s" in last
    assert not (out / "fig3_gaussian_kl.png").exists()


def test_a_check_that_cannot_evaluate_the_flow_is_an_error_naming_the_metric(tmp_path, capsys):
    assert main(["check", str(_model(tmp_path, cost="x*log(E, erf(pi*pi))"))]) == 2
    err = capsys.readouterr().err
    assert "model.toml, metric 'e': the rate of change dC(v)" in err and "is not finite at any" in err
