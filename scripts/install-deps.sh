#!/usr/bin/env bash
# Installs what the build needs from Debian 12's packages, skipping what is already there.
# Run as root (or with sudo available). Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git clang-format
  libsqlite3-dev sqlite3
  libpq-dev postgresql-15
  nlohmann-json3-dev
  googletest libgtest-dev libgmock-dev
  libboost-dev libssl-dev libargon2-dev openssl zlib1g-dev libjemalloc-dev
  qt6-base-dev qt6-declarative-dev
  qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript qml6-module-qtquick
  qml6-module-qtquick-controls qml6-module-qtquick-layouts qml6-module-qtquick-templates
  qml6-module-qtquick-window qml6-module-qtquick-shapes qml6-module-qttest libqt6quicktest6
  qml6-module-qtquick-dialogs qml6-module-qt-labs-platform qtkeychain-qt6-dev
  qt6-pdf-dev qt6-multimedia-dev
  qt6-l10n-tools qt6-tools-dev qml6-module-qt-labs-settings
  qml6-module-qt-labs-folderlistmodel
  poppler-utils
  locales
  nginx-light curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
