#!/bin/sh
# build-deb.sh OUTDIR  ("make deb") - build the Debian package
# postgresql-15-experiment-assign from the working tree.
#
# dpkg-buildpackage writes its results into the parent of the source
# tree, so the tree (without build products) is copied to OUTDIR/src and
# built there; the .deb files land in OUTDIR.  Needs debhelper, dpkg-dev,
# fakeroot and postgresql-server-dev-all ("make deps" installs them).
set -eu
cd "$(dirname "$0")/.."

out=${1:-build/deb}
case $out in
	/*) ;;
	*) out="$(pwd)/$out" ;;
esac

for tool in dpkg-buildpackage dh pg_buildext fakeroot; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-deb: error: '$tool' not found: run \"make deps\"" >&2
		exit 1
	fi
done

rm -rf "$out"
mkdir -p "$out/src"
tar -cf - --exclude=./.git --exclude=./build --exclude=./results \
	--exclude=./output_iso --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
	--exclude=./regression.diffs --exclude=./regression.out . |
	tar -xf - -C "$out/src"
(cd "$out/src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
rm -rf "$out/src"
ls "$out"/*.deb
