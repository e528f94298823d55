# Benchmarks (being written).
.PHONY: bench
