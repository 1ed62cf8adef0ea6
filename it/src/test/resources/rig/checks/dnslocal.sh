# busybox nslookup against the gateway's DNS server (rig.gw): the local zones answer
# host.containers.internal with rig.dns_host (192.168.127.254), GATEWAY.Containers.Internal (any case)
# with the gateway, and a missing name in a local zone with NXDOMAIN.
lookup() {
    timeout 15 nslookup "$@" "$RIG_GW" 2>&1
}
host_ip=${RIG_DNS_HOST:-192.168.127.254}
out=$(lookup host.containers.internal) || fail "host.containers.internal: $out"
echo "$out" | grep -q "^Address: $host_ip\$" || fail "host.containers.internal not $host_ip: $out"
out=$(lookup GATEWAY.Containers.Internal) || fail "GATEWAY.Containers.Internal: $out"
echo "$out" | grep -q "^Address: $RIG_GW\$" || fail "GATEWAY.Containers.Internal not $RIG_GW: $out"
out=$(lookup -type=a missing.containers.internal)
echo "$out" | grep -q "NXDOMAIN" || fail "missing.containers.internal not NXDOMAIN: $out"
pass "host=$host_ip gateway=$RIG_GW missing=NXDOMAIN"
