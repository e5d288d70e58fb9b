# SPDX-License-Identifier: ISC
# bash completion for chdrop-root(1)                       -*- shell-script -*-
#
# The command (add, update, check), then its options; user names for
# --user, text|json for --format; directories for ROOT and --state, host
# paths for add's PATHs.  bash-completion loads it on demand from
# /usr/share/bash-completion/completions/chdrop-root.

_chdrop_root() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]:-}
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W 'add update check --help --version' -- "$cur")
		return 0
	fi
	case "$cur" in
	--user=*)
		mapfile -t COMPREPLY < <(compgen -u -P --user= -- "${cur#--user=}")
		return 0 ;;
	--format=*)
		mapfile -t COMPREPLY < <(compgen -W 'text json' -P --format= -- "${cur#--format=}")
		return 0 ;;
	--state=*|--registry=*)
		mapfile -t COMPREPLY < <(compgen -d -P "${cur%%=*}=" -- "${cur#*=}")
		return 0 ;;
	-*)
		local opts
		case "$cmd" in
		add) opts='--user= --dev --tmp --etc --state= --registry=' ;;
		update) opts='--all --registry=' ;;
		check) opts='--format=' ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		[[ "${COMPREPLY[0]:-}" == *= ]] && compopt -o nospace 2>/dev/null
		return 0 ;;
	esac
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	compopt -o filenames 2>/dev/null
	return 0
}
complete -F _chdrop_root chdrop-root
