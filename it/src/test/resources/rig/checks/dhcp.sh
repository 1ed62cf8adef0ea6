# DHCP with busybox udhcpc: a lease within rig.dhcp_tries discovers, configured on rig.if by a udhcpc
# script that records every lease field. Expected: rig.dhcp_ip (192.168.127.2), /rig.prefix, router and
# DNS rig.gw, rig.dhcp_mtu (1500), and rig.dhcp_search when given. The detail lists what was received.
cat > /tmp/udhcpc.script <<'SCRIPT'
#!/bin/sh
case "$1" in
    bound|renew)
        {
            echo "ip='$ip'"; echo "mask='$mask'"; echo "router='$router'"; echo "dns='$dns'"
            echo "mtu='$mtu'"; echo "search='$search'"; echo "serverid='$serverid'"; echo "lease='$lease'"
        } > /tmp/lease
        ip addr add "$ip/$mask" dev "$interface"
        [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
        ip route add default via "$router" dev "$interface" 2>/dev/null
        echo "$1" >> /tmp/udhcpc.events
        ;;
    deconfig)
        ip addr flush dev "$interface"
        echo deconfig >> /tmp/udhcpc.events
        ;;
    *)
        echo "$1" >> /tmp/udhcpc.events
        ;;
esac
exit 0
SCRIPT
chmod +x /tmp/udhcpc.script
rm -f /tmp/lease
out=$(timeout 40 udhcpc -i "$RIG_IF" -f -q -n -t "${RIG_DHCP_TRIES:-5}" -T 2 -s /tmp/udhcpc.script 2>&1) \
    || fail "udhcpc failed: $out"
[ -s /tmp/lease ] || fail "no lease recorded: $out"
. /tmp/lease
got="ip=$ip/$mask router=$router dns=$dns mtu=$mtu search=$search serverid=$serverid lease=$lease"
want_ip=${RIG_DHCP_IP:-192.168.127.2}
[ "$ip" = "$want_ip" ] || fail "expected ip $want_ip; $got"
[ "$mask" = "$RIG_PREFIX" ] || fail "expected /$RIG_PREFIX; $got"
[ "$router" = "$RIG_GW" ] || fail "expected router $RIG_GW; $got"
[ "$dns" = "$RIG_GW" ] || fail "expected dns $RIG_GW; $got"
[ "$serverid" = "$RIG_GW" ] || fail "expected server id $RIG_GW; $got"
[ "$mtu" = "${RIG_DHCP_MTU:-1500}" ] || fail "expected mtu ${RIG_DHCP_MTU:-1500}; $got"
if [ -n "$RIG_DHCP_SEARCH" ]; then
    [ "$search" = "$RIG_DHCP_SEARCH" ] || fail "expected search $RIG_DHCP_SEARCH; $got"
fi
have=$(ip -o -4 addr show dev "$RIG_IF" | awk '{print $4}')
[ "$have" = "$ip/$mask" ] || fail "$RIG_IF has '$have' after the lease; $got"
pass "$got"
