# workflows: the GitHub workflow files pass actionlint (tests/workflows/).
SUITES += workflows

.PHONY: test-workflows
test-workflows:
	@sh tests/workflows/run.sh
