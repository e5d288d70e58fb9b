# SPDX-License-Identifier: ISC
# bash completion for chdrop(1)                            -*- shell-script -*-
#
# Options; user names for --user, group names for --group and (as a comma
# list) --groups; capability names, as a comma list, for --caps; directories
# for --root, and for --chdir relative to the --root given; the program
# (inside the --root when one is given) and then its arguments as files.
# Needs nothing beyond bash itself; bash-completion loads it on demand from
# /usr/share/bash-completion/completions/chdrop.

# Capability names as chdrop takes them, in kernel order; trimmed to the
# running kernel's last cap when /proc says what that is.
_chdrop_caps() {
	local -a caps=(chown dac_override dac_read_search fowner fsetid kill
		setgid setuid setpcap linux_immutable net_bind_service
		net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module
		sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot
		sys_nice sys_resource sys_time sys_tty_config mknod lease
		audit_write audit_control setfcap mac_override mac_admin syslog
		wake_alarm block_suspend audit_read perfmon bpf
		checkpoint_restore)
	local last
	if read -r last </proc/sys/kernel/cap_last_cap 2>/dev/null &&
		[[ "$last" =~ ^[0-9]+$ ]] && ((last < ${#caps[@]})); then
		caps=("${caps[@]:0:last+1}")
	fi
	printf '%s\n' "${caps[@]}"
}

# _chdrop_list CUR WORD...: complete the last element of the comma list CUR
# from WORDs, leaving out the elements already given.
_chdrop_list() {
	local cur=$1 head="" last=$1 w
	shift
	if [[ "$cur" == *,* ]]; then
		head=${cur%,*},
		last=${cur##*,}
	fi
	local -A seen=()
	local IFS=,
	for w in ${head%,}; do seen[$w]=1; done
	unset IFS
	for w in "$@"; do
		[[ "$w" == "$last"* && -z "${seen[$w]:-}" ]] && COMPREPLY+=("$head$w")
	done
	# One element is rarely the whole list: no space after it.
	compopt -o nospace 2>/dev/null
	return 0
}

# _chdrop_dirs PREFIX CUR: directories under PREFIX (a root, or "") that
# start with CUR, shown without PREFIX.
_chdrop_dirs() {
	local prefix=$1 cur=$2 d
	while IFS= read -r d; do
		COMPREPLY+=("${d#"$prefix"}/")
	done < <(compgen -d -- "$prefix$cur")
	compopt -o nospace -o filenames 2>/dev/null
	return 0
}

_chdrop() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" opt="" root="" i w
	local -a words
	COMPREPLY=()

	# bash splits "--user=ro" into "--user" "=" "ro" (COMP_WORDBREAKS).
	if ((COMP_CWORD >= 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	if [[ "$cur" == "=" ]]; then
		opt=$prev
		cur=""
	elif [[ "$prev" == "=" ]] && ((COMP_CWORD >= 2)); then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ "$cur" == --*=* ]]; then
		# COMP_WORDBREAKS without "=": the option and value are one word.
		opt=${cur%%=*}
		cur=${cur#*=}
	else
		opt=$prev
	fi

	# Find the --root given so far, and where the program starts.
	local -a takes_arg=(-u --user -g --group -G --groups --userdb -r --root
		-w --chdir -c --caps --keep-fd --scope -e --env)
	local prog_at=0 expect=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((expect)); then
			[[ "$w" == "=" ]] && continue
			[[ "$i" -ge 2 && "${COMP_WORDS[i - 2]}" =~ ^(-r|--root)$ ||
				"${COMP_WORDS[i - 1]}" =~ ^(-r|--root)$ ]] && root=$w
			expect=0
			continue
		fi
		case $w in
		--) prog_at=$((i + 1)); break ;;
		--root=?*) root=${w#--root=} ;;
		-r?*) root=${w#-r} ;;
		-*)
			local t
			for t in "${takes_arg[@]}"; do
				if [[ "$w" == "$t" ]]; then
					expect=1
					break
				fi
			done
			;;
		*) prog_at=$i; break ;;
		esac
	done
	root=${root%/}

	# The program, then its arguments.
	if ((prog_at > 0)); then
		if ((COMP_CWORD == prog_at)); then
			if [[ -n "$root" ]]; then
				while IFS= read -r w; do
					COMPREPLY+=("${w#"$root"}")
				done < <(compgen -f -- "$root$cur")
				compopt -o filenames 2>/dev/null
			else
				mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
			fi
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			compopt -o filenames 2>/dev/null
		fi
		return 0
	fi

	case $opt in
	-u | --user)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return 0
		;;
	-g | --group)
		mapfile -t COMPREPLY < <(compgen -g -- "$cur")
		return 0
		;;
	-G | --groups)
		mapfile -t words < <(compgen -g)
		_chdrop_list "$cur" "${words[@]}"
		return 0
		;;
	-c | --caps)
		mapfile -t words < <(_chdrop_caps)
		_chdrop_list "$cur" "${words[@]}"
		return 0
		;;
	--scope)
		_chdrop_list "$cur" signal abstract-unix
		return 0
		;;
	--userdb)
		mapfile -t COMPREPLY < <(compgen -W "host root" -- "$cur")
		return 0
		;;
	--bind-ro | --bind)
		# SRC on the host (DST after ':' is left to the user).
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	--tmpfs)
		[[ "$cur" == /* ]] || cur=/$cur
		_chdrop_dirs "$root" "$cur"
		return 0
		;;
	-r | --root | --audit)
		_chdrop_dirs "" "$cur"
		return 0
		;;
	--audit-format)
		mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur")
		return 0
		;;
	--audit-level)
		mapfile -t COMPREPLY < <(compgen -W "hazard all" -- "$cur")
		return 0
		;;
	-w | --chdir)
		# A path inside the root: absolute.
		[[ "$cur" == /* ]] || cur=/$cur
		_chdrop_dirs "$root" "$cur"
		return 0
		;;
	-e | --env)
		if [[ "$cur" != *=* ]]; then
			mapfile -t COMPREPLY < <(compgen -e -S = -- "$cur")
			compopt -o nospace 2>/dev/null
		fi
		return 0
		;;
	--keep-fd)
		return 0
		;;
	esac

	if [[ "$cur" == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "
			--user= --group= --groups= --userdb= --allow-root
			--root= --chdir= --unsafe-root --pivot-root --userns --map-root
			--bind-ro= --bind= --tmpfs= --dev --host-program
			--audit= --audit-format= --audit-level= --caps=
			--allow-new-privs --no-securebits --inherit-fds --keep-fd=
			--no-tty-guard --new-session --no-landlock --require-landlock --scope=
			--reset-env --env= --dry-run --verbose --help --version
			-u -g -G -r -w -c -e -n -v -h -V --" -- "$cur")
		[[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *= ]] &&
			compopt -o nospace 2>/dev/null
		return 0
	fi
	mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
	return 0
}
complete -F _chdrop chdrop
