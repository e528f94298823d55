# format: the C sources as .clang-format lays them out (tests/format/run.sh).
SUITES += format

.PHONY: test-format
test-format:
	@sh tests/format/run.sh
