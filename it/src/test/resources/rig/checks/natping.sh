# Through gvproxy's ICMP forwarding: each address of rig.nat_ping (comma-separated) must answer rig.ping_count (5)
# pings with 0 % loss and a round-trip line; each address of rig.nat_noping must answer none. The detail has
# ping's summaries.
count=${RIG_PING_COUNT:-5}
detail=""
for a in $(echo "${RIG_NAT_PING:-}" | tr ',' ' '); do
    out=$(timeout $((count + 15)) ping -c "$count" -i 0.2 -W 2 "$a" 2>&1)
    loss=$(echo "$out" | grep 'packet loss')
    rtt=$(echo "$out" | grep 'round-trip')
    case "$loss" in
        *" 0% packet loss"*) ;;
        *) fail "$a: ${loss:-no summary: $(echo "$out" | tail -n 2)};$detail" ;;
    esac
    [ -n "$rtt" ] || fail "$a: no round-trip line;$detail"
    detail="$detail $a: $rtt;"
done
for a in $(echo "${RIG_NAT_NOPING:-}" | tr ',' ' '); do
    out=$(timeout 20 ping -c 3 -i 0.2 -W 2 "$a" 2>&1) && fail "$a answered: $(echo "$out" | tail -n 2);$detail"
    detail="$detail $a: $(echo "$out" | grep 'packet loss');"
done
pass "$detail"
