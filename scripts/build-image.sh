#!/usr/bin/env bash
# Build the fax-emulator container image on a Debian machine where no container registry is
# reachable (CI): Debian's docker.io, a daemon without bridge networking, and a base image made
# with debootstrap from the machine's own Debian mirror, trusting the machine's CA certificates
# and using its pip index settings. Run as root; safe to run again (it reuses what it made).
#
#   scripts/build-image.sh              # -> image fax-emulator (or $FAX_EMULATOR_IMAGE)
#
# With a registry at hand, none of this is needed: docker build -t fax-emulator .
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${FAX_EMULATOR_IMAGE:-fax-emulator}
BASE=fax-emulator-base:bookworm
SUITE=bookworm
PACKAGES=python3,python3-venv,ca-certificates
CACHE=.cache/image            # gitignored: the debootstrap root and the daemon's log
mkdir -p "$CACHE"
say() { echo "build-image: $*" >&2; }

# -- 1. docker.io and debootstrap -----------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# -- 2. a daemon: no bridge, no iptables (builds and containers use the host's network) ---------
if ! docker info >/dev/null 2>&1; then
    say "starting dockerd"
    nohup dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
        >"$CACHE/dockerd.log" 2>&1 &
    for _ in $(seq 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { tail -20 "$CACHE/dockerd.log" >&2; say "dockerd did not start"; exit 1; }
fi

# -- 3. the base image: Debian from this machine's mirror, with its CAs and pip settings -------
# The mirror is read from apt's configuration now, never written into the repository.
MIRROR=$(python3 - "$SUITE" <<'PY'
import glob, re, sys
suite = sys.argv[1]
found = []
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):      # deb822 stanzas
    for stanza in re.split(r"\n\s*\n", open(path).read()):
        fields = dict(re.findall(r"^([\w-]+):\s*(.*)$", stanza, re.M))
        if fields.get("Enabled", "yes").lower() != "no" and "deb" in fields.get("Types", "").split() \
                and suite in fields.get("Suites", "").split():
            found += fields.get("URIs", "").split()
for path in ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*.list"))]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        words = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
        if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
            found.append(words[1])
if not found:
    sys.exit(f"no Debian mirror for {suite} in /etc/apt/sources.list or sources.list.d")
print(found[0])
PY
)
rootfs_tar="$CACHE/rootfs-$(printf '%s %s %s' "$MIRROR" "$SUITE" "$PACKAGES" | sha256sum | cut -c1-16).tar"
rootfs_image="fax-emulator-rootfs:$(basename "$rootfs_tar" .tar)"
# a daemon that still holds the imported root (another checkout built it) needs no debootstrap
if ! docker image inspect "$rootfs_image" >/dev/null 2>&1 && [[ ! -s $rootfs_tar ]]; then
    say "debootstrap $SUITE from $MIRROR (once; cached in $rootfs_tar)"
    root="$CACHE/rootfs"
    rm -rf "$root"
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$rootfs_tar.part" . && mv "$rootfs_tar.part" "$rootfs_tar"
    rm -rf "$root"
fi
if ! docker image inspect "$rootfs_image" >/dev/null 2>&1; then
    say "importing $rootfs_tar"
    docker import "$rootfs_tar" "$rootfs_image" >/dev/null
fi

# This machine's CA bundle (it may hold a proxy's CA) and its pip index settings, copied at
# build time into the base image only.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
if [[ -s /etc/ssl/certs/ca-certificates.crt ]]; then
    cp /etc/ssl/certs/ca-certificates.crt "$context/ca-certificates.crt"
else   # no bundle here: the root's own (Debian's ca-certificates) stays
    docker run --rm --network none --entrypoint cat "$rootfs_image" /etc/ssl/certs/ca-certificates.crt \
        >"$context/ca-certificates.crt"
fi
python3 - >"$context/pip.conf" <<'PY'
import configparser, os
keys = ("index-url", "extra-index-url", "trusted-host", "timeout", "retries")
found = {}
files = ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", os.path.expanduser("~/.pip/pip.conf"),
         os.path.expanduser("~/.config/pip/pip.conf"), os.environ.get("PIP_CONFIG_FILE", "")]
for path in files:                                  # later files win, as in pip
    parser = configparser.ConfigParser()
    if path and parser.read(path):
        for section in ("global", "install"):
            for key in keys:
                if parser.has_option(section, key):
                    found[key] = parser.get(section, key)
for key in keys:                                    # then the environment, as in pip
    value = os.environ.get("PIP_" + key.upper().replace("-", "_"))
    if value:
        found[key] = value
if os.environ.get("PIP_DEFAULT_TIMEOUT"):
    found["timeout"] = os.environ["PIP_DEFAULT_TIMEOUT"]
# only what a build can reach: local paths (file://, find-links) stay on this machine
for key in ("index-url", "extra-index-url"):
    if key in found:
        urls = [u for u in found[key].split() if u.startswith(("http://", "https://"))]
        found[key] = " ".join(urls)
print("[global]\ncert = /etc/ssl/certs/ca-certificates.crt")
for key, value in found.items():
    if value.strip():
        print(f"{key} = {value.strip()}")
PY
cat >"$context/Dockerfile" <<EOF
FROM $rootfs_image
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY pip.conf /etc/pip.conf
ENV LANG=C.UTF-8
CMD ["python3"]
EOF
export DOCKER_BUILDKIT=0     # the classic builder: docker.io has no buildx
docker build --quiet --network host -t "$BASE" "$context" >/dev/null

# -- 4. the image itself ---------------------------------------------------------------------
say "building $IMAGE on $BASE"
docker build --quiet --network host --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" . >/dev/null
say "built $IMAGE"
