#!/bin/sh
# Installs the Debian packages tfg needs to build and test, only those missing.
# Used by `make run` / `make test`; safe to run again. Needs root (or sudo) to install.
set -e
PKGS="make gcc flex bison libopenblas-dev ocl-icd-opencl-dev opencl-headers pocl-opencl-icd libcmocka-dev zlib1g-dev python3 python3-numpy clang libclang-rt-14-dev"
# the MNIST tutorial's data set (tests/cli/data_tutorial.sh, make bench) and the fast
# gzip reader read_data_sets loads when present (zlib otherwise)
PKGS="$PKGS dataset-fashion-mnist libdeflate0"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
