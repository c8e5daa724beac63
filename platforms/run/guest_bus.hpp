// SPDX-License-Identifier: Apache-2.0
// How the guest's Linux GIC driver models reach the GIC in the latency platform (internal to
// platforms/run/): TlmGicv2Bus and TlmGicv3Bus implement the drivers' bus interfaces on a
// Vm's initiator sockets (every access is Vm::access: it waits its latency, and only while
// the vCPU is in the guest; guest_bus.cpp), and Gicv2Guest / Gicv3Guest put the two drivers
// behind the one GuestGic interface the guest workload (guest.cpp) uses.
#pragma once

#include "run/world.hpp"

#include "guest/linux_gicv2_driver.hpp"
#include "guest/linux_gicv3_driver.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace vgic::run::detail {

// ---- buses the driver models run on -----------------------------------------------------------

class TlmGicv2Bus final : public guest::Gicv2Bus {
public:
    explicit TlmGicv2Bus(Vm& vm) : vm_(vm) {}
    std::uint32_t read32(unsigned cpu, guest::Frame frame, std::uint32_t offset) override {
        return static_cast<std::uint32_t>(vm_.access(cpu, socket(cpu, frame), offset, 4, false, 0));
    }
    void write32(unsigned cpu, guest::Frame frame, std::uint32_t offset, std::uint32_t value) override {
        vm_.access(cpu, socket(cpu, frame), offset, 4, true, value);
    }
    void write8(unsigned cpu, guest::Frame frame, std::uint32_t offset, std::uint8_t value) override {
        vm_.access(cpu, socket(cpu, frame), offset, 1, true, value);
    }

private:
    InitSocket& socket(unsigned cpu, guest::Frame f) { return f == guest::Frame::Gicd ? vm_.gicd[cpu] : vm_.gicc[cpu]; }
    Vm& vm_;
};

class TlmGicv3Bus final : public guest::Gicv3Bus {
public:
    explicit TlmGicv3Bus(Vm& vm) : vm_(vm) {}
    std::uint32_t read32(unsigned cpu, guest::Frame3 frame, std::uint32_t offset) override {
        return static_cast<std::uint32_t>(mmio(cpu, frame, offset, 4, false, 0));
    }
    std::uint64_t read64(unsigned cpu, guest::Frame3 frame, std::uint32_t offset) override {
        return mmio(cpu, frame, offset, 8, false, 0);
    }
    void write32(unsigned cpu, guest::Frame3 frame, std::uint32_t offset, std::uint32_t value) override {
        mmio(cpu, frame, offset, 4, true, value);
    }
    void write64(unsigned cpu, guest::Frame3 frame, std::uint32_t offset, std::uint64_t value) override {
        mmio(cpu, frame, offset, 8, true, value);
    }
    void write8(unsigned cpu, guest::Frame3 frame, std::uint32_t offset, std::uint8_t value) override {
        mmio(cpu, frame, offset, 1, true, value);
    }
    std::uint64_t mrs(unsigned cpu, std::uint32_t encoding) override {
        return vm_.access(cpu, vm_.sysreg[cpu], encoding, 8, false, 0);
    }
    void msr(unsigned cpu, std::uint32_t encoding, std::uint64_t value) override {
        vm_.access(cpu, vm_.sysreg[cpu], encoding, 8, true, value);
    }
    // Linux's udelay(1): guest time passes (RWP completes), whatever the boot mode.
    void delay_1us(unsigned cpu) override { vm_.compute(cpu, 1'000'000); }

private:
    std::uint64_t mmio(unsigned cpu, guest::Frame3 f, std::uint32_t offset, unsigned len, bool write,
                       std::uint64_t value) {
        if (f == guest::Frame3::Gicr) return vm_.access(cpu, vm_.gicr, offset, len, write, value, true);
        if (f == guest::Frame3::Sysreg) return vm_.access(cpu, vm_.sysreg[cpu], offset, 8, write, value);
        return vm_.access(cpu, vm_.gicd[cpu], offset, len, write, value);
    }
    Vm& vm_;
};

// ---- the drivers behind GuestGic --------------------------------------------------------------

/// What the two Linux drivers do alike: per-CPU boot, steering, unmasking, messages.
template <class Driver>
class LinuxGuest : public GuestGic {
public:
    template <class... Args>
    explicit LinuxGuest(Args&&... args) : d_(std::forward<Args>(args)...) {}
    void boot_cpu(unsigned cpu) override {
        d_.cpu_init(cpu);
        d_.enable_ipis(cpu);
    }
    void steer(unsigned cpu, std::uint32_t intid, bool edge, unsigned target) override {
        d_.set_type(cpu, intid, edge);
        d_.set_affinity(cpu, intid, target);
        d_.unmask(cpu, intid);
    }
    void unmask(unsigned cpu, std::uint32_t intid) override { d_.unmask(cpu, intid); }
    const std::vector<std::string>& errors() const override { return d_.errors(); }

protected:
    Driver d_;
};

class Gicv2Guest final : public LinuxGuest<guest::LinuxGicv2Driver> {
public:
    Gicv2Guest(guest::Gicv2Bus& bus, unsigned cpus, bool split) : LinuxGuest(bus, cpus, split) {}
    void boot_distributor(unsigned cpu) override { d_.distributor_init(cpu); }
    void send_ipi(unsigned from, const std::vector<unsigned>& targets, std::uint32_t sgi) override {
        std::uint32_t mask = 0;
        for (unsigned t : targets) mask |= 1u << t;
        d_.send_ipi(from, mask, sgi);
    }
    void handle(unsigned cpu, const Handler& h, const std::function<void(std::uint32_t)>& done) override {
        // GICC_IAR[12:10] names the requesting CPU of an SGI (its interface number; the
        // platform's vCPU i is interface i).
        d_.handle_irq(cpu, [&h](std::uint32_t intid, std::uint32_t iar) { h(intid, (iar >> 10) & 7u); }, done);
    }
};

class Gicv3Guest final : public LinuxGuest<guest::LinuxGicv3Driver> {
public:
    Gicv3Guest(guest::Gicv3Bus& bus, std::vector<std::uint64_t> mpidr, bool split)
        : LinuxGuest(bus, std::move(mpidr), split) {}
    void boot_distributor(unsigned cpu) override {
        if (d_.probe(cpu)) d_.distributor_init(cpu);
    }
    void send_ipi(unsigned from, const std::vector<unsigned>& targets, std::uint32_t sgi) override {
        d_.send_ipi(from, targets, sgi);
    }
    void handle(unsigned cpu, const Handler& h, const std::function<void(std::uint32_t)>& done) override {
        // GICv3 SGIs carry no source: one pending state per target.
        d_.handle_irq(cpu, [&h](std::uint32_t intid) { h(intid, 0); }, done);
    }
};

} // namespace vgic::run::detail
