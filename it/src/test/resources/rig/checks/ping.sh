# ICMP echo to the gateway, 0 % loss required.
ping_check "$RIG_GW" "${RIG_PING_COUNT:-10}"
