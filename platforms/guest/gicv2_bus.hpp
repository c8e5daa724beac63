// SPDX-License-Identifier: Apache-2.0
// What a guest driver needs to reach a GICv2: 32-bit and 8-bit MMIO to the distributor and
// the CPU interface, issued by a given CPU. ModelBus goes straight to a vgic::Gic; the TLM
// layer (step 3) will provide a bus through target sockets, so the same driver model runs
// against both.
#pragma once

#include "vgic/model/gic.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace vgic::guest {

enum class Frame { Gicd, Gicc };

class Gicv2Bus {
public:
    virtual ~Gicv2Bus() = default;
    virtual std::uint32_t read32(unsigned cpu, Frame frame, std::uint32_t offset) = 0;
    virtual void write32(unsigned cpu, Frame frame, std::uint32_t offset, std::uint32_t value) = 0;
    virtual void write8(unsigned cpu, Frame frame, std::uint32_t offset, std::uint8_t value) = 0;
};

/// One access as seen on the bus (for logs and for tests that check the driver's sequence).
struct BusAccess {
    unsigned cpu;
    Frame frame;
    bool is_write;
    unsigned size;
    std::uint32_t offset;
    std::uint32_t value;
    bool ok;  // false if the model reported a bad access
    std::string describe() const;
};

/// Direct function-call bus onto a vgic::Gic, optionally recording every access.
class ModelBus final : public Gicv2Bus {
public:
    explicit ModelBus(Gic& gic) : gic_(gic) {}
    std::uint32_t read32(unsigned cpu, Frame frame, std::uint32_t offset) override;
    void write32(unsigned cpu, Frame frame, std::uint32_t offset, std::uint32_t value) override;
    void write8(unsigned cpu, Frame frame, std::uint32_t offset, std::uint8_t value) override;

    void set_recording(bool on) { recording_ = on; }
    const std::vector<BusAccess>& log() const { return log_; }
    void clear_log() { log_.clear(); }
    /// Accesses the model answered as bad (should stay 0 for a correct driver).
    unsigned bad_accesses() const { return bad_; }

private:
    void record(const BusAccess& a);
    Gic& gic_;
    bool recording_ = false;
    std::vector<BusAccess> log_;
    unsigned bad_ = 0;
};

} // namespace vgic::guest
