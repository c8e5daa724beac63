// SPDX-License-Identifier: Apache-2.0
// Baseline benchmarks of the hot paths (docs/PERFORMANCE.md): register access through the
// model and through a TLM socket (against a do-nothing target as the floor), and interrupt
// round trips with other interrupts pending and with small and large SPI counts.
//   build/testbenches/bench/vgic_bench --benchmark_min_time=0.2
#include "vgic/model/gic.hpp"
#include "vgic/model/vm_gic.hpp"
#include "vgic/tlm/vgic.hpp"

#include <benchmark/benchmark.h>
#include <tlm_utils/simple_initiator_socket.h>

namespace {

namespace gicd = vgic::gicv2::gicd;
namespace gicc = vgic::gicv2::gicc;

vgic::GicConfig config(unsigned cpus, unsigned spis) {
    vgic::GicConfig c;
    c.num_cpus = cpus;
    c.num_spis = spis;
    return c;
}

// ---- model API ---------------------------------------------------------------------------

void BM_ModelReadTyper(benchmark::State& state) {
    vgic::Gic gic(config(4, 64));
    for (auto _ : state) benchmark::DoNotOptimize(gic.read_distributor(0, gicd::TYPER, 4).value);
}
BENCHMARK(BM_ModelReadTyper);

void BM_ModelWriteIsenabler(benchmark::State& state) {
    vgic::Gic gic(config(4, 64));
    std::uint32_t bit = 0;
    for (auto _ : state) {
        gic.write_distributor(0, gicd::ISENABLER + 4, 4, 1u << (bit++ & 31));
    }
}
BENCHMARK(BM_ModelWriteIsenabler);

/// SPI input high -> IAR -> EOIR -> input low on the hw model, with `others` lower-priority
/// interrupts pending and `spis` SPIs configured (state.range(0), state.range(1)).
void BM_ModelSpiRoundTrip(benchmark::State& state) {
    const auto others = static_cast<unsigned>(state.range(0));
    const auto spis = static_cast<unsigned>(state.range(1));
    vgic::Gic gic(config(1, spis));
    gic.write_distributor(0, gicd::CTLR, 4, 1);
    gic.write_cpu_interface(0, gicc::PMR, 4, 0xF0);
    gic.write_cpu_interface(0, gicc::CTLR, 4, 1);
    for (unsigned id = 32; id < 32 + spis; ++id) {
        gic.write_distributor(0, gicd::IPRIORITYR + id, 1, 0xC0);  // lower than the probe
        gic.write_distributor(0, gicd::ISENABLER + (id / 32) * 4, 4, 1u << (id % 32));
    }
    const std::uint32_t probe = 32;
    gic.write_distributor(0, gicd::IPRIORITYR + probe, 1, 0x40);
    for (unsigned k = 0; k < others; ++k) gic.write_distributor(0, gicd::ISPENDR + ((33 + k) / 32) * 4, 4, 1u << ((33 + k) % 32));
    for (auto _ : state) {
        gic.set_spi_level(probe, true);
        const auto iar = gic.read_cpu_interface(0, gicc::IAR, 4).value;
        gic.set_spi_level(probe, false);
        gic.write_cpu_interface(0, gicc::EOIR, 4, iar);
        benchmark::DoNotOptimize(iar);
    }
}
BENCHMARK(BM_ModelSpiRoundTrip)->Args({0, 32})->Args({1, 32})->Args({0, 960})->Args({900, 960});

/// The same in vm mode through the LR engine (every kick serviced untimed).
void BM_VmSpiRoundTrip(benchmark::State& state) {
    const auto others = static_cast<unsigned>(state.range(0));
    vgic::VmGic vm(config(1, 960));
    vm.write_distributor(0, gicd::CTLR, 4, 1);
    vm.write_cpu_interface(0, gicc::PMR, 4, 0xF8);
    vm.write_cpu_interface(0, gicc::CTLR, 4, 1);
    for (unsigned id = 32; id < 32 + 960; ++id) {
        vm.write_distributor(0, gicd::IPRIORITYR + id, 1, 0xC0);
        vm.write_distributor(0, gicd::ISENABLER + (id / 32) * 4, 4, 1u << (id % 32));
    }
    vm.write_distributor(0, gicd::IPRIORITYR + 32, 1, 0x40);
    for (unsigned k = 0; k < others; ++k) vm.write_distributor(0, gicd::ISPENDR + ((33 + k) / 32) * 4, 4, 1u << ((33 + k) % 32));
    vm.vcpu_entry(0);
    for (auto _ : state) {
        vm.set_spi_level(32, true);
        vm.service_kicks();
        const auto iar = vm.read_cpu_interface(0, gicc::IAR, 4).value;
        vm.set_spi_level(32, false);
        vm.write_cpu_interface(0, gicc::EOIR, 4, iar);
        vm.service_kicks();
        benchmark::DoNotOptimize(iar);
    }
}
BENCHMARK(BM_VmSpiRoundTrip)->Arg(0)->Arg(900);

// ---- TLM socket vs a do-nothing target ----------------------------------------------------

struct NullTarget : sc_core::sc_module {
    tlm_utils::simple_target_socket<NullTarget, 32> socket;
    explicit NullTarget(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &NullTarget::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time&) { tx.set_response_status(tlm::TLM_OK_RESPONSE); }
};

struct Bus : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Bus, 32> to_gic, to_null;
    explicit Bus(sc_core::sc_module_name n) : sc_module(n), to_gic("to_gic"), to_null("to_null") {}
};

struct Platform {
    Platform() : gic("gic", params()), null("null"), bus("bus") {
        bus.to_gic.bind(gic.distributor.socket[0]);
        bus.to_null.bind(null.socket);
        sc_core::sc_start(sc_core::SC_ZERO_TIME);  // finish elaboration
    }
    static vgic::tlm::VgicParams params() {
        vgic::tlm::VgicParams p;
        p.gic = config(1, 64);
        return p;
    }
    vgic::tlm::Vgic gic;
    NullTarget null;
    Bus bus;
};

Platform* g_platform = nullptr;

void tlm_access(benchmark::State& state, tlm_utils::simple_initiator_socket<Bus, 32>& s, bool write,
                std::uint32_t offset) {
    tlm::tlm_generic_payload tx;
    unsigned char data[4] = {0xFF, 0, 0, 0};
    tx.set_data_ptr(data);
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    tx.set_address(offset);
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    sc_core::sc_time delay;
    for (auto _ : state) {
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        delay = sc_core::SC_ZERO_TIME;
        s->b_transport(tx, delay);
        benchmark::DoNotOptimize(data[0]);
    }
}

void BM_TlmFloorNullTarget(benchmark::State& state) { tlm_access(state, g_platform->bus.to_null, false, 4); }
void BM_TlmReadTyper(benchmark::State& state) { tlm_access(state, g_platform->bus.to_gic, false, gicd::TYPER); }
void BM_TlmWriteIsenabler(benchmark::State& state) { tlm_access(state, g_platform->bus.to_gic, true, gicd::ISENABLER + 4); }

} // namespace

int sc_main(int argc, char** argv) {
    Platform platform;
    g_platform = &platform;
    benchmark::RegisterBenchmark("BM_TlmFloorNullTarget", BM_TlmFloorNullTarget);
    benchmark::RegisterBenchmark("BM_TlmReadTyper", BM_TlmReadTyper);
    benchmark::RegisterBenchmark("BM_TlmWriteIsenabler", BM_TlmWriteIsenabler);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
