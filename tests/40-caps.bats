#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Capabilities: kept caps in permitted, effective, inheritable, ambient and
# bounding sets; every other cap gone from all five.

load helpers

setup_file() { default_setup_file; }
teardown_file() { default_teardown_file; }
setup() { default_setup; }

# assert_caps HEX: all five sets equal HEX.
assert_caps() {
	local set
	for set in cap_eff cap_prm cap_inh cap_amb cap_bnd; do
		assert_probe "$set" "$1"
	done
}

@test "no -c: all five sets empty" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_caps 0x0
}

@test "no -c, no root: all five sets empty" {
	run -0 --separate-stderr chdrop -u "$TUSER" -- "$HPROBE"
	assert_caps 0x0
}

@test "-c net_bind_service: exactly that bit in all five sets" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -c net_bind_service -- /bin/probe
	assert_caps 0x400
}

@test "-c CAP_NET_BIND_SERVICE (prefix, upper case)" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -c CAP_NET_BIND_SERVICE -- /bin/probe
	assert_caps 0x400
}

@test "-c cap_net_bind_service (prefix, lower case)" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -c cap_net_bind_service -- /bin/probe
	assert_caps 0x400
}

@test "--caps= list of two, mixed case" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" --caps=net_bind_service,CAP_SYS_TIME -- /bin/probe
	# net_bind_service = 10, sys_time = 25
	assert_caps 0x2000400
}

# A privileged port, unless the sysctl makes every port unprivileged.
privileged_port() {
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)
	(( start > 1001 )) || skip "ip_unprivileged_port_start=$start"
	echo 1001
}

@test "-c net_bind_service works: the target binds a privileged port" {
	local port
	port=$(privileged_port)
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -c net_bind_service -- /bin/probe bind "$port"
	assert_probe bind ok
}

@test "control: without -c the target cannot bind a privileged port" {
	local port
	port=$(privileged_port)
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe bind "$port"
	assert_probe bind EACCES
}

@test "kept caps survive a second exec into an ordinary binary" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -c chown -- /bin/probe exec /bin/probe
	assert_caps 0x1
}

@test "-c with --allow-root: uid 0 keeps only the listed caps" {
	run -0 --separate-stderr chdrop --allow-root -u 0 -g "$TUSER_GID" -G '' -c net_bind_service -- "$HPROBE"
	assert_probe uid 0,0,0
	assert_caps 0x400
}

@test "--allow-root, no -c: uid 0 with all five sets empty" {
	run -0 --separate-stderr chdrop --allow-root -u 0 -g 0 -G '' -- "$HPROBE"
	assert_probe uid 0,0,0
	assert_caps 0x0
}

@test "--allow-root: uid 0 cannot regain caps through a second exec" {
	run -0 --separate-stderr chdrop --allow-root -u 0 -g 0 -G '' -- "$HPROBE" exec "$HPROBE"
	assert_probe uid 0,0,0
	assert_caps 0x0
}

@test "a cap the caller does not hold: 125, target not run" {
	# Drop cap_sys_time from the caller's bounding set first.
	run -125 --separate-stderr setpriv --bounding-set=-sys_time --inh-caps=-all -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -c sys_time -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == *"sys_time is not in chdrop's own bounding set"* ]]
	refute_target_ran
}

@test "a cap in the bounding set but not permitted: 125, says so" {
	# root with SECBIT_NOROOT, holding only what chdrop needs (ambient)
	local c=+setuid,+setgid,+sys_chroot,+setpcap
	run -125 --separate-stderr setpriv --securebits=+noroot --inh-caps=-all,$c \
		--ambient-caps=-all,$c -- "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" \
		-c sys_time -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == *"does not hold sys_time"* ]]
	refute_target_ran
	# control: the same caller, asking for no caps, runs the target
	run -0 --separate-stderr setpriv --securebits=+noroot --inh-caps=-all,$c \
		--ambient-caps=-all,$c -- "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" \
		-- /bin/probe
	assert_probe cap_prm 0x0
}

@test "-c bogus: 125" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -c bogus -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "-c cap_bogus: 125" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -c CAP_BOGUS -- /bin/probe
	assert_one_error_line
	refute_target_ran
}
