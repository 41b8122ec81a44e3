#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The standard benchmark set behind `make bench`: int8 GEMM with packed
# weights next to oneDNN's int8 GEMM on identical data in the same process
# (square 256 to 2048, M = 1 and M = 16 with N = K = 4096, odd shapes), and
# per-channel quantization next to memcpy of the same bytes. Prints one
# table; the raw JSON lines are kept in build/bench/.
#
# Environment: QACCEL_BENCH_THREADS (default 2), QACCEL_BENCH_TIME (seconds
# per measurement, default 1).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
bench=$BUILD/bin/qaccel-bench
threads=${QACCEL_BENCH_THREADS:-2}
secs=${QACCEL_BENCH_TIME:-1}
out=$BUILD/bench
mkdir -p "$out"
export LD_LIBRARY_PATH=$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

[ -x "$bench" ] || { echo "bench.sh: $bench missing: run make" >&2; exit 1; }

gemm_shapes=(
	"256 256 256" "512 512 512" "1024 1024 1024" "2048 2048 2048"
	"1 4096 4096" "16 4096 4096"
	"100 300 500" "1000 999 777" "7 1000 333"
)
quant_sizes=(1048576 2097152 4194304 8388608)	# floats: 4 to 32 MiB

: > "$out/gemm.jsonl"
for s in "${gemm_shapes[@]}"; do
	read -r m n k <<< "$s"
	"$bench" gemm --m "$m" --n "$n" --k "$k" --threads "$threads" \
		--time "$secs" --peer onednn --json >> "$out/gemm.jsonl"
	echo >> "$out/gemm.jsonl"
	# One thread too for the square 1024 case: the per-core peak figure.
	if [ "$s" = "1024 1024 1024" ] && [ "$threads" != 1 ]; then
		"$bench" gemm --m "$m" --n "$n" --k "$k" --threads 1 \
			--time "$secs" --peer onednn --json >> "$out/gemm.jsonl"
		echo >> "$out/gemm.jsonl"
	fi
done

: > "$out/quant.jsonl"
for n in "${quant_sizes[@]}"; do
	"$bench" quant --n "$n" --time "$secs" --json >> "$out/quant.jsonl"
	echo >> "$out/quant.jsonl"
done

/usr/bin/env python3 - "$out/gemm.jsonl" "$out/quant.jsonl" <<'PY'
import json, sys

def rows(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]

print("int8 GEMM (u8 x s8 -> s32, packed weights) vs oneDNN dnnl_gemm_u8s8s32")
print(f"{'M':>6} {'N':>6} {'K':>6} {'thr':>3} {'isa':<12} {'GOPS':>8} {'oneDNN':>8} {'ratio':>6}  same")
for r in rows(sys.argv[1]):
    print(f"{r['m']:>6} {r['n']:>6} {r['k']:>6} {r['threads']:>3} {r['isa']:<12} "
          f"{r['gops']:>8.1f} {r.get('peer_gops', 0):>8.1f} {r.get('ratio', 0):>6.2f}  "
          f"{'yes' if r.get('peer_match') else 'NO'}")
print()
print("Quantize float32 -> s8 per channel vs memcpy of the same bytes")
print(f"{'MiB':>6} {'isa':<12} {'GB/s':>8} {'memcpy':>8} {'ratio':>6}")
for r in rows(sys.argv[2]):
    print(f"{r['bytes'] / 2**20:>6.0f} {r['isa']:<12} {r['quant_gbps']:>8.2f} "
          f"{r['memcpy_gbps']:>8.2f} {r['ratio']:>6.2f}")
PY
