#!/usr/bin/env bash
# Transparent mode end to end, run by transparent.test.ts inside a private network namespace
# (`unshare -n`): librdkafka's mock broker, `sluice kafka-proxy` without --upstream, and an
# iptables REDIRECT of the client user's (nobody) traffic to the broker into the proxy. kcat runs
# as nobody and talks to the broker's own address; the proxy finds it with SO_ORIGINAL_DST.
# Usage: transparent.sh <mockbroker> <cli main.js> <workdir>
set -euo pipefail
mock_bin=$1 cli=$2 dir=$3
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

ip link set lo up
mkfifo "$dir/mock.out"
"$mock_bin" 1 orders secret > "$dir/mock.out" 2>/dev/null &
pids+=($!)
read -r bootstrap < "$dir/mock.out"
mock_port=${bootstrap##*:}
echo "mock broker at 127.0.0.1:$mock_port"

cat > "$dir/rules.json" <<JSON
[{"name":"orders-kafka","policy":"shop/orders-kafka","endpoints":[{"address":"127.0.0.1","port":$mock_port}],
  "allow":[{"id":"shop/orders-kafka#rules.kafka[0]","role":"produce","api_keys":[0,3,10,17,18,22,36,60],"topic":{"exact":"orders"}},
           {"id":"shop/orders-kafka#rules.kafka[1]","role":"consume","api_keys":[1,2,3,8,9,10,11,12,13,14,17,18,23,36,60],"topic":{"exact":"orders"}}]}]
JSON
node "$cli" kafka-proxy --rules "$dir/rules.json" --listen 127.0.0.1:15092 --admin 127.0.0.1:15901 --log-level info > "$dir/proxy.out" 2> "$dir/proxy.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -sf 127.0.0.1:15901/healthz >/dev/null 2>&1 && break; sleep 0.1; done

iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport "$mock_port" -m owner --uid-owner nobody -j REDIRECT --to-ports 15092
as_client() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

echo "== produce orders"
echo "through-the-redirect" | as_client kcat -b "127.0.0.1:$mock_port" -P -t orders 2>&1 || true
echo "== produce secret"
echo "nope" | as_client kcat -b "127.0.0.1:$mock_port" -P -t secret 2>&1 || true
echo "== consume orders"
as_client timeout 30 kcat -b "127.0.0.1:$mock_port" -C -t orders -o beginning -e 2>&1 || true
echo "== metrics"
curl -sf 127.0.0.1:15901/metrics | grep -E '^sluice_kafka_(requests_total|connection_closes_total)' || true
echo "== flows"
grep -c '"kafka flow"' "$dir/proxy.log" || true
grep '"verdict":"deny"' "$dir/proxy.log" | head -3 || true
