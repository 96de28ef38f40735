#!/usr/bin/env bash
# The reliability probes: every reproduction of the issue "a user's own folders are never deleted, finished
# work is recognised however it is spelled, every writer locks, and nothing hangs or writes inf", run against
# the built binary as a user would. Each probe states the exit code it must end with and what must hold after;
# the script prints one line per probe and fails if any does not hold. Usage: tests/reliability_probes.sh BIN
set -uo pipefail
bin=$(cd "$(dirname "${1:?usage: reliability_probes.sh path/to/sgdlaw}")" && pwd)/$(basename "$1")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
B="--quiet --threads 1 --d 64 --M 8 --N 512 --trials 16"
pass=0
fail=0
# probe NAME WANT_EXIT COMMAND...: runs COMMAND (a shell line) in $T, with output in $T/out.txt.
probe() {
  local name=$1 want=$2
  shift 2
  local rc
  (eval "$*") >out.txt 2>&1
  rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL $name: exit $rc, wanted $want"
    sed 's/^/    /' out.txt | head -n 5
    fail=$((fail + 1))
    return 1
  fi
  if grep -q "Traceback" out.txt; then
    echo "FAIL $name: a Python traceback"
    fail=$((fail + 1))
    return 1
  fi
  return 0
}
# holds NAME CONDITION: a shell test that must be true after the probe.
holds() {
  local name=$1
  shift
  if eval "$*"; then
    pass=$((pass + 1))
    echo "ok   $name"
  else
    echo "FAIL $name: does not hold: $*"
    fail=$((fail + 1))
  fi
}
said() { grep -q -- "$1" out.txt; }
no_inf() { ! grep -qiE '(^|,)(-?inf|nan)(,|$)' "$@"; }
sweep_file() {
  printf '[problem]\nd = 64\nsigma = 0.2\n[sgd]\ngamma = 0.2\n[run]\ntrials = 8\nseed = 5\nbackend = "cpu"\n'
  printf '[sweep]\nout = "sw"\n[[sweep.grid]]\nname = "g"\nM = [4, 8, 16]\nN = [100, 200, 400]\n'
}
sweep_file >sw.toml

# 1. A user's folder is never deleted.
mkdir -p d && echo x >d/notes.txt
probe user-folder 2 "$bin run $B --out d" && holds "user folder kept" '[ "$(cat d/notes.txt)" = x ] && said "did not write"'
probe sweep-for-run 0 "$bin sweep sw.toml --no-fit" && probe sweep-as-run-out 2 "$bin run $B --out sw" &&
  holds "sweep folder kept" '[ -f sw/sweep.csv ] && said "holds an sgdlaw sweep"'
mkdir -p o.old-2023 o.partial-7 && echo m >o.old-2023/k && echo m >o.partial-7/k
probe lookalike-leftovers 0 "$bin run $B --out o" && holds "look-alike leftovers kept" '[ -f o.old-2023/k ] && [ -f o.partial-7/k ]'
printf '[problem]\nd = 64\nM = 8\n[sgd]\nN = 200\n[run]\ntrials = 8\nbackend = "cpu"\n[sweep]\nout = "gs"\n' >g.toml
printf '[[sweep.grid]]\nname = "g.old-1"\nseed = 1\n' >>g.toml
probe grid-named-old 0 "$bin sweep g.toml --no-fit && $bin sweep g.toml --no-fit" &&
  holds "grid g.old-1 kept, not recomputed" 'said "ran 0, already complete 1"'

# 2. Finished work is recognised however the folder is spelled.
probe spelled-1 0 "$bin sweep sw.toml --no-fit --sweep-out s/" && probe spelled-2 0 "$bin sweep sw.toml --no-fit --sweep-out s" &&
  holds "s/ then s: nothing rerun" 'said "ran 0, already complete 9"'
probe spelled-dot 0 "$bin sweep sw.toml --no-fit --sweep-out ./s" && holds "./s: nothing rerun" 'said "ran 0, already complete 9"'
probe threads 0 "$bin sweep sw.toml --no-fit --sweep-out s --threads 1" && holds "--threads 1: nothing rerun" 'said "ran 0, already complete 9"'
cp s/sweep.csv sweep-before.csv
probe analyze-after-threads 0 "$bin sweep sw.toml --no-fit --sweep-out s --analyze-only" &&
  holds "--analyze-only keeps the table" 'cmp -s s/sweep.csv sweep-before.csv'
mv s moved
probe moved 0 "$bin sweep sw.toml --no-fit --analyze-only --sweep-out moved" && holds "moved folder: all finished" '! said "not finished"'

# 3. Every writer locks.
probe shard0 0 "$bin sweep sw.toml --no-fit --shard 0/2 --sweep-out s0"
probe shard1 0 "$bin sweep sw.toml --no-fit --shard 1/2 --sweep-out s1"
probe merge 0 "$bin merge sw.toml s0 s1 --into merged --no-fit" && holds "merge writes and unlocks" '[ -f merged/sweep.csv ] && [ ! -e merged.lock ]'

# 4. Nothing hangs or writes inf.
probe det-equiv-unstable 0 "timeout 60 $bin run --a 3 --b 2 --sigma 0.1 --gamma 0.5 --sketch gaussian --d 4096 --M 2 --N 1073741824 --monte_carlo false --out de" &&
  holds "unstable det. equivalent: no hang, no inf" 'said "warning: the deterministic equivalent is unstable" && no_inf de/curves.csv'
probe det-equiv-65536 0 "$bin run --a 3 --b 2 --sigma 0.1 --gamma 0.5 --sketch gaussian --d 4096 --M 2 --N 65536 --monte_carlo false --out de2" &&
  holds "N = 65536: no inf" 'no_inf de2/curves.csv && ! grep -q risk_det_equiv de2/curves.csv'
probe sigma-huge 2 "$bin run $B --sigma 1e100 --out big" && holds "sigma 1e100 refused" 'said "field .sigma."'

# 5. Failures that are knowable come first; failed points exit 1 and are reported.
printf '[[sweep.grid]]\nname = "bad"\ngamma = 50.0\nM = [4, 8, 16]\n' | cat sw.toml - | sed 's/out = "sw"/out = "fs"/' >f.toml
probe failed-points 1 "$bin sweep f.toml" &&
  holds "failed points reported once per grid and in report.md" 'said "grid bad: 3 points diverged" && grep -q "Failed points" fs/report.md'
printf '[[sweep.grid]]\nname = "id"\nsketch = "identity"\nd = 32\ngamma = [0.1, 40.0]\n' | cat sw.toml - | sed 's/out = "sw"/out = "ids"/' >i.toml
probe identity-diverges 3 "$bin sweep i.toml --no-fit" && holds "identity divergence refused before running" '[ ! -d ids/points ]'
printf '[[sweep.grid]]\nname = ".."\nM = [4]\n' | cat sw.toml - | sed 's/out = "sw"/out = "dd"/' >dd.toml
probe grid-dotdot 2 "$bin sweep dd.toml --no-fit" && holds "grid '..' refused" 'said "not a folder name"'

# 6. Silent acceptance.
mkdir -p cfgdir
probe config-folder 2 "$bin run cfgdir $B --out cf" && holds "a config path that is a folder refused" 'said "folder"'
for bad in 1/2/3 0/2x 0/2.5 0/1e3; do
  probe "shard-$bad" 2 "$bin sweep sw.toml --no-fit --shard $bad --sweep-out sh" && holds "--shard $bad refused" 'said "shard"'
done
printf 'x,y\n1,2\n2,1\n3,0.7\n4,0.5\n' >p.csv
probe fit-nan 2 "$bin fit p.csv --x x --y y --confidence nan" && holds "fit --confidence nan refused" '! said "nan%"'
printf 'x,x\n1,2\n' >dup.csv
probe csv-dup 2 "$bin fit dup.csv --x x --y x" && holds "a header naming a column twice refused" 'said "twice"'
probe dataset-exact 2 "$bin run $B --dataset 100 --monte_carlo false --out ds" && holds "dataset without effect refused" 'said "dataset"'
probe int-exact 0 "$bin run $B --phase_length 4611686018427387904 --out pl" &&
  holds "2^62 read exactly" 'grep -q 4611686018427387904 pl/config.json'

# 7. Messages and exit codes.
probe grid-value 2 "$bin sweep sw.toml --no-fit --grid M=.5 --sweep-out gv" && holds "a bad --grid value names --grid" 'said "\-\-grid"'
probe singular 2 "$bin run $B --a 50 --out sg" && holds "singular Sigma is a configuration error" 'said "configuration error"'
probe fit-folder 2 "$bin fit sw --x M --y risk_mc" && holds "a folder given to fit says so" 'said "folder"'
probe long-out 2 "$bin run $B --out $(printf 'o%.0s' $(seq 1 5000))" && holds "a long out is cut when echoed" '[ "$(wc -c <out.txt)" -lt 2000 ]'
probe did-you-mean 2 "$bin run $B --gama 0.1 --out dm" && holds "an unknown flag gets a suggestion" 'said "did you mean"'

# 9. plot.
mkdir -p hdr && cp o/config.json hdr/ && head -n 1 o/curves.csv >hdr/curves.csv
probe plot-header-only 2 "$bin plot hdr" && holds "plot of a damaged folder refused, no traceback" '! said "Traceback"'
touch ovfile
probe plot-out-file 2 "$bin plot o de --out ovfile" && holds "overlay out that is a file refused and kept" '[ -f ovfile ] && [ ! -s ovfile ]'

# 8. Litter.
ln -s nowhere/x lnk
probe symlink-out 2 "$bin run $B --out lnk" && holds "symbolic-link out refused, nothing left" '! ls -d lnk.partial-* >/dev/null 2>&1'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
