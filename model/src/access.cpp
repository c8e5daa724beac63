// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/access.hpp"
#include "vgic/model/observer.hpp"

#include <cstdio>

namespace vgic {

const char* to_string(BadAccessKind kind) {
    switch (kind) {
    case BadAccessKind::Unaligned: return "unaligned access";
    case BadAccessKind::UnsupportedWidth: return "access width not supported by this register";
    case BadAccessKind::Reserved: return "reserved offset (no register)";
    case BadAccessKind::WriteToReadOnly: return "write to read-only register";
    case BadAccessKind::ReadOfWriteOnly: return "read of write-only register";
    case BadAccessKind::GuestError: return "UNPREDICTABLE guest access ignored";
    }
    return "?";
}

const char* to_string(Line line) {
    switch (line) {
    case Line::Irq: return "irq";
    case Line::Fiq: return "fiq";
    case Line::VIrq: return "virq";
    case Line::VFiq: return "vfiq";
    case Line::Maintenance: return "maintenance";
    }
    return "?";
}

const char* to_string(InterruptEvent event) {
    switch (event) {
    case InterruptEvent::Acknowledged: return "acknowledged";
    case InterruptEvent::PriorityDropped: return "priority dropped";
    case InterruptEvent::Deactivated: return "deactivated";
    case InterruptEvent::SgiGenerated: return "SGI generated";
    }
    return "?";
}

std::string BadAccess::describe() const {
    char buf[256];
    char regname[64] = "";
    if (reg != nullptr) std::snprintf(regname, sizeof regname, " (%s_%s)", frame, reg);
    if (is_write)
        std::snprintf(buf, sizeof buf, "%s write of %u byte(s) value 0x%llx at offset 0x%03x%s from CPU %u: %s",
                      frame, size, static_cast<unsigned long long>(value), offset, regname, cpu, detail);
    else
        std::snprintf(buf, sizeof buf, "%s read of %u byte(s) at offset 0x%03x%s from CPU %u: %s", frame, size,
                      offset, regname, cpu, detail);
    return buf;
}

AccessStatus Diagnostics::bad_access(const BadAccess& access) {
    ++bad_accesses_;
    last_ = access;
    if (sink_) sink_(access);
    return policy_ == BadAccessPolicy::Error ? AccessStatus::Error : AccessStatus::Ignored;
}

void Diagnostics::guest_error(const BadAccess& access) {
    ++guest_errors_;
    last_ = access;
    if (sink_) sink_(access);
}

} // namespace vgic
