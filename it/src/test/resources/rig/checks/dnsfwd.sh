# Names outside the local zones are forwarded by the gateway to the host's nameserver (the test's fake
# server). For each type in rig.dns_types (comma separated), busybox nslookup -type=T asks rig.gw for
# rig.dns_name (rig.dns_ptr for ptr); a failed lookup fails the check. The detail carries every answer
# line as "[type] line; line; ..." for the host to compare with what its server holds.
name=${RIG_DNS_NAME:?rig.dns_name is required}
detail=""
for t in $(echo "${RIG_DNS_TYPES:-a}" | tr ',' ' '); do
    q=$name
    [ "$t" = ptr ] && q=${RIG_DNS_PTR:?rig.dns_ptr is required for ptr}
    out=$(timeout 15 nslookup -type="$t" "$q" "$RIG_GW" 2>&1) || fail "$t $q: $out"
    # Drop the server banner ("Server:", "Address:<tab>gw:53") and blank lines; keep the answers.
    answers=$(echo "$out" | grep -v -e '^Server:' -e '^Address:	' -e '^$' | tr '\t' ' ' | tr '\n' ';')
    [ -n "$answers" ] || fail "$t $q: no answer: $out"
    detail="$detail [$t] $answers"
done
pass "$detail"
