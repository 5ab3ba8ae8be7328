#!/usr/bin/env bash
# Serving benchmark: wrk against /api/query with a rotating set of queries,
# beside `fixdex query --stdin` answering the same queries in one process.
#
#   benches/serve/run.sh INDEX_DIR [QUERIES.txt] [SECONDS] [CONNECTIONS]
#
# INDEX_DIR must hold a built index (fixdex index CORPUS --index INDEX_DIR).
# QUERIES.txt has one query per line (default: benches/serve/queries.txt);
# a .tsv is read for its first column. Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
index="${1:?usage: run.sh INDEX_DIR [QUERIES] [SECONDS] [CONNECTIONS]}"
queries="${2:-$here/queries.txt}"
seconds="${3:-30}"
conns="${4:-8}"
bin="${FIXDEX:-$here/../../target/release/fixdex}"
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$bin" ] || { echo "run.sh: build first: cargo build --release" >&2; exit 2; }
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
grep -v '^#' "$queries" | cut -f1 | sed '/^$/d' > "$work/q.txt"
n=$(wc -l < "$work/q.txt")

"$bin" serve --index "$index" --port 0 --read-only > "$work/serve.out" 2>/dev/null &
server=$!
for _ in $(seq 100); do grep -q http "$work/serve.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.out")

# wrk's Lua: each request takes the next query, URL-encoded.
{
  echo 'local qs = {}'
  while IFS= read -r q; do
    enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")
    echo "qs[#qs + 1] = \"/api/query?q=$enc\""
  done < "$work/q.txt"
  echo 'local i = 0'
  echo 'request = function() i = i % #qs + 1; return wrk.format("GET", qs[i]) end'
} > "$work/rotate.lua"

echo "== wrk: $conns connections, 2 threads, ${seconds}s, $n rotating queries, $url"
wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$work/rotate.lua" "$url" | sed -n '/Latency Distribution/,/Transfer/p'

echo "== fixdex query --stdin, the same queries x20"
for _ in $(seq 20); do cat "$work/q.txt"; done > "$work/q20.txt"
start=$(date +%s.%N)
"$bin" query --index "$index" --stdin --no-refresh < "$work/q20.txt" > /dev/null
end=$(date +%s.%N)
python3 -c "import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print(f'{n} queries in {t:.2f} s: {n/t:.0f} queries/s')" "$((n * 20))" "$start" "$end"
