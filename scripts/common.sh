# SPDX-License-Identifier: Apache-2.0
# Shared by scripts/main and scripts/test: install the Debian packages the build needs (when
# missing), then configure and build into $VGIC_BUILD_DIR (default: build/).
set -euo pipefail

VGIC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VGIC_BUILD_DIR="${VGIC_BUILD_DIR:-$VGIC_ROOT/build}"
# vgic-sim boot: Unicorn (the CPUs), libfdt (the device tree), dtc (its round-trip test), the
# AArch64 cross compiler (the guest test images), gdb-multiarch (the --gdb test); python3 and jq
# (docs.blocks: the docs' shell blocks and figure checks). gtkwave, xvfb and xauth:
# run.cli.waves_* load the moved waves.gtkw in GTKWave headless (xvfb-run); without them those
# tests check the save file with their own parser only.
VGIC_PACKAGES=(g++ cmake ninja-build pkg-config libsystemc-dev libboost-test-dev nlohmann-json3-dev libyaml-cpp-dev libbenchmark-dev gnuplot-nox
    libunicorn-dev libfdt-dev device-tree-compiler gcc-aarch64-linux-gnu gdb-multiarch python3 jq gtkwave xvfb xauth)

vgic_install_packages() {
    local missing=()
    for p in "${VGIC_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "vgic-tlm: installing missing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

vgic_build() {
    cmake -S "$VGIC_ROOT" -B "$VGIC_BUILD_DIR" -G Ninja -DVGIC_WERROR=ON "$@" >&2
    cmake --build "$VGIC_BUILD_DIR" -j "$(nproc)" >&2
}
