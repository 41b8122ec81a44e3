#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The main job behind `make run`: show what qaccel finds on this machine (the
# backends, the devices and which one a program would get).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
export LD_LIBRARY_PATH=$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

exec "$BUILD/bin/qaccel-info"
