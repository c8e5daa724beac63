// SPDX-License-Identifier: Apache-2.0
// Records what a VmGic tells its observer (kicks, physical deactivations), for the vm-mode
// suites of both GIC versions.
#pragma once

#include "vgic/model/vm_gic.hpp"

#include <cstdint>
#include <vector>

namespace vgic::test {

class VmRecorder final : public VmObserver {
public:
    void kick(unsigned vcpu) override { kicks.push_back(vcpu); }
    void pending_while_stopped(unsigned vcpu) override { wakes.push_back(vcpu); }
    void physical_deactivate(unsigned vcpu, std::uint32_t vintid, std::uint32_t pintid) override {
        deactivations.push_back({vcpu, vintid, pintid});
    }
    struct Deact {
        unsigned vcpu;
        std::uint32_t vintid, pintid;
    };
    std::vector<unsigned> kicks;
    std::vector<unsigned> wakes;
    std::vector<Deact> deactivations;
};

} // namespace vgic::test
