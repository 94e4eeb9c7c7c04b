# check.sh - sourced by the shell suites: pass/fail counters and check().
#
#   . test/suites/lib/check.sh
#   check LABEL GOT WANT      # "ok: LABEL" or "FAILED: LABEL: got ..., want ..."
pass=0
fail=0
check() {					# check LABEL GOT WANT
	if [ "$2" = "$3" ]; then
		echo "  ok: $1"
		pass=$((pass + 1))
	else
		echo "  FAILED: $1: got '$2', want '$3'"
		fail=$((fail + 1))
	fi
}
