#!/usr/bin/env bash
# doc_commands: every command line of README.md and docs/*.md that starts with
# `build/tern` runs and exits 0, in the order the docs give them, from a fresh folder
# (so relative outputs such as --report out/tiny start from nothing). A line ending in
# a backslash goes on with the next one; a trailing "# ..." comment is dropped; `echo`
# lines (which write the example config files the commands use) run too. Where
# a doc runs a big zoo model through the reference model (seconds per token), the test
# runs zoo:tiny instead; timing-only runs and sweeps keep the big model (they are fast).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
mkdir -p "$TMP/w"
ln -s "$ROOT/build" "$TMP/w/build"
ln -s "$ROOT/perf" "$TMP/w/perf"

# Print each command (continuations joined) of one Markdown file, one per line.
commands() {
	awk '
	function emit(c) { sub(/[ \t]+#.*$/, "", c); gsub(/[ \t]+/, " ", c); print c }
	cont { line = line " " $0; if (line ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, "", line); next }
	       cont = 0; emit(line); next }
	{ s = $0; sub(/^[ \t]*(\$ )?/, "", s) }
	s ~ /^(build\/tern|echo) / {
		if (s ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, "", s); line = s; cont = 1; next }
		emit(s)
	}' "$1"
}

n=0
for doc in README.md docs/*.md; do
	while IFS= read -r cmd; do
		[ -n "$cmd" ] || continue
		run=$cmd
		case "$run" in
		*"--timing-only"*|*" sweep "*|*"--backend fast"*) ;;
		*) run=${run//zoo:bitnet-b1.58-2b-4t/zoo:tiny}; run=${run//zoo:bitnet-b1.58-large/zoo:tiny} ;;
		esac
		n=$((n + 1))
		(cd "$TMP/w" && eval "$run") >"$TMP/out" 2>"$TMP/err" </dev/null
		rc=$?
		if [ $rc -eq 0 ]; then pass "$doc: $cmd"
		else fail "$doc: $cmd" "exit $rc: $(head -c 300 "$TMP/err" | tr '\n' ' ')"; fi
	done < <(commands "$doc")
done
[ $n -ge 10 ] && pass "found $n documented commands" || fail "only $n documented commands found"
