#!/usr/bin/env bash
# The runtime file system of the ddc image, assembled in the Dockerfile's
# build stage: scripts/image-rootfs.sh ROOT BIN
#   ROOT/usr/bin       the six programs of BIN, stripped
#   ROOT/usr/lib/...   every shared library they load (ldd, and libcurl.so.4,
#                      which ddc-broker loads itself), with the loader
#   ROOT/usr/share/zoneinfo, ROOT/etc/ssl/certs   time zones, CA certificates
#   ROOT/etc/passwd, group, nsswitch.conf; ROOT/tmp (1777); ROOT/data
# Everything comes from the build stage's Debian packages; no shell, no
# package manager, no documentation.
set -euo pipefail

ROOT=${1:?usage: image-rootfs.sh ROOT BIN}
BIN=${2:?usage: image-rootfs.sh ROOT BIN}
PROGRAMS=(ddc-broker ddc-container ddc-ctl ddc-discord ddc-docker ddc-web)
# Libraries a program opens itself (dlopen) rather than through ldd's list:
# ddc-broker's watchdog loads libcurl (services/lib/ddc_curl.h).
DLOPENED=(libcurl.so.4)

mkdir -p "$ROOT"/{usr/bin,usr/share,etc/ssl/certs,tmp,data}
chmod 1777 "$ROOT/tmp"
chmod 0700 "$ROOT/data"
chown 1000:1000 "$ROOT/data"
# The same merged-/usr links as the build stage (/lib -> usr/lib ...), so
# that the loader path and ldd's paths resolve as they do there.
for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
        target=$(readlink "/$d")
        mkdir -p "$ROOT/${target#/}"
        ln -s "$target" "$ROOT/$d"
    fi
done

for p in "${PROGRAMS[@]}"; do
    # --strip-unneeded keeps the dynamic symbols ddc-web's Kore looks up.
    strip --strip-unneeded -o "$ROOT/usr/bin/$p" "$BIN/$p"
    chmod 755 "$ROOT/usr/bin/$p"
done

# Every library of every program and of DLOPENED, and the loader: "x.so =>
# /path (addr)" and "/lib64/ld-linux-x86-64.so.2 (addr)". A DLOPENED
# library is found where the compiler finds it.
libs=$({ for p in "${PROGRAMS[@]}"; do ldd "$BIN/$p"; done
         for l in "${DLOPENED[@]}"; do
             path=$(realpath -s "$(cc -print-file-name="$l")")
             [ -e "$path" ] || { echo "image-rootfs: $l not found" >&2; exit 1; }
             echo "$l => $path"
             ldd "$path"
         done; } \
       | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u)
for lib in $libs; do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
done
# Check: every program's libraries resolve inside ROOT alone.
for p in "${PROGRAMS[@]}"; do
    if chroot "$ROOT" /usr/bin/"$p" --version >/dev/null 2>&1 </dev/null; then
        continue
    fi
    echo "image-rootfs: $p does not start inside $ROOT:" >&2
    chroot "$ROOT" /usr/bin/"$p" --version >&2 || true
    exit 1
done

# Time zones (the configuration's names are checked against them), without
# the "right/" variants that count leap seconds.
cp -a /usr/share/zoneinfo "$ROOT/usr/share/"
rm -rf "$ROOT/usr/share/zoneinfo/right"
# CA certificates for Discord (libcurl and libwebsockets use the folder):
# the hashed names as links to the certificates, copied as files.
cp -L /etc/ssl/certs/*.pem "$ROOT/etc/ssl/certs/"
cp -P /etc/ssl/certs/*.[0-9] "$ROOT/etc/ssl/certs/"
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/"

cat >"$ROOT/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/usr/sbin/nologin
ddc:x:1000:1000:ddc:/data:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat >"$ROOT/etc/group" <<'GROUP'
root:x:0:
users:x:100:
ddc:x:1000:
nogroup:x:65534:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$ROOT/etc/nsswitch.conf"

echo "image-rootfs: $(du -sh "$ROOT" | cut -f1) in $ROOT"
