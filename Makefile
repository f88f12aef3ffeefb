# SPDX-License-Identifier: MIT
# The two doors a newcomer needs:
#   make demo   installs what is missing, builds, runs the offline demo (examples/)
#   make test   installs what is missing, builds, runs every suite, then the unit,
#               conformance, bad-input and fuzz-replay suites again under ASan+UBSan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: demo test deps build build-asan test-dev test-asan format clean

deps:
	./scripts/install-deps

build: deps
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)

build-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)

demo: build
	./examples/demo.sh

test-dev: build
	ctest --preset dev -j $(JOBS)

test-asan: build-asan
	ctest --preset asan -j $(JOBS)

test: test-dev test-asan

format:
	./scripts/format

clean:
	rm -rf build
