// SPDX-License-Identifier: Apache-2.0
// Built against the installed package only (the `tlm` component) without vgic::tlm::Vgic: a
// timing preset, the library's TimingProfileError caught by its type, and SystemC times from
// vgic/tlm/time.hpp. Built with CMake and with pkg-config (vgic-tlm.pc).
#include <vgic/tlm/time.hpp>
#include <vgic/tlm/timing_profile.hpp>

#include <cstdio>
#include <stdexcept>

int sc_main(int, char**) {
    namespace vt = vgic::tlm;
    int failures = 0;
    const vt::TimingProfile zcu104 = vt::load_timing_profile("zcu104");
    std::printf("consumer_timing: zcu104 clock %s\n", vt::format_frequency(zcu104.clock_hz).c_str());
    try {
        (void)vt::load_timing_profile("no-such-preset-or-file");
        std::printf("consumer_timing: an unknown preset was accepted\n");
        ++failures;
    } catch (const vt::TimingProfileError&) {
        std::printf("consumer_timing: caught vgic::tlm::TimingProfileError\n");
    } catch (const std::exception& e) {
        std::printf("consumer_timing: TimingProfileError not caught by its type (RTTI split?): %s\n", e.what());
        ++failures;
    }
    if (vt::ps_time(1000) != sc_core::sc_time(1, sc_core::SC_NS) || vt::time_ps(vt::ps_time(1234)) != 1234) {
        std::printf("consumer_timing: ps_time/time_ps disagree with SystemC\n");
        ++failures;
    }
    return failures == 0 ? 0 : 1;
}
