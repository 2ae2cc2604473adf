#!/usr/bin/env bash
# Atrium's resource leveling against TaskJuggler's, side by side in one run (issue 4 item 4).
#
# For each N: generate a random project with gen_tjp.py (seed 42, 10 resources), write it as
# MS Project XML with to_mspdi.py, level it with tj3 (preemptive) and with Atrium's `level`
# example (non-preemptive; reads the file, levels, prints the whole report JSON to a file),
# and print both finishes in working days from the project start (TaskJuggler's day is
# 09:00-17:00, MS Project's 08:00-17:00 with lunch, so days are compared, not hours) and both
# whole-process wall and CPU (user+sys) times: tj3 once (minutes at N=5000), Atrium best of
# RUNS runs. On a shared, loaded machine the CPU-time ratio is the steadier one.
#
# Usage: crates/atrium-interop/examples/level_vs_tj3.sh [N ...]   (default: 500 1000 5000)
# Env:   WORK=dir (default a temp dir), PEERS=/work/shared/peers/taskjuggler, RUNS=5,
#        CARGO_TARGET_DIR as usual.
set -euo pipefail

here="$(cd "$(dirname "$0")/../../.." && pwd)"
peers="${PEERS:-/work/shared/peers/taskjuggler}"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
runs="${RUNS:-5}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(500 1000 5000)

(cd "$here" && cargo build --release -q -p atrium-interop --example level)
target="${CARGO_TARGET_DIR:-$here/target}"
bin="$target/release/examples/level"

cat >"$work/bench.py" <<'PY'
"""Runs both tools on one N and prints one result line."""
import csv, datetime as dt, json, os, subprocess, sys, time

n, tjp, xml, bin_, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

def run(cmd, stdout):
    """Whole-process wall and CPU (user+sys, from wait4) seconds."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{cmd[0]} failed ({status})")
    return wall, ru.ru_utime + ru.ru_stime

def wd(day):
    d, k = dt.date(2001, 1, 1), 0
    while d <= day:
        k += d.weekday() < 5
        d += dt.timedelta(days=1)
    return k

tj_wall, tj_cpu = run(["tj3", "--no-color", "--silent", tjp], subprocess.DEVNULL)
stem = os.path.splitext(tjp)[0]
ends = [r[2] for r in csv.reader(open(f"{stem}-dates.csv"), delimiter=";") if r and r[0] != "Id"]
tj_wd = wd(dt.datetime.strptime(max(ends), "%Y-%m-%d %H:%M").date())

at_wall = at_cpu = float("inf")
out = f"{stem}-atrium.json"
for _ in range(runs):
    with open(out, "w") as f:
        w, c = run([bin_, xml], f)
    at_wall, at_cpu = min(at_wall, w), min(at_cpu, c)
at_wd = wd(dt.date.fromisoformat(json.load(open(out))["leveled_finish"][:10]))

print(f"{n:<6} {tj_wd:<7} {at_wd:<9} {at_wd / tj_wd:<6.3f} {tj_wall:<9.2f} {at_wall:<9.4f} "
      f"{tj_cpu:<9.2f} {at_cpu:<9.4f} {tj_wall / at_wall:<7.0f} {tj_cpu / at_cpu:<7.0f}")
PY

printf '%-6s %-7s %-9s %-6s %-9s %-9s %-9s %-9s %-7s %-7s\n' \
  N tj3_wd atrium_wd ratio tj3_wall at_wall tj3_cpu at_cpu x_wall x_cpu
cd "$work"
for n in "${sizes[@]}"; do
  python3 "$peers/gen_tjp.py" "$n" --seed 42 -k 10 -o "g$n.tjp" --json "g$n.json" 2>/dev/null
  python3 "$peers/to_mspdi.py" "g$n.json" "g$n.xml"
  python3 bench.py "$n" "g$n.tjp" "g$n.xml" "$bin" "$runs"
done
echo "(ratio = Atrium / TaskJuggler finish in working days, bar <= 1.10;"
echo " x_wall, x_cpu = tj3 / Atrium whole-process wall and CPU time, bar >= 100; files in $work)"
