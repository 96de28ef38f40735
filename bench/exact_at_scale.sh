#!/usr/bin/env bash
# Theory at scale: the exact recursion by contour jumps, whole process, on this machine's cores.
#   1. identity sketch, d = inf, geometric schedule, N = 2^40                     target < 60 s
#   2. Gaussian sketch M = 2^16 at N = 2^30 (d = inf, deterministic equivalent)   target < 120 s
#   3. identity d = 2^16 at N = 2^30 (the recursion alone on 65536 coordinates)   (no target; for scale)
#   4. contour jumps against the step recursion at the largest size steps can run here (d = 4096, N = 2^22):
#      largest relative difference of risk, bias and variance over the checkpoints  target <= 1e-8
# Prints one line per case and a JSON summary; exit 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/sgdlaw}
[ -x "$bin" ] || bash scripts/build.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
timed() {  # timed NAME TARGET_SECONDS ARGS...: runs `sgdlaw run ARGS --out $work/NAME`, prints wall seconds
  local name=$1 target=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" run "$@" --out "$work/$name" --progress false >"$work/$name.log"
  t1=$(date +%s.%N)
  local secs
  secs=$(/usr/bin/python3 -c "print(f'{$t1 - $t0:.2f}')")
  local verdict=ok
  if [ "$target" != "-" ]; then
    verdict=$(/usr/bin/python3 -c "print('ok' if $secs < $target else 'SLOW')")
    [ "$verdict" = ok ] || status=1
  fi
  printf "%-28s %8s s  (target %s s) %s\n" "$name" "$secs" "$target" "$verdict"
  echo "\"$name\": $secs," >>"$work/summary"
}
timed identity_dinf_N2e40 60 --sketch identity --d inf --monte_carlo false --N 1099511627776 --a 1.5 --gamma 0.3 \
  --sigma 0.1
timed gaussian_M2e16_N2e30 120 --d inf --M 65536 --monte_carlo false --N 1073741824 --a 2 --gamma 0.3 --sigma 0.1
timed identity_d2e16_N2e30 - --sketch identity --d 65536 --monte_carlo false --N 1073741824 --a 2 --gamma 0.3 \
  --sigma 0.1
common=(--sketch identity --d 4096 --monte_carlo false --N 4194304 --a 1.5 --gamma 0.3 --sigma 0.1
        --checkpoint_ratio 1.3)
timed contour_d4096_N2e22 - "${common[@]}" --exact_method contour
timed steps_d4096_N2e22 - "${common[@]}" --exact_method steps
rel=$(/usr/bin/python3 - "$work/contour_d4096_N2e22/curves.csv" "$work/steps_d4096_N2e22/curves.csv" <<'PY'
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
worst = max(abs(float(x[k]) - float(y[k])) / abs(float(y[k])) for x, y in zip(a, b)
            for k in ("risk_exact", "bias_exact", "variance_exact"))
print(f"{worst:.3e}")
PY
)
verdict=$(/usr/bin/python3 -c "print('ok' if $rel <= 1e-8 else 'FAIL')")
[ "$verdict" = ok ] || status=1
printf "%-28s %10s  (target <= 1e-8) %s\n" "contour_vs_steps_max_rel" "$rel" "$verdict"
echo "{ $(tr -d '\n' <"$work/summary") \"contour_vs_steps_max_rel\": $rel, \"cores\": $(nproc) }"
exit "$status"
