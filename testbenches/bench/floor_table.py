#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turns vgic_floor_bench's JSON output into the tables of docs/PERFORMANCE.md
("Benchmarks against their floors"): medians, each figure next to its floor and as a ratio.

  build-bench/testbenches/bench/vgic_floor_bench --benchmark_min_time=0.2 \
      --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true \
      --benchmark_out=/tmp/floor.json --benchmark_out_format=json
  python3 testbenches/bench/floor_table.py /tmp/floor.json
"""
import json
import sys


def main(path):
    with open(path) as f:
        doc = json.load(f)
    med = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name", "median") != "median" or b.get("error_occurred"):
            continue
        name = b.get("run_name", b["name"]).removesuffix("_median")
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6}[b.get("time_unit", "ns")]
        med[name] = b["cpu_time"] * scale  # CPU time: less hit by preemption than real time
    ctx = doc.get("context", {})
    print(f"date {ctx.get('date')}, {ctx.get('num_cpus')} CPUs, {ctx.get('mhz_per_cpu')} MHz, "
          f"library build {ctx.get('library_build_type')}")
    print()
    floor = med["BM_Mmio_Floor_NullTarget"]
    print("| MMIO (b_transport, 32-bit) | median | floor (null target) | ratio | goal 1.5x |")
    print("|---|---|---|---|---|")
    for n, what in [("BM_Mmio_ReadIidr", "read GICD_IIDR"), ("BM_Mmio_ReadIpriorityr", "read GICD_IPRIORITYR8"),
                    ("BM_Mmio_WriteIsenabler", "write GICD_ISENABLER1")]:
        r = med[n] / floor
        print(f"| {what} | {med[n]:.1f} ns | {floor:.1f} ns | {r:.2f}x | {'met' if r <= 1.5 else 'not met'} |")
    print()
    sfloor = med["BM_RoundTrip_Floor_Signal"]
    print("| round trip | spis | others pending | median | vs signal floor "
          f"({sfloor:.0f} ns) | vs 32 SPIs, 0 others | goal 1.2x |")
    print("|---|---|---|---|---|---|---|")
    for kind, what in [("HwModel", "hw, vgic::Gic direct"), ("HwTlm", "hw, TLM module (signals + GICC socket)"),
                       ("VmModel", "vm, vgic::VmGic (entry, GICV IAR/EOIR)")]:
        base = med[f"BM_RoundTrip_{kind}/spis:32/others:0"]
        for spis, others in [(32, 0), (32, 1), (988, 0), (988, 1), (988, 3), (988, 900)]:
            t = med[f"BM_RoundTrip_{kind}/spis:{spis}/others:{others}"]
            g = t / base
            goal = "" if (spis, others) == (32, 0) else ("met" if g <= 1.2 else "not met")
            if (spis, others) == (988, 3):
                goal = "(4 LRs in use in vm mode)"
            print(f"| {what} | {spis} | {others} | {t:.0f} ns | {t / sfloor:.2f}x | {g:.2f}x | {goal} |")
    print()
    print("| path | 988 SPIs: 900 others pending vs 3 others (vm mode: the 4 LRs full either way) |")
    print("|---|---|")
    for kind, what in [("HwModel", "hw, vgic::Gic direct"), ("HwTlm", "hw, TLM module"), ("VmModel", "vm, vgic::VmGic")]:
        r = med[f"BM_RoundTrip_{kind}/spis:988/others:900"] / med[f"BM_RoundTrip_{kind}/spis:988/others:3"]
        print(f"| {what} | {r:.2f}x |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/floor.json")
