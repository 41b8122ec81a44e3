#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The main job behind `make run`: the Fashion-MNIST demo. qaccel-demo
# classifies the 10,000 test images with the float32 model (OpenBLAS) and
# with its int8 version on libqaccel's default backend (a qaccel device when
# one is usable, otherwise the CPU backend), and prints the backend, the
# accuracy of each calibration observer, and accuracy, images/s and size of
# float32 against int8.
#
# Usage: scripts/run.sh [qaccel-demo options]   (see qaccel-demo --help)

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
export LD_LIBRARY_PATH=$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# Debian 12's OpenBLAS does not recognise recent AVX-512 CPUs: use its
# SkylakeX kernels there (never on a CPU without AVX-512, where they would
# not run).
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512bw /proc/cpuinfo 2>/dev/null; then
	export OPENBLAS_CORETYPE=SkylakeX
fi

exec "$BUILD/bin/qaccel-demo" --model "$top/demo/fashion_mnist_mlp.safetensors" "$@"
