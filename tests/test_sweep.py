"""Parameter sweeps with Dask: labelled results, statuses, chunking, Zarr stores, clusters, the command line."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import symgrad as sg

xr = pytest.importorskip("xarray", reason='sweeps need the dask extra: pip install "symgrad[dask]"')
pytest.importorskip("dask.array", reason='sweeps need the dask extra: pip install "symgrad[dask]"')

from symgrad.cli import main  # noqa: E402
from symgrad.numeric.sweep import (  # noqa: E402
    MissingDependencyError,
    SweepStoreError,
    _shipped,
    _unpickled,
    parse_grid_values,
    sweep,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
ONE_DIMENSIONAL = ROOT / "derivations" / "models" / "one_dimensional.toml"

x = sp.Symbol("x", real=True)
eta, phi = sp.symbols("eta phi", positive=True)
LINE = sg.Manifold("line").chart(x)
#: dx/dt = -eta (x - phi): x(t) = phi + (x0 - phi) exp(-eta t)
RELAX = sg.GradientFlow(sg.Scalar(LINE.manifold, LINE, (x - phi) ** 2 / 2), sg.euclidean(LINE), rate=eta)

p = sp.Symbol("p", positive=True)
HALF = sg.Manifold("half-line").chart(p)
#: dp/dt = -eta: leaves the domain p > 0 at t = p0 / eta
DRIFT = sg.GradientFlow(sg.Scalar(HALF.manifold, HALF, p), sg.euclidean(HALF), rate=eta)


def exact(eta_values, phi_values, x0, t):
    e, f, x0, t = np.ix_(eta_values, phi_values, x0, t)
    return f + (x0 - f) * np.exp(-e * t)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed", reason='clusters need pip install "symgrad[dask]"')
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=40
    )
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


GRID = {eta: [0.5, 1.0, 2.0], "phi": [1.0, 3.0]}
X0 = [[0.0], [2.0]]
T = [0.0, 0.5, 1.0]


def test_a_sweep_is_a_labelled_dataset_of_the_trajectories():
    ds = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=2)
    assert ds.state.dims == ("eta", "phi", "member", "time", "coord")
    assert ds.state.shape == (3, 2, 2, 3, 1)
    assert ds.eta.values.tolist() == [0.5, 1.0, 2.0] and ds.phi.values.tolist() == [1.0, 3.0]
    assert ds.time.values.tolist() == T and ds.coord.values.tolist() == ["x"] and ds.member.values.tolist() == [0, 1]
    want = exact(GRID[eta], GRID["phi"], [0.0, 2.0], T)
    np.testing.assert_allclose(ds.state.values[..., 0], want, rtol=1e-6, atol=1e-8)
    assert ds.status.dims == ("eta", "phi", "member") and (ds.status.values == 0).all()
    np.testing.assert_allclose(ds.t_stop.values, 1.0)
    assert ds.attrs["chart"] == LINE.name


def test_chunking_does_not_change_the_results_and_matches_integrate():
    one = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=1)
    all_ = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=100)
    np.testing.assert_allclose(one.state.values, all_.state.values, rtol=1e-7, atol=1e-9)
    sync = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=1, scheduler="synchronous")
    xr.testing.assert_identical(one, sync)
    sol = RELAX.numeric(LINE, params={eta: 2.0, phi: 3.0}).integrate(X0, (0, 1), T)
    np.testing.assert_allclose(one.state.sel(eta=2.0, phi=3.0).values, sol.y, rtol=1e-7, atol=1e-9)


def test_a_bound_parameter_and_a_numeric_flow():
    num = RELAX.numeric(LINE, params={phi: 3.0})
    ds = sweep(num, {"eta": [1.0]}, [2.0], t_span=(0, 1), t_eval=T)
    assert ds.state.dims == ("eta", "member", "time", "coord")
    np.testing.assert_allclose(ds.state.values[0, 0, :, 0], exact([1.0], [3.0], [2.0], T).ravel(), rtol=1e-6)
    fixed = sweep(RELAX, {"eta": [1.0]}, [2.0], t_span=(0, 1), t_eval=T, params={"phi": 3.0})
    np.testing.assert_allclose(fixed.state.values, ds.state.values, rtol=1e-9)


def test_domain_exits_come_back_as_statuses_and_stopped_states_are_kept():
    ds = sweep(DRIFT, {"eta": [0.25, 1.0, 2.0]}, [1.0], t_span=(0, 2), t_eval=[0, 0.25, 1.5, 2], chunk=1)
    assert ds.status.values[:, 0].tolist() == [0, 1, 1]
    np.testing.assert_allclose(ds.t_stop.values[:, 0], [2.0, 1.0, 0.5], rtol=1e-6)
    final = ds.state.sel(time=2, coord="p").values[:, 0]
    np.testing.assert_allclose(final, [0.5, 0.0, 0.0], atol=1e-6)
    assert (ds.state.values > 0).all()  # pinned inside the domain, padded after every member stopped


def test_a_model_file_with_its_parameter_values_and_charts():
    model = sg.load_model(ONE_DIMENSIONAL)
    ds = sweep(model, {"eta": [0.5, 1.0]}, [2.0], t_span=(0, 1), t_eval=[0, 1], metric="euclidean_x")
    np.testing.assert_allclose(ds.state.sel(time=1).values[:, 0, 0], 1 + np.exp(-2 * np.array([0.5, 1.0])))
    sqrt = sweep(model, {"eta": [1.0]}, [1.5], t_span=(0, 1), t_eval=[0, 1], metric="euclidean_x", chart="sqrt")
    assert sqrt.coord.values.tolist() == ["xt"] and sqrt.attrs["chart"] == "sqrt"
    with pytest.raises(sg.ModelFileError, match="no metric 'fisher'"):
        sweep(model, {"eta": [1.0]}, [1.5], t_span=(0, 1), metric="fisher")


def test_zarr_store_is_written_block_by_block_and_read_lazily(tmp_path):
    store = tmp_path / "sweep.zarr"
    ds = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=2, store=store)
    assert store.is_dir() and ds.state.chunks is not None  # lazy, read from the store
    mem = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=2)
    xr.testing.assert_allclose(ds.load(), mem)
    with pytest.raises(SweepStoreError, match="overwrite=True"):
        sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, store=store)
    again = sweep(RELAX, {"eta": [1.0], "phi": [1.0]}, X0, t_span=(0, 1), t_eval=T, store=store, overwrite=True)
    assert again.state.shape == (1, 1, 2, 3, 1)


def test_the_same_sweep_on_a_local_cluster(client, capsys):
    here = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=2)
    there = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=2, client=client, progress=True)
    xr.testing.assert_identical(here, there)
    assert "3/3 chunks" in capsys.readouterr().err  # 3 blocks, state, status and t_stop views of them
    by_address = sweep(RELAX, GRID, X0, t_span=(0, 1), t_eval=T, chunk=3, client=client.scheduler.address)
    xr.testing.assert_allclose(here, by_address, rtol=1e-7)


def test_tasks_that_leave_this_process_carry_the_flow_pickled_once():
    num = RELAX.numeric(LINE)
    assert _shipped(num, None, "threads") is num
    blob = _shipped(num, None, "processes")
    assert isinstance(blob, bytes)
    flow = _unpickled(blob)
    assert _unpickled(bytes(bytearray(blob))) is flow  # unpickled once per process, its kernels kept
    np.testing.assert_allclose(flow([[2.0]], eta=1.0, phi=1.0), num([[2.0]], eta=1.0, phi=1.0))


def test_a_zarr_store_written_from_a_cluster(client, tmp_path):
    ds = sweep(
        DRIFT, {"eta": [0.25, 2.0]}, [1.0], t_span=(0, 2), t_eval=[0, 2], client=client, store=tmp_path / "s.zarr"
    )
    assert ds.status.values[:, 0].tolist() == [0, 1]


@pytest.mark.parametrize(
    "grid, error, match",
    [
        ({"gamma": [1.0]}, sg.UnknownParameterError, "no free parameter of the flow; its free parameters are eta, phi"),
        ({}, sg.ArgumentTypeError, "non-empty dict"),
        ({"eta": [[1.0]]}, sg.DimensionError, "1-D"),
        ({"eta": [1.0, float("nan")]}, sg.NumericValueError, "finite"),
        ({"eta": ["1"]}, sg.ArgumentTypeError, "real numbers"),
        ({"eta": [1.0, -1.0], "phi": [1.0]}, sg.ParameterValueError, "eta"),
    ],
)
def test_bad_grids_are_refused_before_any_task_runs(grid, error, match):
    with pytest.raises(error, match=match):
        sweep(RELAX, grid, [1.0], t_span=(0, 1), params={} if "phi" in grid else {"phi": 1.0})


def test_bad_starts_and_arguments_are_refused():
    with pytest.raises(sg.DomainError):
        sweep(DRIFT, {"eta": [1.0]}, [-1.0], t_span=(0, 1))
    with pytest.raises(sg.UnboundParameterError, match="phi"):
        sweep(RELAX, {"eta": [1.0]}, [1.0], t_span=(0, 1))
    with pytest.raises(sg.ArgumentTypeError, match="chunk"):
        sweep(DRIFT, {"eta": [1.0]}, [1.0], t_span=(0, 1), chunk=0)
    with pytest.raises(sg.ArgumentTypeError, match="scheduler must be one of threads, synchronous, processes"):
        sweep(DRIFT, {"eta": [1.0]}, [1.0], t_span=(0, 1), scheduler="cluster")
    with pytest.raises(sg.ArgumentTypeError, match="NumericFlow, a GradientFlow"):
        sweep("flow", {"eta": [1.0]}, [1.0], t_span=(0, 1))
    with pytest.raises(sg.ArgumentTypeError, match="scheduler address"):
        sweep(DRIFT, {"eta": [1.0]}, [1.0], t_span=(0, 1), client=object())


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "symgrad\[dask\]"'):
        sweep(DRIFT, {"eta": [1.0]}, [1.0], t_span=(0, 1))


def test_importing_symgrad_imports_no_dask():
    code = (
        "import sys, symgrad, symgrad.numeric.sweep, symgrad.analysis.fitting, symgrad.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'dask', 'distributed', 'xarray', 'zarr'})\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_grid_values_are_parsed_as_numbers_only():
    assert parse_grid_values("eta=0.1:1:10")[1].tolist() == pytest.approx(np.linspace(0.1, 1, 10).tolist())
    assert parse_grid_values(" phi = 1, 2e-1 ") == ("phi", pytest.approx(np.array([1.0, 0.2])))
    for bad in ["eta", "eta=", "=1", "eta=1:2", "eta=0:1:2.5", "eta=0:1:0", "eta=__import__('os')", "eta=nan", "1x=2"]:
        with pytest.raises(sg.ArgumentTypeError):
            parse_grid_values(bad)


# -- the command line -----------------------------------------------------------------------


def cli(*args):
    return main(["sweep", str(ONE_DIMENSIONAL), "--metric", "euclidean_x", *args])


def test_sweep_command_writes_netcdf_and_zarr_with_a_progress_bar(tmp_path, capsys):
    out = tmp_path / "r.nc"
    assert (
        cli("--grid", "eta=0.5:1:2", "--x0", "2", "--x0", "0.5", "--t-end", "1", "--times", "3", "--out", str(out)) == 0
    )
    captured = capsys.readouterr()
    assert "100% Completed" in captured.err and f"wrote {out}" in captured.out
    ds = xr.open_dataset(out).load()
    assert ds.state.dims == ("eta", "member", "time", "coord") and ds.state.shape == (2, 2, 3, 1)
    np.testing.assert_allclose(ds.state.sel(eta=1.0, time=1.0).values[:, 0], 1 + np.array([1, -0.5]) * np.exp(-2))
    store = tmp_path / "r.zarr"
    assert cli("--grid", "eta=1,2", "--param", "eta=1", "--x0", "2", "--t-end", "1", "--out", str(store)) == 0
    assert xr.open_zarr(store, consolidated=False).state.shape == (2, 1, 101, 1)
    assert cli("--grid", "eta=1", "--x0", "2", "--t-end", "1", "--out", str(store)) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert cli("--grid", "eta=1", "--x0", "2", "--t-end", "1", "--out", str(store), "--force") == 0


@pytest.mark.parametrize(
    "args, match",
    [
        (["--grid", "eta=__import__('os').system('true')"], "finite numbers"),
        (["--grid", "gamma=1,2"], "no free parameter"),
        (["--grid", "eta=1", "--grid", "eta=2"], "twice"),
        (["--grid", "eta=1", "--x0", "1,2"], "x0"),
        (["--grid", "eta=-1"], "eta"),
        (["--grid", "eta=1", "--param", "eta=1e999"], "finite numbers"),
    ],
)
def test_sweep_command_errors_are_one_line(tmp_path, capsys, args, match):
    code = cli(*args, *([] if "--x0" in args else ["--x0", "2"]), "--t-end", "1", "--out", str(tmp_path / "r.nc"))
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("symgrad: error:") and "\n" not in err and match in err
    assert not (tmp_path / "r.nc").exists()


def test_sweep_command_refuses_an_unknown_format(tmp_path, capsys):
    assert cli("--grid", "eta=1", "--x0", "2", "--t-end", "1", "--out", str(tmp_path / "r.csv")) == 2
    assert ".nc (netCDF) or .zarr" in capsys.readouterr().err
