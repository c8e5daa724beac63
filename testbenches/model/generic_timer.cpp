// SPDX-License-Identifier: Apache-2.0
// The generic timer's system registers and arithmetic (Arm DDI 0487 D12/D13), with the
// counter handed in: expected values follow from the register definitions.
#include "vgic/model/generic_timer.hpp"

#include <boost/test/unit_test.hpp>

using namespace vgic;
using namespace vgic::timer_regs;

namespace {
struct TimerFixture {
    explicit TimerFixture(BadAccessPolicy p = BadAccessPolicy::RazWi) : diag(p), timer(0, TimerConfig{}, diag) {}
    std::uint64_t rd(std::uint32_t reg, std::uint64_t cnt) {
        const AccessResult r = timer.read(reg, cnt);
        BOOST_TEST_REQUIRE(r.ok());
        return r.value;
    }
    void wr(std::uint32_t reg, std::uint64_t v, std::uint64_t cnt) { BOOST_TEST_REQUIRE(timer.write(reg, v, cnt).ok()); }
    Diagnostics diag;
    GenericTimer timer;
};
} // namespace

BOOST_AUTO_TEST_SUITE(generic_timer)

BOOST_AUTO_TEST_CASE(encodings_match_the_mrs_msr_instruction) {
    // op0=3 op1=3 CRn=14 CRm=3 op2=1 is CNTV_CTL_EL0 (DDI 0487 D13.8.?): 0xDF19.
    BOOST_TEST(CNTV_CTL_EL0 == 0xDF19u);
    BOOST_TEST(CNTVOFF_EL2 == 0xE703u, "op1=4 CRn=14 CRm=0 op2=3");
    BOOST_TEST(std::string(timer_register_name(CNTP_TVAL_EL0)) == "CNTP_TVAL_EL0");
}

BOOST_AUTO_TEST_CASE(counter_derived_exactly_from_time) {
    // 100 MHz: one tick per 10 ns; 10 ms = 1,000,000 ticks.
    BOOST_TEST(counter_at(9'999, 100'000'000) == 0u);
    BOOST_TEST(counter_at(10'000, 100'000'000) == 1u);
    BOOST_TEST(counter_at(10'000'000'000ull, 100'000'000) == 1'000'000u);
    BOOST_TEST(time_of_count(1'000'000, 100'000'000) == 10'000'000'000ull);
    // 3 MHz: a tick is 333333.33 ps; the count reaches 1 at ceil() = 333334 ps, not before.
    BOOST_TEST(time_of_count(1, 3'000'000) == 333'334u);
    BOOST_TEST(counter_at(333'334, 3'000'000) == 1u);
    BOOST_TEST(counter_at(333'333, 3'000'000) == 0u);
    // Hours of simulated time at 1 GHz do not overflow the intermediate product.
    BOOST_TEST(counter_at(36'000'000'000'000'000ull, 1'000'000'000) == 36'000'000'000'000ull);
}

BOOST_AUTO_TEST_CASE(frequency_and_counters) {
    TimerFixture f;
    BOOST_TEST(f.rd(CNTFRQ_EL0, 0) == 100'000'000u, "default 100 MHz");
    BOOST_TEST(f.rd(CNTPCT_EL0, 5000) == 5000u);
    f.wr(CNTVOFF_EL2, 1000, 5000);
    BOOST_TEST(f.rd(CNTVCT_EL0, 5000) == 4000u, "CNTVCT = CNTPCT - CNTVOFF");
    BOOST_TEST(f.rd(CNTVOFF_EL2, 0) == 1000u);
}

BOOST_AUTO_TEST_CASE(istatus_enable_imask_and_output) {
    TimerFixture f;
    f.wr(CNTV_CVAL_EL0, 100, 0);
    BOOST_TEST(f.rd(CNTV_CTL_EL0, 150) == 0u, "disabled: ISTATUS 0 (UNKNOWN architecturally; this model 0)");
    f.wr(CNTV_CTL_EL0, CTL_ENABLE::mask, 0);
    BOOST_TEST(f.rd(CNTV_CTL_EL0, 99) == CTL_ENABLE::mask, "count 99 < CVAL 100: condition not met");
    BOOST_TEST(!f.timer.output(GenericTimer::Virtual, 99));
    BOOST_TEST(f.rd(CNTV_CTL_EL0, 100) == (CTL_ENABLE::mask | CTL_ISTATUS::mask), "count == CVAL: met");
    BOOST_TEST(f.timer.output(GenericTimer::Virtual, 100));
    f.wr(CNTV_CTL_EL0, CTL_ENABLE::mask | CTL_IMASK::mask, 100);
    BOOST_TEST(f.rd(CNTV_CTL_EL0, 100) == (CTL_ENABLE::mask | CTL_IMASK::mask | CTL_ISTATUS::mask),
               "IMASK gates the output, not ISTATUS (section 3 item 27)");
    BOOST_TEST(!f.timer.output(GenericTimer::Virtual, 100));
    f.wr(CNTV_CTL_EL0, CTL_ENABLE::mask, 100);
    BOOST_TEST(f.timer.output(GenericTimer::Virtual, 100), "unmasking with the condition met asserts at once");
    f.wr(CNTV_CTL_EL0, ~std::uint64_t{0}, 100);
    BOOST_TEST(f.rd(CNTV_CTL_EL0, 0) == (CTL_ENABLE::mask | CTL_IMASK::mask), "ISTATUS and RES0 bits not writable");
    BOOST_TEST(!f.timer.output(GenericTimer::Physical, 1000), "the physical timer is separate");
}

BOOST_AUTO_TEST_CASE(tval_reads_signed_and_writes_relative) {
    TimerFixture f;
    f.wr(CNTV_CVAL_EL0, 100, 0);
    BOOST_TEST(f.rd(CNTV_TVAL_EL0, 40) == 60u);
    BOOST_TEST(f.rd(CNTV_TVAL_EL0, 150) == 0xFFFFFFCEu, "-50 as a 32-bit value after expiry, [63:32] RES0");
    f.wr(CNTP_TVAL_EL0, 0xFFFFFFF6, 1000);  // -10
    BOOST_TEST(f.rd(CNTP_CVAL_EL0, 0) == 990u, "CVAL = CNTPCT + SignExtend(-10)");
    f.wr(CNTP_TVAL_EL0, 0x1'0000'0010ull, 1000);  // bits [63:32] ignored
    BOOST_TEST(f.rd(CNTP_CVAL_EL0, 0) == 1016u);
    f.wr(CNTVOFF_EL2, 500, 1000);
    f.wr(CNTV_TVAL_EL0, 25, 1000);
    BOOST_TEST(f.rd(CNTV_CVAL_EL0, 0) == 525u, "virtual TVAL is relative to CNTVCT = 1000 - 500");
}

BOOST_AUTO_TEST_CASE(next_rise_in_physical_count) {
    TimerFixture f;
    f.wr(CNTV_CVAL_EL0, 100, 0);
    BOOST_TEST(!f.timer.next_rise(GenericTimer::Virtual, 10).has_value(), "disabled: never");
    f.wr(CNTV_CTL_EL0, CTL_ENABLE::mask, 0);
    f.wr(CNTVOFF_EL2, 50, 0);
    BOOST_TEST(f.timer.next_rise(GenericTimer::Virtual, 60).value() == 150u, "CNTPCT = CVAL + CNTVOFF");
    BOOST_TEST(f.timer.next_rise(GenericTimer::Virtual, 10).value() == 10u,
               "CNTPCT 10 < CNTVOFF 50: CNTVCT wraps modulo 2^64 to a huge value, so CNTVCT >= CVAL holds");
    BOOST_TEST(f.timer.next_rise(GenericTimer::Virtual, 200).value() == 200u, "already high: now");
    f.wr(CNTV_CTL_EL0, CTL_ENABLE::mask | CTL_IMASK::mask, 0);
    BOOST_TEST(!f.timer.next_rise(GenericTimer::Virtual, 60).has_value(), "masked: never");
    f.wr(CNTV_CTL_EL0, CTL_ENABLE::mask, 0);
    f.wr(CNTV_CVAL_EL0, ~std::uint64_t{0}, 0);
    BOOST_TEST(!f.timer.next_rise(GenericTimer::Virtual, 60).has_value(), "beyond the 64-bit count: never");
    // A "negative" CNTVOFF (virtual count ahead of the physical one, as KVM restores guests):
    // CNTVOFF = -100 makes CNTVCT = CNTPCT + 100; CVAL 200 is met at CNTPCT 100.
    f.wr(CNTVOFF_EL2, ~std::uint64_t{0} - 99, 0);
    f.wr(CNTV_CVAL_EL0, 200, 0);
    BOOST_TEST(f.rd(CNTVCT_EL0, 50) == 150u);
    BOOST_TEST(f.timer.next_rise(GenericTimer::Virtual, 50).value() == 100u, "rises at CNTPCT 100");
}

BOOST_AUTO_TEST_CASE(bad_accesses_follow_the_policy) {
    TimerFixture f;
    const AccessResult r = f.timer.write(CNTPCT_EL0, 5, 0);
    BOOST_TEST((r.status == AccessStatus::Ignored), "writing CNTPCT is a bad access, ignored under RAZ/WI");
    BOOST_TEST(f.diag.bad_access_count() == 1u);
    BOOST_TEST(f.diag.last().describe().find("CNTPCT_EL0") != std::string::npos);
    const AccessResult u = f.timer.read(sysreg_encoding(3, 0, 0, 0, 5), 0);  // MPIDR_EL1: not a timer register
    BOOST_TEST((u.status == AccessStatus::Ignored && u.value == 0u));
    TimerFixture e(BadAccessPolicy::Error);
    BOOST_TEST((e.timer.write(CNTFRQ_EL0, 1, 0).status == AccessStatus::Error), "error policy");
    BOOST_TEST((e.timer.read(sysreg_encoding(3, 7, 15, 15, 7), 0).status == AccessStatus::Error));
}

BOOST_AUTO_TEST_CASE(configuration_errors) {
    auto error_of = [](TimerConfig c) -> std::string {
        try {
            c.validate();
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    };
    TimerConfig c;
    c.frequency_hz = 0;
    BOOST_TEST(error_of(c) == "TimerConfig.frequency_hz = 0: allowed 1..4000000000");
    c = TimerConfig{};
    c.virtual_intid = 32;
    BOOST_TEST(error_of(c) == "TimerConfig.virtual_intid = 32: allowed 16..31 (a PPI)");
    c = TimerConfig{};
    c.physical_intid = 27;
    BOOST_TEST(error_of(c) == "TimerConfig.physical_intid = 27: allowed 16..31 (a PPI), different from virtual_intid");
}

BOOST_AUTO_TEST_SUITE_END()
