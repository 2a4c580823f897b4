"""National-scale data generator and benchmarks: they print ratios measured in one run."""
