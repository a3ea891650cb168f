#!/bin/sh
# Installs the dependencies, builds FlashKV three ways and runs every test:
#   build       release build: unit, stress and end-to-end suites
#   build-asan  AddressSanitizer + UBSan (halt_on_error): unit suite, and
#               the end-to-end tests that do not measure time or memory
#   build-tsan  ThreadSanitizer: the multi-threaded stress programs, and
#               the cross-shard atomicity hammer against the server
#   build-fuzz  when clang and libFuzzer are installed: every libFuzzer
#               target of tests/fuzz for 30 s (tests/fuzz/run.sh)
# and prints one summary line "N passed, N failed" for the whole run.
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

setup() { # dir, meson options...
	dir=$1; shift
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi && ninja -C "$dir" >/dev/null
}

status=0
run() { # dir, meson test options...
	dir=$1; shift
	meson test -C "$dir" --no-rebuild --num-processes 2 "$@" | grep -v '^Synthesis' || true
}

setup build || exit 1
run build --suite unit --suite stress --suite e2e

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
setup build-asan -Db_sanitize=address,undefined -Dbuildtype=debugoptimized \
	-Db_lundef=false || exit 1
run build-asan --suite unit --suite e2e --no-suite timing \
	--timeout-multiplier 4

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(pwd)/tests/tsan.supp"
setup build-tsan -Db_sanitize=thread -Dbuildtype=debugoptimized \
	-Dc_args=-DCK_USE_CC_BUILTINS=1 || exit 1
run build-tsan --suite stress --suite tsan --timeout-multiplier 4

# A libFuzzer program links: clang and Debian's libfuzzer are there.
have_libfuzzer() {
	command -v clang >/dev/null 2>&1 || return 1
	t=$(mktemp -d) || return 1
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$t/f.c"
	clang -fsanitize=fuzzer "$t/f.c" -o "$t/f" >/dev/null 2>&1
	r=$?
	rm -rf "$t"
	return $r
}
fuzz=""
if have_libfuzzer; then
	tests/fuzz/run.sh 30 build-fuzz | grep -v '^Synthesis' || true
	fuzz=build-fuzz
fi

python3 scripts/test-summary.py build build-asan build-tsan $fuzz || status=1
exit $status
