#!/usr/bin/env bash
# Whole-process speed of `atrium schedule FILE.xml --json` against `tj3` on the same
# generated projects (issue 3: at least 1000x), side by side in one run.
#
# Usage: bench/schedule_vs_tj3.sh [ATRIUM_BINARY] [N...]
#   ATRIUM_BINARY defaults to target/release/atrium; N defaults to "1000 5000".
# Build first: CARGO_TARGET_DIR=/work/target-speed cargo build --release -p atrium
# Needs python3, tj3 and hyperfine. Set RUNS_TJ3 / RUNS_ATRIUM to change the run counts.
# BASELINE=OTHER_ATRIUM_BINARY adds a row per size for that binary, timed in the same run
# against the same tj3 figures (e.g. a build of the previous commit, for before/after).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/target/release/atrium}"
shift || true
sizes=("${@:-1000 5000}")
# shellcheck disable=SC2206
sizes=(${sizes[*]})
peers=/work/shared/peers/taskjuggler
runs_tj3="${RUNS_TJ3:-3}"
runs_atrium="${RUNS_ATRIUM:-200}"

[ -x "$bin" ] || { echo "no atrium binary at $bin" >&2; exit 1; }
bins=("$bin")
if [ -n "${BASELINE:-}" ]; then
    [ -x "$BASELINE" ] || { echo "no baseline binary at $BASELINE" >&2; exit 1; }
    bins=("$BASELINE" "$bin")
fi
command -v tj3 >/dev/null || { echo "tj3 not found" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine not found" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Mean wall time and mean CPU time (user + system) in seconds of one hyperfine run.
mean_of() {
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["user"]+r["system"])' "$1"
}

printf '%-6s %10s %12s %10s %12s %12s %10s  %s\n' N tj3_ms atrium_ms wall_ratio tj3_cpu_ms atrium_cpu_ms cpu_ratio binary
for n in "${sizes[@]}"; do
    d="$tmp/n$n"
    mkdir -p "$d"
    python3 "$peers/gen_tjp.py" "$n" --seed 42 -k 0 -o "$d/g.tjp" --json "$d/g.json" >/dev/null 2>&1
    python3 "$peers/to_mspdi.py" "$d/g.json" "$d/g.xml" >/dev/null 2>&1
    # Both must succeed on the file before they are timed.
    (cd "$d" && tj3 --no-color --silent g.tjp >/dev/null)
    for b in "${bins[@]}"; do "$b" schedule "$d/g.xml" --json >/dev/null; done
    (cd "$d" && hyperfine -N --style none --warmup 1 --runs "$runs_tj3" \
        --export-json "$d/tj3.json" "tj3 --no-color --silent g.tjp" >/dev/null)
    for b in "${bins[@]}"; do
        hyperfine -N --style none --warmup 20 --runs "$runs_atrium" \
            --export-json "$d/atrium.json" "$b schedule $d/g.xml --json" >/dev/null
        # shellcheck disable=SC2046
        python3 -c 'import sys
n, b = sys.argv[1:3]
t, tc, a, ac = map(float, sys.argv[3:])
print(f"{n:<6} {t*1e3:10.1f} {a*1e3:12.3f} {t/a:9.0f}x {tc*1e3:12.1f} {ac*1e3:12.3f} {tc/ac:9.0f}x  {b}")' \
            "$n" "$b" $(mean_of "$d/tj3.json") $(mean_of "$d/atrium.json")
    done
done
