// SPDX-License-Identifier: Apache-2.0
// Register access results, bad-access classification and the diagnostics counters shared by
// every register frame of one GIC instance.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/config.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace vgic {

/// Normal accesses have architectural side effects (an IAR read acknowledges); debug
/// accesses (TLM transport_dbg, debuggers) observe without changing interrupt state.
enum class AccessMode : std::uint8_t { Normal, Debug };

enum class AccessStatus : std::uint8_t {
    Ok,       ///< architecturally defined access (including architectural RAZ/WI)
    Ignored,  ///< bad access answered RAZ/WI under BadAccessPolicy::RazWi
    Error,    ///< bad access under BadAccessPolicy::Error: the bus should signal an error
};

enum class BadAccessKind : std::uint8_t {
    Unaligned,         ///< address not a multiple of the access size
    UnsupportedWidth,  ///< the register does not support this access size
    Reserved,          ///< no register at this offset
    WriteToReadOnly,
    ReadOfWriteOnly,
    GuestError,        ///< a legal access whose effect is UNPREDICTABLE; the model ignored it
};

struct VGIC_MODEL_API AccessResult {
    std::uint64_t value = 0;  ///< read data (0 for writes and failed reads)
    AccessStatus status = AccessStatus::Ok;
    BadAccessKind kind = BadAccessKind::Reserved;  ///< why, when status != Ok
    bool ok() const { return status == AccessStatus::Ok; }
};

VGIC_MODEL_API const char* to_string(BadAccessKind kind);

/// One bad access, as reported to the diagnostics sink.
struct VGIC_MODEL_API BadAccess {
    const char* frame = "";     ///< "GICD", "GICC", ...
    const char* reg = nullptr;  ///< register name when the offset decodes, else nullptr
    const char* detail = "";    ///< the rule that was broken
    unsigned cpu = 0;
    std::uint32_t offset = 0;
    unsigned size = 0;  ///< bytes
    bool is_write = false;
    std::uint64_t value = 0;  ///< written value
    BadAccessKind kind = BadAccessKind::Reserved;

    /// e.g. "GICD write of 4 bytes at 0x004 (GICD_TYPER) from CPU 0: write to read-only register"
    std::string describe() const;

    static BadAccess make(const char* frame, const char* reg, const char* detail, unsigned cpu, std::uint32_t offset,
                          unsigned size, bool is_write, std::uint64_t value, BadAccessKind kind) {
        BadAccess b;
        b.frame = frame;
        b.reg = reg;
        b.detail = detail;
        b.cpu = cpu;
        b.offset = offset;
        b.size = size;
        b.is_write = is_write;
        b.value = value;
        b.kind = kind;
        return b;
    }
    /// A legal 32-bit register write whose effect is UNPREDICTABLE: the model ignored it.
    static BadAccess guest_write(const char* frame, const char* reg, const char* detail, unsigned cpu,
                                 std::uint32_t offset, std::uint64_t value) {
        return make(frame, reg, detail, cpu, offset, 4, true, value, BadAccessKind::GuestError);
    }
};

/// Counts bad accesses and guest errors and forwards them to an optional sink (the TLM
/// layer turns them into SystemC warnings). Never prints.
class VGIC_MODEL_API Diagnostics {
public:
    explicit Diagnostics(BadAccessPolicy policy) : policy_(policy) {}

    /// Records a bad access and returns how to answer it (Ignored or Error by policy).
    AccessStatus bad_access(const BadAccess& access);
    /// Records an access that is legal but whose effect the architecture leaves
    /// UNPREDICTABLE (e.g. EOIR of an inactive INTID); the access itself still succeeds.
    void guest_error(const BadAccess& access);

    std::uint64_t bad_access_count() const { return bad_accesses_; }
    std::uint64_t guest_error_count() const { return guest_errors_; }
    /// The most recent report (bad access or guest error); empty kind-less default before any.
    const BadAccess& last() const { return last_; }
    BadAccessPolicy policy() const { return policy_; }
    /// Sets both counters (snapshot restore); last() and the sink are left as they are.
    void set_counts(std::uint64_t bad_accesses, std::uint64_t guest_errors) {
        bad_accesses_ = bad_accesses;
        guest_errors_ = guest_errors;
    }

    using Sink = std::function<void(const BadAccess&)>;
    void set_sink(Sink sink) { sink_ = std::move(sink); }

private:
    BadAccessPolicy policy_;
    std::uint64_t bad_accesses_ = 0;
    std::uint64_t guest_errors_ = 0;
    BadAccess last_{};
    Sink sink_;
};

} // namespace vgic
