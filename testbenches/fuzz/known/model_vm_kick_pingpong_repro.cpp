// Reproducer of the LR-engine kick ping-pong fuzz_model found (not built by CMake):
//   clang++ -std=c++17 -I model/include testbenches/fuzz/known/model_vm_kick_pingpong_repro.cpp \
//           build-fuzz/model/libvgic_model.a -fsanitize=address,undefined -o /tmp/pingpong && /tmp/pingpong
// Prints each exit/entry: vCPU 0 and vCPU 1 kick each other forever (GICv2, SPIs 32 and 43
// target both vCPUs); VmGic::service_kicks() on this state throws its live-lock error.
#include "vgic/model/vm_gic.hpp"
#include "vgic/model/gicv2_regs.hpp"
#include <cstdio>
using namespace vgic;
static void dump(VmGic& vm, const char* tag) {
    std::printf("%s\n", tag);
    for (unsigned c = 0; c < 2; ++c) {
        auto& vif = vm.vcpu_interface(c);
        std::printf("  vcpu%u kick=%d hcr=%x LRs %08llx %08llx\n", c, vm.kick_pending(c), vif.hcr(),
                    (unsigned long long)vif.lr(0), (unsigned long long)vif.lr(1));
    }
}
int main() {
    GicConfig cfg; cfg.num_cpus = 2; cfg.num_spis = 32; cfg.priority_bits = 4;
    cfg.virt.num_list_regs = 2; cfg.virt.priority_bits = 4; cfg.virt.preemption_bits = 4;
    VmGic vm(cfg);
    using namespace gicv2;
    vm.write_distributor(0, gicd::CTLR, 4, 3);
    for (unsigned c = 0; c < 2; ++c) vm.write_distributor(c, gicd::ISENABLER, 4, 0xFFFFFFFF);
    vm.write_distributor(0, gicd::ISENABLER + 4, 4, 0xFFFFFFFF);
    for (unsigned w = 8; w < 16; ++w) vm.write_distributor(0, gicd::ITARGETSR + 4 * w, 4, 0xFFFFFFFF);
    for (unsigned w = 0; w < 16; ++w) vm.write_distributor(0, gicd::IPRIORITYR + 4 * w, 4, 0x80604020u + w * 0x08080808u);
    vm.write_distributor(0, gicd::ICFGR + 8, 4, 0xAAAAAAAA);
    vm.write_distributor(0, gicd::IGROUPR + 4, 4, 0xFFFF0000);
    for (unsigned c = 0; c < 2; ++c) { vm.write_cpu_interface(c, gicc::CTLR, 4, 3); vm.write_cpu_interface(c, gicc::PMR, 4, 0xFF); }
    for (unsigned c = 0; c < 2; ++c) vm.vcpu_entry(c);
    vm.set_spi_level(32, true); dump(vm, "SPI32 high");
    vm.read_distributor(1, 0x50, 4); dump(vm, "vcpu1 GICD trap");
    vm.set_spi_level(43, true); dump(vm, "SPI43 high");
    for (int i = 0; i < 6; ++i) {
        for (unsigned v = 0; v < 2; ++v) {
            if (!vm.kick_pending(v)) continue;
            vm.vcpu_exit(v); dump(vm, v ? "exit 1" : "exit 0");
            vm.vcpu_entry(v); dump(vm, v ? "entry 1" : "entry 0");
        }
    }
}
