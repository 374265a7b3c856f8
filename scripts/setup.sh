#!/usr/bin/env bash
# Installs what puente needs on Debian 12 (run as root) and places the face
# models. Idempotent: quick when everything is already there.
#
#   scripts/setup.sh            build + runtime packages, models
#   scripts/setup.sh --tests    also PostgreSQL 15 for the test suite
#
# Models: copied from $PUENTE_SHARED/models (default ../shared/models beside
# the repository) when present, else fetched from the sources named in its
# SOURCES.md (npm package for the recognizer); sha256 checked either way.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${PUENTE_SHARED:-$(dirname "$repo")/shared}
models_dir=${PUENTE_MODELS_DIR:-$repo/var/models}
with_tests=0
for arg in "$@"; do
  case "$arg" in
    --tests) with_tests=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

packages=(
  g++ cmake ninja-build pkg-config git ca-certificates curl
  libabsl-dev libssl-dev zlib1g-dev libbrotli-dev iso-codes libicu-dev
  libsoci-dev libboost-dev libpq-dev libsqlite3-dev sqlite3
  libcli11-dev nlohmann-json3-dev libspdlog-dev libcpp-httplib-dev
  libopencv-dev libjpeg62-turbo-dev libqrencode-dev libcbor-dev libcairo2-dev libzxing-dev fonts-dejavu-core
  libgtest-dev libgmock-dev libbenchmark-dev libfaiss-dev libopenblas0-pthread
  cracklib-runtime  # /usr/share/dict/cracklib-small: the common-password dictionary
)
# The web apps are bundled with Node (and the interoperability test runs a
# Claim 169 reader in it). Machines usually have Node (with npm) already;
# Debian's own packages otherwise.
command -v node >/dev/null || packages+=(nodejs npm)
if [ "$with_tests" = 1 ]; then
  # chromium: the web apps' browser tests (driven by puppeteer-core);
  # ffmpeg: makes the fake camera's y4m videos from dev photos at test time.
  packages+=(postgresql-15 postgresql-client-15 openssl chromium ffmpeg)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: installing packages needs root (run as root or with sudo)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all ${#packages[@]} Debian packages present"
fi

# ---- face models -----------------------------------------------------------
# file  sha256  required
models=(
  "face_detection_yunet_2022mar.onnx 50ef07f702a31741ca46a4c0d947773b64143b9362780237bf0d427d6c79bab7 1"
  "fr_feature.onnx 87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581 1"
  "face_reidentification_retail_0095.onnx 92a530b12dd64a1c8e58509b966be2e22a04bde05683c945bcbfed3b79a583df 1"
  "fr_liveness.onnx afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d 0"
)
yunet_url="https://github.com/opencv/opencv_zoo/raw/047bdbcfcae0f1a3a8e579e948499d000e7f0368/models/face_detection_yunet/face_detection_yunet_2022mar.onnx"
npm_pkg="faceplugin-face-recognition-js@0.0.1"

mkdir -p "$models_dir"
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

fetch_from_npm() {  # file -> extracts package/model/<file> from the npm package
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$npm_pkg" >/dev/null 2>&1 && tar -xzf ./*.tgz) || { rm -rf "$tmp"; return 1; }
  cp "$tmp/package/model/$1" "$models_dir/$1.part" 2>/dev/null || { rm -rf "$tmp"; return 1; }
  rm -rf "$tmp"
}

failed=0
for entry in "${models[@]}"; do
  read -r file sum required <<<"$entry"
  dest="$models_dir/$file"
  if sha_ok "$dest" "$sum"; then continue; fi
  rm -f "$dest" "$dest.part"
  if [ -f "$shared/models/$file" ]; then
    cp "$shared/models/$file" "$dest.part"
  elif [ "$file" = face_detection_yunet_2022mar.onnx ]; then
    curl -fsSL --retry 2 -o "$dest.part" "$yunet_url" || true
  elif command -v npm >/dev/null; then
    fetch_from_npm "$file" || true
  fi
  if [ -f "$dest.part" ] && sha_ok "$dest.part" "$sum"; then
    mv "$dest.part" "$dest"
    echo "setup: model $file ready"
  else
    rm -f "$dest.part"
    if [ "$required" = 1 ]; then
      echo "setup: ERROR: model $file: not in $shared/models and could not be fetched with a matching sha256 ($sum)" >&2
      failed=1
    else
      echo "setup: optional model $file not available; features that need it stay off"
    fi
  fi
done
[ "$failed" = 0 ] || exit 1
echo "setup: models in $models_dir"

# The web apps' build and test tools, pinned by web/package-lock.json.
npm ci --prefix "$repo/web" --no-audit --no-fund --silent >/dev/null
echo "setup: web packages in web/node_modules"
if [ "$with_tests" = 1 ]; then
  # Pinned by tests/interop/package-lock.json.
  npm ci --prefix "$repo/tests/interop" --no-audit --no-fund --silent >/dev/null
  echo "setup: Node interop packages in tests/interop/node_modules"
fi
