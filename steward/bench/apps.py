from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`steward bench`: benchmarks with ratios against floors measured in the same run."""

    name = "steward.bench"
    label = "bench"
