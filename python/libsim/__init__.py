"""libsim: system-dynamics models at compiled speed, from Python.

    import libsim
    m = libsim.load("models/chongqing/model.yaml")       # or .xmile, .mdl, a scenario .yaml
    df = m.run(params={"land_quota": 0.8}, levers={"land": True},
               return_columns=["rural_income"], final_time=2050)

Results are pandas DataFrames indexed by time (numpy arrays when pandas is
not installed: see `Model.run`). Errors raise `libsim.Error`, whose
`diagnostics` carry file, line, column, variable, code and message. Runs
release the GIL; one Model may be run from several threads at once.
See docs/python.md.
"""
from __future__ import annotations

import io
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import Diagnostic, Error

try:  # pandas is optional: without it results are numpy arrays
    import pandas as pd
except ImportError:  # pragma: no cover - exercised only without pandas
    pd = None

__all__ = ["load", "Model", "Error", "Diagnostic", "Comparison", "RunResult", "__version__"]
__version__: str = _core.__version__

Number = Union[int, float]
LeverValue = Union[bool, int, float, Mapping[str, Number]]

_LEVER_FIELDS = ("on", "intensity", "start", "phase_in")


class RunResult:
    """A run's output without pandas: `time` (1-D), `columns` (names) and
    `values` (rows x columns), all numpy arrays or lists."""

    def __init__(self, time: np.ndarray, columns: List[str], values: np.ndarray):
        self.time = time
        self.columns = columns
        self.values = values

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[:, self.columns.index(name)]

    def __repr__(self) -> str:
        return f"<RunResult {len(self.time)} rows x {len(self.columns)} columns>"


def _params(params: Optional[Mapping[str, Any]], levers: Optional[Mapping[str, LeverValue]]) -> List[Tuple[str, Any]]:
    out: List[Tuple[str, Any]] = []
    for name, value in (params or {}).items():
        if isinstance(value, str):
            out.append((str(name), value))
        else:
            out.append((str(name), float(value)))
    for lever, setting in (levers or {}).items():
        if isinstance(setting, Mapping):
            for field, value in setting.items():
                if field not in _LEVER_FIELDS:
                    raise ValueError(f"lever '{lever}': unknown setting '{field}' (expected one of {', '.join(_LEVER_FIELDS)})")
                out.append((f"{lever}_{field}", float(value)))
        else:
            out.append((f"{lever}_on", 1.0 if setting is True else 0.0 if setting is False else float(setting)))
    return out


def _settings(method, initial_time, final_time, time_step, saveper, on_nonfinite) -> "_core.Settings":
    s = _core.Settings()
    s.method = method
    s.initial_time = None if initial_time is None else float(initial_time)
    s.final_time = None if final_time is None else float(final_time)
    s.time_step = None if time_step is None else float(time_step)
    s.saveper = None if saveper is None else float(saveper)
    s.on_nonfinite = on_nonfinite
    return s


def _at_times(time: np.ndarray, values: np.ndarray, wanted: Sequence[float]) -> np.ndarray:
    """Rows at the requested times: exact at a saved time, linear between two."""
    t = np.asarray(wanted, dtype=float)
    tol = 1e-9 * max(1.0, abs(time[0]), abs(time[-1]))
    bad = t[(t < time[0] - tol) | (t > time[-1] + tol)]
    if len(bad):
        raise ValueError(f"return_timestamps: {bad[0]!r} is outside the run [{time[0]!r}, {time[-1]!r}]")
    out = np.empty((len(t), values.shape[1]))
    for i, x in enumerate(t):
        hit = np.nonzero(np.abs(time - x) <= tol)[0]
        if len(hit):
            out[i] = values[hit[0]]
        else:
            hi = int(np.searchsorted(time, x))
            w = (x - time[hi - 1]) / (time[hi] - time[hi - 1])
            out[i] = values[hi - 1] + w * (values[hi] - values[hi - 1])
    return out


def _warn(diags) -> None:
    for d in diags:
        warnings.warn(str(d), RuntimeWarning, stacklevel=3)


class Comparison:
    """The result of `Model.compare`: every combination of the levers.

    `combinations`: DataFrame, one row per combination (label; lever columns
    0/1; `indicator@time` values; `cost@time` if there is a cost), in mask
    order, as combinations.csv of `sdsim compare`. `effects`: DataFrame, one
    row per (indicator, time, lever) with main effect and Shapley share.
    `value(combination, indicator, time)` interpolates like the CLI.
    """

    def __init__(self, r: "_core.CompareResult"):
        self._r = r
        self.levers: List[str] = list(r.levers)
        self.indicators: List[str] = [name for name, _ in r.indicators]
        self.at: List[float] = list(r.at)
        self.times: np.ndarray = r.times

    def label(self, mask: int) -> str:
        return self._r.label(mask)

    def value(self, combination: str, indicator: str, time: float) -> float:
        return self._r.value(combination, indicator, float(time))

    def _columns(self) -> List[str]:
        cols = [f"{ind}@{_fmt(t)}" for ind in self.indicators for t in self.at]
        if self._r.has_cost:
            cols += [f"{self._r.cost_name}@{_fmt(t)}" for t in self.at]
        return cols

    @property
    def combinations(self):
        rows = []
        costs = self._r.costs
        for mask, vals in enumerate(self._r.values):
            bits = [(mask >> i) & 1 for i in range(len(self.levers))]
            rows.append([self.label(mask)] + bits + list(vals) + (list(costs[mask]) if self._r.has_cost else []))
        cols = ["combination"] + self.levers + self._columns()
        if pd is None:
            return cols, rows
        return pd.DataFrame(rows, columns=cols).set_index("combination")

    @property
    def effects(self):
        rows = []
        for idx, (baseline, all_, main, _inter, shapley) in enumerate(self._r.effects):
            ind, a = divmod(idx, len(self.at))
            for li, lever in enumerate(self.levers):
                rows.append([self.indicators[ind], self.at[a], lever, main[li], shapley[li], baseline, all_])
        cols = ["indicator", "time", "lever", "main_effect", "shapley", "baseline", "all_levers_effect"]
        if pd is None:
            return cols, rows
        return pd.DataFrame(rows, columns=cols)

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.levers)} levers: {2 ** len(self.levers)} combinations>"


def _fmt(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else repr(float(t))


class Model:
    """A loaded, compiled model. Make one with `libsim.load(path)`."""

    def __init__(self, core: "_core.Model"):
        self._m = core
        _warn(core.warnings)

    # --- description ---------------------------------------------------------
    @property
    def name(self) -> str:
        return self._m.name

    @property
    def variables(self) -> List[str]:
        """User-visible variables in model order."""
        return list(self._m.variables)

    @property
    def constants(self) -> Dict[str, float]:
        """Constants whose equation is a number, with their values."""
        return dict(self._m.constants)

    @property
    def levers(self) -> Dict[str, Dict[str, Any]]:
        """Levers: {name: {title, section, description, on, intensity, start, phase_in, cost, cost_units}}."""
        return dict(self._m.levers)

    @property
    def uncertainties(self) -> List[str]:
        return list(self._m.uncertainties)

    @property
    def specs(self) -> Dict[str, Any]:
        """initial_time, final_time, time_step, saveper, method, time_units."""
        return dict(self._m.specs)

    @property
    def doc(self):
        """One row per variable: name, kind, units, equation, doc, file, line
        (a DataFrame indexed by name, or a list of tuples without pandas)."""
        rows = [tuple(r) for r in self._m.doc_rows]
        if pd is None:
            return rows
        cols = ["name", "kind", "units", "equation", "doc", "file", "line"]
        return pd.DataFrame(rows, columns=cols).set_index("name")

    def __repr__(self) -> str:
        return f"<libsim.Model {self.name!r} from {self._m.path!r}>"

    # --- running -----------------------------------------------------------------
    def run(self, params: Optional[Mapping[str, Any]] = None, levers: Optional[Mapping[str, LeverValue]] = None,
            return_columns: Optional[Sequence[str]] = None, method: Optional[str] = None,
            initial_time: Optional[float] = None, final_time: Optional[float] = None,
            time_step: Optional[float] = None, saveper: Optional[float] = None,
            return_timestamps: Optional[Sequence[float]] = None, on_nonfinite: str = "error",
            as_numpy: bool = False):
        """Runs the model once.

        params: {constant: number or equation text}; levers: {lever: bool |
        0/1 | {on, intensity, start, phase_in}}; return_columns: variables to
        keep (default: every user variable); method: euler | rk2 | rk4 | rk45;
        the times override the model's; return_timestamps: times of the rows
        returned (exact at a saved time, linear between two). Returns a
        DataFrame indexed by `time` (a RunResult of numpy arrays without
        pandas or with as_numpy=True). Raises libsim.Error.
        """
        cols = None if return_columns is None else [str(c) for c in return_columns]
        time, names, values, warn = self._m.run(
            _params(params, levers), cols,
            _settings(method, initial_time, final_time, time_step, saveper, on_nonfinite))
        _warn(warn)
        if return_timestamps is not None:
            values = _at_times(time, values, return_timestamps)
            time = np.asarray(return_timestamps, dtype=float)
        if pd is None or as_numpy:
            return RunResult(time, list(names), values)
        return pd.DataFrame(values, index=pd.Index(time, name="time"), columns=list(names))

    def compare(self, levers: Optional[Sequence[str]] = None, at: Optional[Sequence[float]] = None,
                indicators: Optional[Sequence[Union[str, Tuple[str, str]]]] = None,
                params: Optional[Mapping[str, Any]] = None, method: Optional[str] = None,
                final_time: Optional[float] = None, threads: int = 0) -> Comparison:
        """Every combination of `levers` (default: all), as `sdsim compare`.

        at: report times (default: a scenario's report_at, else the stop
        time); indicators: names, or (name, "min"|"max") pairs (default: a
        scenario's indicators, else every stock). For a scenario file the
        cost is the scenario's `cost:`. Results do not depend on `threads`.
        """
        inds = None
        if indicators is not None:
            inds = []
            for i in indicators:
                if isinstance(i, str):
                    inds.append((i, False))
                else:
                    name, better = i
                    if better not in ("min", "max"):
                        raise ValueError(f"indicator {name!r}: expected 'min' or 'max', not {better!r}")
                    inds.append((name, better == "min"))
        r = self._m.compare(_params(params, None), _settings(method, None, final_time, None, None, "error"),
                            None if levers is None else list(levers),
                            None if at is None else [float(t) for t in at], inds, int(threads))
        return Comparison(r)

    def sensitivity(self, indicators: Optional[Sequence[str]] = None, at: Optional[Sequence[float]] = None,
                    method: str = "sobol", samples: int = 1000, seed: int = 1, bootstrap: int = 1000,
                    morris_levels: int = 4, params: Optional[Mapping[str, Any]] = None, threads: int = 0):
        """Global sensitivity over the model's `uncertainties:` (docs/uncertainty.md).

        Returns a DataFrame, one row per (indicator, time, parameter), with
        S1, S1_low, S1_high, ST, ST_low, ST_high, SRRC, PRCC, mu, mu_star,
        sigma (NaN where the method does not compute one).
        """
        r = self._m.sensitivity(_params(params, None), _settings(None, None, None, None, None, "error"), method,
                                int(samples), int(seed), int(bootstrap), int(morris_levels),
                                list(indicators or []), None if at is None else [float(t) for t in at], int(threads))
        _warn(r.notes)
        cols = ["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high", "SRRC", "PRCC", "mu", "mu_star", "sigma"]
        rows = []
        idx = r.indices
        k = len(r.parameters)
        for i, ind in enumerate(r.indicators):
            for a, t in enumerate(r.at):
                for p, name in enumerate(r.parameters):
                    rows.append([ind, t, name] + list(idx[(i * len(r.at) + a) * k + p]))
        if pd is None:
            return ["indicator", "time", "parameter"] + cols, rows
        return pd.DataFrame(rows, columns=["indicator", "time", "parameter"] + cols)

    def calibrate(self, data, fit: Sequence[str], bounds: Optional[Mapping[str, Tuple[float, float]]] = None,
                  starts: int = 8, seed: int = 1, max_evaluations: int = 1000,
                  params: Optional[Mapping[str, Any]] = None, threads: int = 0):
        """Fits the constants `fit` to data (a CSV path, or a DataFrame with a
        `time` column or index) by weighted least squares (docs/calibration.md).

        Returns a DataFrame indexed by parameter: estimate, std_error, lower,
        upper, start, identified; its `attrs` hold payoff and observations.
        """
        if isinstance(data, str):
            with open(data, encoding="utf-8") as f:
                text, name = f.read(), data
        else:
            frame = data if "time" in getattr(data, "columns", []) else data.reset_index()
            buf = io.StringIO()
            frame.to_csv(buf, index=False, float_format="%.17g")
            text, name = buf.getvalue(), "<DataFrame>"
        r = self._m.calibrate(_params(params, None), _settings(None, None, None, None, None, "error"), text, name,
                              list(fit), [(k, (float(lo), float(hi))) for k, (lo, hi) in (bounds or {}).items()],
                              int(starts), int(seed), int(max_evaluations), int(threads))
        cols = ["estimate", "std_error", "lower", "upper", "start", "identified"]
        rows = [[r.estimate[i], r.std_error[i], r.lower[i], r.upper[i], r.start[i], r.identified[i]]
                for i in range(len(r.parameters))]
        if pd is None:
            return r
        df = pd.DataFrame(rows, index=pd.Index(list(r.parameters), name="parameter"), columns=cols)
        df.attrs["payoff"] = r.payoff
        df.attrs["observations"] = r.observations
        df.attrs["residual_variance"] = r.residual_variance
        return df


def load(path: str) -> Model:
    """Loads and compiles a model: YAML, XMILE (.xmile/.stmx/.xml), Vensim
    (.mdl), or a scenario file (its levers, `set:`, indicators, report times
    and cost become the model's defaults). Raises libsim.Error."""
    return Model(_core.Model.load(str(path)))
