// SPDX-License-Identifier: Apache-2.0
// The `vgic-sim boot` board's devices besides the GIC and the timer: the address router,
// a PL011 UART (output only), the interrupt generator and the test exit register
// (addresses and registers: vgic/boot/board.h, docs/BOOT.md). Each is a TLM-2.0 LT target
// that answers at once (no latency parameter: the studies are about the GIC's paths).
#pragma once

#ifndef SC_INCLUDE_DYNAMIC_PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES
#endif
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vgic::tlm {
class VgicBase;
}

namespace vgic::boot {

/// The board's address decoder: one target socket per CPU; each route leads either to one
/// target shared by all CPUs (a UART, the GICR region) or to one target per CPU (the GICD
/// and GICC windows of a GIC with per-CPU banked registers: the Vgic takes the CPU from the
/// socket). Addresses reach the target relative to the route's base. An address no route
/// covers answers TLM_ADDRESS_ERROR_RESPONSE.
class Router : public sc_core::sc_module {
public:
    struct RouteSpec {
        std::string name;
        std::uint64_t base = 0;
        std::uint64_t size = 0;
        bool per_cpu = false;
    };
    using TargetSocket = tlm_utils::simple_target_socket_tagged<Router>;
    using InitiatorSocket = tlm_utils::simple_initiator_socket_tagged<Router>;

    sc_core::sc_vector<TargetSocket> cpu;  ///< cpu[i]: the accesses of CPU i

    /// Throws std::invalid_argument for overlapping or empty routes.
    Router(const sc_core::sc_module_name& name, unsigned cpus, std::vector<RouteSpec> routes);
    /// The initiator socket of route `route` for CPU `cpu` (shared routes: any cpu).
    InitiatorSocket& port(std::size_t route, unsigned cpu);
    const std::vector<RouteSpec>& routes() const { return routes_; }

private:
    void b_transport(int cpu, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int cpu, ::tlm::tlm_generic_payload& tx);
    /// The socket index for (address, cpu) and the route's base, or false.
    bool decode(std::uint64_t address, unsigned size, unsigned cpu, std::size_t& socket, std::uint64_t& base) const;

    std::vector<RouteSpec> routes_;
    std::vector<std::size_t> first_socket_;  // per route
    sc_core::sc_vector<InitiatorSocket> out_;
};

/// PL011 UART, transmit only (Arm PrimeCell UART (PL011) TRM DDI 0183): DR writes go to
/// `output`; FR reports the transmit FIFO empty and the receive FIFO empty; the control
/// registers read back what was written; PeriphID/PCellID identify a PL011 r1p5 so Linux's
/// amba bus probes it. No interrupts are raised (IMSC is stored only).
class Pl011Uart : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Pl011Uart> socket;
    using Output = std::function<void(char)>;

    Pl011Uart(const sc_core::sc_module_name& name, Output output);
    std::uint64_t bytes_written() const { return bytes_; }

private:
    void b_transport(::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    Output output_;
    std::uint32_t regs_[0x1000 / 4] = {};
    std::uint64_t bytes_ = 0;
};

/// The interrupt generator (board.h VGIC_INTGEN_*): guest stores drive the GIC's SPI input
/// lines, so test images can raise level and edge SPIs. A store's effect reaches the GIC
/// at the store's own simulated time (its annotated delay). A pulse is `pulse_width` wide.
class InterruptGenerator : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<InterruptGenerator> socket;

    InterruptGenerator(const sc_core::sc_module_name& name, tlm::VgicBase& gic, unsigned spis,
                       const sc_core::sc_time& pulse_width);
    /// Stores naming an INTID that is not an SPI of this GIC (ignored, counted).
    std::uint64_t bad_intids() const { return bad_intids_; }
    /// Called when a store raises a line (SET of a low line, PULSE), with the instant the
    /// GIC sees it: the interrupt's assertion, for tracing.
    using AssertCallback = std::function<void(std::uint32_t intid, const sc_core::sc_time& when)>;
    void on_assert(AssertCallback cb) { on_assert_ = std::move(cb); }

private:
    void b_transport(::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    tlm::VgicBase& gic_;
    unsigned spis_;
    sc_core::sc_time pulse_width_;
    std::vector<bool> level_;  // per SPI: the line as this device drives it
    std::uint32_t selected_ = 0;
    std::uint64_t bad_intids_ = 0;
    AssertCallback on_assert_;
};

/// The test exit register: a 32-bit store of S ends the run with exit status S & 0xff.
class TestExit : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<TestExit> socket;
    using Exit = std::function<void(std::uint32_t value, const sc_core::sc_time& when)>;

    TestExit(const sc_core::sc_module_name& name, Exit exit);

private:
    void b_transport(::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    Exit exit_;
};

} // namespace vgic::boot
