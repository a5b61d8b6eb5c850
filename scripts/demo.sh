#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the VM (the modules cannot load in the build machine's own
# kernel) and run the demo in it, step by step. With --host, run it right
# here instead: on a KVM host whose kernel matches the installed headers.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--host" ]; then
	exec "$top/scripts/demo-guest.sh"
fi
exec "$top/selftests/vm/run-vm.sh" --mem 4G -- "$top/scripts/demo-guest.sh"
