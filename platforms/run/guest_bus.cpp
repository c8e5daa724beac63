// SPDX-License-Identifier: Apache-2.0
// The guest's side of a Vm's sockets in the latency platform: every access a driver model
// makes (through TlmGicv2Bus / TlmGicv3Bus, guest_bus.hpp) and every stretch of guest
// computation waits for its vCPU to be in the guest and lets its latency pass. A TLM error
// response is reported to the Probe.
#include "run/guest_bus.hpp"

#include <algorithm>

namespace vgic::run::detail {

std::uint64_t Vm::access(unsigned cpu, InitSocket& sock, std::uint64_t address, unsigned len, bool write,
                         std::uint64_t value, bool cpu_extension) {
    Vcpu& v = *vcpus[cpu];
    if (!untimed) wait_in_guest(cpu);
    ::tlm::tlm_generic_payload tx;
    tlm::CpuIdExtension ext(cpu);
    if (cpu_extension) tx.set_extension(&ext);
    unsigned char data[8] = {};
    for (unsigned i = 0; i < len; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
    tx.set_command(write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
    tx.set_address(address);
    tx.set_data_ptr(data);
    tx.set_data_length(len);
    tx.set_streaming_width(len);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_dmi_allowed(false);
    tx.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const std::uint64_t issued = now_ps();
    sock->b_transport(tx, delay);
    if (!write) {
        // A trapped access returns at its emulation instant (Vgic::synchronize_traps): the
        // remaining delay counts from there.
        v.last_read_issue_ps = issued;
        v.last_read_done_ps = untimed ? issued : now_ps() + delay.value();
    }
    if (write && !v.ipi_in_flight.empty()) {
        // A trapped write returns at its emulation instant: the SGIs it sent are pending now.
        probe.ipi_effective(v.ipi_in_flight, gic.last_effect(cpu).value());
        v.ipi_in_flight.clear();
    }
    if (cpu_extension) tx.clear_extension(&ext);
    if (!tx.is_response_ok()) probe.access_failed(index, cpu, write, len, address, tx.get_response_string());
    // Wait even a zero delay (one delta cycle): effects the target scheduled for "now", such
    // as the timer output falling after a CVAL write, must be visible to the next access;
    // with the zero profile a guest would otherwise acknowledge a level that already fell,
    // again and again, without time passing.
    if (!untimed) sc_core::wait(delay);
    std::uint64_t out = 0;
    for (unsigned i = 0; i < len; ++i) out |= std::uint64_t{data[i]} << (8 * i);
    return out;
}

void Vm::wait_in_guest(unsigned cpu) {
    Vcpu& v = *vcpus[cpu];
    if (!v.vm_mode) return;
    while (!v.cif->running()) sc_core::wait(v.cif->running_state.posedge_event());
}

void Vm::compute(unsigned cpu, std::uint64_t d) {
    Vcpu& v = *vcpus[cpu];
    if (!v.vm_mode) {
        if (d != 0) sc_core::wait(ps(d));
        return;
    }
    std::uint64_t remaining = d;
    while (remaining != 0) {
        wait_in_guest(cpu);
        const std::uint64_t t0 = now_ps();
        sc_core::wait(ps(remaining), v.cif->running_state.negedge_event());
        remaining -= std::min(remaining, now_ps() - t0);
    }
}

} // namespace vgic::run::detail
