"""The benchmark registry. A benchmark is a function taking a BenchContext and returning
BenchResults; it registers itself with @benchmark("name"). Built-in benchmarks live in
steward.bench.suites; any installed app can add its own in a `benchmarks` module (found by
discover()), e.g. steward/email/benchmarks.py for campaign_send."""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class BenchResult:
    """One figure: `value` in `unit`, its `floor` (the raw-path figure in the same unit)
    and `ratio` (how close the real path comes to the floor: 1.0 is as fast as raw)."""

    name: str
    value: float
    unit: str
    floor: float
    ratio: float

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class BenchContext:
    """What a benchmark may use: the size it should run at and a scratch directory inside
    the throwaway data dir."""

    quick: bool
    workdir: Path

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


Benchmark = Callable[[BenchContext], list[BenchResult]]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    """Registers a benchmark under `name` (run in registration order)."""

    def register(function: Benchmark) -> Benchmark:
        if name in BENCHMARKS and BENCHMARKS[name] is not function:
            raise ValueError(f"Two benchmarks are called {name!r}.")
        BENCHMARKS[name] = function
        return function

    return register


def discover() -> dict[str, Benchmark]:
    """Every registered benchmark: the built-in ones and each app's `benchmarks` module."""
    from steward.bench import suites  # noqa: F401  (registers on import)

    autodiscover_modules("benchmarks")
    return BENCHMARKS


def ratio_of_rates(value: float, floor: float) -> float:
    """For throughputs (higher is better): value / floor."""
    return value / floor if floor else 0.0


def ratio_of_latencies(value: float, floor: float) -> float:
    """For latencies (lower is better): floor / value."""
    return floor / value if value else 0.0
