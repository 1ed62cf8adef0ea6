# ICMP echo to another guest on the same virtual network (rig.peer). The peer may still be
# booting, so wait (bounded by rig.peer_wait seconds) for its first reply, then require 0 % loss.
peer=${RIG_PEER:?rig.peer is required}
wait=${RIG_PEER_WAIT:-30}
i=0
until ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt "$wait" ] || fail "$peer: no reply within ${wait}s"
done
ping_check "$peer" "${RIG_PING_COUNT:-10}"
