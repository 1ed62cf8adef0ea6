# After the dhcp check: udhcpc -R releases its lease on exit (the address leaves rig.if), and a new
# udhcpc run gets the same address back. Uses the script the dhcp check wrote.
[ -x /tmp/udhcpc.script ] || fail "run the dhcp check first"
ip addr flush dev "$RIG_IF"
rm -f /tmp/lease /tmp/udhcpc.events
out=$(timeout 40 udhcpc -i "$RIG_IF" -f -q -n -R -t 5 -T 2 -s /tmp/udhcpc.script 2>&1) \
    || fail "udhcpc -R failed: $out"
[ -s /tmp/lease ] || fail "no lease before the release: $out"
. /tmp/lease
first=$ip
echo "$out" | grep -qi 'releas' || fail "udhcpc -R did not release: $out"
left=$(ip -o -4 addr show dev "$RIG_IF" | awk '{print $4}')
[ -z "$left" ] || fail "address $left still on $RIG_IF after the release"
rm -f /tmp/lease
out=$(timeout 40 udhcpc -i "$RIG_IF" -f -q -n -t 5 -T 2 -s /tmp/udhcpc.script 2>&1) \
    || fail "udhcpc after the release failed: $out"
[ -s /tmp/lease ] || fail "no lease after the release: $out"
. /tmp/lease
[ "$ip" = "$first" ] || fail "got $ip after releasing $first"
pass "released $first, then leased $ip again"
