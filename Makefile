# SPDX-License-Identifier: MIT
# The two doors a newcomer needs:
#   make demo   installs what is missing, builds, runs the offline demo (examples/)
#   make test   installs what is missing, builds, runs every suite, then the unit,
#               conformance, bad-input and fuzz-replay suites again under ASan+UBSan, and
#               builds the libFuzzer targets (clang), so that they keep compiling
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: demo test deps build build-asan build-fuzz test-dev test-asan format clean

deps:
	./scripts/install-deps

build: deps
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)

build-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)

# The libFuzzer targets (clang, -fsanitize=fuzzer): built, not run (their corpora replay in
# the suites above); clang's warnings differ from gcc's.
build-fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)

demo: build
	./examples/demo.sh

test-dev: build
	ctest --preset dev -j $(JOBS)

test-asan: build-asan
	ctest --preset asan -j $(JOBS)

test: test-dev test-asan build-fuzz

format:
	./scripts/format

clean:
	rm -rf build
