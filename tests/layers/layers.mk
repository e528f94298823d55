# layers: how the C files depend on each other (tests/layers/run.sh).
SUITES += layers

.PHONY: test-layers
test-layers:
	@sh tests/layers/run.sh
