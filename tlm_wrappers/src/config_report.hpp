// SPDX-License-Identifier: Apache-2.0
// How the SystemC modules hand a bad configuration to their user (internal to the library).
#pragma once

#include "vgic/model/config.hpp"
#include "vgic/tlm/vgic.hpp"

#include <string>

namespace vgic::tlm::detail {

/// A configuration error reaches the user as vgic::ConfigError, whatever the report handler
/// does: reported at SC_WARNING (the default handler's SC_ERROR action throws an sc_report
/// first, so SC_REPORT_ERROR would pre-empt the documented exception), and a handler that
/// throws on warnings too does not change what is thrown. `instance`: the module's name().
[[noreturn]] inline void report_config_error(const std::string& instance, const ConfigError& e) {
    const std::string text = instance + ": " + e.what();
    try {
        SC_REPORT_WARNING(kMsgConfig, text.c_str());
    } catch (const sc_core::sc_report&) {
    }
    throw ConfigError(text);
}

} // namespace vgic::tlm::detail
