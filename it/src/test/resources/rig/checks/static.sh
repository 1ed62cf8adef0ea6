# A static address instead of DHCP, for tests that do not exercise the DHCP server.
ip addr add "$RIG_IP/$RIG_PREFIX" dev "$RIG_IF" || fail "ip addr add $RIG_IP/$RIG_PREFIX dev $RIG_IF failed"
pass "$(ip -o -4 addr show dev "$RIG_IF" | awk '{print $4}') on $RIG_IF"
