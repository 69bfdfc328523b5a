"""Benchmarks, run by hand: each prints figures as ratios to a baseline run beside it."""
