# Nobody answers ARP for an address that no host uses: the gateway must not claim it.
target=${RIG_ARPNONE:-192.168.127.77}
out=$(timeout 10 arping -c 2 -w 3 -I "$RIG_IF" "$target" 2>&1)
reply=$(echo "$out" | grep 'reply from' | head -n 1)
[ -z "$reply" ] || fail "unexpected ARP reply: $reply"
echo "$out" | grep -q 'Sent 2 probe' || fail "arping did not send its probes: $(echo "$out" | tail -n 2)"
pass "no reply for $target (2 probes)"
