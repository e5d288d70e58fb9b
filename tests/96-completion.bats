#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Shell completions: completions/chdrop.bash (driven through COMP_WORDS, as
# bash's programmable completion calls it) and completions/_chdrop (driven
# through a real interactive zsh on a pseudo-terminal, when zsh is there).
# Neither needs root.
load helpers

COMPDIR="$BATS_TEST_DIRNAME/../completions"

# bash_complete WORD...: the candidates the bash completion offers for the
# command line WORD... (the last word is the one being completed; pass ""
# to complete a new word), one per line, sorted.
bash_complete() {
	bash --norc --noprofile -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_chdrop
		printf "%s\n" "${COMPREPLY[@]}" | sort' \
		bash_complete "$COMPDIR/chdrop.bash" "$@"
}

@test "bash completion: registers for chdrop" {
	# shellcheck disable=SC2016  # expanded by the inner bash
	run -0 bash --norc --noprofile -c 'source "$1" && complete -p chdrop' \
		x "$COMPDIR/chdrop.bash"
	assert_output "complete -F _chdrop chdrop"
}

@test "bash completion: -c offers capability names" {
	run -0 bash_complete chdrop -c net_b
	assert_output "$(printf '%s\n' net_bind_service net_broadcast)"
}

@test "bash completion: --caps=, split at '=' as bash does, offers capability names" {
	run -0 bash_complete chdrop --caps = sys_ti
	assert_output "sys_time"
}

@test "bash completion: --caps offers every capability the kernel knows" {
	run -0 bash_complete chdrop --caps ""
	assert_line chown
	assert_line sys_time
	assert_line net_bind_service
	last=$(cat /proc/sys/kernel/cap_last_cap)
	assert_equal "${#lines[@]}" "$((last + 1))"
}

@test "bash completion: a capability list completes its last element, without repeats" {
	run -0 bash_complete chdrop -c net_bind_service,sys_ti
	assert_output "net_bind_service,sys_time"
	run -0 bash_complete chdrop -c net_bind_service,net_
	assert_output "$(printf '%s\n' net_bind_service,net_admin \
		net_bind_service,net_broadcast net_bind_service,net_raw)"
}

@test "bash completion: options" {
	run -0 bash_complete chdrop --no-
	assert_output "$(printf '%s\n' --no-landlock --no-securebits --no-tty-guard)"
	run -0 bash_complete chdrop --ca
	assert_output "--caps="
}

@test "bash completion: every long option in --help is offered" {
	require_chdrop
	run -0 bash_complete chdrop --
	local opt
	for opt in $("$CHDROP" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		[[ "$output" == *"$opt"* ]] ||
			fail "--help lists $opt, the completion does not offer it"
	done
}

@test "bash completion: user and group names" {
	run -0 bash_complete chdrop -u roo
	assert_output root
	run -0 bash_complete chdrop --group = roo
	assert_output root
	run -0 bash_complete chdrop -G nogroup,roo
	assert_output nogroup,root
}

@test "bash completion: directories for --root, and for --chdir inside it" {
	run -0 bash_complete chdrop -r /et
	assert_output /etc/
	run -0 bash_complete chdrop --root = /usr --chdir = /shar
	assert_output /share/
}

@test "bash completion: --userdb and --scope values" {
	run -0 bash_complete chdrop --userdb ""
	assert_output "$(printf '%s\n' host root)"
	run -0 bash_complete chdrop --scope signal,
	assert_output signal,abstract-unix
}

@test "bash completion: the program is looked up inside --root" {
	run -0 bash_complete chdrop -r /usr -u nobody -- /bin/bas
	assert_line /bin/bash
	refute_line --partial /usr/bin
}

@test "zsh completion: -c offers capability names" {
	command -v zsh >/dev/null || skip "needs zsh"
	run -0 timeout 30 zsh -f "$BATS_TEST_DIRNAME/zsh-complete" \
		"$COMPDIR" 'chdrop -c net_b' net_broadcast
	assert_output --partial net_bind_service
}

@test "zsh completion: a capability list completes its last element" {
	command -v zsh >/dev/null || skip "needs zsh"
	run -0 timeout 30 zsh -f "$BATS_TEST_DIRNAME/zsh-complete" \
		"$COMPDIR" 'chdrop --caps=net_bind_service,sys_ti' 'sys_time,'
	assert_output --partial 'chdrop --caps=net_bind_service,sys_time,'
}

@test "zsh completion: user names and --root directories" {
	command -v zsh >/dev/null || skip "needs zsh"
	run -0 timeout 30 zsh -f "$BATS_TEST_DIRNAME/zsh-complete" \
		"$COMPDIR" 'chdrop -u nob' 'nobody'
	run -0 timeout 30 zsh -f "$BATS_TEST_DIRNAME/zsh-complete" \
		"$COMPDIR" 'chdrop -r /et' 'etc/'
}
