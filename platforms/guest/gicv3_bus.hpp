// SPDX-License-Identifier: Apache-2.0
// What a guest driver needs to reach a GICv3: MMIO to the distributor (GICD) and the
// redistributor region (GICR), and MRS/MSR of the CPU-interface system registers, each issued
// by a given CPU. Gicv3ModelBus goes straight to a vgic::Gic; a TLM bus can implement the
// same interface through target sockets, so the one driver model runs against both.
#pragma once

#include "vgic/model/gic.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace vgic::guest {

enum class Frame3 { Gicd, Gicr, Sysreg };

class Gicv3Bus {
public:
    virtual ~Gicv3Bus() = default;
    virtual std::uint32_t read32(unsigned cpu, Frame3 frame, std::uint32_t offset) = 0;
    virtual std::uint64_t read64(unsigned cpu, Frame3 frame, std::uint32_t offset) = 0;
    virtual void write32(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint32_t value) = 0;
    virtual void write64(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint64_t value) = 0;
    virtual void write8(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint8_t value) = 0;
    /// MRS / MSR, `encoding` as vgic::gicv3::sysreg.
    virtual std::uint64_t mrs(unsigned cpu, std::uint32_t encoding) = 0;
    virtual void msr(unsigned cpu, std::uint32_t encoding, std::uint64_t value) = 0;
    /// Linux's udelay(1) between polls of RWP / ChildrenAsleep. A timed bus lets time pass;
    /// the direct model bus completes pending register writes (its "1 us" is enough).
    virtual void delay_1us(unsigned cpu) = 0;
};

/// One access as seen on the bus (for logs and for tests that check the driver's sequence).
struct Bus3Access {
    unsigned cpu;
    Frame3 frame;
    bool is_write;
    unsigned size;  ///< bytes; 8 for system registers
    std::uint32_t offset;  ///< MMIO offset, or the system-register encoding
    std::uint64_t value;
    bool ok;  ///< false if the model reported a bad access
    std::string describe() const;
};

/// Direct function-call bus onto a GICv3 vgic::Gic, optionally recording every access.
class Gicv3ModelBus final : public Gicv3Bus {
public:
    explicit Gicv3ModelBus(Gic& gic) : gic_(gic) {}
    std::uint32_t read32(unsigned cpu, Frame3 frame, std::uint32_t offset) override;
    std::uint64_t read64(unsigned cpu, Frame3 frame, std::uint32_t offset) override;
    void write32(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint32_t value) override;
    void write64(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint64_t value) override;
    void write8(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint8_t value) override;
    std::uint64_t mrs(unsigned cpu, std::uint32_t encoding) override;
    void msr(unsigned cpu, std::uint32_t encoding, std::uint64_t value) override;
    void delay_1us(unsigned cpu) override;

    void set_recording(bool on) { recording_ = on; }
    const std::vector<Bus3Access>& log() const { return log_; }
    void clear_log() { log_.clear(); }
    /// Accesses the model answered as bad (should stay 0 for a correct driver).
    unsigned bad_accesses() const { return bad_; }
    /// delay_1us calls so far (how long the driver polled).
    unsigned long delays() const { return delays_; }

private:
    AccessResult read(unsigned cpu, Frame3 frame, std::uint32_t offset, unsigned size);
    AccessResult write(unsigned cpu, Frame3 frame, std::uint32_t offset, unsigned size, std::uint64_t value);
    void record(const Bus3Access& a);
    Gic& gic_;
    bool recording_ = false;
    std::vector<Bus3Access> log_;
    unsigned bad_ = 0;
    unsigned long delays_ = 0;
};

} // namespace vgic::guest
