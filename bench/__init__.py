"""Benchmarks (`make bench`): each reports a ratio measured side by side in one run."""
