# membench.bash - bash completion for every membench program. The options come from the
# program's own --help (read once per shell), so completion cannot drift from the program.
# Installed by `make install` once per program name, where bash-completion looks for it.

# _membench_help PROG: the option lines of PROG --help as "NAME<TAB>ARG<TAB>VALUES" rows, one per
# spelling (-k and --key-file each get a row); ARG is empty for a flag, VALUES lists the words
# the help names for the value ("text, meta or binary").
_membench_help() {
	"$1" --help 2>/dev/null | awk '
	/^ +-/ {
		line = $0
		sub(/^ +/, "", line)
		n = split(line, w, " ")
		names = ""; arg = ""; i = 1
		for (; i <= n; i++) {
			t = w[i]
			if (t ~ /^--?[A-Za-z0-9]/) {
				sub(/,$/, "", t); sub(/\[=.*$/, "", t)
				names = names " " t
				if (w[i] ~ /,$/) continue
				if (i < n && w[i + 1] ~ /^[A-Z][A-Za-z0-9|_.-]*$/) { arg = w[i + 1]; i++ }
				i++
				break
			}
			break
		}
		desc = ""
		for (; i <= n; i++) desc = desc " " w[i]
		vals = ""
		if (arg != "" && match(desc, /[a-z][a-z-]*(, [a-z][a-z-]*)* or [a-z][a-z-]*/)) {
			vals = substr(desc, RSTART, RLENGTH)
			gsub(/,| or /, " ", vals)
		}
		m = split(names, nm, " ")
		for (j = 1; j <= m; j++) printf "%s\t%s\t%s\n", nm[j], arg, vals
	}'
}

_membench() {
	local cur prev prog row name arg vals words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}
	declare -gA _membench_cache
	if [ -z "${_membench_cache[$prog]+set}" ]; then
		_membench_cache[$prog]=$(_membench_help "$prog")
	fi
	COMPREPLY=()
	# The value of the option before the cursor.
	while IFS=$'\t' read -r name arg vals; do
		[ -n "$name" ] && [ "$name" = "$prev" ] && [ -n "$arg" ] || continue
		case $arg in
		FILE | F | FILE.*) COMPREPLY=($(compgen -f -- "$cur")) ;;
		IFACE) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")) ;;
		*) [ -n "$vals" ] && COMPREPLY=($(compgen -W "$vals" -- "$cur")) ;;
		esac
		return 0
	done <<<"${_membench_cache[$prog]}"
	if [[ $cur == -* ]]; then
		words=$(printf '%s\n' "${_membench_cache[$prog]}" | cut -f1)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi
	# Operands: input files, except for mb-capture, whose operands are a filter expression.
	case ${prog##*/} in
	mb-capture | mb-gen) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}

complete -o filenames -o bashdefault -F _membench mb-anon mb-capture mb-cat mb-fire mb-gen mb-pack mb-parse mb-stat
