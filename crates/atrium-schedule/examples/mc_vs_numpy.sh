#!/usr/bin/env bash
# Side by side: the numpy peer (shared/peers/montecarlo/mc_numpy.py) and Atrium's mc_bench on
# the same random project, alternating ROUNDS times; prints each program's median in-process
# time (sampling + forward pass, graph build excluded, as the numpy script times it) and the
# ratio numpy / Atrium (Atrium: median of 5 runs, plain and with criticality+sensitivity).
# Needs python3 with numpy.
#   crates/atrium-schedule/examples/mc_vs_numpy.sh [N] [ITERATIONS] [SEED] [ROUNDS]
set -euo pipefail
N=${1:-1000}; I=${2:-10000}; SEED=${3:-1}; ROUNDS=${4:-3}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
PEER=${PEER:-$ROOT/../shared/peers/montecarlo/mc_numpy.py}
cd "$ROOT"
cargo build --release -q -p atrium-schedule --example mc_bench
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/mc_bench
np=(); at=(); af=()
for r in $(seq "$ROUNDS"); do
  # numpy: 3 timed runs per process (its default); we take its median line.
  o=$(python3 "$PEER" -n "$N" -i "$I" --seed "$SEED")
  t=$(echo "$o" | sed -n 's/^median total \([0-9.]*\) ms.*/\1/p'); np+=("$t")
  echo "round $r numpy : $(echo "$o" | tail -2 | head -1)"
  o=$("$BIN" -n "$N" -i "$I" --seed "$SEED" --repeat 5 --full)
  t=$(echo "$o" | sed -n 's/^atrium \[plain\]: median total \([0-9.]*\) ms.*/\1/p'); at+=("$t")
  t=$(echo "$o" | sed -n 's/^atrium \[full\]: median total \([0-9.]*\) ms.*/\1/p'); af+=("$t")
  echo "round $r atrium: $(echo "$o" | grep '^run 0')"
  echo "round $r: numpy ${np[-1]} ms, atrium ${at[-1]} ms (with criticality+sensitivity ${af[-1]} ms), ratio $(python3 -c "print(f'{${np[-1]}/${at[-1]}:.1f}')")x"
done
python3 - "${np[*]}" "${at[*]}" "${af[*]}" <<'PY'
import statistics, sys
np_, at, af = ([float(x) for x in a.split()] for a in sys.argv[1:4])
m_np, m_at, m_af = statistics.median(np_), statistics.median(at), statistics.median(af)
print(f"median over rounds: numpy {m_np:.1f} ms, atrium {m_at:.2f} ms, ratio {m_np/m_at:.1f}x "
      f"(per-round ratios: {', '.join(f'{a/b:.1f}' for a, b in zip(np_, at))}); "
      f"atrium with criticality+sensitivity {m_af:.2f} ms, ratio {m_np/m_af:.1f}x")
PY
