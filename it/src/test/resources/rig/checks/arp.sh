# The gateway answers ARP with its fixed MAC.
out=$(timeout 10 arping -c 2 -w 5 -I "$RIG_IF" "$RIG_GW" 2>&1)
replies=$(echo "$out" | grep -c 'reply from')
[ "$replies" -gt 0 ] || fail "no ARP reply from $RIG_GW: $(echo "$out" | tail -n 1)"
for raw in $(echo "$out" | grep 'reply from' | sed -n 's/.*\[\([0-9A-Fa-f:]*\)\].*/\1/p'); do
    mac=$(canonical_mac "$raw")
    [ "$mac" = "$(canonical_mac "$RIG_GWMAC")" ] || fail "$RIG_GW is-at $mac, expected $RIG_GWMAC"
done
pass "$RIG_GW is-at $mac ($replies replies)"
