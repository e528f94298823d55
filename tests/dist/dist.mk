# dist: "make dist" reproducible, complete, and matching the manifest the
# package ships (tests/dist/run.sh; it builds twice in temporary copies).
SUITES += dist

.PHONY: test-dist
test-dist:
	@sh tests/dist/run.sh
