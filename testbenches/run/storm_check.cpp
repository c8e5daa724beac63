// SPDX-License-Identifier: Apache-2.0
// vgic-run-storm-check OUTDIR MIN_INTERRUPTS MAX_PENDING_AGE_US
//
// Checks the outputs of `vgic-sim run platforms/scenarios/storm.yaml` (CTest run.cli.storm,
// roadmap step 7 "storm ... report counts equal") independently of the report writer:
//  - latency.csv is re-counted row by row: for every (VM, class) of report.json, generated,
//    handled, coalesced and pending equal the rows with that outcome, and generated =
//    handled + coalesced + pending (no record lost or counted twice);
//  - every handled row has IAR at or after its assertion and EOI at or after its IAR (each
//    generation acknowledged once, then completed); a handled or coalesced row without an
//    EOI is young (still being handled at the end);
//  - a row still pending at the end was asserted within MAX_PENDING_AGE_US of the end: an
//    interrupt the scheduler cannot explain waiting for longer is lost;
//  - at least MIN_INTERRUPTS interrupts were generated, maintenance interrupts not counted.
// Exit 0 if all hold, 1 with the first violation (file, row, what), 2 on bad arguments.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

struct Counts {
    std::uint64_t generated = 0, handled = 0, coalesced = 0, pending = 0;
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "storm check: %s\n", what.c_str());
    std::exit(1);
}

/// One CSV line split per RFC 4180 (quoted fields may hold commas and doubled quotes).
std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += '"', ++i;
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(field);
            field.clear();
        } else {
            field += c;
        }
    }
    out.push_back(field);
    return out;
}

std::int64_t number(const std::string& s, const std::string& where) {
    if (s.empty()) return -1;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (*end != '\0') fail(where + ": not a number: '" + s + "'");
    return v;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: vgic-run-storm-check OUTDIR MIN_INTERRUPTS MAX_PENDING_AGE_US\n");
        return 2;
    }
    const std::string dir = argv[1];
    const std::uint64_t min_interrupts = std::strtoull(argv[2], nullptr, 10);
    const std::int64_t max_age_ps = std::strtoll(argv[3], nullptr, 10) * 1000000;

    std::ifstream rj(dir + "/report.json");
    if (!rj) fail(dir + "/report.json: cannot open");
    const nlohmann::json report = nlohmann::json::parse(rj);
    const std::int64_t end_ps = report.at("run").at("simulated_ps").get<std::int64_t>();

    using Key = std::pair<std::string, std::string>;  // (VM name, class)
    std::map<Key, Counts> reported;
    for (const auto& c : report.at("classes")) {
        Counts& k = reported[{c.at("vm_name").get<std::string>(), c.at("class").get<std::string>()}];
        k.generated = c.at("generated").get<std::uint64_t>();
        k.handled = c.at("handled").get<std::uint64_t>();
        k.coalesced = c.at("coalesced").get<std::uint64_t>();
        k.pending = c.at("pending").get<std::uint64_t>();
        if (k.generated != k.handled + k.coalesced + k.pending)
            fail("report.json " + c.at("vm_name").get<std::string>() + " " + c.at("class").get<std::string>() +
                 ": generated " + std::to_string(k.generated) + " != handled + coalesced + pending");
    }

    std::ifstream csv(dir + "/latency.csv");
    if (!csv) fail(dir + "/latency.csv: cannot open");
    std::string line;
    std::getline(csv, line);
    const std::vector<std::string> header = split_csv(line);
    const std::vector<std::string> expect = {"vm", "vcpu", "class", "intid", "asserted_ps", "iar_ps", "eoi_ps"};
    for (std::size_t i = 0; i < expect.size(); ++i)
        if (i >= header.size() || header[i] != expect[i]) fail("latency.csv: unexpected header '" + line + "'");
    std::size_t outcome_col = 0;
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == "outcome") outcome_col = i;
    if (outcome_col == 0) fail("latency.csv: no outcome column");

    std::map<Key, Counts> counted;
    std::uint64_t rows = 0, non_maintenance = 0;
    while (std::getline(csv, line)) {
        ++rows;
        const std::string where = "latency.csv row " + std::to_string(rows + 1);
        const std::vector<std::string> f = split_csv(line);
        if (f.size() != header.size()) fail(where + ": " + std::to_string(f.size()) + " fields");
        Counts& k = counted[{f[0], f[2]}];
        ++k.generated;
        if (f[2] != "maintenance") ++non_maintenance;
        const std::int64_t asserted = number(f[4], where), iar = number(f[5], where), eoi = number(f[6], where);
        const std::string& outcome = f[outcome_col];
        if (outcome == "handled") {
            ++k.handled;
            if (iar < asserted) fail(where + ": handled, IAR " + f[5] + " before the assertion " + f[4]);
            if (eoi >= 0 && eoi < iar) fail(where + ": EOI " + f[6] + " before IAR " + f[5]);
            if (eoi < 0 && end_ps - iar > max_age_ps)
                fail(where + ": acknowledged at " + f[5] + " ps and never completed");
        } else if (outcome == "coalesced") {
            // Merged into a handled generation (its IAR may precede this assertion: a level
            // line still high when the handler cleared it); it completes with that one.
            ++k.coalesced;
            if (eoi < 0 && end_ps - asserted > max_age_ps)
                fail(where + ": coalesced at " + f[4] + " ps into an interrupt never completed");
        } else if (outcome == "pending") {
            ++k.pending;
            if (end_ps - asserted > max_age_ps)
                fail(where + ": " + f[0] + " " + f[2] + " INTID " + f[3] + " asserted at " + f[4] +
                     " ps still pending at the end (" + std::to_string((end_ps - asserted) / 1000000) +
                     " us > " + argv[3] + " us): lost");
        } else {
            fail(where + ": unknown outcome '" + outcome + "'");
        }
    }
    for (const auto& [key, r] : reported) {
        const Counts& c = counted[key];
        if (c.generated != r.generated || c.handled != r.handled || c.coalesced != r.coalesced || c.pending != r.pending)
            fail(key.first + " " + key.second + ": report.json says " + std::to_string(r.generated) + " generated / " +
                 std::to_string(r.handled) + " handled / " + std::to_string(r.coalesced) + " coalesced / " +
                 std::to_string(r.pending) + " pending, latency.csv has " + std::to_string(c.generated) + " / " +
                 std::to_string(c.handled) + " / " + std::to_string(c.coalesced) + " / " + std::to_string(c.pending));
    }
    for (const auto& [key, c] : counted)
        if (reported.count(key) == 0 && c.generated != 0)
            fail(key.first + " " + key.second + ": " + std::to_string(c.generated) + " rows, not in report.json");
    if (rows != report.at("run").at("interrupts").get<std::uint64_t>())
        fail("latency.csv has " + std::to_string(rows) + " rows, report.json run.interrupts says " +
             report.at("run").at("interrupts").dump());
    if (non_maintenance < min_interrupts)
        fail("only " + std::to_string(non_maintenance) + " interrupts generated (maintenance not counted), expected >= " +
             std::to_string(min_interrupts));

    // The wake-up bound (docs/REPORTS.md): no interrupt that found its vCPU blocked on an idle
    // pCPU took longer than the wake path to reach its handler (a lost wake-up otherwise).
    std::uint64_t wake_checked = 0;
    for (const auto& vm : report.at("vms")) {
        if (!vm.contains("wake") || vm.at("wake").is_null()) continue;
        const auto& w = vm.at("wake");
        wake_checked += w.at("checked").get<std::uint64_t>();
        if (w.at("over_bound").get<std::uint64_t>() != 0)
            fail("report.json " + vm.at("name").get<std::string>() + ": " + w.at("over_bound").dump() + " of " +
                 w.at("checked").dump() + " interrupts to a blocked vCPU on an idle pCPU took longer than the wake-up "
                 "bound (lost wake-ups)");
    }
    if (wake_checked == 0) fail("report.json: no interrupt found its vCPU blocked on an idle pCPU (nothing checked)");

    std::printf("storm check: %llu interrupts (%llu without maintenance) in %zu (VM, class) pairs; counts equal, "
                "nothing pending longer than %s us; %llu wake-ups within the bound\n",
                static_cast<unsigned long long>(rows), static_cast<unsigned long long>(non_maintenance), reported.size(),
                argv[3], static_cast<unsigned long long>(wake_checked));
    for (const auto& [key, r] : reported)
        std::printf("  %-4s %-12s generated %8llu  handled %8llu  coalesced %7llu  pending %3llu\n", key.first.c_str(),
                    key.second.c_str(), static_cast<unsigned long long>(r.generated),
                    static_cast<unsigned long long>(r.handled), static_cast<unsigned long long>(r.coalesced),
                    static_cast<unsigned long long>(r.pending));
    return 0;
}
