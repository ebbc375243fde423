#!/usr/bin/env bash
# Installs what the tests need (Debian packages) when missing, then runs every test: mvn -B verify.
set -euo pipefail
cd "$(dirname "$0")"

# Real peers the tests drive: SIPp (Debian package sip-tester) and baresip as SIP user agents.
need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
# The web console's browser tests: headless Chromium driven by Selenium through chromedriver.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# TLS tests make throwaway certificates and probe handshakes with OpenSSL and Python's ssl module.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# E-mail for missed messages: a real SMTP server on loopback (aiosmtpd, with STARTTLS and AUTH).
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need+=(python3-aiosmtpd)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The tests run on the JDK the server runs on (server/java.sh: the newest of 21 or later, else the PATH's).
exec mvn -B verify -Djvm="$(server/java.sh)" "$@"
