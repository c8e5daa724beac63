// SPDX-License-Identifier: Apache-2.0
// Interrupt behaviour of the GICv2 model (no Security Extensions, both groups visible):
// SGI generation and per-source state, edge and level inputs, the pending/active state
// machine, prioritization, preemption and binary points, EOImode, spurious INTIDs, IRQ/FIQ
// selection, multi-target SPIs and the line observer. Every expected value comes from
// Arm IHI 0048B (GICv2), not from what the model returns.
#include "gic_fixture.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace vgic;
using namespace vgic::test;

namespace {

// Special INTIDs (IHI 0048B chapter 3 "Special interrupt numbers", 4.4.4).
constexpr std::uint32_t kSpurious = 1023;
constexpr std::uint32_t kGroup1Pending = 1022;

// GICC_CTLR bits, layout without the Security Extensions (IHI 0048B 4.4.1, Figure 4-25).
constexpr std::uint32_t kEnableGrp0 = 1u << 0;
constexpr std::uint32_t kEnableGrp1 = 1u << 1;
constexpr std::uint32_t kAckCtl = 1u << 2;
constexpr std::uint32_t kFIQEn = 1u << 3;
constexpr std::uint32_t kCBPR = 1u << 4;
constexpr std::uint32_t kEOImode = 1u << 9;
constexpr std::uint32_t kBothGroups = kEnableGrp0 | kEnableGrp1 | kAckCtl;

// GICD_CTLR bits (IHI 0048B 4.3.1).
constexpr std::uint32_t kDistGrp0 = 1u << 0;
constexpr std::uint32_t kDistGrp1 = 1u << 1;

// GICD_SGIR encoding (IHI 0048B 4.3.15): [25:24] TargetListFilter, [23:16] CPUTargetList,
// [3:0] SGIINTID.
std::uint32_t sgir(std::uint32_t filter, std::uint32_t target_list, std::uint32_t sgi) {
    return (filter << 24) | (target_list << 16) | sgi;
}

// GICC_IAR value of an SGI (IHI 0048B 4.4.4): [12:10] CPUID of the requester, [9:0] INTID.
std::uint32_t sgi_iar(std::uint32_t sgi, unsigned source) { return (source << 10) | sgi; }

bool bit_of(std::uint32_t word, std::uint32_t id) { return ((word >> (id % 32)) & 1u) != 0; }

bool is_pending(GicFixture& f, unsigned cpu, std::uint32_t id) {
    return bit_of(f.rd(cpu, gicd::ISPENDR + (id / 32) * 4), id);
}
bool is_active(GicFixture& f, unsigned cpu, std::uint32_t id) {
    return bit_of(f.rd(cpu, gicd::ISACTIVER + (id / 32) * 4), id);
}
void set_group1(GicFixture& f, unsigned cpu, std::uint32_t id) {
    const std::uint32_t off = gicd::IGROUPR + (id / 32) * 4;
    f.wr(cpu, off, f.rd(cpu, off) | (1u << (id % 32)));
}
/// GICD_SPENDSGIR byte of `sgi` as seen by `cpu`: bit n = pending from CPU n (4.3.17).
std::uint32_t sgi_sources(GicFixture& f, unsigned cpu, std::uint32_t sgi) {
    return f.rd(cpu, gicd::SPENDSGIR + sgi, 1);
}
/// One rising and falling edge on SPI `id`.
void pulse_spi(GicFixture& f, std::uint32_t id) {
    f.gic.set_spi_level(id, true);
    f.gic.set_spi_level(id, false);
}
/// Edge-triggered SPI `id` with `prio`, routed to `targets`.
void edge_spi(GicFixture& f, std::uint32_t id, std::uint8_t prio, std::uint8_t targets = 0x1) {
    f.set_edge(0, id);
    f.target(id, targets);
    f.enable_irq(0, id, prio);
}
/// Level-sensitive (reset configuration) SPI `id` with `prio`, routed to `targets`.
void level_spi(GicFixture& f, std::uint32_t id, std::uint8_t prio, std::uint8_t targets = 0x1) {
    f.target(id, targets);
    f.enable_irq(0, id, prio);
}
std::uint64_t guest_errors(const GicFixture& f) { return f.gic.diagnostics().guest_error_count(); }

std::string show(std::vector<LineEvent> events, bool sorted = false) {
    if (sorted)
        std::sort(events.begin(), events.end(), [](const LineEvent& a, const LineEvent& b) {
            return std::make_tuple(a.cpu, static_cast<int>(a.line), a.level) <
                   std::make_tuple(b.cpu, static_cast<int>(b.line), b.level);
        });
    std::ostringstream os;
    os << '[';
    for (std::size_t i = 0; i < events.size(); ++i) os << (i ? "; " : "") << events[i];
    os << ']';
    return os.str();
}
/// The observer saw exactly `expected` (in order) since the last call; then forgets them.
void expect_events(GicFixture& f, const std::vector<LineEvent>& expected, const std::string& why) {
    BOOST_TEST(show(f.observer.events) == show(expected), why);
    f.observer.events.clear();
}
/// As expect_events, for changes the architecture does not order among themselves.
void expect_events_unordered(GicFixture& f, const std::vector<LineEvent>& expected, const std::string& why) {
    BOOST_TEST(show(f.observer.events, true) == show(expected, true), why);
    f.observer.events.clear();
}

/// Preemption probe (IHI 0048B 3.3 Preemption / Priority grouping): SPI 40 (priority `active_prio`) is
/// acknowledged first, then SPI 41 (`pending_prio`) becomes pending, both in `group`.
struct PreemptionProbe {
    bool irq = false;      // line after SPI 41 became pending
    std::uint32_t iar = 0; // what the next IAR read returned
};
PreemptionProbe probe_preemption(unsigned group, std::uint8_t active_prio, std::uint8_t pending_prio,
                                 std::uint32_t bpr, std::uint32_t abpr, bool cbpr) {
    GicFixture f;
    f.enable_all(0);
    f.cwr(0, gicc::CTLR, kBothGroups | (cbpr ? kCBPR : 0u));
    f.cwr(0, gicc::BPR, bpr);
    f.cwr(0, gicc::ABPR, abpr);
    edge_spi(f, 40, active_prio);
    edge_spi(f, 41, pending_prio);
    if (group == 1) {
        set_group1(f, 0, 40);
        set_group1(f, 0, 41);
    }
    pulse_spi(f, 40);
    BOOST_TEST_REQUIRE(f.crd(0, gicc::IAR) == 40u, "probe: the first interrupt is acknowledged");
    BOOST_TEST_REQUIRE(!f.irq(0), "probe: nothing else pending yet");
    pulse_spi(f, 41);
    PreemptionProbe p;
    p.irq = f.irq(0);
    p.iar = f.crd(0, gicc::IAR);
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(interrupts)

// =====================================================================================
// SGIs: GICD_SGIR TargetListFilter (IHI 0048B 4.3.15)
// =====================================================================================

BOOST_AUTO_TEST_CASE(sgir_filter0_cpu_target_list) {
    // Filter 0b00: forward to the CPU interfaces named in CPUTargetList.
    GicFixture f;  // 4 CPUs
    for (unsigned c = 0; c < 4; ++c) {
        f.enable_all(c);
        f.enable_irq(c, 3);
    }
    f.wr(3, gicd::SGIR, sgir(0, 0b0110, 3));
    BOOST_TEST(!f.irq(0), "CPU 0 not in the target list");
    BOOST_TEST(f.irq(1), "CPU 1 in the target list");
    BOOST_TEST(f.irq(2), "CPU 2 in the target list");
    BOOST_TEST(!f.irq(3), "CPU 3 (the requester) not in the target list");
    BOOST_TEST(sgi_sources(f, 1, 3) == 0x08u, "CPU 1 SPENDSGIR: SGI 3 pending from CPU 3 only (4.3.17)");
    BOOST_TEST(sgi_sources(f, 2, 3) == 0x08u, "CPU 2 SPENDSGIR: SGI 3 pending from CPU 3 only");
    BOOST_TEST(sgi_sources(f, 0, 3) == 0u, "CPU 0 has nothing pending");
    BOOST_TEST(sgi_sources(f, 3, 3) == 0u, "CPU 3 has nothing pending");
    BOOST_TEST(f.crd(1, gicc::IAR) == sgi_iar(3, 3), "IAR: SGI 3 with CPUID 3 in [12:10] (4.4.4)");
    BOOST_TEST(f.crd(2, gicc::IAR) == sgi_iar(3, 3), "IAR: SGI 3 with CPUID 3 in [12:10]");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "untargeted CPU 0 reads spurious");
    BOOST_TEST(f.crd(3, gicc::IAR) == kSpurious, "untargeted CPU 3 reads spurious");
}

BOOST_AUTO_TEST_CASE(sgir_filter1_all_but_requester) {
    // Filter 0b01: forward to every CPU interface except the requester; CPUTargetList ignored.
    GicFixture f;
    for (unsigned c = 0; c < 4; ++c) {
        f.enable_all(c);
        f.enable_irq(c, 7);
    }
    f.wr(2, gicd::SGIR, sgir(1, 0b0100, 7));  // the list names only the requester: ignored
    for (unsigned c : {0u, 1u, 3u}) {
        BOOST_TEST(f.irq(c), "CPU " << c << " is not the requester: SGI 7 signalled");
        BOOST_TEST(sgi_sources(f, c, 7) == 0x04u, "CPU " << c << ": SGI 7 pending from CPU 2");
        BOOST_TEST(f.crd(c, gicc::IAR) == sgi_iar(7, 2), "CPU " << c << " IAR: SGI 7 from CPU 2");
    }
    BOOST_TEST(!f.irq(2), "the requester does not get its own SGI");
    BOOST_TEST(sgi_sources(f, 2, 7) == 0u, "requester: nothing pending");
    BOOST_TEST(f.crd(2, gicc::IAR) == kSpurious, "requester IAR: spurious");
}

BOOST_AUTO_TEST_CASE(sgir_filter2_only_requester) {
    // Filter 0b10: forward only to the requesting CPU interface; CPUTargetList ignored.
    GicFixture f;
    for (unsigned c = 0; c < 4; ++c) {
        f.enable_all(c);
        f.enable_irq(c, 9);
    }
    f.wr(1, gicd::SGIR, sgir(2, 0b1101, 9));  // the list names every other CPU: ignored
    BOOST_TEST(f.irq(1), "the requester is the only target");
    for (unsigned c : {0u, 2u, 3u}) {
        BOOST_TEST(!f.irq(c), "CPU " << c << " is not the requester");
        BOOST_TEST(sgi_sources(f, c, 9) == 0u, "CPU " << c << ": nothing pending");
    }
    BOOST_TEST(sgi_sources(f, 1, 9) == 0x02u, "requester: SGI 9 pending from itself (CPU 1)");
    BOOST_TEST(f.crd(1, gicc::IAR) == sgi_iar(9, 1), "IAR: SGI 9 with CPUID 1");
}

BOOST_AUTO_TEST_CASE(sgir_filter3_reserved) {
    // Filter 0b11 is reserved: no SGI is generated; the model reports a guest error.
    GicFixture f;
    for (unsigned c = 0; c < 4; ++c) {
        f.enable_all(c);
        f.enable_irq(c, 4);
    }
    f.observer.events.clear();
    const std::uint64_t errors = guest_errors(f);
    const std::uint64_t bad = f.gic.diagnostics().bad_access_count();
    f.wr(0, gicd::SGIR, sgir(3, 0xFF, 4));
    BOOST_TEST(guest_errors(f) == errors + 1, "the reserved filter counts one guest error");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == bad, "it is a legal access, not a bad access");
    for (unsigned c = 0; c < 4; ++c) {
        BOOST_TEST(!f.irq(c), "CPU " << c << ": no SGI");
        BOOST_TEST(sgi_sources(f, c, 4) == 0u, "CPU " << c << ": SPENDSGIR unchanged");
    }
    expect_events(f, {}, "no line moved");
}

BOOST_AUTO_TEST_CASE(sgir_absent_cpu_targets_ignored) {
    // 4.3.15: CPUTargetList bits of CPU interfaces that are not implemented are ignored.
    GicFixture f(make_config(2));
    for (unsigned c = 0; c < 2; ++c) {
        f.enable_all(c);
        f.enable_irq(c, 6);
    }
    const std::uint64_t bad = f.gic.diagnostics().bad_access_count();
    f.wr(0, gicd::SGIR, sgir(0, 0xFC, 6));  // only absent CPUs 2-7
    BOOST_TEST(!f.irq(0), "CPU 0 not targeted");
    BOOST_TEST(!f.irq(1), "CPU 1 not targeted");
    BOOST_TEST(sgi_sources(f, 0, 6) == 0u, "nothing pending on CPU 0");
    BOOST_TEST(sgi_sources(f, 1, 6) == 0u, "nothing pending on CPU 1");
    f.wr(0, gicd::SGIR, sgir(0, 0xFE, 6));  // CPU 1 plus absent CPUs
    BOOST_TEST(f.irq(1), "CPU 1 targeted");
    BOOST_TEST(!f.irq(0), "CPU 0 still not targeted");
    BOOST_TEST(sgi_sources(f, 1, 6) == 0x01u, "CPU 1: pending from CPU 0");
    BOOST_TEST(f.crd(1, gicc::IAR) == sgi_iar(6, 0), "CPU 1 acknowledges SGI 6 from CPU 0");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == bad, "absent targets are not a bad access");
}

// =====================================================================================
// SGIs from several sources (IHI 0048B 3.1.1 N-N model for SGIs, 3.2 state machine,
// 4.3.17 SPENDSGIR, 4.4.4 IAR.CPUID)
// =====================================================================================

BOOST_AUTO_TEST_CASE(sgi_from_two_sources_served_one_at_a_time) {
    GicFixture f;
    for (unsigned c = 0; c < 4; ++c) f.enable_all(c);
    f.enable_irq(0, 5, 0x80);
    f.wr(1, gicd::SGIR, sgir(0, 0x01, 5));
    f.wr(2, gicd::SGIR, sgir(0, 0x01, 5));
    f.wr(1, gicd::SGIR, sgir(0, 0x01, 5));  // CPU 1 again while pending: still one from CPU 1
    BOOST_TEST(sgi_sources(f, 0, 5) == 0x06u, "SPENDSGIR: SGI 5 pending from CPU 1 and CPU 2");
    BOOST_TEST(f.irq(0), "SGI 5 signalled to CPU 0");

    const std::uint32_t first = f.crd(0, gicc::IAR);
    BOOST_TEST_REQUIRE((first == sgi_iar(5, 1) || first == sgi_iar(5, 2)),
                       "IAR returns SGI 5 with the CPUID of one source, got 0x" << std::hex << first);
    const unsigned first_src = (first >> 10) & 7u;
    const unsigned other_src = first_src == 1 ? 2u : 1u;
    BOOST_TEST(sgi_sources(f, 0, 5) == (1u << other_src), "the other source's SGI stays pending");
    BOOST_TEST(is_active(f, 0, 5), "ISACTIVER0: SGI 5 active");
    BOOST_TEST(is_pending(f, 0, 5), "ISPENDR0: SGI 5 still pending (from the other source)");
    BOOST_TEST(!f.irq(0), "active+pending is not signalled again before deactivation");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing can be acknowledged while SGI 5 is active");

    f.cwr(0, gicc::EOIR, first);
    BOOST_TEST(!is_active(f, 0, 5), "EOIR deactivated the first instance");
    BOOST_TEST(f.irq(0), "after EOIR the other source's SGI is signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == sgi_iar(5, other_src), "IAR: SGI 5 with the other source's CPUID");
    BOOST_TEST(sgi_sources(f, 0, 5) == 0u, "no source left pending");
    BOOST_TEST(!is_pending(f, 0, 5), "ISPENDR0: SGI 5 no longer pending");
    f.cwr(0, gicc::EOIR, sgi_iar(5, other_src));
    BOOST_TEST(!is_active(f, 0, 5), "second instance deactivated");
    BOOST_TEST(!f.irq(0), "the repeated request from CPU 1 did not queue a third instance");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing left");
}

BOOST_AUTO_TEST_CASE(spendsgir_cpendsgir_per_source) {
    // 4.3.16 / 4.3.17: one byte per SGI, one bit per source CPU, banked per target CPU.
    GicFixture f;
    f.enable_all(0);
    f.enable_all(1);
    f.enable_irq(0, 2, 0x80);
    f.enable_irq(1, 2, 0x80);
    f.wr(0, gicd::SPENDSGIR + 2, 0x08, 1);  // CPU 0's SGI 2, as if sent by CPU 3
    BOOST_TEST(sgi_sources(f, 0, 2) == 0x08u, "SPENDSGIR reads back the set source bit");
    BOOST_TEST(sgi_sources(f, 1, 2) == 0u, "CPU 1's bank is separate");
    BOOST_TEST(is_pending(f, 0, 2), "ISPENDR0 reflects the pending SGI");
    BOOST_TEST(f.irq(0), "signalled");
    BOOST_TEST(!f.irq(1), "not signalled to CPU 1");
    f.wr(0, gicd::SPENDSGIR + 2, 0x01, 1);  // add source CPU 0
    BOOST_TEST(sgi_sources(f, 0, 2) == 0x09u, "sources 0 and 3");
    f.wr(0, gicd::CPENDSGIR + 2, 0x08, 1);  // remove source CPU 3
    BOOST_TEST(sgi_sources(f, 0, 2) == 0x01u, "CPENDSGIR clears only the written source");
    BOOST_TEST(f.rd(0, gicd::CPENDSGIR + 2, 1) == 0x01u, "CPENDSGIR reads the same state as SPENDSGIR");
    BOOST_TEST(f.crd(0, gicc::IAR) == sgi_iar(2, 0), "the remaining source is acknowledged");
    f.cwr(0, gicc::EOIR, sgi_iar(2, 0));
    f.wr(0, gicd::SPENDSGIR + 2, 0x04, 1);
    f.wr(0, gicd::CPENDSGIR + 2, 0x04, 1);
    BOOST_TEST(!is_pending(f, 0, 2), "clearing the last source clears the pending state");
    BOOST_TEST(!f.irq(0), "and the line");
}

BOOST_AUTO_TEST_CASE(sgi_second_source_waits_for_dir_with_eoimode1) {
    // 3.2.1 / 4.4.15: with EOImode=1 the priority drop alone does not deactivate, so the
    // other source's instance stays behind the active one until GICC_DIR.
    GicFixture f;
    for (unsigned c = 0; c < 4; ++c) f.enable_all(c);
    f.cwr(0, gicc::CTLR, kBothGroups | kEOImode);
    f.enable_irq(0, 1, 0x80);
    f.wr(3, gicd::SGIR, sgir(0, 0x01, 1));
    f.wr(2, gicd::SGIR, sgir(0, 0x01, 1));
    const std::uint32_t first = f.crd(0, gicc::IAR);
    BOOST_TEST_REQUIRE((first == sgi_iar(1, 2) || first == sgi_iar(1, 3)),
                       "SGI 1 from CPU 2 or 3, got 0x" << std::hex << first);
    const unsigned other_src = ((first >> 10) & 7u) == 2 ? 3u : 2u;
    f.cwr(0, gicc::EOIR, first);
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "priority dropped");
    BOOST_TEST(is_active(f, 0, 1), "SGI 1 still active");
    BOOST_TEST(!f.irq(0), "the other source's instance waits: active+pending");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing acknowledgeable before DIR");
    f.cwr(0, gicc::DIR, first);
    BOOST_TEST(f.irq(0), "DIR deactivated: the other source is signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == sgi_iar(1, other_src), "with the other source's CPUID");
}

// =====================================================================================
// Edge-triggered inputs (IHI 0048B 1.4.2 interrupt types, 3.2 state machine, 4.3.13 ICFGR)
// =====================================================================================

BOOST_AUTO_TEST_CASE(edge_latches_on_rising_edge) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    f.gic.set_spi_level(40, true);
    BOOST_TEST(is_pending(f, 0, 40), "the rising edge sets pending");
    BOOST_TEST(f.irq(0), "signalled");
    f.gic.set_spi_level(40, false);
    BOOST_TEST(is_pending(f, 0, 40), "dropping the line does not clear an edge interrupt");
    BOOST_TEST(f.irq(0), "still signalled");
    pulse_spi(f, 40);  // a second edge while pending
    BOOST_TEST(is_pending(f, 0, 40), "still pending");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "acknowledged");
    BOOST_TEST(!is_pending(f, 0, 40), "acknowledge clears the edge latch");
    BOOST_TEST(is_active(f, 0, 40), "and makes it active");
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(!f.irq(0), "two edges while pending made a single interrupt");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing left to acknowledge");
}

BOOST_AUTO_TEST_CASE(edge_while_active_becomes_active_pending) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    pulse_spi(f, 40);  // new edge during the handler
    BOOST_TEST(is_active(f, 0, 40), "active");
    BOOST_TEST(is_pending(f, 0, 40), "and pending again");
    BOOST_TEST(!f.irq(0), "active+pending is not signalled");
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.irq(0), "after deactivation the pending edge is signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "and acknowledged a second time");
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "exactly two instances");
}

BOOST_AUTO_TEST_CASE(icpendr_on_active_pending_edge_leaves_it_active) {
    // 4.3.8: ICPENDR removes the pending state only; an active+pending interrupt becomes active.
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    pulse_spi(f, 40);
    BOOST_TEST(is_pending(f, 0, 40), "active+pending");
    f.wr(0, gicd::ICPENDR + 4, 1u << (40 - 32));
    BOOST_TEST(!is_pending(f, 0, 40), "ICPENDR cleared the pending edge");
    BOOST_TEST(is_active(f, 0, 40), "still active");
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(!f.irq(0), "nothing left to signal after EOI");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "spurious");
}

// =====================================================================================
// Level-sensitive inputs (IHI 0048B 1.4.2, 3.2 state machine, 4.3.7 ISPENDR, 4.3.8 ICPENDR)
// =====================================================================================

BOOST_AUTO_TEST_CASE(level_pending_while_line_high) {
    GicFixture f;
    f.enable_all(0);
    level_spi(f, 41, 0x80);
    f.observer.events.clear();
    f.gic.set_spi_level(41, true);
    BOOST_TEST(is_pending(f, 0, 41), "pending while the line is high");
    BOOST_TEST(f.irq(0), "signalled");
    f.gic.set_spi_level(41, false);
    BOOST_TEST(!is_pending(f, 0, 41), "the line dropped before acknowledge: no longer pending");
    BOOST_TEST(!f.irq(0), "the IRQ output drops with it");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing to acknowledge");
    expect_events(f, {{0, Line::Irq, true}, {0, Line::Irq, false}}, "IRQ rose and fell once");
}

BOOST_AUTO_TEST_CASE(icpendr_does_not_clear_asserted_level) {
    // 4.3.8: for a level-sensitive interrupt whose line is asserted, ICPENDR has no effect.
    GicFixture f;
    f.enable_all(0);
    level_spi(f, 42, 0x80);
    f.gic.set_spi_level(42, true);
    f.wr(0, gicd::ICPENDR + 4, 1u << (42 - 32));
    BOOST_TEST(is_pending(f, 0, 42), "still pending: the line is high");
    BOOST_TEST(f.irq(0), "still signalled");
    // Even if software also set it pending, clearing leaves the line's pending state.
    f.pend(0, 42);
    f.wr(0, gicd::ICPENDR + 4, 1u << (42 - 32));
    BOOST_TEST(is_pending(f, 0, 42), "ISPENDR+ICPENDR with the line high: still pending");
    f.gic.set_spi_level(42, false);
    BOOST_TEST(!is_pending(f, 0, 42), "the software latch was cleared, the line is now low");
    BOOST_TEST(!f.irq(0), "not signalled");
}

BOOST_AUTO_TEST_CASE(ispendr_level_held_until_icpendr) {
    // 4.3.7 / 4.3.8: a level interrupt made pending by ISPENDR stays pending whatever the
    // line does, until ICPENDR (or an acknowledge) clears it.
    GicFixture f;
    f.enable_all(0);
    level_spi(f, 43, 0x80);
    f.pend(0, 43);
    BOOST_TEST(is_pending(f, 0, 43), "ISPENDR sets pending with the line low");
    BOOST_TEST(f.irq(0), "signalled");
    f.gic.set_spi_level(43, true);
    f.gic.set_spi_level(43, false);
    BOOST_TEST(is_pending(f, 0, 43), "a line pulse does not clear the software pending state");
    f.wr(0, gicd::ICPENDR + 4, 1u << (43 - 32));
    BOOST_TEST(!is_pending(f, 0, 43), "ICPENDR clears it: the line is low");
    BOOST_TEST(!f.irq(0), "the IRQ output drops");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing to acknowledge");
    // Acknowledge also consumes the software pending state of a level interrupt.
    f.pend(0, 43);
    BOOST_TEST(f.crd(0, gicc::IAR) == 43u, "acknowledged");
    BOOST_TEST(is_active(f, 0, 43), "active");
    BOOST_TEST(!is_pending(f, 0, 43), "not pending: the line is low");
}

BOOST_AUTO_TEST_CASE(level_acked_while_high_is_active_pending) {
    GicFixture f;
    f.enable_all(0);
    level_spi(f, 44, 0x80);
    f.gic.set_spi_level(44, true);
    BOOST_TEST(f.crd(0, gicc::IAR) == 44u, "acknowledged");
    BOOST_TEST(is_active(f, 0, 44), "ISACTIVER reads 1");
    BOOST_TEST(is_pending(f, 0, 44), "ISPENDR reads 1: the line is still high");
    BOOST_TEST(!f.irq(0), "active+pending is not signalled");
    f.cwr(0, gicc::EOIR, 44);
    BOOST_TEST(!is_active(f, 0, 44), "deactivated");
    BOOST_TEST(f.irq(0), "re-signalled after EOI because the line is still high");
    BOOST_TEST(f.crd(0, gicc::IAR) == 44u, "acknowledged again");
    f.gic.set_spi_level(44, false);
    BOOST_TEST(!is_pending(f, 0, 44), "the line dropped: active only");
    f.cwr(0, gicc::EOIR, 44);
    BOOST_TEST(!f.irq(0), "idle");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing left");
}

BOOST_AUTO_TEST_CASE(ppi_level_is_private_to_its_cpu) {
    // 2.2.1 / 3.1.1: a PPI is banked; CPU 2's PPI 27 reaches only CPU 2.
    GicFixture f;
    for (unsigned c = 0; c < 4; ++c) {
        f.enable_all(c);
        f.enable_irq(c, 27, 0x80);
    }
    f.observer.events.clear();
    f.gic.set_ppi_level(2, 27, true);
    BOOST_TEST(f.irq(2), "CPU 2 signalled");
    for (unsigned c : {0u, 1u, 3u}) {
        BOOST_TEST(!f.irq(c), "CPU " << c << " not signalled");
        BOOST_TEST(!is_pending(f, c, 27), "CPU " << c << "'s PPI 27 is not pending");
    }
    BOOST_TEST(is_pending(f, 2, 27), "CPU 2's bank is pending");
    expect_events(f, {{2, Line::Irq, true}}, "one event, on CPU 2");
    BOOST_TEST(f.crd(2, gicc::IAR) == 27u, "PPI IAR has CPUID 0 ([12:10] only for SGIs)");
}

// =====================================================================================
// Pending/active state and I[SC]ACTIVER (IHI 0048B 3.2 state machine, 4.3.9, 4.3.10)
// =====================================================================================

BOOST_AUTO_TEST_CASE(acknowledge_moves_pending_to_active) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 50, 0x80);
    pulse_spi(f, 50);
    BOOST_TEST(is_pending(f, 0, 50), "pending before acknowledge");
    BOOST_TEST(!is_active(f, 0, 50), "not active before acknowledge");
    BOOST_TEST(f.crd(0, gicc::IAR) == 50u);
    BOOST_TEST(!is_pending(f, 0, 50), "edge: pending bit clears on acknowledge");
    BOOST_TEST(is_active(f, 0, 50), "active bit set on acknowledge");
    BOOST_TEST(bit_of(f.rd(0, gicd::ICACTIVER + 4), 50), "ICACTIVER reads the same active state");
    f.wr(0, gicd::ICACTIVER + 4, 1u << (50 - 32));
    BOOST_TEST(!is_active(f, 0, 50), "ICACTIVER write clears the active state");
    f.wr(0, gicd::ISACTIVER + 4, 1u << (50 - 32));
    BOOST_TEST(is_active(f, 0, 50), "ISACTIVER write sets the active state");
    BOOST_TEST(!is_pending(f, 0, 50), "ISACTIVER does not make it pending");
}

BOOST_AUTO_TEST_CASE(isactiver_holds_a_pending_interrupt_back) {
    // An active+pending interrupt is not forwarded until it is deactivated (3.2 state machine).
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 51, 0x80);
    f.wr(0, gicd::ISACTIVER + 4, 1u << (51 - 32));
    pulse_spi(f, 51);
    BOOST_TEST(is_active(f, 0, 51), "active (set by software)");
    BOOST_TEST(is_pending(f, 0, 51), "and pending");
    BOOST_TEST(!f.irq(0), "active+pending is not signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nor acknowledged");
    f.wr(0, gicd::ICACTIVER + 4, 1u << (51 - 32));
    BOOST_TEST(f.irq(0), "clearing active lets the pending interrupt through");
    BOOST_TEST(f.crd(0, gicc::IAR) == 51u, "and it is acknowledged");
}

// =====================================================================================
// Prioritization and PMR (IHI 0048B 3.3 "Interrupt prioritization", "Priority masking", 4.4.2)
// =====================================================================================

BOOST_AUTO_TEST_CASE(higher_priority_acknowledged_first) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0xA0);
    edge_spi(f, 50, 0x60);  // numerically lower = higher priority
    pulse_spi(f, 40);
    pulse_spi(f, 50);
    BOOST_TEST(f.crd(0, gicc::HPPIR) == 50u, "HPPIR: the highest priority pending is 50");
    BOOST_TEST(f.crd(0, gicc::IAR) == 50u, "priority 0x60 before 0xA0");
    BOOST_TEST(!f.irq(0), "0xA0 cannot preempt the running 0x60");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "IAR with no sufficient-priority interrupt: 1023");
    BOOST_TEST(is_pending(f, 0, 40), "40 still pending (the spurious read acknowledged nothing)");
    f.cwr(0, gicc::EOIR, 50);
    BOOST_TEST(f.irq(0), "after EOI the lower priority interrupt is signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "then 40");
}

BOOST_AUTO_TEST_CASE(equal_priority_lowest_intid_first) {
    // IHI 0048B 3.3 leaves the choice among equal priorities to the implementation; the
    // GIC-400 (and this model's documented behaviour) takes the lowest INTID.
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 45, 0x80);
    edge_spi(f, 41, 0x80);
    pulse_spi(f, 45);
    pulse_spi(f, 41);
    BOOST_TEST(f.crd(0, gicc::IAR) == 41u, "tie: INTID 41 before 45");
    f.cwr(0, gicc::EOIR, 41);
    BOOST_TEST(f.crd(0, gicc::IAR) == 45u, "then 45");
    f.cwr(0, gicc::EOIR, 45);
    // A PPI against an SPI of the same priority.
    f.enable_irq(0, 27, 0x80);
    edge_spi(f, 33, 0x80);
    pulse_spi(f, 33);
    f.pend(0, 27);
    BOOST_TEST(f.crd(0, gicc::IAR) == 27u, "tie: PPI 27 before SPI 33");
}

BOOST_AUTO_TEST_CASE(priority_change_while_pending_reorders) {
    // 4.3.11: a new IPRIORITYR value applies to an interrupt that is already pending.
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x40);
    edge_spi(f, 41, 0x80);
    pulse_spi(f, 40);
    pulse_spi(f, 41);
    BOOST_TEST(f.crd(0, gicc::HPPIR) == 40u, "40 (0x40) is the highest");
    f.wr(0, gicd::IPRIORITYR + 40, 0xC0, 1);
    BOOST_TEST(f.crd(0, gicc::HPPIR) == 41u, "after lowering 40 to 0xC0, 41 is the highest");
    BOOST_TEST(f.crd(0, gicc::IAR) == 41u, "41 acknowledged first");
    f.cwr(0, gicc::PMR, 0xC0);
    f.cwr(0, gicc::EOIR, 41);
    BOOST_TEST(!f.irq(0), "40 at 0xC0 is now masked by PMR 0xC0");
}

BOOST_AUTO_TEST_CASE(pmr_masks_strictly) {
    // 3.3 Priority masking / 4.4.2: only priorities strictly higher (numerically lower) than PMR are signalled.
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    f.cwr(0, gicc::PMR, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(!f.irq(0), "priority 0x80 == PMR 0x80: masked");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "IAR: spurious");
    BOOST_TEST(is_pending(f, 0, 40), "still pending");
    f.cwr(0, gicc::PMR, 0x88);
    BOOST_TEST(f.irq(0), "priority 0x80 < PMR 0x88: signalled");
    f.cwr(0, gicc::PMR, 0x84);  // 5 priority bits: PMR[2:0] RAZ/WI -> 0x80
    BOOST_TEST(f.crd(0, gicc::PMR) == 0x80u, "unimplemented PMR bits read as zero");
    BOOST_TEST(!f.irq(0), "effective PMR 0x80: masked again");
    f.cwr(0, gicc::PMR, 0x00);
    BOOST_TEST(!f.irq(0), "PMR 0 masks everything");
    f.cwr(0, gicc::PMR, 0x88);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "acknowledged once unmasked");
}

// =====================================================================================
// Preemption, running priority and active priorities (IHI 0048B 3.3 "Preemption",
// "Priority grouping", 4.4.3 BPR, 4.4.6 RPR, 4.4.12 APRn; GIC-400: 5 bits, APR0 bit = prio>>3)
// =====================================================================================

BOOST_AUTO_TEST_CASE(nested_preemption_rpr_and_apr) {
    GicFixture f;
    f.enable_all(0);  // BPR at reset = minimum 2: group priority = all 5 implemented bits
    edge_spi(f, 40, 0x80);
    edge_spi(f, 41, 0x40);
    edge_spi(f, 42, 0xC0);
    edge_spi(f, 43, 0x80);
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "idle running priority");
    pulse_spi(f, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    BOOST_TEST(f.crd(0, gicc::RPR) == 0x80u, "running priority 0x80");
    BOOST_TEST(f.crd(0, gicc::APR0) == (1u << (0x80 >> 3)), "APR0 bit 16 = priority 0x80 active");
    pulse_spi(f, 42);
    BOOST_TEST(!f.irq(0), "0xC0 does not preempt 0x80");
    pulse_spi(f, 43);
    BOOST_TEST(!f.irq(0), "equal priority 0x80 does not preempt 0x80");
    pulse_spi(f, 41);
    BOOST_TEST(f.irq(0), "0x40 preempts 0x80");
    BOOST_TEST(f.crd(0, gicc::IAR) == 41u, "the nested interrupt");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0x40u, "running priority 0x40");
    BOOST_TEST(f.crd(0, gicc::APR0) == ((1u << 16) | (1u << 8)), "APR0 bits 16 and 8");
    BOOST_TEST(!f.irq(0), "nothing preempts 0x40");
    f.cwr(0, gicc::EOIR, 41);
    BOOST_TEST(f.crd(0, gicc::RPR) == 0x80u, "EOI returns to the interrupted priority");
    BOOST_TEST(f.crd(0, gicc::APR0) == (1u << 16), "APR0 bit 8 cleared");
    BOOST_TEST(!f.irq(0), "0x80 and 0xC0 pending cannot preempt 0x80");
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "idle again");
    BOOST_TEST(f.crd(0, gicc::APR0) == 0u, "no active priority");
    BOOST_TEST(f.crd(0, gicc::IAR) == 43u, "then 43 (0x80)");
    f.cwr(0, gicc::EOIR, 43);
    BOOST_TEST(f.crd(0, gicc::IAR) == 42u, "then 42 (0xC0)");
}

BOOST_AUTO_TEST_CASE(bpr_group0_group_priority) {
    // 3.3 Priority grouping / 4.4.3: GICC_BPR = n, group priority field = priority[7:n+1]. Preemption
    // needs a strictly higher group priority.
    {
        const PreemptionProbe p = probe_preemption(0, 0x80, 0x40, 6, 7, false);
        BOOST_TEST(p.irq, "BPR=6: group priority bit 7 differs (0x80 vs 0x00): preempts");
        BOOST_TEST(p.iar == 41u, "BPR=6: the preempting interrupt is acknowledged");
    }
    {
        const PreemptionProbe p = probe_preemption(0, 0x80, 0x40, 7, 7, false);
        BOOST_TEST(!p.irq, "BPR=7: no group priority bits, no preemption");
        BOOST_TEST(p.iar == kSpurious, "BPR=7: IAR spurious");
    }
    {
        const PreemptionProbe p = probe_preemption(0, 0xA0, 0x80, 5, 7, false);
        BOOST_TEST(!p.irq, "BPR=5: [7:6] of 0xA0 and 0x80 are both 0b10: no preemption");
        BOOST_TEST(p.iar == kSpurious, "BPR=5: IAR spurious");
    }
    {
        const PreemptionProbe p = probe_preemption(0, 0xA0, 0x80, 4, 7, false);
        BOOST_TEST(p.irq, "BPR=4: [7:5] 0b101 vs 0b100: preempts");
        BOOST_TEST(p.iar == 41u, "BPR=4: acknowledged");
    }
    {
        // ABPR does not apply to Group 0.
        const PreemptionProbe p = probe_preemption(0, 0x80, 0x40, 7, 3, false);
        BOOST_TEST(!p.irq, "Group 0 uses BPR=7 even with ABPR=3");
    }
}

BOOST_AUTO_TEST_CASE(group1_binary_point_abpr_or_bpr) {
    // 4.4.1 CBPR, 4.4.8 ABPR, 3.3 Priority grouping: Group 1 with CBPR=0 uses GICC_ABPR, group
    // priority = priority[7:ABPR]; with CBPR=1 it uses GICC_BPR like Group 0 ([7:BPR+1]).
    {
        const PreemptionProbe p = probe_preemption(1, 0x80, 0x40, 7, 7, false);
        BOOST_TEST(p.irq, "CBPR=0, ABPR=7: group priority [7:7] differs: preempts (BPR=7 ignored)");
        BOOST_TEST(p.iar == 41u, "acknowledged");
    }
    {
        const PreemptionProbe p = probe_preemption(1, 0x80, 0x40, 7, 3, true);
        BOOST_TEST(!p.irq, "CBPR=1, BPR=7: no group priority bits, no preemption (ABPR ignored)");
        BOOST_TEST(p.iar == kSpurious, "IAR spurious");
    }
    {
        const PreemptionProbe p = probe_preemption(1, 0xA0, 0x80, 2, 6, false);
        BOOST_TEST(!p.irq, "CBPR=0, ABPR=6: [7:6] equal: no preemption");
    }
    {
        const PreemptionProbe p = probe_preemption(1, 0xA0, 0x80, 6, 5, false);
        BOOST_TEST(p.irq, "CBPR=0, ABPR=5: [7:5] differs: preempts");
    }
}

// =====================================================================================
// EOImode (IHI 0048B 3.2.1 priority drop and deactivation, 4.4.1, 4.4.5 EOIR, 4.4.15 DIR)
// =====================================================================================

BOOST_AUTO_TEST_CASE(eoimode0_eoir_drops_priority_and_deactivates) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "priority dropped");
    BOOST_TEST(!is_active(f, 0, 40), "deactivated by EOIR");
}

BOOST_AUTO_TEST_CASE(eoimode1_split_priority_drop_and_deactivation) {
    GicFixture f;
    f.enable_all(0);
    f.cwr(0, gicc::CTLR, kBothGroups | kEOImode);
    edge_spi(f, 40, 0x80);
    edge_spi(f, 41, 0xA0);
    pulse_spi(f, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    pulse_spi(f, 41);
    BOOST_TEST(!f.irq(0), "0xA0 does not preempt the running 0x80");
    pulse_spi(f, 40);  // 40 again: active+pending
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "EOImode=1 EOIR drops the running priority");
    BOOST_TEST(f.crd(0, gicc::APR0) == 0u, "no active priority left");
    BOOST_TEST(is_active(f, 0, 40), "but 40 stays active");
    BOOST_TEST(f.irq(0), "the lower priority 41 can now be signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == 41u, "41, not the active+pending 40");
    f.cwr(0, gicc::EOIR, 41);
    BOOST_TEST(is_active(f, 0, 41), "EOIR did not deactivate 41 either");
    f.cwr(0, gicc::DIR, 41);
    BOOST_TEST(!is_active(f, 0, 41), "DIR deactivates 41");
    BOOST_TEST(!f.irq(0), "40 is still active+pending: not signalled");
    f.cwr(0, gicc::DIR, 40);
    BOOST_TEST(!is_active(f, 0, 40), "DIR deactivates 40");
    BOOST_TEST(f.irq(0), "its pending instance is now signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "and acknowledged");
}

BOOST_AUTO_TEST_CASE(dir_with_eoimode0_is_ignored) {
    // 4.4.15: with EOImode=0 a write to GICC_DIR is UNPREDICTABLE; the model ignores it.
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    const std::uint64_t errors = guest_errors(f);
    f.cwr(0, gicc::DIR, 40);
    BOOST_TEST(guest_errors(f) == errors + 1, "DIR with EOImode=0 counts a guest error");
    BOOST_TEST(is_active(f, 0, 40), "and does not deactivate");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0x80u, "nor drop the priority");
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(!is_active(f, 0, 40), "EOIR still completes it");
    BOOST_TEST(guest_errors(f) == errors + 1, "a correct EOIR is no guest error");
}

BOOST_AUTO_TEST_CASE(eoir_of_inactive_or_spurious_is_ignored) {
    // 4.4.5: EOIR of an INTID that is not active is UNPREDICTABLE (the model ignores it and
    // counts a guest error); EOIR of a special INTID 1020-1023 is ignored.
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    edge_spi(f, 41, 0x90);
    pulse_spi(f, 40);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    const std::uint64_t errors = guest_errors(f);
    f.cwr(0, gicc::EOIR, 41);  // never acknowledged
    BOOST_TEST(guest_errors(f) == errors + 1, "EOIR of an inactive INTID counts a guest error");
    BOOST_TEST(is_active(f, 0, 40), "40 still active");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0x80u, "running priority unchanged");
    f.cwr(0, gicc::EOIR, kSpurious);
    BOOST_TEST(is_active(f, 0, 40), "EOIR 1023: 40 still active");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0x80u, "EOIR 1023: running priority unchanged");
    f.cwr(0, gicc::EOIR, 40);
    BOOST_TEST(!is_active(f, 0, 40), "the real EOIR completes 40");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "idle");
}

// =====================================================================================
// Spurious INTIDs 1023 and 1022 (IHI 0048B special interrupt numbers, 4.4.4 IAR, 4.4.9 AIAR)
// =====================================================================================

BOOST_AUTO_TEST_CASE(iar_1023_nothing_pending) {
    GicFixture f;
    f.enable_all(0);
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "nothing pending");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "a spurious read activates nothing");
    BOOST_TEST(f.crd(0, gicc::HPPIR) == kSpurious, "HPPIR agrees");
}

BOOST_AUTO_TEST_CASE(iar_1023_masked_by_pmr) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x10);
    f.cwr(0, gicc::PMR, 0x00);
    pulse_spi(f, 40);
    BOOST_TEST(!f.irq(0), "PMR 0 masks everything");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "IAR spurious");
    BOOST_TEST(is_pending(f, 0, 40), "still pending");
    BOOST_TEST(!is_active(f, 0, 40), "not acknowledged");
}

BOOST_AUTO_TEST_CASE(iar_1023_cpu_interface_group_disabled) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    f.cwr(0, gicc::CTLR, kEnableGrp1 | kAckCtl);  // Group 0 not signalled by this interface
    pulse_spi(f, 40);
    BOOST_TEST(!f.irq(0), "Group 0 disabled in GICC_CTLR: no IRQ");
    BOOST_TEST(!f.fiq(0), "no FIQ");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "IAR spurious");
    BOOST_TEST(is_pending(f, 0, 40), "still pending");
    f.cwr(0, gicc::CTLR, kBothGroups);
    BOOST_TEST(f.irq(0), "re-enabling the interface group signals it");
}

BOOST_AUTO_TEST_CASE(iar_1023_distributor_group_disabled) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    f.wr(0, gicd::CTLR, kDistGrp1);  // Group 0 not forwarded
    pulse_spi(f, 40);
    BOOST_TEST(!f.irq(0), "Group 0 disabled in GICD_CTLR: not forwarded");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "IAR spurious");
    BOOST_TEST(is_pending(f, 0, 40), "still pending");
    f.wr(0, gicd::CTLR, kDistGrp0 | kDistGrp1);
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "forwarded once re-enabled");
}

BOOST_AUTO_TEST_CASE(iar_1022_group1_with_ackctl0) {
    // 4.4.4: with AckCtl=0, an IAR read whose highest pending interrupt is Group 1 returns
    // 1022 and acknowledges nothing; GICC_AIAR acknowledges it (4.4.9), AEOIR ends it (4.4.10).
    GicFixture f;
    f.enable_all(0);
    f.cwr(0, gicc::CTLR, kEnableGrp0 | kEnableGrp1);  // AckCtl=0
    edge_spi(f, 60, 0x80);
    set_group1(f, 0, 60);
    pulse_spi(f, 60);
    BOOST_TEST(f.irq(0), "Group 1 signalled as IRQ");
    BOOST_TEST(f.crd(0, gicc::HPPIR) == kGroup1Pending, "HPPIR: 1022 with AckCtl=0");
    BOOST_TEST(f.crd(0, gicc::IAR) == kGroup1Pending, "IAR: 1022");
    BOOST_TEST(is_pending(f, 0, 60), "no acknowledge happened");
    BOOST_TEST(!is_active(f, 0, 60), "not active");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "no running priority");
    BOOST_TEST(f.irq(0), "still signalled");
    BOOST_TEST(f.crd(0, gicc::AHPPIR) == 60u, "AHPPIR reports the Group 1 interrupt");
    BOOST_TEST(is_pending(f, 0, 60), "AHPPIR does not acknowledge");
    BOOST_TEST(f.crd(0, gicc::AIAR) == 60u, "AIAR acknowledges Group 1");
    BOOST_TEST(is_active(f, 0, 60), "active");
    BOOST_TEST(!f.irq(0), "line drops");
    f.cwr(0, gicc::AEOIR, 60);
    BOOST_TEST(!is_active(f, 0, 60), "AEOIR completes the Group 1 interrupt");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "priority dropped");
}

BOOST_AUTO_TEST_CASE(aiar_with_group0_highest_returns_1023) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x40);  // Group 0, higher priority
    edge_spi(f, 60, 0x80);
    set_group1(f, 0, 60);
    pulse_spi(f, 40);
    pulse_spi(f, 60);
    BOOST_TEST(f.crd(0, gicc::HPPIR) == 40u, "HPPIR: the Group 0 interrupt");
    BOOST_TEST(f.crd(0, gicc::AIAR) == kSpurious, "AIAR: the highest is Group 0 -> 1023");
    BOOST_TEST(is_pending(f, 0, 40), "40 not acknowledged");
    BOOST_TEST(is_pending(f, 0, 60), "60 not acknowledged");
    BOOST_TEST(!is_active(f, 0, 40), "40 not active");
    BOOST_TEST(!is_active(f, 0, 60), "60 not active");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "IAR acknowledges the Group 0 interrupt");
}

BOOST_AUTO_TEST_CASE(hppir_reports_without_acknowledging) {
    // 4.4.7 HPPIR: same value IAR would return, no state change.
    GicFixture f;
    f.enable_all(0);
    f.enable_irq(0, 5, 0x80);
    f.wr(2, gicd::SGIR, sgir(0, 0x01, 5));
    for (int i = 0; i < 2; ++i)
        BOOST_TEST(f.crd(0, gicc::HPPIR) == sgi_iar(5, 2), "HPPIR: SGI 5 from CPU 2 (read " << i << ")");
    BOOST_TEST(sgi_sources(f, 0, 5) == 0x04u, "still pending from CPU 2");
    BOOST_TEST(!is_active(f, 0, 5), "not active");
    BOOST_TEST(f.irq(0), "still signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == sgi_iar(5, 2), "IAR returns what HPPIR reported");
    BOOST_TEST(f.crd(0, gicc::HPPIR) == kSpurious, "nothing else pending");
}

// =====================================================================================
// IRQ vs FIQ (IHI 0048B 3.4 interrupt grouping and signalling, 4.4.1 GICC_CTLR.FIQEn)
// =====================================================================================

BOOST_AUTO_TEST_CASE(group0_with_fiqen_uses_fiq) {
    GicFixture f;
    f.enable_all(0);
    f.cwr(0, gicc::CTLR, kBothGroups | kFIQEn);
    edge_spi(f, 40, 0x80);
    f.observer.events.clear();
    pulse_spi(f, 40);
    BOOST_TEST(f.fiq(0), "Group 0 with FIQEn=1 raises FIQ");
    BOOST_TEST(!f.irq(0), "not IRQ");
    expect_events(f, {{0, Line::Fiq, true}}, "only the FIQ line moved");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "acknowledged through IAR");
    BOOST_TEST(!f.fiq(0), "FIQ drops");
    expect_events(f, {{0, Line::Fiq, false}}, "FIQ fell once");
    f.cwr(0, gicc::EOIR, 40);

    // Group 1 is always IRQ, FIQEn or not.
    edge_spi(f, 60, 0x80);
    set_group1(f, 0, 60);
    pulse_spi(f, 60);
    BOOST_TEST(f.irq(0), "Group 1 raises IRQ");
    BOOST_TEST(!f.fiq(0), "never FIQ");
    expect_events(f, {{0, Line::Irq, true}}, "only IRQ moved");
}

BOOST_AUTO_TEST_CASE(group0_without_fiqen_uses_irq) {
    GicFixture f;
    f.enable_all(0);  // FIQEn=0
    edge_spi(f, 40, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(f.irq(0), "Group 0 with FIQEn=0 is IRQ");
    BOOST_TEST(!f.fiq(0), "no FIQ");
    f.observer.events.clear();
    f.cwr(0, gicc::CTLR, kBothGroups | kFIQEn);
    BOOST_TEST(f.fiq(0), "setting FIQEn moves it to FIQ");
    BOOST_TEST(!f.irq(0), "and off IRQ");
    expect_events_unordered(f, {{0, Line::Irq, false}, {0, Line::Fiq, true}}, "one change on each line");
}

// =====================================================================================
// SPIs with several targets and group enables (IHI 0048B 3.1.1 1-N model, 4.3.1, 4.3.12)
// =====================================================================================

BOOST_AUTO_TEST_CASE(multi_target_spi_first_acknowledger_wins) {
    GicFixture f;
    f.enable_all(0);
    f.enable_all(1);
    edge_spi(f, 60, 0x80, 0x3);
    f.observer.events.clear();
    pulse_spi(f, 60);
    BOOST_TEST(f.irq(0), "CPU 0 sees it");
    BOOST_TEST(f.irq(1), "CPU 1 sees it");
    expect_events_unordered(f, {{0, Line::Irq, true}, {1, Line::Irq, true}}, "one rise per target");
    BOOST_TEST(f.crd(1, gicc::IAR) == 60u, "CPU 1 acknowledges first");
    BOOST_TEST(!f.irq(1), "CPU 1's IRQ drops");
    BOOST_TEST(!f.irq(0), "CPU 0's IRQ drops: the interrupt is active");
    expect_events_unordered(f, {{0, Line::Irq, false}, {1, Line::Irq, false}}, "one fall per target");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "CPU 0 reads spurious");
    f.cwr(1, gicc::EOIR, 60);
    BOOST_TEST(!f.irq(0), "completed: CPU 0 idle");
    BOOST_TEST(!f.irq(1), "completed: CPU 1 idle");
}

BOOST_AUTO_TEST_CASE(multi_target_level_spi_not_signalled_while_active_elsewhere) {
    GicFixture f;
    f.enable_all(0);
    f.enable_all(1);
    level_spi(f, 61, 0x80, 0x3);
    f.gic.set_spi_level(61, true);
    BOOST_TEST(f.crd(0, gicc::IAR) == 61u, "CPU 0 acknowledges");
    BOOST_TEST(!f.irq(1), "active+pending on CPU 0: CPU 1 is not signalled");
    BOOST_TEST(f.crd(1, gicc::IAR) == kSpurious, "CPU 1 reads spurious");
    f.cwr(0, gicc::EOIR, 61);
    BOOST_TEST(f.irq(0), "line still high: CPU 0 signalled again");
    BOOST_TEST(f.irq(1), "line still high: CPU 1 signalled again");
}

BOOST_AUTO_TEST_CASE(retargeting_a_pending_spi_moves_the_line) {
    // 4.3.12: ITARGETSR changes apply to pending interrupts; an SPI with no target is not
    // forwarded.
    GicFixture f;
    f.enable_all(0);
    f.enable_all(1);
    edge_spi(f, 62, 0x80, 0x0);
    pulse_spi(f, 62);
    BOOST_TEST(is_pending(f, 0, 62), "pending with no target");
    BOOST_TEST(!f.irq(0), "no target: CPU 0 not signalled");
    BOOST_TEST(!f.irq(1), "no target: CPU 1 not signalled");
    f.observer.events.clear();
    f.target(62, 0x1);
    expect_events(f, {{0, Line::Irq, true}}, "targeting CPU 0 raises its IRQ");
    f.target(62, 0x2);
    expect_events_unordered(f, {{0, Line::Irq, false}, {1, Line::Irq, true}}, "moved from CPU 0 to CPU 1");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "CPU 0 no longer a target");
    BOOST_TEST(f.crd(1, gicc::IAR) == 62u, "CPU 1 acknowledges");
}

BOOST_AUTO_TEST_CASE(regrouping_a_pending_interrupt_moves_fiq_to_irq) {
    // 4.3.4 IGROUPR with 4.4.1 FIQEn: the group decides FIQ (Group 0) or IRQ (Group 1).
    GicFixture f;
    f.enable_all(0);
    f.cwr(0, gicc::CTLR, kBothGroups | kFIQEn);
    edge_spi(f, 40, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(f.fiq(0), "Group 0: FIQ");
    f.observer.events.clear();
    set_group1(f, 0, 40);
    BOOST_TEST(f.irq(0), "Group 1: IRQ");
    BOOST_TEST(!f.fiq(0), "FIQ dropped");
    expect_events_unordered(f, {{0, Line::Fiq, false}, {0, Line::Irq, true}}, "one change on each line");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "AckCtl=1: IAR acknowledges the Group 1 interrupt");
}

BOOST_AUTO_TEST_CASE(distributor_group_enable_drops_line) {
    GicFixture f;
    f.enable_all(0);
    edge_spi(f, 40, 0x80);
    pulse_spi(f, 40);
    BOOST_TEST(f.irq(0));
    f.observer.events.clear();
    f.wr(0, gicd::CTLR, kDistGrp1);
    BOOST_TEST(!f.irq(0), "disabling GICD_CTLR.EnableGrp0 drops the line");
    expect_events(f, {{0, Line::Irq, false}}, "one fall");
    BOOST_TEST(is_pending(f, 0, 40), "the interrupt stays pending");
    f.wr(0, gicd::CTLR, kDistGrp0 | kDistGrp1);
    BOOST_TEST(f.irq(0), "re-enabled");
    expect_events(f, {{0, Line::Irq, true}}, "one rise");
    f.cwr(0, gicc::CTLR, kEnableGrp1 | kAckCtl);
    BOOST_TEST(!f.irq(0), "disabling GICC_CTLR.EnableGrp0 drops it too");
    expect_events(f, {{0, Line::Irq, false}}, "one fall");
}

// =====================================================================================
// The line observer: each change reported exactly once (model contract, observer.hpp)
// =====================================================================================

BOOST_AUTO_TEST_CASE(observer_reports_each_change_once) {
    GicFixture f;
    f.enable_all(0);
    f.enable_all(2);
    edge_spi(f, 40, 0xA0);
    edge_spi(f, 41, 0x80);
    f.enable_irq(2, 20, 0x80);
    f.observer.events.clear();

    pulse_spi(f, 40);
    expect_events(f, {{0, Line::Irq, true}}, "40 pending: IRQ rises");
    pulse_spi(f, 41);
    expect_events(f, {}, "a second pending interrupt: the line is already high");
    f.cwr(0, gicc::PMR, 0xFF);
    f.wr(0, gicd::ISENABLER + 4, 1u << (40 - 32));
    expect_events(f, {}, "writes that change nothing signalled: no event");
    BOOST_TEST(f.crd(0, gicc::HPPIR) == 41u);
    expect_events(f, {}, "HPPIR read: no event");
    BOOST_TEST(f.crd(0, gicc::IAR) == 41u);
    expect_events(f, {{0, Line::Irq, false}}, "41 active, 0xA0 cannot preempt: IRQ falls");
    f.cwr(0, gicc::EOIR, 41);
    expect_events(f, {{0, Line::Irq, true}}, "41 done: 40 signalled");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u);
    expect_events(f, {{0, Line::Irq, false}}, "40 acknowledged");
    f.cwr(0, gicc::EOIR, 40);
    expect_events(f, {}, "nothing left: no event");

    f.gic.set_ppi_level(2, 20, true);
    f.gic.set_ppi_level(2, 20, true);  // no change of input
    expect_events(f, {{2, Line::Irq, true}}, "CPU 2 PPI: one rise on CPU 2");
    f.gic.set_ppi_level(2, 20, false);
    expect_events(f, {{2, Line::Irq, false}}, "level PPI dropped: one fall");
}

// =====================================================================================
// Disabled interrupts keep their pending state (IHI 0048B 4.3.5 / 4.3.6;
// gic-architecture.md section 3 item 24)
// =====================================================================================

BOOST_AUTO_TEST_CASE(disabled_interrupt_stays_pending_and_fires_when_enabled) {
    GicFixture f;
    f.enable_all(0);
    f.set_edge(0, 40);
    f.target(40, 0x1);
    f.wr(0, gicd::IPRIORITYR + 40, 0x80, 1);  // priority set, not enabled
    pulse_spi(f, 40);
    BOOST_TEST(is_pending(f, 0, 40), "a disabled interrupt still becomes pending");
    BOOST_TEST(!f.irq(0), "but is not forwarded");
    BOOST_TEST(f.crd(0, gicc::IAR) == kSpurious, "IAR spurious");
    BOOST_TEST(is_pending(f, 0, 40), "the spurious read did not consume it");
    f.wr(0, gicd::ISENABLER + 4, 1u << (40 - 32));
    BOOST_TEST(f.irq(0), "enabling forwards the pending interrupt");
    f.wr(0, gicd::ICENABLER + 4, 1u << (40 - 32));
    BOOST_TEST(!f.irq(0), "disabling again drops the line");
    BOOST_TEST(is_pending(f, 0, 40), "still pending");
    f.wr(0, gicd::ISENABLER + 4, 1u << (40 - 32));
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "fires once enabled");
}

BOOST_AUTO_TEST_SUITE_END()
