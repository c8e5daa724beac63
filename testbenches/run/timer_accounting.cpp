// SPDX-License-Identifier: Apache-2.0
// D10 (docs/RELIABILITY.md "Reliability round two"): timer generations with fast timers, in
// process (one SystemC simulation per case, so CTest runs each case in its own process:
// run.platform.timer_accounting_<case>).
//
// A generation of the virtual timer is a deadline the guest programs that the counter
// reaches. Its output is a level: when the handler programs a deadline that has already
// passed (a period shorter than the handler's path), the output stays high, no rising edge
// comes, and the GIC delivers the interrupt again. Counting rising edges lost those
// generations: at 1 MHz and 50 MHz the guest's acknowledgements found no generation
// outstanding ("acknowledged INTID 27 with no generation of it outstanding", 20 guest errors
// in vm mode) and report.json counted 2 timer interrupts while the guest acknowledged
// thousands. Here: no guest error, and every class's handled count equals the guest's
// acknowledgements of it, in vm and hw mode, at 1 MHz and at 50 MHz.
#include "run/platform.hpp"
#include "run/report.hpp"
#include "run/scenario.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace vgic::run;

namespace {

/// Two vCPUs with a fast periodic timer, handlers that take time, IPIs and a Poisson device
/// (so the timer's latency varies and its deadlines land anywhere in the handler's path).
Scenario fast_timer_scenario(const std::string& mode, const std::string& rate) {
    return parse_scenario(R"(
name: fast_timer
duration: 2 ms
pcpus: 2
vms:
  - name: g
    gic: v2
    mode: )" + mode + R"(
    vcpus: 2
    guest:
      timer: { mode: periodic, rate: )" + rate + R"( }
      ipi: { rate: 20 kHz }
      handler: { timer: 300 ns, device: 700 ns, ipi: 500 ns }
devices:
  - { name: nic, vm: g, intid: 40, pattern: poisson, rate: 200 kHz, target: 1 }
)",
                          "<timer_accounting>", ".");
}

void check_accounting(const std::string& mode, const std::string& rate) {
    const Scenario s = fast_timer_scenario(mode, rate);
    const RunRecord r = run_platform(s);
    const Summary sum = summarize(r);
    BOOST_REQUIRE_EQUAL(r.vms.size(), 1u);
    const VmRecord& vm = r.vms[0];
    for (const std::string& e : vm.guest_errors) BOOST_TEST_MESSAGE("guest error: " << e);
    BOOST_TEST(vm.guest_errors.empty());
    BOOST_TEST(vm.bad_accesses == 0u);
    bool timer_seen = false;
    for (const ClassSummary& c : sum.classes) {
        if (c.cls == IrqClass::Maintenance) continue;
        BOOST_TEST_INFO("class " << irq_class_name(c.cls));
        // What report.json counts as handled is what the guest acknowledged.
        BOOST_TEST(c.handled == vm.acknowledged[static_cast<unsigned>(c.cls)]);
        BOOST_TEST(c.generated == c.handled + c.coalesced + c.pending);
        if (c.cls != IrqClass::TimerPpi) continue;
        timer_seen = true;
        // One generation per programmed deadline: none merged into another, at most one per
        // vCPU still waiting at the end, and thousands of them (a deadline every 1 us or
        // every 20 ns, as fast as the handler's path allows).
        BOOST_TEST(c.coalesced == 0u);
        BOOST_TEST(c.pending <= 2u);
        BOOST_TEST(c.handled >= 1000u);
    }
    BOOST_TEST(timer_seen);
    // Each handled timer generation was measured by the handler that acknowledged it (its
    // CNTVCT read minus the CVAL it had programmed), after its assertion.
    for (const InterruptRecord& i : r.interrupts) {
        if (i.cls != IrqClass::TimerPpi || i.outcome != InterruptRecord::Outcome::Handled) continue;
        BOOST_TEST(i.counter_latency_ticks >= 0);
        BOOST_TEST(i.iar_ps >= static_cast<std::int64_t>(i.asserted_ps));
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(timer_accounting)

BOOST_AUTO_TEST_CASE(vm_1mhz) { check_accounting("vm", "1 MHz"); }
BOOST_AUTO_TEST_CASE(vm_50mhz) { check_accounting("vm", "50 MHz"); }
BOOST_AUTO_TEST_CASE(hw_1mhz) { check_accounting("hw", "1 MHz"); }
BOOST_AUTO_TEST_CASE(hw_50mhz) { check_accounting("hw", "50 MHz"); }

BOOST_AUTO_TEST_SUITE_END()
