# The virtio NIC appears with the MAC QEMU was given and comes up.
want=$(canonical_mac "${RIG_MAC:?rig.mac is required}")
i=0
while [ ! -e "/sys/class/net/$RIG_IF" ] && [ $i -lt 50 ]; do
    usleep 200000
    i=$((i + 1))
done
[ -e "/sys/class/net/$RIG_IF" ] || fail "no $RIG_IF after 10 s; have: $(ls /sys/class/net | tr '\n' ' ')"
mac=$(canonical_mac "$(cat "/sys/class/net/$RIG_IF/address")")
[ "$mac" = "$want" ] || fail "$RIG_IF has MAC $mac, expected $want"
ip link set lo up
ip link set "$RIG_IF" up || fail "ip link set $RIG_IF up failed"
flags=$(cat "/sys/class/net/$RIG_IF/flags")
[ $((flags & 1)) -eq 1 ] || fail "$RIG_IF flags $flags: not up"
pass "$RIG_IF up mac=$mac mtu=$(cat "/sys/class/net/$RIG_IF/mtu")"
