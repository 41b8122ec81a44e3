#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Command-line tests of the qaccel tools, as TAP: bad options and bad files
# at every boundary give a clear message and the documented exit status
# (never a crash), and the main paths work end to end: qaccel-quant with
# each observer, then qaccel-demo on the model file it wrote.
#
# Usage: tests/tools/cli.sh    (BUILD defaults to ./build; the tools must
# be built; the Fashion-MNIST dataset must be installed)

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
bin=$BUILD/bin
data=${QACCEL_DATASET:-/usr/share/datasets/fashion-mnist}
model=$top/demo/fashion_mnist_mlp.safetensors
export LD_LIBRARY_PATH=$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export QACCEL_BACKEND=cpu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qaccel-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
echo "TAP version 13"

pass() { n=$((n + 1)); echo "ok $n $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n $1"
	failed=1
	if [ -s "$tmp/out" ]; then
		sed 's/^/#   /' "$tmp/out" | tail -n 15
	fi
}

# expect RC PATTERN DESCRIPTION COMMAND...: the command exits with RC and its
# output (stdout and stderr) matches the extended regular expression PATTERN
# (empty: anything).
expect() {
	local want=$1 pattern=$2 desc=$3 rc
	shift 3
	"$@" > "$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "# exit status $rc, expected $want: $*"
		fail "$desc"
	elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$tmp/out"; then
		echo "# output does not match /$pattern/: $*"
		fail "$desc"
	else
		pass "$desc"
	fi
}

if [ ! -x "$bin/qaccel-demo" ] || [ ! -x "$bin/qaccel-quant" ]; then
	echo "1..1"
	echo "not ok 1 the tools are built ($bin)"
	exit 1
fi
have_data=1
[ -e "$data/t10k-images-idx3-ubyte.gz" ] || [ -e "$data/t10k-images-idx3-ubyte" ] || have_data=0

# --- damaged inputs ---------------------------------------------------------
head -c 1000 "$model" > "$tmp/trunc.safetensors"
head -c 4096 /dev/urandom > "$tmp/random.bin"
printf 'hello, not a model\n' > "$tmp/text.txt"
: > "$tmp/empty"
mkdir -p "$tmp/baddata"
for f in t10k-labels-idx1-ubyte train-images-idx3-ubyte; do
	[ -e "$data/$f.gz" ] && ln -s "$data/$f.gz" "$tmp/baddata/$f.gz"
done
[ -e "$data/t10k-images-idx3-ubyte.gz" ] &&
	gzip -dc "$data/t10k-images-idx3-ubyte.gz" | head -c 100000 > "$tmp/baddata/t10k-images-idx3-ubyte"

# --- qaccel-info --------------------------------------------------------------
expect 0 'backend' "qaccel-info lists the backends" "$bin/qaccel-info"
expect 2 'usage' "qaccel-info: unknown option" "$bin/qaccel-info" --bogus
if "$bin/qaccel-info" --json > "$tmp/info.json" 2>&1 &&
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/info.json"; then
	pass "qaccel-info --json is valid JSON"
else
	fail "qaccel-info --json is valid JSON"
fi

# --- qaccel-demo: usage -------------------------------------------------------
demo=("$bin/qaccel-demo" --time 0)
expect 0 'usage: qaccel-demo' "qaccel-demo --help" "$bin/qaccel-demo" --help
expect 2 "unknown observer 'foo'" "qaccel-demo: unknown observer" "${demo[@]}" --observer foo
expect 2 "--batch: '0'" "qaccel-demo: --batch 0" "${demo[@]}" --batch 0
expect 2 "--batch: 'x1'" "qaccel-demo: --batch x1" "${demo[@]}" --batch x1
expect 2 "--calib: '-5'" "qaccel-demo: negative --calib" "${demo[@]}" --calib -5
expect 2 "--percentile" "qaccel-demo: --percentile 40" "${demo[@]}" --percentile 40
expect 2 "--logits" "qaccel-demo: --logits f32" "${demo[@]}" --logits f32
expect 2 "unknown|needs an argument" "qaccel-demo: unknown option" "${demo[@]}" --bogus
expect 2 "needs an argument" "qaccel-demo: --model without a value" "${demo[@]}" --model
expect 2 "unexpected argument" "qaccel-demo: stray argument" "${demo[@]}" stray

# --- qaccel-demo: bad files -------------------------------------------------
expect 1 "No such file" "qaccel-demo: missing model" "${demo[@]}" --model "$tmp/none"
expect 1 "truncated" "qaccel-demo: truncated safetensors" "${demo[@]}" --model "$tmp/trunc.safetensors"
expect 1 "not a safetensors file|truncated" "qaccel-demo: random bytes as a model" \
	"${demo[@]}" --model "$tmp/random.bin"
expect 1 "not a safetensors file" "qaccel-demo: a text file as a model" \
	"${demo[@]}" --model "$tmp/text.txt"
expect 1 "truncated" "qaccel-demo: empty model file" "${demo[@]}" --model "$tmp/empty"
expect 1 "is a directory|Is a directory" "qaccel-demo: a directory as a model" \
	"${demo[@]}" --model "$tmp"
expect 1 "not found.*dataset-fashion-mnist" "qaccel-demo: missing dataset" \
	"${demo[@]}" --data "$tmp/nodata"

if [ "$have_data" = 1 ]; then
	expect 1 "truncated" "qaccel-demo: truncated test images" "${demo[@]}" --data "$tmp/baddata"

	# --- qaccel-quant: usage ------------------------------------------------
	quant=("$bin/qaccel-quant" --model "$model" --calib "$data" --count 1000)
	expect 0 'usage: qaccel-quant' "qaccel-quant --help" "$bin/qaccel-quant" --help
	expect 2 "required" "qaccel-quant: no arguments" "$bin/qaccel-quant"
	expect 2 "required" "qaccel-quant: no --out" "${quant[@]}" --observer mse
	expect 2 "unknown observer 'kl'" "qaccel-quant: unknown observer" \
		"${quant[@]}" --observer kl --out "$tmp/m.qaccel"
	expect 2 "--percentile is for" "qaccel-quant: --percentile with mse" \
		"${quant[@]}" --observer mse --percentile 99 --out "$tmp/m.qaccel"
	expect 2 "--percentile: '100.5'" "qaccel-quant: --percentile 100.5" \
		"${quant[@]}" --observer percentile --percentile 100.5 --out "$tmp/m.qaccel"
	expect 2 "--bins: '64'" "qaccel-quant: --bins 64" \
		"${quant[@]}" --observer mse --bins 64 --out "$tmp/m.qaccel"
	expect 2 "--count: '0'" "qaccel-quant: --count 0" \
		"${quant[@]}" --observer mse --count 0 --out "$tmp/m.qaccel"

	# --- qaccel-quant: bad files --------------------------------------------
	expect 1 "no such file" "qaccel-quant: missing calibration file" \
		"$bin/qaccel-quant" --model "$model" --calib "$tmp/none" --observer mse \
		--out "$tmp/m.qaccel"
	expect 1 "no train-images" "qaccel-quant: calibration directory without images" \
		"$bin/qaccel-quant" --model "$model" --calib "$tmp" --observer mse \
		--out "$tmp/m.qaccel"
	expect 1 "not an idx3-ubyte image file" "qaccel-quant: labels as calibration images" \
		"$bin/qaccel-quant" --model "$model" --calib "$data/t10k-labels-idx1-ubyte.gz" \
		--observer mse --out "$tmp/m.qaccel"
	expect 1 "truncated" "qaccel-quant: truncated float model" \
		"$bin/qaccel-quant" --model "$tmp/trunc.safetensors" --calib "$data" \
		--observer mse --out "$tmp/m.qaccel"
	expect 1 "writing .*No such file" "qaccel-quant: output in a missing directory" \
		"${quant[@]}" --observer mse --out "$tmp/no/dir/m.qaccel"
	expect 1 "not a directory|File exists" "qaccel-quant: --histograms names a file" \
		"${quant[@]}" --observer mse --out "$tmp/m.qaccel" --histograms "$tmp/text.txt"

	# --- qaccel-quant + qaccel-demo end to end, each observer ---------------
	for obs in minmax ema percentile entropy mse; do
		expect 0 "calibrating: 100%.*|wrote: " "qaccel-quant --observer $obs" \
			"${quant[@]}" --observer "$obs" --out "$tmp/$obs.qaccel" \
			--histograms "$tmp/hist-$obs"
		if grep -q '^calibrating: 100%' "$tmp/out" && grep -Eq '^fc1 .* dB' "$tmp/out"; then
			pass "qaccel-quant --observer $obs: progress lines and SQNR table"
		else
			fail "qaccel-quant --observer $obs: progress lines and SQNR table"
		fi
		if python3 -c 'import sys, xml.dom.minidom as m
for f in sys.argv[1:]: m.parse(f)' "$tmp/hist-$obs/fc1.svg" "$tmp/hist-$obs/fc2.svg" \
			> "$tmp/out" 2>&1; then
			pass "qaccel-quant --observer $obs: histograms are well-formed SVG"
		else
			fail "qaccel-quant --observer $obs: histograms are well-formed SVG"
		fi
	done
	# Entropy calibration clips the post-ReLU activations of this model too
	# hard (see Documentation/quantization.rst), so it is not held to the target.
	for obs in minmax ema percentile mse; do
		expect 0 "target: within 0.5: met" "qaccel-demo --model $obs.qaccel meets the target" \
			"${demo[@]}" --model "$tmp/$obs.qaccel" --check
	done
	expect 0 "observer mse" "qaccel-demo from the float model (every observer compared)" \
		"${demo[@]}" --check --observer mse
	expect 0 "int8 .*avx2" "qaccel-demo on the AVX2 path" \
		env QACCEL_CPU_ISA=avx2 "${demo[@]}" --no-compare --limit 1000

	# --- damaged model files ------------------------------------------------
	size=$(stat -c %s "$tmp/mse.qaccel")
	head -c $((size - 100)) "$tmp/mse.qaccel" > "$tmp/cut.qaccel"
	expect 1 "truncated" "qaccel-demo: truncated model file" "${demo[@]}" --model "$tmp/cut.qaccel"
	cp "$tmp/mse.qaccel" "$tmp/flip.qaccel"
	printf '\xff' | dd of="$tmp/flip.qaccel" bs=1 seek=5000 conv=notrunc 2>/dev/null
	expect 1 "corrupt: CRC-32" "qaccel-demo: corrupt model file" "${demo[@]}" --model "$tmp/flip.qaccel"
	cp "$tmp/mse.qaccel" "$tmp/future.qaccel"
	printf '\x09' | dd of="$tmp/future.qaccel" bs=1 seek=8 conv=notrunc 2>/dev/null
	expect 1 "version 9.0 is not supported" "qaccel-demo: future format version" \
		"${demo[@]}" --model "$tmp/future.qaccel"
	python3 - "$tmp/small.safetensors" <<'PY'
import json, struct, sys
tensors = {"fc1.weight": (4, 784), "fc2.weight": (10, 4)}
header, off = {}, 0
for name, shape in tensors.items():
    size = 4 * shape[0] * shape[1]
    header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [off, off + size]}
    off += size
text = json.dumps(header).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + bytes(off))
PY
	expect 1 "not the same network" "qaccel-demo: model file and float model differ" \
		"${demo[@]}" --model "$tmp/mse.qaccel" --float "$tmp/small.safetensors"
	expect 0 "784-4-10" "qaccel-demo: a smaller float model (all-zero weights) runs" \
		"${demo[@]}" --model "$tmp/small.safetensors" --no-compare --limit 500
else
	n=$((n + 1))
	echo "ok $n dataset tests # SKIP no Fashion-MNIST in $data (dataset-fashion-mnist)"
fi

# --- qaccel-selftest ----------------------------------------------------------
expect 2 "usage" "qaccel-selftest: unknown option" "$bin/qaccel-selftest" --bogus
expect 2 "--backend: 'gpu'" "qaccel-selftest: unknown backend" "$bin/qaccel-selftest" --backend gpu
expect 2 "--random" "qaccel-selftest: bad --random" "$bin/qaccel-selftest" --random lots
expect 2 "contradict" "qaccel-selftest: --device with --backend cpu" \
	"$bin/qaccel-selftest" --backend cpu --device /dev/null
if "$bin/qaccel-selftest" --list > "$tmp/out" 2>&1 && [ "$(wc -l < "$tmp/out")" -eq 13 ]; then
	pass "qaccel-selftest --list"
else
	fail "qaccel-selftest --list"
fi
if ! ls /dev/accel/accel* > /dev/null 2>&1; then
	expect 4 "1\.\.0 # SKIP" "qaccel-selftest --backend device without a device: skip (4)" \
		env -u QACCEL_BACKEND "$bin/qaccel-selftest" --backend device
fi
expect 1 "^not ok 1 open " \
	"qaccel-selftest --device on a non-device node fails (1)" \
	env -u QACCEL_BACKEND "$bin/qaccel-selftest" --device "$tmp/text.txt"

echo "1..$n"
exit $failed
