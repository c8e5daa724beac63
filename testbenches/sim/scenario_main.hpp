// SPDX-License-Identifier: Apache-2.0
// The frame of a scenario program (tlm_scenarios, integration_scenarios): SystemC allows one
// simulation per process, so each program runs the one scenario named on its command line,
// prints a PASS/FAIL line per check and exits 0 only if at least one check ran and none failed.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <string>

namespace vgic::testing {

struct ScenarioChecks {
    unsigned passed = 0, failed = 0;
};
inline ScenarioChecks& scenario_checks() {
    static ScenarioChecks c;
    return c;
}

inline void check(bool ok, const std::string& what) {
    std::printf("  %s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
    (ok ? scenario_checks().passed : scenario_checks().failed)++;
}

/// sc_main's body: `program` names the program in the usage message.
inline int run_scenario(const char* program, int argc, char** argv,
                        const std::map<std::string, std::function<void()>>& scenarios) {
    if (argc != 2 || scenarios.count(argv[1]) == 0) {
        std::fprintf(stderr, "usage: %s NAME   (one of:", program);
        for (const auto& s : scenarios) std::fprintf(stderr, " %s", s.first.c_str());
        std::fprintf(stderr, ")\n");
        return 2;
    }
    std::printf("== %s\n", argv[1]);
    scenarios.at(argv[1])();
    const ScenarioChecks& c = scenario_checks();
    std::printf("%s: %u passed, %u failed\n", argv[1], c.passed, c.failed);
    return c.failed == 0 && c.passed > 0 ? 0 : 1;
}

} // namespace vgic::testing
