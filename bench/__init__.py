"""Benchmarks: each measures a target and a baseline in the same run and prints the ratio."""
