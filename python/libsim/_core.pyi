# Type stubs of the extension module libsim._core (python/src/module.cpp).
# Use the libsim package (libsim/__init__.py), which wraps these in DataFrames.
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

__version__: str

class Error(Exception):
    """A model, scenario, option or run error with every located finding."""
    diagnostics: List[Diagnostic]
    code: str  # the first error's code, e.g. "E-PARSE"

class Diagnostic:
    """One finding; lines and columns are 1-based, 0 when unknown."""
    @property
    def severity(self) -> str: ...  # "error" | "warning" | "note"
    @property
    def code(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def variable(self) -> str: ...
    @property
    def message(self) -> str: ...

class Settings:
    method: Optional[str]
    initial_time: Optional[float]
    final_time: Optional[float]
    time_step: Optional[float]
    saveper: Optional[float]
    on_nonfinite: str
    def __init__(self) -> None: ...

Params = List[Tuple[str, Union[float, str]]]

class CompareResult:
    model_name: str
    levers: List[str]
    lever_titles: List[str]
    indicators: List[Tuple[str, bool]]  # (name, lower_is_better)
    at: List[float]
    times: np.ndarray
    has_cost: bool
    cost_name: str
    values: List[List[float]]  # [mask][indicator * len(at) + a]
    costs: List[List[float]]  # [mask][a]
    series: List[List[List[float]]]  # [mask][indicator][saved row]
    effects: List[Tuple[float, float, List[float], List[float], List[float]]]  # baseline, all, main, interaction, shapley
    def label(self, mask: int) -> str: ...
    def value(self, combination: str, indicator: str, time: float) -> float: ...

class SensitivityResult:
    method: str
    seed: int
    base_samples: int
    parameters: List[str]
    indicators: List[str]
    at: List[float]
    runs: int
    indices: List[List[float]]  # [(indicator * at + a) * parameters + p]: S1 .. sigma (11 values)
    percentiles: List[List[float]]  # [indicator * at + a]: p5, p25, p50, p75, p95, mean
    notes: List[Diagnostic]

class CalibrationResult:
    parameters: List[str]
    estimate: List[float]
    std_error: List[float]
    lower: List[float]
    upper: List[float]
    start: List[float]
    identified: List[bool]
    correlation: List[float]
    payoff: float
    observations: int
    residual_variance: float
    columns: List[str]
    times: List[float]
    data: List[float]
    fitted: List[float]

class Model:
    @staticmethod
    def load(path: str) -> Model: ...
    def run(self, params: Params, columns: Optional[List[str]], settings: Settings
            ) -> Tuple[np.ndarray, List[str], np.ndarray, List[Diagnostic]]: ...
    def compare(self, params: Params, settings: Settings, levers: Optional[List[str]], at: Optional[List[float]],
                indicators: Optional[List[Tuple[str, bool]]], threads: int) -> CompareResult: ...
    def sensitivity(self, params: Params, settings: Settings, method: str, samples: int, seed: int, bootstrap: int,
                    morris_levels: int, indicators: List[str], at: Optional[List[float]], threads: int
                    ) -> SensitivityResult: ...
    def calibrate(self, params: Params, settings: Settings, data_text: str, data_name: str, fit: List[str],
                  bounds: List[Tuple[str, Tuple[float, float]]], starts: int, seed: int, max_evaluations: int,
                  threads: int) -> CalibrationResult: ...
    constants: dict
    levers: dict
    doc_rows: List[Tuple[str, str, str, str, str, str, int]]
    name: str
    path: str
    scenario: str
    variables: List[str]
    uncertainties: List[str]
    warnings: List[Diagnostic]
    specs: dict
    default_indicators: List[Tuple[str, bool]]
    report_at: List[float]
