"""Benchmarks of the engine against hand-written references (`python -m benchmarks`)."""
