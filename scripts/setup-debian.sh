#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs every Debian 12 package saml2oidc needs to build, test and run.
# Run as root. Idempotent: packages already present are left alone.
set -eu

PKGS="build-essential autoconf automake libtool pkg-config make
libxml2-dev libxmlsec1-dev libxmlsec1-openssl xmlsec1
libjansson-dev libjwt-dev libssl-dev openssl
check libmicrohttpd-dev libhiredis-dev libpcre2-dev libcurl4-openssl-dev zlib1g-dev
redis-server curl ca-certificates
python3 python3-jwt python3-cryptography"
# The openid-client test needs Node.js and npm. A machine that already has
# them (NodeSource's nodejs bundles npm, and conflicts with Debian's npm
# package) keeps its own; otherwise Debian's are installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup-debian.sh: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
