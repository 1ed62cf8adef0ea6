#!/bin/sh
# dhclient's -sf script for namespace guests: records what dhclient hands its script and applies the address
# to the interface inside the namespace. Unlike Debian's dhclient-script it never writes resolv.conf or any
# other host file. Dhclient.java replaces @RECORD@ with the record file in the run directory.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
RECORD="@RECORD@"
case "$reason" in
    PREINIT)
        ip link set dev "$interface" up
        ;;
    BOUND|RENEW|REBIND|REBOOT)
        if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
            ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface"
        fi
        if [ -n "$new_interface_mtu" ]; then
            ip link set dev "$interface" mtu "$new_interface_mtu"
        fi
        ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
        echo "reason=$reason ip=$new_ip_address mask=$new_subnet_mask routers=$new_routers" \
            "dns=$new_domain_name_servers mtu=$new_interface_mtu search=$new_domain_search" \
            "lease=$new_dhcp_lease_time server=$new_dhcp_server_identifier" >> "$RECORD"
        ;;
    RELEASE|EXPIRE|FAIL|STOP)
        if [ -n "$old_ip_address" ]; then
            ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface"
        fi
        echo "reason=$reason old_ip=$old_ip_address" >> "$RECORD"
        ;;
esac
exit 0
