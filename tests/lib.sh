# Shared helpers for shell tests: each case prints "PASS: name" or "FAIL: name (why)".
# Source it from a test script; TERN is the CLI under test (the ASan build by default
# where it exists, so bad-input cases run under the sanitizers).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TERN=${TERN:-$ROOT/build/tern}
TERN_SAN=${TERN_SAN:-$ROOT/build/asan/tern}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; }
# A case that could not run (a missing peer): counted apart, never as passed.
skip() { echo "SKIP: $1${2:+ ($2)}"; }

# npm_peers PKG...: test-time npm packages (llama.cpp as node-llama-cpp, tokenizer
# vocabularies) under build/npm, installed on first use. Returns 1 when npm or the
# registry is unavailable; the caller then prints SKIP lines.
NPM_PREFIX=${NPM_PREFIX:-$ROOT/build/npm}
npm_peers() {
	local p missing=()
	for p in "$@"; do [ -d "$NPM_PREFIX/node_modules/$p" ] || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	command -v npm >/dev/null && command -v node >/dev/null || return 1
	mkdir -p "$NPM_PREFIX"
	npm install --prefix "$NPM_PREFIX" --no-audit --no-fund "${missing[@]}" >"$TMP/npm.log" 2>&1
}

# expect_exit CODE NAME CMD...: CMD must exit with CODE; its stderr is kept in $TMP/err.
expect_exit() {
	local want=$1 name=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $rc, want $want: $(head -c 300 "$TMP/err")"; fi
}

# expect_usage_error NAME CMD...: exit 2, exactly one line on stderr, no sanitizer report.
expect_usage_error() {
	local name=$1; shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$? lines
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -ne 2 ]; then fail "$name" "exit $rc, want 2: $(head -c 300 "$TMP/err")"
	elif [ "$lines" -ne 1 ]; then fail "$name" "$lines stderr lines: $(head -c 300 "$TMP/err")"
	elif grep -q -E 'Sanitizer|runtime error' "$TMP/err"; then fail "$name" "sanitizer: $(head -c 300 "$TMP/err")"
	else pass "$name"; fi
}
