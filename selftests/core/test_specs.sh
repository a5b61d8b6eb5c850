#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Each family's YAML spec against the genetlink schema, the uapi header and
# what the loaded module registers (selftests/core/specs.py).
exec /usr/bin/python3 "$(dirname "$0")/specs.py"
