#!/usr/bin/env bash
# Whole-process speed of `atrium schedule FILE.xml --json` against `tj3` on the same
# generated projects (issue 3: at least 1000x), side by side in one run.
#
# Usage: bench/schedule_vs_tj3.sh [ATRIUM_BINARY] [N...]
#   ATRIUM_BINARY defaults to target/release/atrium; N defaults to "1000 5000".
# Build first: CARGO_TARGET_DIR=/work/target-speed cargo build --release -p atrium
# Needs python3, tj3 and hyperfine. Set RUNS_TJ3 / RUNS_ATRIUM to change the run counts.
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
command -v tj3 >/dev/null || { echo "tj3 not found" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine not found" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Mean wall time in seconds of one hyperfine run, read from its JSON export.
mean_of() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"
}

printf '%-6s %12s %12s %10s\n' N tj3_ms atrium_ms ratio
for n in "${sizes[@]}"; do
    d="$tmp/n$n"
    mkdir -p "$d"
    python3 "$peers/gen_tjp.py" "$n" --seed 42 -k 0 -o "$d/g.tjp" --json "$d/g.json" >/dev/null
    python3 "$peers/to_mspdi.py" "$d/g.json" "$d/g.xml" >/dev/null
    # Both must succeed on the file before they are timed.
    (cd "$d" && tj3 --no-color --silent g.tjp >/dev/null)
    "$bin" schedule "$d/g.xml" --json >/dev/null
    (cd "$d" && hyperfine -N --style none --warmup 1 --runs "$runs_tj3" \
        --export-json "$d/tj3.json" "tj3 --no-color --silent g.tjp" >/dev/null)
    hyperfine -N --style none --warmup 20 --runs "$runs_atrium" \
        --export-json "$d/atrium.json" "$bin schedule $d/g.xml --json" >/dev/null
    t=$(mean_of "$d/tj3.json")
    a=$(mean_of "$d/atrium.json")
    python3 -c 'import sys; n,t,a=sys.argv[1],float(sys.argv[2]),float(sys.argv[3]); print(f"{n:<6} {t*1e3:12.1f} {a*1e3:12.3f} {t/a:9.0f}x")' "$n" "$t" "$a"
done
