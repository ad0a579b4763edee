#!/usr/bin/env bash
# Fault drills under load (PostgreSQL restarted, Redis stopped, search index deleted) on a
# private PostgreSQL cluster and Redis of their own; see bench/faults.py --help.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/faults.py "$@"
