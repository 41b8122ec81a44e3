#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The `selftest` suite of make check: qaccel-selftest on the CPU backend with
# every SIMD path this machine has (QACCEL_CPU_ISA), then on each usable
# qaccel device that qaccel-info lists. The KTAP output of every run is
# passed through.

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
export LD_LIBRARY_PATH=$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
st=$BUILD/bin/qaccel-selftest
rc=0

# "cpu ISA..." and "device PATH" lines from the library's own discovery.
backends=$("$BUILD/bin/qaccel-info" --json | python3 -c '
import json, sys
for b in json.load(sys.stdin)["backends"]:
    if b["kind"] == "cpu":
        print("cpu", " ".join(b["isa_available"]))
    elif b["usable"]:
        print("device", b["path"])') || { echo "not ok 1 qaccel-info --json"; exit 1; }

while read -r kind rest; do
	if [ "$kind" = cpu ]; then
		for isa in $rest; do
			echo "# qaccel-selftest --backend cpu, QACCEL_CPU_ISA=$isa"
			QACCEL_CPU_ISA=$isa "$st" --backend cpu --random 100 --time 0.1 || rc=1
		done
	else
		echo "# qaccel-selftest --device $rest"
		"$st" --device "$rest" --time 0.1
		r=$?
		[ $r -eq 0 ] || [ $r -eq 4 ] || rc=1
	fi
done <<< "$backends"
exit $rc
