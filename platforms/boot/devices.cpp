// SPDX-License-Identifier: Apache-2.0
// The board's router and devices (devices.hpp).
#include "boot/devices.hpp"

#include "vgic/boot/board.h"
#include "vgic/tlm/vgic.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace vgic::boot {

using namespace sc_core;

namespace {

/// The payload's data as a little-endian value (at most 8 bytes).
std::uint64_t payload_value(const ::tlm::tlm_generic_payload& tx) {
    std::uint64_t v = 0;
    std::memcpy(&v, tx.get_data_ptr(), std::min<unsigned>(tx.get_data_length(), 8));
    return v;
}

void set_payload_value(::tlm::tlm_generic_payload& tx, std::uint64_t v) {
    std::memcpy(tx.get_data_ptr(), &v, std::min<unsigned>(tx.get_data_length(), 8));
}

/// Devices take naturally aligned 1-, 2-, 4- or 8-byte accesses without byte enables.
bool simple_access(const ::tlm::tlm_generic_payload& tx) {
    const unsigned n = tx.get_data_length();
    return (n == 1 || n == 2 || n == 4 || n == 8) && tx.get_address() % n == 0 && tx.get_byte_enable_ptr() == nullptr &&
           tx.get_streaming_width() == n;
}

} // namespace

// ---- Router ------------------------------------------------------------------------------

Router::Router(const sc_module_name& name, unsigned cpus, std::vector<RouteSpec> routes)
    : sc_module(name), cpu("cpu", cpus), routes_(std::move(routes)) {
    std::size_t sockets = 0;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const RouteSpec& r = routes_[i];
        if (r.size == 0 || r.base + r.size < r.base) throw std::invalid_argument("Router: route '" + r.name + "' is empty or wraps");
        for (std::size_t j = 0; j < i; ++j) {
            const RouteSpec& o = routes_[j];
            if (r.base < o.base + o.size && o.base < r.base + r.size)
                throw std::invalid_argument("Router: route '" + r.name + "' overlaps '" + o.name + "'");
        }
        first_socket_.push_back(sockets);
        sockets += r.per_cpu ? cpus : 1;
    }
    out_.init(sockets);
    for (unsigned c = 0; c < cpus; ++c) {
        cpu[c].register_b_transport(this, &Router::b_transport, static_cast<int>(c));
        cpu[c].register_transport_dbg(this, &Router::transport_dbg, static_cast<int>(c));
    }
}

Router::InitiatorSocket& Router::port(std::size_t route, unsigned c) {
    return out_[first_socket_.at(route) + (routes_.at(route).per_cpu ? c : 0)];
}

bool Router::decode(std::uint64_t address, unsigned size, unsigned c, std::size_t& socket, std::uint64_t& base) const {
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const RouteSpec& r = routes_[i];
        if (address < r.base || address - r.base >= r.size) continue;
        if (size > r.size - (address - r.base)) return false;  // runs off the end of the region
        socket = first_socket_[i] + (r.per_cpu ? c : 0);
        base = r.base;
        return true;
    }
    return false;
}

void Router::b_transport(int c, ::tlm::tlm_generic_payload& tx, sc_time& delay) {
    std::size_t socket = 0;
    std::uint64_t base = 0;
    const std::uint64_t address = tx.get_address();
    if (!decode(address, tx.get_data_length(), static_cast<unsigned>(c), socket, base)) {
        tx.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    tx.set_address(address - base);
    out_[socket]->b_transport(tx, delay);
    tx.set_address(address);
}

unsigned Router::transport_dbg(int c, ::tlm::tlm_generic_payload& tx) {
    std::size_t socket = 0;
    std::uint64_t base = 0;
    const std::uint64_t address = tx.get_address();
    if (!decode(address, tx.get_data_length(), static_cast<unsigned>(c), socket, base)) return 0;
    tx.set_address(address - base);
    const unsigned n = out_[socket]->transport_dbg(tx);
    tx.set_address(address);
    return n;
}

// ---- PL011 -------------------------------------------------------------------------------

namespace pl011 {
// Register offsets (PL011 TRM 3.2, Table 3-1).
constexpr std::uint32_t DR = 0x000, FR = 0x018, ICR = 0x044, RIS = 0x03c, MIS = 0x040;
constexpr std::uint32_t FR_RXFE = 1u << 4, FR_TXFE = 1u << 7;
constexpr std::uint32_t PERIPH_ID0 = 0xfe0, PCELL_ID0 = 0xff0;
// UARTPeriphID0-3 = 0x11, 0x10, 0x34 (revision r1p5), 0x00; UARTPCellID0-3 = 0x0d, 0xf0, 0x05, 0xb1.
constexpr std::uint8_t kPeriphId[4] = {0x11, 0x10, 0x34, 0x00};
constexpr std::uint8_t kCellId[4] = {0x0d, 0xf0, 0x05, 0xb1};
} // namespace pl011

Pl011Uart::Pl011Uart(const sc_module_name& name, Output output) : sc_module(name), socket("socket"), output_(std::move(output)) {
    socket.register_b_transport(this, &Pl011Uart::b_transport);
}

void Pl011Uart::b_transport(::tlm::tlm_generic_payload& tx, sc_time&) {
    using namespace pl011;
    const std::uint64_t off = tx.get_address();
    if (!simple_access(tx) || off + tx.get_data_length() > VGIC_BOARD_UART_SIZE) {
        tx.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    const auto reg = static_cast<std::uint32_t>(off & ~std::uint64_t{3});
    if (tx.is_write()) {
        const std::uint64_t v = payload_value(tx);
        if (reg == DR) {
            ++bytes_;
            if (output_) output_(static_cast<char>(v & 0xff));
        } else if (reg != FR && reg != RIS && reg != MIS && reg != ICR && reg < PERIPH_ID0) {
            regs_[reg / 4] = static_cast<std::uint32_t>(v);
        }
    } else {
        std::uint32_t v = 0;
        if (reg == FR)
            v = FR_TXFE | FR_RXFE;  // everything sent at once; nothing ever received
        else if (reg >= PERIPH_ID0 && reg < PCELL_ID0)
            v = kPeriphId[(reg - PERIPH_ID0) / 4];
        else if (reg >= PCELL_ID0)
            v = kCellId[(reg - PCELL_ID0) / 4];
        else if (reg != DR && reg != RIS && reg != MIS && reg != ICR)
            v = regs_[reg / 4];
        set_payload_value(tx, v >> (8 * (off & 3)));
    }
    tx.set_response_status(::tlm::TLM_OK_RESPONSE);
}

// ---- Interrupt generator ---------------------------------------------------------------------

InterruptGenerator::InterruptGenerator(const sc_module_name& name, tlm::VgicBase& gic, unsigned spis, const sc_time& pulse_width)
    : sc_module(name), socket("socket"), gic_(gic), spis_(spis), pulse_width_(pulse_width), level_(spis, false) {
    socket.register_b_transport(this, &InterruptGenerator::b_transport);
}

void InterruptGenerator::b_transport(::tlm::tlm_generic_payload& tx, sc_time& delay) {
    const std::uint64_t off = tx.get_address();
    if (!simple_access(tx) || tx.get_data_length() != 4 || off + 4 > VGIC_BOARD_INTGEN_SIZE) {
        tx.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    tx.set_response_status(::tlm::TLM_OK_RESPONSE);
    if (!tx.is_write()) {
        std::uint32_t v = 0;
        switch (off) {
        case VGIC_INTGEN_LEVEL: v = selected_ >= 32 && selected_ - 32 < spis_ && level_[selected_ - 32] ? 1 : 0; break;
        case VGIC_INTGEN_SPIS: v = spis_; break;
        case VGIC_INTGEN_ID: v = static_cast<std::uint32_t>(VGIC_INTGEN_ID_VALUE); break;
        default: break;
        }
        set_payload_value(tx, v);
        return;
    }
    const auto intid = static_cast<std::uint32_t>(payload_value(tx));
    if (off == VGIC_INTGEN_LEVEL) {
        selected_ = intid;
        return;
    }
    if (intid < 32 || intid - 32 >= spis_) {
        ++bad_intids_;  // a guest error: nothing to drive (the summary counts them)
        return;
    }
    const unsigned k = intid - 32;
    switch (off) {
    case VGIC_INTGEN_SET:
        if (!level_[k] && on_assert_) on_assert_(intid, sc_time_stamp() + delay);
        level_[k] = true;
        gic_.set_spi_level(intid, true, delay);
        break;
    case VGIC_INTGEN_CLEAR:
        level_[k] = false;
        gic_.set_spi_level(intid, false, delay);
        break;
    case VGIC_INTGEN_PULSE:
        // A rising edge, then the line back where it was: an edge-triggered SPI latches the
        // edge (IHI 0048B 1.4.1), a level-sensitive one is pending for pulse_width only.
        if (!level_[k]) {
            if (on_assert_) on_assert_(intid, sc_time_stamp() + delay);
            gic_.set_spi_level(intid, true, delay);
            gic_.set_spi_level(intid, false, delay + pulse_width_);
        }
        break;
    default:
        break;  // other offsets: reserved, writes ignored
    }
}

// ---- Test exit ----------------------------------------------------------------------------

TestExit::TestExit(const sc_module_name& name, Exit exit) : sc_module(name), socket("socket"), exit_(std::move(exit)) {
    socket.register_b_transport(this, &TestExit::b_transport);
}

void TestExit::b_transport(::tlm::tlm_generic_payload& tx, sc_time& delay) {
    if (!simple_access(tx) || tx.get_data_length() != 4 || tx.get_address() + 4 > VGIC_BOARD_EXIT_SIZE) {
        tx.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    tx.set_response_status(::tlm::TLM_OK_RESPONSE);
    if (tx.is_write() && tx.get_address() == VGIC_EXIT_STATUS) {
        exit_(static_cast<std::uint32_t>(payload_value(tx)), sc_time_stamp() + delay);
    } else if (tx.is_read()) {
        set_payload_value(tx, 0);
    }
}

} // namespace vgic::boot
