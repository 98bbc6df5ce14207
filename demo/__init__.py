"""Demo data: the seed page for `make run`, and large generated data sets for benchmarks."""
