// SPDX-License-Identifier: Apache-2.0
// vgic_floor_bench: the hot paths measured against their floors in the same run (roadmap
// step 7, docs/PERFORMANCE.md "Benchmarks against their floors").
//   1. MMIO through the distributor's TLM socket (b_transport, delay accumulated, no wait())
//      vs the same loop against a target that only sets TLM_OK_RESPONSE.
//   2. Interrupt round trip (SPI high -> IRQ -> IAR -> EOIR -> input low): hw model direct,
//      hw through the TLM module (sc_signal input, irq output, GICC through a socket), vm model
//      (line -> vIRQ after entry -> GICV IAR/EOIR), vs a minimal SystemC signal round trip.
//      Each with 0, 1 and 900 other interrupts pending at lower priority and 32 or 988 SPIs.
// Nothing here asserts a time; the ratios are computed by scripts or by reading the output:
//   SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 build-bench/testbenches/bench/vgic_floor_bench
//       --benchmark_min_time=0.2 --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
//       --benchmark_out=/tmp/floor.json --benchmark_out_format=json
//   python3 testbenches/bench/floor_table.py /tmp/floor.json     # medians, floors, ratios
#include "vgic/model/gic.hpp"
#include "vgic/model/vm_gic.hpp"
#include "vgic/tlm/vgic.hpp"

#include <benchmark/benchmark.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace gicd = vgic::gicv2::gicd;
namespace gicc = vgic::gicv2::gicc;

constexpr std::uint32_t kProbe = 32;  // the SPI that makes the round trip

vgic::GicConfig config(unsigned spis) {
    vgic::GicConfig c;
    c.num_cpus = 1;
    c.num_spis = spis;
    return c;
}

/// Enables the distributor and CPU interface, every SPI at low priority 0xC0, the probe at
/// 0x40, and `others` SPIs after the probe pending (so they wait behind it).
template <class Model>
void prepare(Model& m, unsigned spis, unsigned others) {
    m.write_distributor(0, gicd::CTLR, 4, 1);
    m.write_cpu_interface(0, gicc::PMR, 4, 0xF0);
    m.write_cpu_interface(0, gicc::CTLR, 4, 1);
    for (unsigned id = 32; id < 32 + spis; ++id) {
        m.write_distributor(0, gicd::IPRIORITYR + id, 1, 0xC0);
        m.write_distributor(0, gicd::ISENABLER + (id / 32) * 4, 4, 1u << (id % 32));
    }
    m.write_distributor(0, gicd::IPRIORITYR + kProbe, 1, 0x40);
    for (unsigned k = 0; k < others; ++k) {
        const unsigned id = kProbe + 1 + k;
        m.write_distributor(0, gicd::ISPENDR + (id / 32) * 4, 4, 1u << (id % 32));
    }
}

// ---- SystemC composition (one elaboration per process) ------------------------------------

/// The floor of the MMIO figures: a target whose b_transport only sets OK.
struct NullTarget : sc_core::sc_module {
    tlm_utils::simple_target_socket<NullTarget, 32> socket;
    explicit NullTarget(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &NullTarget::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time&) { tx.set_response_status(tlm::TLM_OK_RESPONSE); }
};

/// The floor of the round trip: input signal -> SC_METHOD -> output signal (what a GIC must
/// do at least to turn a line into an IRQ inside a SystemC kernel).
struct Wire : sc_core::sc_module {
    sc_core::sc_in<bool> in;
    sc_core::sc_out<bool> out;
    SC_HAS_PROCESS(Wire);
    explicit Wire(sc_core::sc_module_name n) : sc_module(n), in("in"), out("out") {
        SC_METHOD(follow);
        sensitive << in;
        dont_initialize();
    }
    void follow() { out.write(in.read()); }
};

struct Initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Initiator, 32> to_gicd, to_null;
    explicit Initiator(sc_core::sc_module_name n) : sc_module(n), to_gicd("to_gicd"), to_null("to_null") {}
};

/// A TLM Vgic (hw, zero timing) with its SPI inputs on signals, cpu[0].irq on a signal and
/// an initiator on GICC (World::init.to_gicd reaches the first one's GICD).
struct TlmGic : sc_core::sc_module {
    TlmGic(const sc_core::sc_module_name& name, unsigned spis)
        : sc_module(name), gic("gic", params(spis)), spi_line("spi", spis), irq("irq"), gicc("gicc") {
        for (unsigned k = 0; k < spis; ++k) gic.distributor.spi_in[k].bind(spi_line[k]);
        gic.cpu[0].irq.bind(irq);
        gicc.bind(gic.cpu[0].gicc);
    }
    static vgic::tlm::VgicParams params(unsigned spis) {
        vgic::tlm::VgicParams p;
        p.gic = config(spis);
        return p;
    }
    vgic::tlm::Vgic gic;
    sc_core::sc_vector<sc_core::sc_signal<bool>> spi_line;
    sc_core::sc_signal<bool> irq;
    tlm_utils::simple_initiator_socket<Initiator, 32> gicc;
};

struct World {
    World() : null("null"), init("init"), wire("wire"), wire_in("wire_in"), wire_out("wire_out") {
        init.to_null.bind(null.socket);
        wire.in.bind(wire_in);
        wire.out.bind(wire_out);
        // hw Vgics for the round trip: 32 and 988 SPIs, each with 0, 1, 900 others pending
        // (900 only fits in 988). Index: [spis == 988][others index].
        for (unsigned s : {32u, 988u})
            for (unsigned o : {0u, 1u, 900u}) {
                if (o >= s) continue;
                const std::string n = "gic_" + std::to_string(s) + "_" + std::to_string(o);
                tlm.push_back({s, o, std::make_unique<TlmGic>(n.c_str(), s)});
            }
        init.to_gicd.bind(tlm.front().g->gic.distributor.socket[0]);  // MMIO target: 32 SPIs
        sc_core::sc_start(sc_core::SC_ZERO_TIME);  // finish elaboration
        for (auto& t : tlm) prepare(*t.g->gic.hw_model(), t.spis, t.others);
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
    }
    struct Entry {
        unsigned spis, others;
        std::unique_ptr<TlmGic> g;
    };
    TlmGic& find(unsigned spis, unsigned others) {
        for (auto& t : tlm)
            if (t.spis == spis && t.others == others) return *t.g;
        return *tlm.front().g;
    }
    NullTarget null;
    Initiator init;
    Wire wire;
    sc_core::sc_signal<bool> wire_in, wire_out;
    std::vector<Entry> tlm;
};

World* g_world = nullptr;

// ---- 1. MMIO ------------------------------------------------------------------------------

template <class Socket>
void mmio_loop(benchmark::State& state, Socket& s, bool write, std::uint32_t offset, std::uint32_t value) {
    tlm::tlm_generic_payload tx;
    unsigned char data[4] = {static_cast<unsigned char>(value), static_cast<unsigned char>(value >> 8),
                             static_cast<unsigned char>(value >> 16), static_cast<unsigned char>(value >> 24)};
    tx.set_data_ptr(data);
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_address(offset);
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // accumulated, never waited on
    for (auto _ : state) {
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        s->b_transport(tx, delay);
        benchmark::DoNotOptimize(data[0]);
    }
    if (tx.get_response_status() != tlm::TLM_OK_RESPONSE) state.SkipWithError("access not OK");
}

void BM_Mmio_Floor_NullTarget(benchmark::State& state) {
    mmio_loop(state, g_world->init.to_null, false, gicd::IIDR, 0);
}
void BM_Mmio_ReadIidr(benchmark::State& state) {
    mmio_loop(state, g_world->init.to_gicd, false, gicd::IIDR, 0);
}
void BM_Mmio_ReadIpriorityr(benchmark::State& state) {
    mmio_loop(state, g_world->init.to_gicd, false, gicd::IPRIORITYR + 32, 0);
}
void BM_Mmio_WriteIsenabler(benchmark::State& state) {
    // Writing 1 to an already enabled SPI bit: a real write with the same effect each time.
    mmio_loop(state, g_world->init.to_gicd, true, gicd::ISENABLER + 4, 1u);
}

// ---- 2. Round trips -----------------------------------------------------------------------

const sc_core::sc_time& step() {
    static const sc_core::sc_time t(1, sc_core::SC_NS);
    return t;
}

/// Floor: signal high, kernel runs (method copies it to the output), read the output,
/// signal low, kernel runs. The same two sc_start calls as the TLM round trip.
void BM_RoundTrip_Floor_Signal(benchmark::State& state) {
    auto& w = *g_world;
    for (auto _ : state) {
        w.wire_in.write(true);
        sc_core::sc_start(step());
        if (!w.wire_out.read()) state.SkipWithError("wire did not follow");
        w.wire_in.write(false);
        sc_core::sc_start(step());
    }
}

void BM_RoundTrip_HwModel(benchmark::State& state) {
    const auto spis = static_cast<unsigned>(state.range(0));
    const auto others = static_cast<unsigned>(state.range(1));
    vgic::Gic gic(config(spis));
    prepare(gic, spis, others);
    for (auto _ : state) {
        gic.set_spi_level(kProbe, true);
        if (!gic.line(0, vgic::Line::Irq)) state.SkipWithError("no IRQ");
        const auto iar = gic.read_cpu_interface(0, gicc::IAR, 4).value;
        if (iar != kProbe) state.SkipWithError("IAR did not return the probe");
        gic.write_cpu_interface(0, gicc::EOIR, 4, iar);
        gic.set_spi_level(kProbe, false);
        benchmark::DoNotOptimize(iar);
    }
}

std::uint32_t tlm_rw(tlm_utils::simple_initiator_socket<Initiator, 32>& s, bool write, std::uint32_t offset,
                     std::uint32_t value, sc_core::sc_time& delay) {
    tlm::tlm_generic_payload tx;
    std::uint32_t data = value;
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    tx.set_address(offset);
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    s->b_transport(tx, delay);
    return data;
}

void BM_RoundTrip_HwTlm(benchmark::State& state) {
    const auto spis = static_cast<unsigned>(state.range(0));
    const auto others = static_cast<unsigned>(state.range(1));
    TlmGic& t = g_world->find(spis, others);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    for (auto _ : state) {
        t.spi_line[kProbe - 32].write(true);
        sc_core::sc_start(step());
        if (!t.irq.read()) state.SkipWithError("no IRQ");
        const std::uint32_t iar = tlm_rw(t.gicc, false, gicc::IAR, 0, delay);
        if (iar != kProbe) state.SkipWithError("IAR did not return the probe");
        tlm_rw(t.gicc, true, gicc::EOIR, iar, delay);
        t.spi_line[kProbe - 32].write(false);
        sc_core::sc_start(step());
        benchmark::DoNotOptimize(iar);
    }
}

void BM_RoundTrip_VmModel(benchmark::State& state) {
    const auto spis = static_cast<unsigned>(state.range(0));
    const auto others = static_cast<unsigned>(state.range(1));
    vgic::VmGic vm(config(spis));
    prepare(vm, spis, others);
    vm.write_cpu_interface(0, gicc::PMR, 4, 0xF8);
    vm.vcpu_entry(0);
    for (auto _ : state) {
        vm.set_spi_level(kProbe, true);
        vm.service_kicks();  // exit, sync, flush, entry: the probe reaches an LR
        if (!vm.line(0, vgic::Line::VIrq)) state.SkipWithError("no vIRQ");
        const auto iar = vm.read_cpu_interface(0, gicc::IAR, 4).value;  // GICV_IAR
        if (iar != kProbe) state.SkipWithError("GICV_IAR did not return the probe");
        vm.write_cpu_interface(0, gicc::EOIR, 4, iar);
        vm.set_spi_level(kProbe, false);
        vm.service_kicks();
        benchmark::DoNotOptimize(iar);
    }
}

void round_trip_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"spis", "others"});
    // 988/3: the probe and 3 others fill the 4 list registers of vm mode, the most it syncs
    // and flushes per exit; 988/900 against it isolates the cost of the pending count itself.
    b->Args({32, 0})->Args({32, 1})->Args({988, 0})->Args({988, 1})->Args({988, 3})->Args({988, 900});
}

} // namespace

int sc_main(int argc, char** argv) {
    World world;
    g_world = &world;
    benchmark::RegisterBenchmark("BM_Mmio_Floor_NullTarget", BM_Mmio_Floor_NullTarget);
    benchmark::RegisterBenchmark("BM_Mmio_ReadIidr", BM_Mmio_ReadIidr);
    benchmark::RegisterBenchmark("BM_Mmio_ReadIpriorityr", BM_Mmio_ReadIpriorityr);
    benchmark::RegisterBenchmark("BM_Mmio_WriteIsenabler", BM_Mmio_WriteIsenabler);
    benchmark::RegisterBenchmark("BM_RoundTrip_Floor_Signal", BM_RoundTrip_Floor_Signal);
    benchmark::RegisterBenchmark("BM_RoundTrip_HwModel", BM_RoundTrip_HwModel)->Apply(round_trip_args);
    benchmark::RegisterBenchmark("BM_RoundTrip_HwTlm", BM_RoundTrip_HwTlm)->Apply(round_trip_args);
    benchmark::RegisterBenchmark("BM_RoundTrip_VmModel", BM_RoundTrip_VmModel)->Apply(round_trip_args);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
