#!/usr/bin/env bash
# Atrium's resource leveling against TaskJuggler's, side by side in one run (issue 4 item 4).
#
# For each N: generate a random project with gen_tjp.py (seed 42, 10 resources), write it as
# MS Project XML with to_mspdi.py, level it with tj3 (preemptive) and with Atrium's `level`
# example (non-preemptive; reads the file, levels, prints the whole report JSON), and print
# both finishes in working days from the project start (TaskJuggler's day is 09:00-17:00,
# MS Project's 08:00-17:00 with lunch, so days are compared, not hours) and both whole-process
# wall times (best of --runs runs for Atrium; tj3 once, it takes minutes at N=5000).
#
# Usage: crates/atrium-interop/examples/level_vs_tj3.sh [N ...]   (default: 500 1000 5000)
# Env:   WORK=dir (default a temp dir), PEERS=/work/shared/peers/taskjuggler, RUNS=5,
#        CARGO_TARGET_DIR as usual.
set -euo pipefail

here="$(cd "$(dirname "$0")/../../.." && pwd)"
peers="${PEERS:-/work/shared/peers/taskjuggler}"
work="${WORK:-$(mktemp -d)}"
runs="${RUNS:-5}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(500 1000 5000)

(cd "$here" && cargo build --release -q -p atrium-interop --example level)
target="${CARGO_TARGET_DIR:-$here/target}"
bin="$target/release/examples/level"

now_ns() { date +%s%N; }

# Working days (Mon-Fri) from 2001-01-01 to the date of the given timestamp, inclusive.
wd() {
  python3 - "$1" <<'EOF'
import datetime as dt, sys
e = dt.date.fromisoformat(sys.argv[1][:10]); d = dt.date(2001, 1, 1); n = 0
while d <= e:
    n += d.weekday() < 5
    d += dt.timedelta(days=1)
print(n)
EOF
}

tj_finish() {
  python3 - "$1" <<'EOF'
import csv, sys
ends = [r[2] for r in csv.reader(open(sys.argv[1]), delimiter=';') if r and r[0] != 'Id']
print(max(ends))
EOF
}

printf '%-6s %-10s %-10s %-8s %-10s %-10s %-8s\n' N tj3_wd atrium_wd ratio tj3_s atrium_s speedup
cd "$work"
for n in "${sizes[@]}"; do
  python3 "$peers/gen_tjp.py" "$n" --seed 42 -k 10 -o "g$n.tjp" --json "g$n.json" 2>/dev/null
  python3 "$peers/to_mspdi.py" "g$n.json" "g$n.xml"

  t0=$(now_ns)
  tj3 --no-color --silent "g$n.tjp" >/dev/null 2>&1
  t1=$(now_ns)
  tj_ns=$((t1 - t0))

  best=""
  for _ in $(seq "$runs"); do
    t0=$(now_ns)
    "$bin" "g$n.xml" >"g$n-atrium.json"
    t1=$(now_ns)
    d=$((t1 - t0))
    if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
  done

  at_finish=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["leveled_finish"])' "g$n-atrium.json")
  tj_wd=$(wd "$(tj_finish "g$n-dates.csv")")
  at_wd=$(wd "$at_finish")
  python3 - "$n" "$tj_wd" "$at_wd" "$tj_ns" "$best" <<'EOF'
import sys
n, tj, at, tjn, atn = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"{n:<6} {tj:<10} {at:<10} {at / tj:<8.3f} {tjn / 1e9:<10.3f} {atn / 1e9:<10.4f} {tjn / atn:<8.0f}")
EOF
done
echo "(ratio = Atrium / TaskJuggler finish in working days, bar <= 1.10; speedup = tj3 / Atrium wall time, bar >= 100; files in $work)"
