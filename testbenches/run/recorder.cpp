// SPDX-License-Identifier: Apache-2.0
// The recorder (platforms/run/recorder.hpp) on hand-made sequences: which generation an
// acknowledgement takes, the flags of the wake-up bound, and streaming: records handed over
// in generation order once final, held ones kept, and memory freed; StreamingReports writes
// the same latency.csv and summary as the whole-record functions.
#include "run/recorder.hpp"
#include "run/report.hpp"

#include "../input_files.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace vgic::run;
namespace fs = std::filesystem;

namespace {

/// Collects what a streaming recorder hands over.
struct Collect : RecordSink {
    std::vector<std::uint64_t> ids;
    std::vector<InterruptRecord> records;
    void begin(const RunRecord&) override {}
    void interrupt(const RunRecord&, const InterruptRecord& rec, std::uint64_t id) override {
        ids.push_back(id);
        records.push_back(rec);
    }
    void span(const VcpuRecord&, VcpuState, std::uint64_t, std::uint64_t) override {}
    void end(const RunRecord&) override {}
};

const std::uint64_t kA = record_key(0, IrqClass::DeviceSpi, kAnyVcpu, 0, 40);
const std::uint64_t kB = record_key(0, IrqClass::DeviceSpi, kAnyVcpu, 0, 41);

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(recorder)

BOOST_AUTO_TEST_CASE(records_are_handed_over_in_generation_order_once_final) {
    RunRecord r;
    Collect sink;
    Recorder rec(r, &sink);
    const std::size_t a = rec.open(kA, 0, 0, IrqClass::DeviceSpi, 40, 100);
    const std::size_t b = rec.open(kB, 0, 1, IrqClass::DeviceSpi, 41, 200);
    // b is acknowledged and completed first: it waits for a, which is older.
    BOOST_TEST(rec.acknowledge(kB, 1, 300, 340, -1, false) == b);
    rec.complete(b, 500);
    BOOST_TEST(sink.ids.empty(), "b is final but a, older, is not");
    BOOST_TEST(rec.acknowledge(kA, 0, 600, 640, -1, false) == a);
    BOOST_TEST(sink.ids.empty(), "a acknowledged, not completed");
    rec.complete(a, 900);
    BOOST_TEST((sink.ids == std::vector<std::uint64_t>{1, 2}), "both, a first (ids are positions + 1)");
    BOOST_TEST(sink.records[0].eoi_ps == 900);
    BOOST_TEST(sink.records[1].iar_ps == 340);
    BOOST_TEST(r.interrupts.empty(), "streamed: the RunRecord keeps none");
    // Handed over: the recorder no longer has them (a scratch record answers).
    BOOST_TEST(rec.at(a).asserted_ps == 0u);
}

BOOST_AUTO_TEST_CASE(coalesced_records_follow_their_leader) {
    RunRecord r;
    Collect sink;
    Recorder rec(r, &sink);
    const std::size_t a = rec.open(kA, 0, 0, IrqClass::DeviceSpi, 40, 100);
    const std::size_t a2 = rec.open(kA, 0, 0, IrqClass::DeviceSpi, 40, 150);  // while pending: merged
    BOOST_TEST(rec.acknowledge(kA, 0, 200, 240, -1, false) == a);
    BOOST_TEST(sink.ids.empty());
    rec.complete(a, 400);
    BOOST_TEST_REQUIRE(sink.records.size() == 2u);
    BOOST_TEST((sink.records[1].outcome == InterruptRecord::Outcome::Coalesced));
    BOOST_TEST(sink.records[1].eoi_ps == 400, "the group's EOI");
    (void)a2;
}

BOOST_AUTO_TEST_CASE(held_records_wait_and_finish_hands_over_the_rest) {
    RunRecord r;
    Collect sink;
    Recorder rec(r, &sink);
    const std::size_t a = rec.open(kA, 0, 0, IrqClass::DeviceSpi, 40, 100);
    rec.hold(a);
    BOOST_TEST(rec.acknowledge(kA, 0, 200, 240, -1, false) == a);
    rec.complete(a, 300);
    BOOST_TEST(sink.ids.empty(), "held: its source still writes to it");
    rec.at(a).sgir_cost_ticks = 3;
    rec.release(a);
    BOOST_TEST_REQUIRE(sink.records.size() == 1u);
    BOOST_TEST(sink.records[0].sgir_cost_ticks == 3);
    const std::size_t b = rec.open(kB, 0, 0, IrqClass::DeviceSpi, 41, 500);
    rec.finish();
    BOOST_TEST_REQUIRE(sink.records.size() == 2u, "finish: a pending one too");
    BOOST_TEST((sink.records[1].outcome == InterruptRecord::Outcome::Pending));
    (void)b;
}

BOOST_AUTO_TEST_CASE(a_record_that_never_ends_is_parked_and_memory_stays_bounded) {
    // A window of 4: record 1 is never acknowledged; once 4 more are in memory it is parked
    // and the later ones go on in order; it is handed over at the end, out of order.
    RunRecord r;
    Collect sink;
    Recorder rec(r, &sink, 4);
    rec.open(kA, 0, 0, IrqClass::DeviceSpi, 40, 100);  // never taken
    for (unsigned k = 0; k < 6; ++k) {
        const std::size_t b = rec.open(kB, 0, 0, IrqClass::DeviceSpi, 41, 200 + 100 * k);
        BOOST_TEST(rec.acknowledge(kB, 0, 250 + 100 * k, 260 + 100 * k, -1, false) == b);
        rec.complete(b, 280 + 100 * k);
    }
    BOOST_TEST((sink.ids == std::vector<std::uint64_t>{2, 3, 4, 5, 6, 7}), "the later ones, in order");
    rec.finish();
    BOOST_TEST_REQUIRE(sink.ids.size() == 7u);
    BOOST_TEST(sink.ids.back() == 1u, "the parked one at the end");
    BOOST_TEST((sink.records.back().outcome == InterruptRecord::Outcome::Pending));
}

BOOST_AUTO_TEST_CASE(without_a_sink_the_run_record_keeps_them_in_order) {
    RunRecord r;
    Recorder rec(r);
    const std::size_t a = rec.open(kA, 0, 0, IrqClass::DeviceSpi, 40, 100);
    const std::size_t b = rec.open(kB, 0, 0, IrqClass::DeviceSpi, 41, 200);
    BOOST_TEST(rec.acknowledge(kB, 0, 300, 340, -1, false) == b);
    rec.complete(b, 400);
    rec.finish();
    BOOST_TEST_REQUIRE(r.interrupts.size() == 2u);
    BOOST_TEST(r.interrupts[0].asserted_ps == 100u, "generation order, not completion order");
    BOOST_TEST((r.interrupts[0].outcome == InterruptRecord::Outcome::Pending));
    (void)a;
}

BOOST_AUTO_TEST_CASE(wake_flags_at_the_acknowledgement) {
    RunRecord r;
    Recorder rec(r);
    // vCPU 0 acknowledges b (asserted 200) at 300..340, then a (asserted 100) at 400..440:
    // another interrupt came first for a, not for b.
    const std::size_t a = rec.open(kA, 0, 0, IrqClass::DeviceSpi, 40, 100);
    const std::size_t b = rec.open(kB, 0, 0, IrqClass::DeviceSpi, 41, 200);
    rec.acknowledge(kB, 0, 300, 340, -1, false, 0);
    rec.acknowledge(kA, 0, 400, 440, -1, false, 150);
    BOOST_TEST(rec.at(b).acknowledged_first);
    BOOST_TEST(!rec.at(a).acknowledged_first, "b's acknowledgement (340) came between 100 and 440");
    BOOST_TEST(rec.at(a).waited_for_pcpu, "the vCPU stopped waiting at 150, after the assertion at 100");
    BOOST_TEST(!rec.at(b).waited_for_pcpu);
}

BOOST_AUTO_TEST_CASE(streaming_reports_write_what_the_whole_record_gives) {
    // The same records through StreamingReports and through write_latency_csv/summarize.
    const vgic::testing::ScratchDir scratch("recorder-test");
    const fs::path dir = scratch.path() / "out";
    Scenario s;
    s.vms.resize(1);
    s.vms[0].name = "guest";
    RunRecord whole, streamed_record;
    whole.scenario = streamed_record.scenario = &s;
    whole.simulated_ps = streamed_record.simulated_ps = 10'000;
    std::vector<InterruptRecord> recs(5);
    for (unsigned i = 0; i < recs.size(); ++i) {
        recs[i].cls = i % 2 ? IrqClass::Ipi : IrqClass::TimerPpi;
        recs[i].intid = i % 2 ? 1 : 27;
        recs[i].asserted_ps = 1000 * i;
        recs[i].outcome = i == 4 ? InterruptRecord::Outcome::Pending : InterruptRecord::Outcome::Handled;
        if (i != 4) {
            recs[i].iar_ps = 1000 * i + 300 + 7 * i;
            recs[i].eoi_ps = 1000 * i + 900;
        }
    }
    whole.interrupts = recs;
    OutputDir out(dir.string());
    StreamingReports streamed(out, s, 3);  // a cap of 3 trace events: 2 kept (one interrupt is 2)
    streamed.begin(streamed_record);
    for (unsigned i = 0; i < recs.size(); ++i) streamed.interrupt(streamed_record, recs[i], i + 1);
    streamed.end(streamed_record);
    BOOST_CHECK_NO_THROW(streamed.check());
    std::ostringstream csv;
    write_latency_csv(csv, whole);
    BOOST_TEST(read_text(out.temp_path("latency.csv")) == csv.str());
    const Summary a = summarize(whole), b = streamed.summary(streamed_record);
    BOOST_TEST_REQUIRE(a.classes.size() == b.classes.size());
    for (std::size_t k = 0; k < a.classes.size(); ++k) {
        BOOST_TEST(a.classes[k].handled == b.classes[k].handled);
        BOOST_TEST(a.classes[k].to_iar.p99_ps == b.classes[k].to_iar.p99_ps);
        BOOST_TEST(a.classes[k].to_eoi.mean_ps == b.classes[k].to_eoi.mean_ps);
    }
    BOOST_TEST(a.interrupts_total == b.interrupts_total);
    BOOST_TEST(streamed.trace_events() == 2u);
    BOOST_TEST(streamed.trace_dropped() == 6u, "three more handled interrupts, two events each");
    const std::string trace = read_text(out.temp_path("trace.json"));
    BOOST_TEST(trace.find("trace truncated: 2 events kept (cap 3), 6 dropped") != std::string::npos);
    out.discard();
}

BOOST_AUTO_TEST_SUITE_END()
