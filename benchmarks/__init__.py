"""Measured speed and memory at a whole trust's scale, as ratios against baselines taken in
the same run (issue #9). Run `python -m benchmarks` (or `--quick`); docs/benchmarks.md says
what each figure measures and holds the results of one run."""
