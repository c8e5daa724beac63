// SPDX-License-Identifier: Apache-2.0
// Register-level behaviour of the GICv2 model (GIC-400-like, no Security Extensions, both
// groups visible): reset values of every GICD and GICC register, access rights and legal
// widths, bad-access reporting (RazWi and Error policies, Diagnostics, the sink),
// architectural RAZ/WI, per-CPU banking, ITARGETSR, priority masks and byte lanes, binary
// points, active-priority registers, GICC_CTLR, ICFGR, the SGI pending registers and debug
// accesses. Every expected value is derived from Arm IHI 0048B (GICv2) and the GIC-400
// identification values, never from what the model returns.
#include "gic_fixture.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace vgic;
using namespace vgic::test;

namespace {

// ---- architectural constants -------------------------------------------------------------

// Special INTID (IHI 0048B 3.1 "Special interrupt numbers"): no pending interrupt.
constexpr std::uint32_t kSpurious = 1023;

// GICD_CTLR without the Security Extensions (4.3.1): [0] EnableGrp0, [1] EnableGrp1.
constexpr std::uint32_t kDistCtlrBits = 0x3;

// GICC_CTLR without the Security Extensions (4.4.1, Figure 4-25): bits [9:0].
constexpr std::uint32_t kEnableGrp0 = 1u << 0;
constexpr std::uint32_t kEnableGrp1 = 1u << 1;
constexpr std::uint32_t kAckCtl = 1u << 2;
constexpr std::uint32_t kEOImode = 1u << 9;
constexpr std::uint32_t kCpuCtlrBits = 0x3FF;

// Identification values of an Arm CoreLink GIC-400 (GIC-400 TRM, IHI 0048B 4.3.3/4.4.15).
constexpr std::uint32_t kGicdIidr = 0x0200143B;
constexpr std::uint32_t kGiccIidr = 0x0202143B;

// GICD_SGIR encoding (4.3.15): [25:24] TargetListFilter, [23:16] CPUTargetList, [3:0] SGIINTID.
std::uint32_t sgir(std::uint32_t filter, std::uint32_t target_list, std::uint32_t sgi) {
    return (filter << 24) | (target_list << 16) | sgi;
}

/// Implemented priority bits are the most significant ones (4.3.11): 4 -> 0xF0, 5 -> 0xF8.
std::uint32_t prio_mask(unsigned bits) { return (0xFFu << (8 - bits)) & 0xFFu; }

/// The byte replicated in every lane of a word.
std::uint32_t replicate(std::uint32_t byte) { return byte * 0x01010101u; }

std::string hex(std::uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
}

const char* status_name(AccessStatus s) {
    switch (s) {
    case AccessStatus::Ok: return "Ok";
    case AccessStatus::Ignored: return "Ignored";
    case AccessStatus::Error: return "Error";
    }
    return "?";
}

GicConfig config_with_policy(unsigned cpus, unsigned spis, unsigned bits, BadAccessPolicy policy) {
    GicConfig c = make_config(cpus, spis, bits);
    c.bad_access = policy;
    return c;
}

// ---- raw accessors (no status requirement) ----------------------------------------------

enum class Frame { GICD, GICC };

const char* frame_name(Frame f) { return f == Frame::GICD ? "GICD" : "GICC"; }

AccessResult access(Gic& gic, Frame f, unsigned cpu, std::uint32_t off, unsigned size, bool write,
                    std::uint64_t value, AccessMode mode = AccessMode::Normal) {
    if (f == Frame::GICD)
        return write ? gic.write_distributor(cpu, off, size, value, mode) : gic.read_distributor(cpu, off, size, mode);
    return write ? gic.write_cpu_interface(cpu, off, size, value, mode) : gic.read_cpu_interface(cpu, off, size, mode);
}

/// Every GICD word that is architecturally readable without side effects (IHI 0048B Table 4-1;
/// IPRIORITYR and ITARGETSR end at word 254, 0x7FC and 0xBFC are reserved).
std::vector<std::uint32_t> gicd_readable_words() {
    std::vector<std::uint32_t> v = {gicd::CTLR, gicd::TYPER, gicd::IIDR};
    auto range = [&v](std::uint32_t from, std::uint32_t to) {
        for (std::uint32_t o = from; o < to; o += 4) v.push_back(o);
    };
    range(0x080, 0x400);  // IGROUPR .. ICACTIVER
    range(0x400, 0x7FC);  // IPRIORITYR0-254
    range(0x800, 0xBFC);  // ITARGETSR0-254
    range(0xC00, 0xD00);  // ICFGR0-63
    range(0xE00, 0xF00);  // NSACR0-63
    range(0xF10, 0xF30);  // CPENDSGIR0-3, SPENDSGIR0-3
    range(0xFD0, 0x1000); // PIDR4-7, PIDR0-3, CIDR0-3
    return v;
}

/// GICC registers readable without side effects (everything readable except IAR/AIAR).
std::vector<std::uint32_t> gicc_state_words() {
    return {gicc::CTLR, gicc::PMR, gicc::BPR, gicc::RPR, gicc::HPPIR, gicc::ABPR, gicc::AHPPIR,
            0x0D0, 0x0D4, 0x0D8, 0x0DC, 0x0E0, 0x0E4, 0x0E8, 0x0EC, gicc::IIDR};
}

/// The whole architecturally visible state, read with debug accesses, plus the output lines.
struct Snapshot {
    struct Entry {
        Frame frame;
        unsigned cpu;
        std::uint32_t offset;
        std::uint32_t value;
    };
    std::vector<Entry> entries;
};

Snapshot snapshot(Gic& gic) {
    Snapshot s;
    const unsigned cpus = gic.config().num_cpus;
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        for (std::uint32_t off : gicd_readable_words()) {
            const AccessResult r = gic.read_distributor(cpu, off, 4, AccessMode::Debug);
            s.entries.push_back({Frame::GICD, cpu, off, static_cast<std::uint32_t>(r.value)});
        }
        for (std::uint32_t off : gicc_state_words()) {
            const AccessResult r = gic.read_cpu_interface(cpu, off, 4, AccessMode::Debug);
            s.entries.push_back({Frame::GICC, cpu, off, static_cast<std::uint32_t>(r.value)});
        }
        // Output lines, recorded with a pseudo offset.
        s.entries.push_back({Frame::GICC, cpu, 0xFFFF0000u, (gic.line(cpu, Line::Irq) ? 1u : 0u) |
                                                               (gic.line(cpu, Line::Fiq) ? 2u : 0u)});
    }
    return s;
}

/// "" if equal, else the first differing location.
std::string difference(const Snapshot& a, const Snapshot& b) {
    if (a.entries.size() != b.entries.size()) return "snapshot sizes differ";
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        const auto& x = a.entries[i];
        const auto& y = b.entries[i];
        if (x.value != y.value) {
            std::ostringstream os;
            os << frame_name(x.frame) << " CPU" << x.cpu << " offset " << hex(x.offset) << ": " << hex(x.value)
               << " -> " << hex(y.value);
            return os.str();
        }
    }
    return "";
}

/// Checks a legal (architecturally defined, possibly RAZ/WI) access: status Ok, no bad access.
std::uint32_t legal_read(Gic& gic, Frame f, unsigned cpu, std::uint32_t off, unsigned size = 4,
                         AccessMode mode = AccessMode::Normal) {
    const std::uint64_t before = gic.diagnostics().bad_access_count();
    const AccessResult r = access(gic, f, cpu, off, size, false, 0, mode);
    BOOST_TEST(r.ok(), frame_name(f) << " read of " << size << " byte(s) at " << hex(off) << " is legal, got "
                                     << status_name(r.status));
    BOOST_TEST(gic.diagnostics().bad_access_count() == before,
               frame_name(f) << " read at " << hex(off) << " must not count a bad access");
    return static_cast<std::uint32_t>(r.value);
}

void legal_write(Gic& gic, Frame f, unsigned cpu, std::uint32_t off, std::uint32_t value, unsigned size = 4) {
    const std::uint64_t before = gic.diagnostics().bad_access_count();
    const AccessResult r = access(gic, f, cpu, off, size, true, value);
    BOOST_TEST(r.ok(), frame_name(f) << " write of " << size << " byte(s) at " << hex(off) << " is legal, got "
                                     << status_name(r.status));
    BOOST_TEST(gic.diagnostics().bad_access_count() == before,
               frame_name(f) << " write at " << hex(off) << " must not count a bad access");
}

// ---- the bad-access table ------------------------------------------------------------------

enum class Rights { RW, RO, WO };

struct RegRep {
    Frame frame;
    std::uint32_t offset;  ///< a representative word of the register (array)
    const char* reg;       ///< the spec mnemonic without the frame prefix
    Rights rights;
    bool byte_ok;          ///< IHI 0048B: byte-accessible
};

/// One representative word of every register (array) of both frames.
std::vector<RegRep> all_registers() {
    return {
        {Frame::GICD, gicd::CTLR, "CTLR", Rights::RW, false},
        {Frame::GICD, gicd::TYPER, "TYPER", Rights::RO, false},
        {Frame::GICD, gicd::IIDR, "IIDR", Rights::RO, false},
        {Frame::GICD, 0x088, "IGROUPR", Rights::RW, false},
        {Frame::GICD, 0x108, "ISENABLER", Rights::RW, false},
        {Frame::GICD, 0x188, "ICENABLER", Rights::RW, false},
        {Frame::GICD, 0x208, "ISPENDR", Rights::RW, false},
        {Frame::GICD, 0x288, "ICPENDR", Rights::RW, false},
        {Frame::GICD, 0x308, "ISACTIVER", Rights::RW, false},
        {Frame::GICD, 0x388, "ICACTIVER", Rights::RW, false},
        {Frame::GICD, 0x420, "IPRIORITYR", Rights::RW, true},
        {Frame::GICD, 0x820, "ITARGETSR", Rights::RW, true},
        {Frame::GICD, 0xC08, "ICFGR", Rights::RW, false},
        {Frame::GICD, 0xE00, "NSACR", Rights::RW, false},
        {Frame::GICD, gicd::SGIR, "SGIR", Rights::WO, false},
        {Frame::GICD, gicd::CPENDSGIR, "CPENDSGIR", Rights::RW, true},
        {Frame::GICD, gicd::SPENDSGIR, "SPENDSGIR", Rights::RW, true},
        {Frame::GICD, gicd::PIDR2, "PIDR", Rights::RO, false},
        {Frame::GICD, gicd::CIDR0, "CIDR", Rights::RO, false},
        {Frame::GICC, gicc::CTLR, "CTLR", Rights::RW, false},
        {Frame::GICC, gicc::PMR, "PMR", Rights::RW, false},
        {Frame::GICC, gicc::BPR, "BPR", Rights::RW, false},
        {Frame::GICC, gicc::IAR, "IAR", Rights::RO, false},
        {Frame::GICC, gicc::EOIR, "EOIR", Rights::WO, false},
        {Frame::GICC, gicc::RPR, "RPR", Rights::RO, false},
        {Frame::GICC, gicc::HPPIR, "HPPIR", Rights::RO, false},
        {Frame::GICC, gicc::ABPR, "ABPR", Rights::RW, false},
        {Frame::GICC, gicc::AIAR, "AIAR", Rights::RO, false},
        {Frame::GICC, gicc::AEOIR, "AEOIR", Rights::WO, false},
        {Frame::GICC, gicc::AHPPIR, "AHPPIR", Rights::RO, false},
        {Frame::GICC, gicc::APR0, "APR", Rights::RW, false},
        {Frame::GICC, gicc::NSAPR0, "NSAPR", Rights::RW, false},
        {Frame::GICC, gicc::IIDR, "IIDR", Rights::RO, false},
        {Frame::GICC, gicc::DIR, "DIR", Rights::WO, false},
    };
}

struct BadCase {
    Frame frame;
    std::uint32_t offset;
    unsigned size;
    bool write;
    std::vector<BadAccessKind> kinds;  ///< acceptable classifications
    const char* reg;                   ///< short name the report must carry; nullptr: reserved
    std::string why;
};

std::string case_label(const BadCase& c) {
    std::ostringstream os;
    os << frame_name(c.frame) << ' ' << (c.write ? "write" : "read") << " of " << c.size << " byte(s) at "
       << hex(c.offset) << " (" << (c.reg ? c.reg : "reserved") << ", " << c.why << ")";
    return os.str();
}

std::vector<BadCase> bad_cases() {
    using K = BadAccessKind;
    std::vector<BadCase> v;
    // Illegal widths (IHI 0048B 4.1.4 / 4.3 / 4.4: all registers are word-accessible; only
    // IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR are also byte-accessible; no register
    // supports halfword or doubleword accesses).
    for (const RegRep& r : all_registers()) {
        for (bool write : {false, true}) {
            std::vector<K> dir_kinds;
            if (write && r.rights == Rights::RO) dir_kinds.push_back(K::WriteToReadOnly);
            if (!write && r.rights == Rights::WO) dir_kinds.push_back(K::ReadOfWriteOnly);
            auto kinds = [&dir_kinds](std::initializer_list<K> extra) {
                std::vector<K> k = dir_kinds;
                k.insert(k.end(), extra);
                return k;
            };
            if (!r.byte_ok) {
                v.push_back({r.frame, r.offset, 1, write, kinds({K::UnsupportedWidth}), r.reg, "byte access"});
                v.push_back({r.frame, r.offset + 3, 1, write, kinds({K::UnsupportedWidth}), r.reg, "byte access, lane 3"});
            }
            v.push_back({r.frame, r.offset, 2, write, kinds({K::UnsupportedWidth}), r.reg, "halfword access"});
            v.push_back({r.frame, r.offset + 2, 2, write, kinds({K::UnsupportedWidth}), r.reg, "halfword access, upper half"});
            v.push_back({r.frame, r.offset, 8, write,
                         r.offset % 8 == 0 ? kinds({K::UnsupportedWidth}) : kinds({K::UnsupportedWidth, K::Unaligned}),
                         r.reg, "doubleword access"});
        }
    }
    // Unaligned accesses (4.1.4: accesses must be naturally aligned).
    const std::vector<std::tuple<Frame, std::uint32_t, unsigned, const char*>> unaligned = {
        {Frame::GICD, 0x102, 4, "ISENABLER"}, {Frame::GICD, 0x401, 4, "IPRIORITYR"},
        {Frame::GICD, 0x803, 4, "ITARGETSR"}, {Frame::GICD, 0xF12, 4, "CPENDSGIR"},
        {Frame::GICD, 0x421, 2, "IPRIORITYR"}, {Frame::GICD, 0x001, 4, "CTLR"},
        {Frame::GICC, 0x006, 4, "PMR"},        {Frame::GICC, 0x00E, 4, "IAR"},
        {Frame::GICC, 0x00D, 2, "IAR"},        {Frame::GICC, 0x1002, 4, "DIR"},
    };
    for (const auto& [frame, off, size, reg] : unaligned)
        for (bool write : {false, true})
            v.push_back({frame, off, size, write, {K::Unaligned, K::UnsupportedWidth}, reg, "unaligned"});
    // Reserved offsets (Table 4-1 and Table 4-2).
    const std::vector<std::pair<Frame, std::uint32_t>> reserved = {
        {Frame::GICD, 0x00C}, {Frame::GICD, 0x010}, {Frame::GICD, 0x040}, {Frame::GICD, 0x07C},
        {Frame::GICD, 0x7FC}, {Frame::GICD, 0xBFC}, {Frame::GICD, 0xD00}, {Frame::GICD, 0xDFC},
        {Frame::GICD, 0xF04}, {Frame::GICD, 0xF0C}, {Frame::GICD, 0xF30}, {Frame::GICD, 0xFCC},
        {Frame::GICC, 0x02C}, {Frame::GICC, 0x0CC}, {Frame::GICC, 0x0F0}, {Frame::GICC, 0x100},
        {Frame::GICC, 0x1004}, {Frame::GICC, 0x1FFC},
    };
    for (const auto& [frame, off] : reserved)
        for (bool write : {false, true})
            v.push_back({frame, off, 4, write, {K::Reserved}, nullptr, "reserved offset"});
    // Word writes to read-only registers, word reads of write-only registers.
    for (const RegRep& r : all_registers()) {
        if (r.rights == Rights::RO)
            v.push_back({r.frame, r.offset, 4, true, {K::WriteToReadOnly}, r.reg, "write to read-only"});
        if (r.rights == Rights::WO)
            v.push_back({r.frame, r.offset, 4, false, {K::ReadOfWriteOnly}, r.reg, "read of write-only"});
    }
    // More read-only ID registers.
    v.push_back({Frame::GICD, gicd::PIDR4, 4, true, {K::WriteToReadOnly}, "PIDR", "write to read-only"});
    v.push_back({Frame::GICD, 0xFFC, 4, true, {K::WriteToReadOnly}, "CIDR", "write to read-only"});
    return v;
}

/// The value a bad write carries: one that would change the state of the busy GIC if it
/// took effect (EOIR/AEOIR/DIR name the INTID active on the accessing CPU; SGIR asks for
/// SGI 15 to self; everything else all ones).
std::uint64_t bad_value(const BadCase& c, unsigned cpu) {
    const std::string reg = c.reg != nullptr ? c.reg : "";
    if (c.frame == Frame::GICC && (reg == "EOIR" || reg == "AEOIR" || reg == "DIR")) return cpu == 0 ? 33 : 66;
    if (c.frame == Frame::GICD && reg == "SGIR") return sgir(2, 0, 15);
    return ~std::uint64_t{0};
}

/// A 2-CPU GIC with state in every register, so that any bad write that took effect, or any
/// bad read of IAR that acknowledged, shows up in a snapshot:
///  CPU0: SPI 33 (Group 0, priority 0x80) active, SPI 34 (0x20) pending and signalled,
///        SGI 2 from CPU1 pending; EOImode=0.
///  CPU1: SPI 66 (Group 1, 0x80) active, SPI 67 (0x20) pending and signalled; EOImode=1, so
///        EOIR, AEOIR and DIR of 66 each have a visible effect.
///  Shared: SPIs 40 and 88 active, 48-55 and 68-71 pending, GICD_CTLR = Group 0 only.
void make_busy(GicFixture& f) {
    f.wr(0, gicd::CTLR, kDistCtlrBits);
    for (unsigned cpu = 0; cpu < 2; ++cpu) {
        f.cwr(cpu, gicc::CTLR, kEnableGrp0 | kEnableGrp1 | kAckCtl | (cpu == 1 ? kEOImode : 0u));
        f.cwr(cpu, gicc::PMR, 0xF0);
        f.cwr(cpu, gicc::BPR, 3);
        f.cwr(cpu, gicc::ABPR, 4);
        f.wr(cpu, gicd::ISENABLER, 0x00FF00FF);  // SGIs 0-7, PPIs 16-23
        for (std::uint32_t w = 0; w < 8; ++w) f.wr(cpu, gicd::IPRIORITYR + 4 * w, 0x90909090);
    }
    for (std::uint32_t id = 32; id < 96; id += 4) f.wr(0, gicd::IPRIORITYR + id, 0xA0A0A0A0);
    for (std::uint32_t id = 32; id < 64; id += 4) f.wr(0, gicd::ITARGETSR + id, 0x01010101);
    for (std::uint32_t id = 64; id < 96; id += 4) f.wr(0, gicd::ITARGETSR + id, 0x02020202);
    f.wr(0, gicd::ISENABLER + 4, 0x0000FFFF);   // SPIs 32-47
    f.wr(0, gicd::ISENABLER + 8, 0x0000FFFF);   // SPIs 64-79
    f.wr(0, gicd::ICFGR + 12, 0xAAAAAAAA);      // SPIs 48-63 edge, 32-47 level
    f.wr(0, gicd::ISPENDR + 4, 0x00FF0000);     // SPIs 48-55 pending (disabled)
    f.wr(0, gicd::ISPENDR + 8, 0x000000F0);     // SPIs 68-71 pending (enabled, CPU1)
    f.wr(0, gicd::ISACTIVER + 4, 1u << 8);      // SPI 40 active
    f.wr(0, gicd::ISACTIVER + 8, 1u << 24);     // SPI 88 active
    // CPU1 acknowledges Group 1 SPI 66 while Group 1 is enabled.
    f.wr(0, gicd::IGROUPR + 8, 1u << 2);
    f.wr(0, gicd::IPRIORITYR + 66, 0x80, 1);
    f.pend(0, 66);
    BOOST_TEST_REQUIRE(f.crd(1, gicc::IAR) == 66u, "setup: CPU1 acknowledges Group 1 SPI 66");
    f.wr(0, gicd::IPRIORITYR + 33, 0x80, 1);
    f.pend(0, 33);
    BOOST_TEST_REQUIRE(f.crd(0, gicc::IAR) == 33u, "setup: CPU0 acknowledges SPI 33");
    f.wr(0, gicd::CTLR, 1);  // Group 0 only from now on
    f.wr(0, gicd::IPRIORITYR + 34, 0x20, 1);
    f.pend(0, 34);
    f.wr(0, gicd::IPRIORITYR + 67, 0x20, 1);
    f.pend(0, 67);
    f.wr(1, gicd::SGIR, sgir(0, 0x01, 2));  // SGI 2 from CPU1 to CPU0
    BOOST_TEST_REQUIRE(f.irq(0), "setup: SPI 34 preempts SPI 33 on CPU0");
    BOOST_TEST_REQUIRE(f.irq(1), "setup: SPI 67 preempts SPI 66 on CPU1");
}

void check_bad_case(GicFixture& f, const BadCase& c, unsigned cpu, AccessStatus expected) {
    Gic& gic = f.gic;
    const std::string label = case_label(c);
    const std::uint64_t count = gic.diagnostics().bad_access_count();
    const Snapshot before = snapshot(gic);
    BOOST_TEST(gic.diagnostics().bad_access_count() == count, "snapshot reads are legal");
    const std::uint64_t value = c.write ? bad_value(c, cpu) : 0;
    const AccessResult r = access(gic, c.frame, cpu, c.offset, c.size, c.write, value);
    BOOST_TEST((r.status == expected),
               label << ": status " << status_name(r.status) << ", expected " << status_name(expected));
    BOOST_TEST(r.value == 0u, label << ": a bad access returns 0, got " << hex(r.value));
    BOOST_TEST(gic.diagnostics().bad_access_count() == count + 1, label << ": counted once");
    const BadAccess& last = gic.diagnostics().last();
    BOOST_TEST(std::string(last.frame) == frame_name(c.frame), label << ": frame reported as " << last.frame);
    BOOST_TEST(last.offset == c.offset, label << ": offset reported as " << hex(last.offset));
    BOOST_TEST(last.size == c.size, label << ": size reported as " << last.size);
    BOOST_TEST(last.is_write == c.write, label << ": direction reported");
    BOOST_TEST(last.cpu == cpu, label << ": CPU reported as " << last.cpu);
    if (c.write) BOOST_TEST(last.value == value, label << ": written value reported as " << hex(last.value));
    BOOST_TEST((std::find(c.kinds.begin(), c.kinds.end(), last.kind) != c.kinds.end()),
               label << ": classified as '" << to_string(last.kind) << "'");
    const std::string text = last.describe();
    BOOST_TEST(text.find(frame_name(c.frame)) != std::string::npos, label << ": describe() names the frame: " << text);
    if (c.reg != nullptr) {
        BOOST_TEST_REQUIRE(last.reg != nullptr, label << ": the register is named");
        BOOST_TEST(std::string(last.reg).find(c.reg) != std::string::npos,
                   label << ": register reported as " << last.reg);
        const std::string full = std::string(c.reg) == "PIDR" || std::string(c.reg) == "CIDR"
                                     ? std::string(c.reg)
                                     : std::string(frame_name(c.frame)) + "_" + c.reg;
        BOOST_TEST(text.find(full) != std::string::npos, label << ": describe() contains " << full << ": " << text);
    } else {
        BOOST_TEST(last.reg == nullptr, label << ": a reserved offset names no register, got "
                                             << (last.reg ? last.reg : "(null)"));
    }
    const std::string diff = difference(before, snapshot(gic));
    BOOST_TEST(diff.empty(), label << ": state unchanged, but " << diff);
}

void run_bad_access_table(BadAccessPolicy policy, AccessStatus expected) {
    GicFixture f(config_with_policy(2, 64, 5, policy));
    make_busy(f);
    const std::vector<BadCase> cases = bad_cases();
    for (unsigned cpu = 0; cpu < 2; ++cpu)
        for (const BadCase& c : cases) check_bad_case(f, c, cpu, expected);
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 2 * cases.size(), "every bad access counted once");
    // The busy state is still intact and working.
    BOOST_TEST(f.crd(0, gicc::IAR) == 34u, "SPI 34 still pending and signalled on CPU0 after all bad accesses");
    BOOST_TEST(f.crd(1, gicc::IAR) == 67u, "SPI 67 still pending and signalled on CPU1 after all bad accesses");
}

} // namespace

BOOST_AUTO_TEST_SUITE(registers)

// =============================================================================================
// Reset values of the distributor: IHI 0048B 4.3.1 (CTLR), 4.3.2 (TYPER), 4.3.3 (IIDR)
// =============================================================================================
BOOST_AUTO_TEST_CASE(gicd_ctlr_reset_and_writable_bits) {
    GicFixture f(make_config(2));
    BOOST_TEST(f.rd(0, gicd::CTLR) == 0u, "GICD_CTLR resets to 0: both groups disabled");
    f.wr(0, gicd::CTLR, 0xFFFFFFFF);
    BOOST_TEST(f.rd(0, gicd::CTLR) == kDistCtlrBits, "only EnableGrp0/EnableGrp1 are implemented, rest RAZ/WI");
    BOOST_TEST(f.rd(1, gicd::CTLR) == kDistCtlrBits, "GICD_CTLR is not banked");
    f.wr(1, gicd::CTLR, 0x2);
    BOOST_TEST(f.rd(0, gicd::CTLR) == 0x2u, "EnableGrp0 cleared, EnableGrp1 kept");
    f.wr(0, gicd::CTLR, 0);
    BOOST_TEST(f.rd(0, gicd::CTLR) == 0u, "both cleared");
}

BOOST_AUTO_TEST_CASE(gicd_typer_for_several_configs) {
    // 4.3.2: ITLinesNumber [4:0] = N where 32(N+1) INTIDs are decoded (rounded up);
    // CPUNumber [7:5] = CPUs - 1; SecurityExtn [10] = 0; LSPI [15:11] = 0 without Security Extensions.
    struct Row {
        unsigned cpus, spis;
        std::uint32_t typer;
    };
    const Row rows[] = {
        {1, 0, 0x00},              // 32 INTIDs
        {1, 32, 0x01},             // 64
        {2, 64, 0x22},             // 96 -> N=2, CPUNumber 1
        {3, 32, 0x41},             // CPUNumber 2
        {4, 64, 0x62},
        {5, 480, 0x8F},            // 512 INTIDs -> N=15
        {2, 960, 0x3E},            // 992 INTIDs -> N=30
        {8, 988, 0xFF},            // 1020 INTIDs -> 32 blocks (rounded up) -> N=31, CPUNumber 7
    };
    for (const Row& r : rows) {
        GicFixture f(make_config(r.cpus, r.spis));
        for (unsigned cpu = 0; cpu < r.cpus; ++cpu) {
            const std::uint32_t typer = f.rd(cpu, gicd::TYPER);
            BOOST_TEST(typer == r.typer, "GICD_TYPER with " << r.cpus << " CPUs and " << r.spis << " SPIs read by CPU"
                                                            << cpu << ": " << hex(typer) << ", expected " << hex(r.typer));
            BOOST_TEST((typer & (1u << 10)) == 0u, "SecurityExtn = 0");
            BOOST_TEST(((typer >> 11) & 0x1Fu) == 0u, "LSPI = 0 without Security Extensions");
        }
    }
}

BOOST_AUTO_TEST_CASE(gicd_iidr_and_identification_registers) {
    // 4.3.3 GICD_IIDR; 4.3.16 / GIC-400 TRM: PIDR4-7 at 0xFD0, PIDR0-3 at 0xFE0, CIDR0-3 at 0xFF0.
    GicFixture f(make_config(2));
    struct Row {
        std::uint32_t off;
        std::uint32_t value;
        const char* name;
    };
    const Row rows[] = {
        {0x008, kGicdIidr, "GICD_IIDR"},
        {0xFD0, 0x04, "PIDR4"}, {0xFD4, 0x00, "PIDR5"}, {0xFD8, 0x00, "PIDR6"}, {0xFDC, 0x00, "PIDR7"},
        {0xFE0, 0x90, "PIDR0"}, {0xFE4, 0xB4, "PIDR1"}, {0xFE8, 0x2B, "PIDR2"}, {0xFEC, 0x00, "PIDR3"},
        {0xFF0, 0x0D, "CIDR0"}, {0xFF4, 0xF0, "CIDR1"}, {0xFF8, 0x05, "CIDR2"}, {0xFFC, 0xB1, "CIDR3"},
    };
    for (unsigned cpu = 0; cpu < 2; ++cpu)
        for (const Row& r : rows) {
            const std::uint32_t v = legal_read(f.gic, Frame::GICD, cpu, r.off);
            BOOST_TEST(v == r.value, r.name << " read by CPU" << cpu << ": " << hex(v) << ", expected " << hex(r.value));
        }
    BOOST_TEST(((f.rd(0, gicd::PIDR2) >> 4) & 0xFu) == 2u, "PIDR2.ArchRev [7:4] = 2: GICv2");
}

// =============================================================================================
// Reset values of the interrupt registers: IHI 0048B 4.3.4-4.3.14, 4.3.16-4.3.17
// =============================================================================================
BOOST_AUTO_TEST_CASE(gicd_interrupt_registers_reset) {
    struct Cfg {
        unsigned cpus, spis, bits;
    };
    for (const Cfg& c : {Cfg{3, 64, 5}, Cfg{8, 988, 8}, Cfg{1, 0, 4}}) {
        GicFixture f(make_config(c.cpus, c.spis, c.bits));
        const std::string cfg = std::to_string(c.cpus) + " CPUs/" + std::to_string(c.spis) + " SPIs: ";
        for (unsigned cpu = 0; cpu < c.cpus; ++cpu) {
            // IGROUPR (4.3.4), I[SC]ENABLER (4.3.5-6), I[SC]PENDR (4.3.7-8), I[SC]ACTIVER (4.3.9-10).
            for (std::uint32_t base : {gicd::IGROUPR, gicd::ISENABLER, gicd::ICENABLER, gicd::ISPENDR, gicd::ICPENDR,
                                       gicd::ISACTIVER, gicd::ICACTIVER})
                for (std::uint32_t w = 0; w < 32; ++w) {
                    const std::uint32_t v = f.rd(cpu, base + 4 * w);
                    BOOST_TEST(v == 0u, cfg << "CPU" << cpu << " word at " << hex(base + 4 * w) << " resets to 0, got " << hex(v));
                }
            // IPRIORITYR (4.3.11): 0.
            for (std::uint32_t off = gicd::IPRIORITYR; off < 0x7FC; off += 4) {
                const std::uint32_t v = f.rd(cpu, off);
                BOOST_TEST(v == 0u, cfg << "CPU" << cpu << " IPRIORITYR at " << hex(off) << " resets to 0, got " << hex(v));
            }
            // ICFGR0: SGIs always edge (Int_config[1]=1), read-only: 0xAAAAAAAA (4.3.13).
            BOOST_TEST(f.rd(cpu, gicd::ICFGR) == 0xAAAAAAAAu, cfg << "CPU" << cpu << " ICFGR0 reads 0xAAAAAAAA");
            for (std::uint32_t w = 1; w < 64; ++w) {
                const std::uint32_t v = f.rd(cpu, gicd::ICFGR + 4 * w);
                BOOST_TEST(v == 0u, cfg << "CPU" << cpu << " ICFGR" << w << " resets to 0 (level), got " << hex(v));
            }
            // NSACR (4.3.14): RAZ without the Security Extensions.
            for (std::uint32_t w = 0; w < 64; ++w)
                BOOST_TEST(f.rd(cpu, gicd::NSACR + 4 * w) == 0u, cfg << "NSACR" << w << " RAZ");
            // CPENDSGIR / SPENDSGIR (4.3.16-17): no SGI pending.
            for (std::uint32_t w = 0; w < 4; ++w) {
                BOOST_TEST(f.rd(cpu, gicd::CPENDSGIR + 4 * w) == 0u, cfg << "CPU" << cpu << " CPENDSGIR" << w << " resets to 0");
                BOOST_TEST(f.rd(cpu, gicd::SPENDSGIR + 4 * w) == 0u, cfg << "CPU" << cpu << " SPENDSGIR" << w << " resets to 0");
            }
            // ITARGETSR0-7 (4.3.12): the reading CPU's own bit in every byte; RAZ with one CPU.
            const std::uint32_t own = c.cpus == 1 ? 0u : replicate(1u << cpu);
            for (std::uint32_t w = 0; w < 8; ++w) {
                const std::uint32_t v = f.rd(cpu, gicd::ITARGETSR + 4 * w);
                BOOST_TEST(v == own, cfg << "CPU" << cpu << " ITARGETSR" << w << " = " << hex(v) << ", expected " << hex(own));
            }
            // SPI ITARGETSR reset is UNKNOWN, but bits of absent CPU interfaces are RAZ.
            const std::uint32_t absent = ~replicate((1u << c.cpus) - 1);
            for (std::uint32_t off = gicd::ITARGETSR + 32; off < 0xBFC; off += 4)
                BOOST_TEST((f.rd(cpu, off) & absent) == 0u, cfg << "ITARGETSR at " << hex(off) << " has no absent-CPU bit");
        }
        BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, cfg << "no bad access");
    }
}

// =============================================================================================
// Reset values of the CPU interface: IHI 0048B 4.4.1-4.4.15 (Table 4-33)
// =============================================================================================
BOOST_AUTO_TEST_CASE(gicc_reset_values) {
    // BPR resets to its minimum (4.4.3: minimum = 7 - preemption bits, preemption bits =
    // min(priority bits, 7)); ABPR minimum is one more (3.3.3, Table 3-2).
    struct Row {
        unsigned bits;
        std::uint32_t bpr_min, abpr_min;
    };
    for (const Row& r : {Row{4, 3, 4}, Row{5, 2, 3}, Row{6, 1, 2}, Row{7, 0, 1}, Row{8, 0, 1}}) {
        GicFixture f(make_config(2, 64, r.bits));
        for (unsigned cpu = 0; cpu < 2; ++cpu) {
            const std::string who = std::to_string(r.bits) + " priority bits, CPU" + std::to_string(cpu) + ": ";
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::CTLR) == 0u, who << "GICC_CTLR resets to 0");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::PMR) == 0u, who << "GICC_PMR resets to 0");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::BPR) == r.bpr_min, who << "GICC_BPR resets to its minimum");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::ABPR) == r.abpr_min, who << "GICC_ABPR resets to BPR minimum + 1");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::RPR) == 0xFFu, who << "GICC_RPR idle = 0xFF");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::HPPIR) == kSpurious, who << "GICC_HPPIR = 1023");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::AHPPIR) == kSpurious, who << "GICC_AHPPIR = 1023");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::IAR) == kSpurious, who << "GICC_IAR = 1023, nothing pending");
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::AIAR) == kSpurious, who << "GICC_AIAR = 1023");
            for (std::uint32_t n = 0; n < 4; ++n) {
                BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::APR0 + 4 * n) == 0u, who << "GICC_APR" << n << " = 0");
                BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::NSAPR0 + 4 * n) == 0u, who << "GICC_NSAPR" << n << " = 0");
            }
            BOOST_TEST(legal_read(f.gic, Frame::GICC, cpu, gicc::IIDR) == kGiccIidr, who << "GICC_IIDR = 0x0202143B");
        }
    }
}

// =============================================================================================
// Legal widths: IHI 0048B 4.1.4 "all registers word-accessible"; IPRIORITYR (4.3.11),
// ITARGETSR (4.3.12), CPENDSGIR (4.3.16), SPENDSGIR (4.3.17) are also byte-accessible
// =============================================================================================
BOOST_AUTO_TEST_CASE(word_access_is_legal_for_every_register) {
    GicFixture f(make_config(2));
    for (unsigned cpu = 0; cpu < 2; ++cpu) {
        for (std::uint32_t off : gicd_readable_words()) legal_read(f.gic, Frame::GICD, cpu, off);
        // Writes of 0 to every writable word are architecturally harmless.
        for (std::uint32_t off : gicd_readable_words())
            if (off != gicd::TYPER && off != gicd::IIDR && off < gicd::PIDR4) legal_write(f.gic, Frame::GICD, cpu, off, 0);
        legal_write(f.gic, Frame::GICD, cpu, gicd::SGIR, sgir(0, 0, 1));  // empty target list
        for (std::uint32_t off : {gicc::CTLR, gicc::PMR, gicc::BPR, gicc::IAR, gicc::RPR, gicc::HPPIR, gicc::ABPR,
                                  gicc::AIAR, gicc::AHPPIR, gicc::APR0, gicc::NSAPR0, gicc::IIDR})
            legal_read(f.gic, Frame::GICC, cpu, off);
        for (std::uint32_t off : {gicc::CTLR, gicc::PMR, gicc::BPR, gicc::ABPR, gicc::APR0, gicc::NSAPR0})
            legal_write(f.gic, Frame::GICC, cpu, off, 0);
        // EOIR/AEOIR of the spurious INTID 1023 has no effect (4.4.5); DIR needs EOImode=1.
        legal_write(f.gic, Frame::GICC, cpu, gicc::EOIR, kSpurious);
        legal_write(f.gic, Frame::GICC, cpu, gicc::AEOIR, kSpurious);
        legal_write(f.gic, Frame::GICC, cpu, gicc::CTLR, kEOImode);
        legal_write(f.gic, Frame::GICC, cpu, gicc::DIR, kSpurious);
    }
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "no bad access counted");
}

BOOST_AUTO_TEST_CASE(byte_access_legal_for_byte_accessible_registers) {
    GicFixture f(make_config(4));
    // IPRIORITYR: byte reads at every lane return that INTID's priority.
    f.wr(0, gicd::IPRIORITYR + 32, 0x40302010);
    for (std::uint32_t lane = 0; lane < 4; ++lane)
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::IPRIORITYR + 32 + lane, 1) == 0x10u * (lane + 1),
                   "IPRIORITYR byte read, INTID " << 32 + lane);
    // ITARGETSR: byte reads of SPI targets.
    f.wr(0, gicd::ITARGETSR + 32, 0x08040201);
    for (std::uint32_t lane = 0; lane < 4; ++lane)
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::ITARGETSR + 32 + lane, 1) == 1u << lane,
                   "ITARGETSR byte read, INTID " << 32 + lane);
    // SPENDSGIR / CPENDSGIR: byte per SGI.
    for (std::uint32_t lane = 0; lane < 4; ++lane) {
        legal_write(f.gic, Frame::GICD, 2, gicd::SPENDSGIR + 4 + lane, 1u << lane, 1);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 2, gicd::SPENDSGIR + 4 + lane, 1) == 1u << lane,
                   "SPENDSGIR byte read, SGI " << 4 + lane);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 2, gicd::CPENDSGIR + 4 + lane, 1) == 1u << lane,
                   "CPENDSGIR byte read, SGI " << 4 + lane);
    }
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "no bad access counted");
}

// =============================================================================================
// Bad accesses under BadAccessPolicy::RazWi: illegal widths (4.1.4), unaligned, reserved
// offsets (Tables 4-1/4-2), writes to RO and reads of WO registers. RAZ/WI, counted,
// reported, state unchanged (a bad read of GICC_IAR must not acknowledge).
// =============================================================================================
BOOST_AUTO_TEST_CASE(bad_accesses_raz_wi_policy) {
    run_bad_access_table(BadAccessPolicy::RazWi, AccessStatus::Ignored);
}

// =============================================================================================
// Bad accesses under BadAccessPolicy::Error: same table, the access fails with Error
// =============================================================================================
BOOST_AUTO_TEST_CASE(bad_accesses_error_policy) {
    run_bad_access_table(BadAccessPolicy::Error, AccessStatus::Error);
}

BOOST_AUTO_TEST_CASE(error_policy_keeps_legal_accesses_ok) {
    GicFixture f(config_with_policy(2, 64, 5, BadAccessPolicy::Error));
    BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::TYPER) == 0x22u, "TYPER readable under Error policy");
    legal_write(f.gic, Frame::GICD, 0, gicd::IPRIORITYR + 40, 0xFF, 1);
    BOOST_TEST(legal_read(f.gic, Frame::GICD, 1, gicd::IPRIORITYR + 40, 1) == 0xF8u, "byte write/read legal under Error");
    legal_write(f.gic, Frame::GICD, 0, gicd::NSACR, 0xFFFFFFFF);  // architectural RAZ/WI is not an error
    BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::NSACR) == 0u, "NSACR RAZ/WI is Ok under Error policy");
    legal_write(f.gic, Frame::GICD, 0, gicd::ISENABLER + 4 * 10, 0xFFFFFFFF);  // beyond INTID 95: RAZ/WI
    BOOST_TEST((f.gic.diagnostics().policy() == BadAccessPolicy::Error), "policy reported");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "no bad access counted");
}

// =============================================================================================
// Diagnostics: last(), describe() and the sink (model API contract)
// =============================================================================================
BOOST_AUTO_TEST_CASE(diagnostics_last_describe_and_sink) {
    GicFixture f(make_config(2));
    std::vector<BadAccess> seen;
    f.gic.diagnostics().set_sink([&seen](const BadAccess& b) { seen.push_back(b); });

    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "nothing counted at reset");
    // Legal accesses never reach the sink.
    f.rd(0, gicd::TYPER);
    f.wr(0, gicd::NSACR, 0xFFFFFFFF);
    f.crd(1, gicc::IAR);
    BOOST_TEST(seen.empty(), "legal accesses (incl. architectural RAZ/WI) are not reported");

    // 1: write to GICD_TYPER from CPU1.
    AccessResult r = f.gic.write_distributor(1, gicd::TYPER, 4, 0x12345678);
    BOOST_TEST((r.status == AccessStatus::Ignored), "write to TYPER ignored");
    BOOST_TEST_REQUIRE(seen.size() == 1u, "sink called once per bad access");
    BOOST_TEST(std::string(seen[0].frame) == "GICD", "sink: frame");
    BOOST_TEST_REQUIRE(seen[0].reg != nullptr, "sink: register named");
    BOOST_TEST(std::string(seen[0].reg).find("TYPER") != std::string::npos, "sink: register TYPER");
    BOOST_TEST(seen[0].cpu == 1u, "sink: CPU");
    BOOST_TEST(seen[0].offset == gicd::TYPER, "sink: offset");
    BOOST_TEST(seen[0].size == 4u, "sink: size");
    BOOST_TEST(seen[0].is_write, "sink: a write");
    BOOST_TEST(seen[0].value == 0x12345678u, "sink: written value");
    BOOST_TEST((seen[0].kind == BadAccessKind::WriteToReadOnly), "sink: kind WriteToReadOnly");
    const std::string d0 = seen[0].describe();
    BOOST_TEST(d0.find("GICD_TYPER") != std::string::npos, "describe names GICD_TYPER: " << d0);
    BOOST_TEST(d0.find("write") != std::string::npos, "describe says write: " << d0);
    BOOST_TEST(d0.find("CPU 1") != std::string::npos, "describe names the CPU: " << d0);
    BOOST_TEST(f.gic.diagnostics().last().offset == gicd::TYPER, "last() is the latest report");

    // 2: read of GICC_EOIR from CPU0.
    r = f.gic.read_cpu_interface(0, gicc::EOIR, 4);
    BOOST_TEST((r.status == AccessStatus::Ignored), "read of EOIR ignored");
    BOOST_TEST_REQUIRE(seen.size() == 2u, "sink called again");
    BOOST_TEST(std::string(seen[1].frame) == "GICC", "sink: frame GICC");
    BOOST_TEST_REQUIRE(seen[1].reg != nullptr, "sink: register named");
    BOOST_TEST(std::string(seen[1].reg).find("EOIR") != std::string::npos, "sink: register EOIR");
    BOOST_TEST(!seen[1].is_write, "sink: a read");
    BOOST_TEST((seen[1].kind == BadAccessKind::ReadOfWriteOnly), "sink: kind ReadOfWriteOnly");
    const std::string d1 = f.gic.diagnostics().last().describe();
    BOOST_TEST(d1.find("GICC_EOIR") != std::string::npos, "describe names GICC_EOIR: " << d1);
    BOOST_TEST(d1.find("read") != std::string::npos, "describe says read: " << d1);

    // 3: reserved offset: no register name.
    f.gic.read_distributor(0, 0xF30, 4);
    BOOST_TEST_REQUIRE(seen.size() == 3u, "sink called for a reserved offset");
    BOOST_TEST(seen[2].reg == nullptr, "reserved offset names no register");
    BOOST_TEST((seen[2].kind == BadAccessKind::Reserved), "kind Reserved");
    BOOST_TEST(seen[2].describe().find("GICD") != std::string::npos, "describe names the frame");

    // 4: halfword access to IPRIORITYR.
    f.gic.write_distributor(0, gicd::IPRIORITYR + 32, 2, 0xFFFF);
    BOOST_TEST_REQUIRE(seen.size() == 4u, "sink called for a halfword access");
    BOOST_TEST((seen[3].kind == BadAccessKind::UnsupportedWidth), "kind UnsupportedWidth");
    BOOST_TEST(seen[3].describe().find("GICD_IPRIORITYR") != std::string::npos, "describe names GICD_IPRIORITYR");
    BOOST_TEST(f.rd(0, gicd::IPRIORITYR + 32) == 0u, "priorities untouched by the halfword write");

    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 4u, "four bad accesses counted");
    BOOST_TEST(f.gic.diagnostics().guest_error_count() == 0u, "no guest error");

    // Detaching the sink: counting goes on.
    f.gic.diagnostics().set_sink(nullptr);
    f.gic.read_distributor(0, 0x00C, 4);
    BOOST_TEST(seen.size() == 4u, "detached sink not called");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 5u, "still counted");
}

// =============================================================================================
// Architectural RAZ/WI beyond the implemented INTIDs: IHI 0048B 4.3.2 (ITLinesNumber) and
// 4.3.4-4.3.13 ("registers for unimplemented interrupts are RAZ/WI") - legal, status Ok
// =============================================================================================
BOOST_AUTO_TEST_CASE(words_beyond_implemented_intids_are_raz_wi) {
    GicFixture f(make_config(2, 64));  // INTIDs 0-95: bitmap words 0-2 implemented
    Gic& g = f.gic;
    for (std::uint32_t base : {gicd::IGROUPR, gicd::ISENABLER, gicd::ICENABLER, gicd::ISPENDR, gicd::ICPENDR,
                               gicd::ISACTIVER, gicd::ICACTIVER}) {
        for (std::uint32_t w = 3; w < 32; ++w) legal_write(g, Frame::GICD, 0, base + 4 * w, 0xFFFFFFFF);
        for (std::uint32_t w = 3; w < 32; ++w)
            BOOST_TEST(legal_read(g, Frame::GICD, 1, base + 4 * w) == 0u, "word at " << hex(base + 4 * w) << " RAZ/WI");
    }
    // The last implemented word is fully implemented.
    legal_write(g, Frame::GICD, 0, gicd::ISENABLER + 8, 0xFFFFFFFF);
    BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::ISENABLER + 8) == 0xFFFFFFFFu, "ISENABLER2 (INTIDs 64-95) implemented");
    // IPRIORITYR and ITARGETSR beyond INTID 95 (words 24-254), word and byte writes.
    for (std::uint32_t base : {gicd::IPRIORITYR, gicd::ITARGETSR})
        for (std::uint32_t w = 24; w < 255; ++w) {
            const std::uint32_t off = base + 4 * w;
            legal_write(g, Frame::GICD, 0, off, 0xFFFFFFFF);
            legal_write(g, Frame::GICD, 0, off + 1, 0xFF, 1);
            BOOST_TEST(legal_read(g, Frame::GICD, 0, off) == 0u, "word at " << hex(off) << " RAZ/WI (INTID " << 4 * w << "+)");
            BOOST_TEST(legal_read(g, Frame::GICD, 0, off + 1, 1) == 0u, "byte at " << hex(off + 1) << " RAZ/WI");
        }
    // The last implemented IPRIORITYR/ITARGETSR words (INTIDs 92-95) are implemented.
    legal_write(g, Frame::GICD, 0, gicd::IPRIORITYR + 92, 0xFFFFFFFF);
    BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::IPRIORITYR + 92) == 0xF8F8F8F8u, "IPRIORITYR23 implemented");
    legal_write(g, Frame::GICD, 0, gicd::ITARGETSR + 92, 0xFFFFFFFF);
    BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::ITARGETSR + 92) == 0x03030303u, "ITARGETSR23 implemented (2 CPUs)");
    // ICFGR beyond INTID 95: words 6-63.
    for (std::uint32_t w = 6; w < 64; ++w) {
        legal_write(g, Frame::GICD, 0, gicd::ICFGR + 4 * w, 0xFFFFFFFF);
        BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::ICFGR + 4 * w) == 0u, "ICFGR" << w << " RAZ/WI");
    }
    BOOST_TEST(g.diagnostics().bad_access_count() == 0u, "architectural RAZ/WI is never a bad access");
}

BOOST_AUTO_TEST_CASE(last_word_with_988_spis_has_no_intids_1020_to_1023) {
    // 988 SPIs: INTIDs 0-1019 exist; 1020-1023 are special (2.2.1), their bits RAZ/WI.
    GicFixture f(make_config(8, 988));
    Gic& g = f.gic;
    for (std::uint32_t base : {gicd::IGROUPR, gicd::ISENABLER, gicd::ISPENDR, gicd::ISACTIVER}) {
        const std::uint32_t off = base + 4 * 31;  // INTIDs 992-1023
        legal_write(g, Frame::GICD, 0, off, 0xFFFFFFFF);
        const std::uint32_t v = legal_read(g, Frame::GICD, 0, off);
        BOOST_TEST(v == 0x0FFFFFFFu, "word at " << hex(off) << " = " << hex(v) << ": bits of INTIDs 1020-1023 RAZ/WI");
    }
    BOOST_TEST(legal_read(g, Frame::GICD, 3, gicd::ICENABLER + 4 * 31) == 0x0FFFFFFFu, "ICENABLER31 reads the enables");
    BOOST_TEST(legal_read(g, Frame::GICD, 3, gicd::ICPENDR + 4 * 31) == 0x0FFFFFFFu, "ICPENDR31 reads the pending bits");
    BOOST_TEST(legal_read(g, Frame::GICD, 3, gicd::ICACTIVER + 4 * 31) == 0x0FFFFFFFu, "ICACTIVER31 reads the active bits");
    legal_write(g, Frame::GICD, 0, gicd::ICENABLER + 4 * 31, 0xFFFFFFFF);
    BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::ISENABLER + 4 * 31) == 0u, "ICENABLER31 clears them");
    // ICFGR63: INTIDs 1008-1023, fields 12-15 absent; odd bits of fields 0-11 RW.
    legal_write(g, Frame::GICD, 0, gicd::ICFGR + 4 * 63, 0xFFFFFFFF);
    BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::ICFGR + 4 * 63) == 0x00AAAAAAu, "ICFGR63 fields of 1020-1023 RAZ/WI");
    // IPRIORITYR254 / ITARGETSR254 cover INTIDs 1016-1019: all implemented.
    legal_write(g, Frame::GICD, 0, gicd::IPRIORITYR + 4 * 254, 0xFFFFFFFF);
    BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::IPRIORITYR + 4 * 254) == 0xF8F8F8F8u, "IPRIORITYR254 implemented");
    legal_write(g, Frame::GICD, 0, gicd::ITARGETSR + 4 * 254, 0xFFFFFFFF);
    BOOST_TEST(legal_read(g, Frame::GICD, 0, gicd::ITARGETSR + 4 * 254) == 0xFFFFFFFFu, "ITARGETSR254 implemented (8 CPUs)");
    BOOST_TEST(g.diagnostics().bad_access_count() == 0u, "no bad access counted");
}

// =============================================================================================
// GICD_NSACRn: RAZ/WI without the Security Extensions (IHI 0048B 4.3.14)
// =============================================================================================
BOOST_AUTO_TEST_CASE(nsacr_is_raz_wi) {
    GicFixture f(make_config(2, 988));
    for (unsigned cpu = 0; cpu < 2; ++cpu)
        for (std::uint32_t w = 0; w < 64; ++w) {
            legal_write(f.gic, Frame::GICD, cpu, gicd::NSACR + 4 * w, 0xFFFFFFFF);
            BOOST_TEST(legal_read(f.gic, Frame::GICD, cpu, gicd::NSACR + 4 * w) == 0u, "NSACR" << w << " RAZ/WI");
        }
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "NSACR accesses are legal");
}

// =============================================================================================
// Banking: IHI 0048B 4.3.4-4.3.13 - the words covering INTIDs 0-31 (IGROUPR0, I[SC]ENABLER0,
// I[SC]PENDR0, I[SC]ACTIVER0, IPRIORITYR0-7, ICFGR1) are banked per CPU; SPI words are shared
// =============================================================================================
BOOST_AUTO_TEST_CASE(private_words_banked_spi_words_shared) {
    constexpr unsigned kCpus = 4;
    GicFixture f(make_config(kCpus));
    auto ppi_bits = [](unsigned cpu) { return 1u << (16 + cpu); };  // PPI 16+cpu
    struct Banked {
        std::uint32_t off;
        const char* name;
    };
    const Banked banked[] = {{gicd::IGROUPR, "IGROUPR0"},
                             {gicd::ISENABLER, "ISENABLER0"},
                             {gicd::ISPENDR, "ISPENDR0"},
                             {gicd::ISACTIVER, "ISACTIVER0"}};
    for (const Banked& b : banked) {
        for (unsigned cpu = 0; cpu < kCpus; ++cpu) f.wr(cpu, b.off, ppi_bits(cpu) & 0xFFFF0000u);
        for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
            const std::uint32_t v = f.rd(cpu, b.off);
            BOOST_TEST(v == (ppi_bits(cpu) & 0xFFFF0000u), b.name << " of CPU" << cpu << " = " << hex(v)
                                                                  << ": only its own PPI " << 16 + cpu);
        }
    }
    // Clear registers read the same banked state and clear only the writer's copy.
    f.wr(2, gicd::ICENABLER, 0xFFFF0000);
    BOOST_TEST(f.rd(2, gicd::ISENABLER) == 0u, "CPU2 cleared its PPI enables");
    BOOST_TEST(f.rd(1, gicd::ISENABLER) == (1u << 17), "CPU1's PPI 17 enable untouched");
    f.wr(1, gicd::ICPENDR, 0xFFFF0000);
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == 0u, "CPU1 cleared its PPI pending");
    BOOST_TEST(f.rd(3, gicd::ISPENDR) == (1u << 19), "CPU3's PPI 19 still pending");
    f.wr(0, gicd::ICACTIVER, 0xFFFF0000);
    BOOST_TEST(f.rd(0, gicd::ISACTIVER) == 0u, "CPU0 cleared its PPI active");
    BOOST_TEST(f.rd(3, gicd::ISACTIVER) == (1u << 19), "CPU3's PPI 19 still active");

    // IPRIORITYR0-7: each CPU its own priorities.
    for (unsigned cpu = 0; cpu < kCpus; ++cpu)
        for (std::uint32_t w = 0; w < 8; ++w) f.wr(cpu, gicd::IPRIORITYR + 4 * w, replicate(0x10 * (cpu + 1)) + 0x08 * w);
    for (unsigned cpu = 0; cpu < kCpus; ++cpu)
        for (std::uint32_t w = 0; w < 8; ++w) {
            const std::uint32_t expect = replicate(0x10 * (cpu + 1)) + 0x08 * w;
            const std::uint32_t v = f.rd(cpu, gicd::IPRIORITYR + 4 * w);
            BOOST_TEST(v == expect, "IPRIORITYR" << w << " of CPU" << cpu << " = " << hex(v) << ", expected " << hex(expect));
        }
    // ICFGR1 (PPIs): Int_config[1] of PPI 16+cpu per CPU.
    for (unsigned cpu = 0; cpu < kCpus; ++cpu) f.wr(cpu, gicd::ICFGR + 4, 2u << (2 * cpu));
    for (unsigned cpu = 0; cpu < kCpus; ++cpu)
        BOOST_TEST(f.rd(cpu, gicd::ICFGR + 4) == 2u << (2 * cpu), "ICFGR1 of CPU" << cpu << " banked");

    // SPI words are shared: the last writer's value is seen by every CPU.
    struct Shared {
        std::uint32_t off;
        std::uint32_t value;
        const char* name;
    };
    const Shared shared[] = {{gicd::IGROUPR + 4, 0x12345678, "IGROUPR1"},   {gicd::ISENABLER + 4, 0x0F0F0F0F, "ISENABLER1"},
                             {gicd::ISPENDR + 8, 0x80000001, "ISPENDR2"},   {gicd::ISACTIVER + 8, 0x00FF0000, "ISACTIVER2"},
                             {gicd::IPRIORITYR + 40, 0xC0804000, "IPRIORITYR10"}, {gicd::ICFGR + 8, 0x8A2A0002, "ICFGR2"},
                             {gicd::ITARGETSR + 44, 0x0F030201, "ITARGETSR11"}};
    for (const Shared& s : shared) {
        f.wr(3, s.off, s.value);
        for (unsigned cpu = 0; cpu < kCpus; ++cpu)
            BOOST_TEST(f.rd(cpu, s.off) == s.value, s.name << " written by CPU3, read by CPU" << cpu);
    }
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "no bad access counted");
}

// =============================================================================================
// ITARGETSR0-7 (SGIs/PPIs), IHI 0048B 4.3.12: read-only, each byte returns the reading
// CPU's own interface bit; with a single CPU interface every ITARGETSR is RAZ/WI
// =============================================================================================
BOOST_AUTO_TEST_CASE(itargetsr_private_words_read_own_cpu_bit) {
    for (unsigned cpus : {2u, 3u, 8u}) {
        GicFixture f(make_config(cpus));
        for (unsigned cpu = 0; cpu < cpus; ++cpu) {
            for (std::uint32_t w = 0; w < 8; ++w) {
                const std::uint32_t off = gicd::ITARGETSR + 4 * w;
                legal_write(f.gic, Frame::GICD, cpu, off, 0xFFFFFFFF);
                for (std::uint32_t lane = 0; lane < 4; ++lane) legal_write(f.gic, Frame::GICD, cpu, off + lane, 0, 1);
            }
            for (std::uint32_t w = 0; w < 8; ++w) {
                const std::uint32_t off = gicd::ITARGETSR + 4 * w;
                const std::uint32_t v = legal_read(f.gic, Frame::GICD, cpu, off);
                BOOST_TEST(v == replicate(1u << cpu), cpus << " CPUs: ITARGETSR" << w << " read by CPU" << cpu << " = "
                                                            << hex(v) << ", writes ignored");
                for (std::uint32_t lane = 0; lane < 4; ++lane)
                    BOOST_TEST(legal_read(f.gic, Frame::GICD, cpu, off + lane, 1) == 1u << cpu,
                               cpus << " CPUs: ITARGETSR byte " << hex(off + lane) << " read by CPU" << cpu);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(itargetsr_uniprocessor_all_raz_wi) {
    GicFixture f(make_config(1, 64));
    for (std::uint32_t w = 0; w < 24; ++w) {
        const std::uint32_t off = gicd::ITARGETSR + 4 * w;
        legal_write(f.gic, Frame::GICD, 0, off, 0xFFFFFFFF);
        legal_write(f.gic, Frame::GICD, 0, off + 2, 0x01, 1);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, off) == 0u, "1 CPU: ITARGETSR" << w << " RAZ/WI");
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, off + 2, 1) == 0u, "1 CPU: ITARGETSR" << w << " byte 2 RAZ/WI");
    }
    // Every SPI still goes to the only CPU interface.
    f.enable_all(0);
    f.enable_irq(0, 70);
    f.pend(0, 70);
    BOOST_TEST(f.irq(0), "uniprocessor: SPI 70 signalled to CPU0 with RAZ ITARGETSR");
    BOOST_TEST(f.crd(0, gicc::IAR) == 70u, "CPU0 acknowledges SPI 70");
}

// =============================================================================================
// SPI ITARGETSR, IHI 0048B 4.3.12: bits of absent CPU interfaces RAZ/WI; byte writes hit
// only the addressed lane
// =============================================================================================
BOOST_AUTO_TEST_CASE(itargetsr_spi_absent_cpu_bits_raz_wi) {
    struct Row {
        unsigned cpus;
        std::uint32_t byte;
    };
    for (const Row& r : {Row{2, 0x03}, Row{3, 0x07}, Row{5, 0x1F}, Row{8, 0xFF}}) {
        GicFixture f(make_config(r.cpus));
        legal_write(f.gic, Frame::GICD, 0, gicd::ITARGETSR + 33, 0xFF, 1);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::ITARGETSR + 33, 1) == r.byte,
                   r.cpus << " CPUs: byte write 0xFF reads " << hex(r.byte));
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::ITARGETSR + 32) == r.byte << 8,
                   r.cpus << " CPUs: only lane 1 written");
        legal_write(f.gic, Frame::GICD, 1, gicd::ITARGETSR + 60, 0xFFFFFFFF);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::ITARGETSR + 60) == replicate(r.byte),
                   r.cpus << " CPUs: word write 0xFFFFFFFF reads " << hex(replicate(r.byte)));
    }
}

BOOST_AUTO_TEST_CASE(itargetsr_spi_byte_lanes) {
    GicFixture f(make_config(8));
    f.wr(0, gicd::ITARGETSR + 32, 0x04030201);
    for (std::uint32_t lane = 0; lane < 4; ++lane) {
        const std::uint32_t byte = 0x80u >> lane;
        f.wr(lane % 8, gicd::ITARGETSR + 32 + lane, byte, 1);
        std::uint32_t expect = 0x04030201;
        for (std::uint32_t l = 0; l <= lane; ++l) expect = (expect & ~(0xFFu << (8 * l))) | ((0x80u >> l) << (8 * l));
        const std::uint32_t v = f.rd(0, gicd::ITARGETSR + 32);
        BOOST_TEST(v == expect, "after byte write to lane " << lane << ": " << hex(v) << ", expected " << hex(expect));
    }
    f.wr(0, gicd::ITARGETSR + 36, 0x11223344);
    const std::uint8_t expect_bytes[4] = {0x44, 0x33, 0x22, 0x11};
    for (std::uint32_t lane = 0; lane < 4; ++lane)
        BOOST_TEST(f.rd(5, gicd::ITARGETSR + 36 + lane, 1) == expect_bytes[lane], "word write then byte read, lane " << lane);
    BOOST_TEST(f.rd(0, gicd::ITARGETSR + 32) == 0x10204080u, "neighbouring word untouched");
}

// =============================================================================================
// IPRIORITYR, IHI 0048B 4.3.11: unimplemented low-order priority bits RAZ/WI; byte lanes.
// GICC_PMR (4.4.2) is masked the same way.
// =============================================================================================
BOOST_AUTO_TEST_CASE(ipriorityr_masks_and_byte_lanes) {
    struct Row {
        unsigned bits;
        std::uint32_t mask;
    };
    for (const Row& r : {Row{4, 0xF0}, Row{5, 0xF8}, Row{6, 0xFC}, Row{7, 0xFE}, Row{8, 0xFF}}) {
        BOOST_TEST(prio_mask(r.bits) == r.mask, "mask helper for " << r.bits << " bits");
        GicFixture f(make_config(2, 64, r.bits));
        const std::string who = std::to_string(r.bits) + " bits: ";
        // One SGI word (banked), one PPI word (banked), one SPI word (shared).
        for (std::uint32_t word_off : {gicd::IPRIORITYR + 4, gicd::IPRIORITYR + 24, gicd::IPRIORITYR + 44}) {
            for (std::uint32_t lane = 0; lane < 4; ++lane) {
                f.wr(1, word_off + lane, 0xFF, 1);
                const std::uint32_t v = f.rd(1, word_off);
                std::uint32_t expect = 0;
                for (std::uint32_t l = 0; l <= lane; ++l) expect |= r.mask << (8 * l);
                BOOST_TEST(v == expect, who << "byte 0xFF at " << hex(word_off + lane) << ": word " << hex(v)
                                            << ", expected " << hex(expect));
            }
            for (std::uint32_t lane = 0; lane < 4; ++lane) {
                const std::uint32_t val = 0x5A + 0x11 * lane;
                f.wr(1, word_off + lane, val, 1);
                BOOST_TEST(f.rd(1, word_off + lane, 1) == (val & r.mask),
                           who << "byte " << hex(val) << " at " << hex(word_off + lane) << " reads " << hex(val & r.mask));
            }
            f.wr(1, word_off, 0x12345678);
            const std::uint32_t bytes[4] = {0x78, 0x56, 0x34, 0x12};
            for (std::uint32_t lane = 0; lane < 4; ++lane)
                BOOST_TEST(f.rd(1, word_off + lane, 1) == (bytes[lane] & r.mask),
                           who << "word write then byte read at " << hex(word_off + lane));
            BOOST_TEST(f.rd(1, word_off) == (0x12345678u & replicate(r.mask)), who << "word read back masked");
        }
        // GICC_PMR: same implemented bits; [31:8] reserved.
        f.cwr(0, gicc::PMR, 0xFF);
        BOOST_TEST(f.crd(0, gicc::PMR) == r.mask, who << "PMR 0xFF reads " << hex(r.mask));
        f.cwr(0, gicc::PMR, 0x5A);
        BOOST_TEST(f.crd(0, gicc::PMR) == (0x5Au & r.mask), who << "PMR 0x5A reads masked");
        f.cwr(0, gicc::PMR, 0xFFFFFF00);
        BOOST_TEST(f.crd(0, gicc::PMR) == 0u, who << "PMR bits [31:8] RAZ/WI");
        BOOST_TEST(f.crd(1, gicc::PMR) == 0u, who << "PMR is per CPU interface");
    }
}

// =============================================================================================
// GICC_BPR / GICC_ABPR, IHI 0048B 4.4.3, 4.4.9 and 3.3.3: a write below the minimum sets the
// minimum (BPR min = 7 - min(bits,7), ABPR min = BPR min + 1); bits [31:3] reserved
// =============================================================================================
BOOST_AUTO_TEST_CASE(bpr_abpr_clamp_to_minimum) {
    struct Row {
        unsigned bits;
        std::uint32_t bpr_min, abpr_min;
    };
    for (const Row& r : {Row{4, 3, 4}, Row{5, 2, 3}, Row{6, 1, 2}, Row{7, 0, 1}, Row{8, 0, 1}}) {
        GicFixture f(make_config(1, 32, r.bits));
        const std::string who = std::to_string(r.bits) + " bits: ";
        for (std::uint32_t v = 0; v < 8; ++v) {
            f.cwr(0, gicc::BPR, v);
            BOOST_TEST(f.crd(0, gicc::BPR) == std::max(v, r.bpr_min), who << "BPR write " << v);
            f.cwr(0, gicc::ABPR, v);
            BOOST_TEST(f.crd(0, gicc::ABPR) == std::max(v, r.abpr_min), who << "ABPR write " << v);
        }
        f.cwr(0, gicc::BPR, 0xFFFFFFFF);
        BOOST_TEST(f.crd(0, gicc::BPR) == 7u, who << "BPR bits [31:3] RAZ/WI");
        f.cwr(0, gicc::ABPR, 0xFFFFFFFF);
        BOOST_TEST(f.crd(0, gicc::ABPR) == 7u, who << "ABPR bits [31:3] RAZ/WI");
    }
}

// =============================================================================================
// GICC_APRn / GICC_NSAPRn, IHI 0048B 4.4.13-4.4.14 (3.3.4): 2^min(bits,7) preemption levels;
// APR1 only with >= 6 bits, APR2-3 only with 7+ bits; unimplemented words/bits RAZ/WI
// =============================================================================================
BOOST_AUTO_TEST_CASE(apr_words_beyond_preemption_levels_raz_wi) {
    struct Row {
        unsigned bits;
        std::uint32_t words[4];  // implemented bits of APR0-3
    };
    const Row rows[] = {
        {4, {0x0000FFFF, 0, 0, 0}},  // 16 levels
        {5, {0xFFFFFFFF, 0, 0, 0}},  // 32 levels: APR0 only
        {6, {0xFFFFFFFF, 0xFFFFFFFF, 0, 0}},
        {7, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}},
        {8, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}},  // 7 preemption bits at most
    };
    for (const Row& r : rows) {
        GicFixture f(make_config(2, 32, r.bits));
        for (std::uint32_t base : {gicc::APR0, gicc::NSAPR0}) {
            const char* name = base == gicc::APR0 ? "APR" : "NSAPR";
            for (std::uint32_t n = 0; n < 4; ++n) {
                legal_write(f.gic, Frame::GICC, 0, base + 4 * n, 0xFFFFFFFF);
                const std::uint32_t v = legal_read(f.gic, Frame::GICC, 0, base + 4 * n);
                BOOST_TEST(v == r.words[n], r.bits << " bits: GICC_" << name << n << " = " << hex(v) << ", expected "
                                                   << hex(r.words[n]));
                BOOST_TEST(legal_read(f.gic, Frame::GICC, 1, base + 4 * n) == 0u, "GICC_" << name << n << " is per CPU");
                legal_write(f.gic, Frame::GICC, 0, base + 4 * n, 0);  // restore "no active priority"
                BOOST_TEST(legal_read(f.gic, Frame::GICC, 0, base + 4 * n) == 0u, "GICC_" << name << n << " cleared");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(apr_bit_of_acknowledged_priority) {
    // Acknowledging an interrupt sets the bit of its preemption level (group priority >>
    // (8 - preemption bits)) in APR (Group 0) or NSAPR (Group 1); BPR/ABPR at their minimum.
    struct Row {
        unsigned bits;
        std::uint8_t prio;
        std::uint32_t word, bit;
    };
    const Row rows[] = {
        {4, 0xE0, 0, 14},  // level 0xE0 >> 4
        {5, 0xF0, 0, 30},  // 0xF0 >> 3
        {6, 0xF8, 1, 30},  // 0xF8 >> 2 = 62
        {7, 0xFC, 3, 30},  // 0xFC >> 1 = 126
        {8, 0xFE, 3, 31},  // group priority 0xFE with BPR 0 -> 127
    };
    for (const Row& r : rows) {
        for (unsigned group : {0u, 1u}) {
            GicFixture f(make_config(1, 32, r.bits));
            f.enable_all(0);
            if (group == 1) f.wr(0, gicd::IGROUPR + 4, 1u);  // SPI 32 Group 1
            f.enable_irq(0, 32, r.prio);
            f.pend(0, 32);
            BOOST_TEST_REQUIRE(f.crd(0, gicc::IAR) == 32u, r.bits << " bits: SPI 32 acknowledged");
            const std::uint32_t base = group == 0 ? gicc::APR0 : gicc::NSAPR0;
            const std::uint32_t other = group == 0 ? gicc::NSAPR0 : gicc::APR0;
            for (std::uint32_t n = 0; n < 4; ++n) {
                const std::uint32_t expect = n == r.word ? 1u << r.bit : 0u;
                BOOST_TEST(f.crd(0, base + 4 * n) == expect, r.bits << " bits, group " << group << ": word " << n
                                                                    << " of the group's APR = " << hex(expect));
                BOOST_TEST(f.crd(0, other + 4 * n) == 0u, r.bits << " bits: other group's APR word " << n << " empty");
            }
            f.cwr(0, gicc::EOIR, 32);
            for (std::uint32_t n = 0; n < 4; ++n)
                BOOST_TEST(f.crd(0, base + 4 * n) == 0u, r.bits << " bits: EOIR clears the active priority");
        }
    }
}

// =============================================================================================
// GICC_CTLR without the Security Extensions, IHI 0048B 4.4.1: bits [9:0] writable
// (EnableGrp0, EnableGrp1, AckCtl, FIQEn, CBPR, FIQBypDisGrp0, IRQBypDisGrp0,
// FIQBypDisGrp1, IRQBypDisGrp1, EOImode); [31:10] reserved RAZ/WI
// =============================================================================================
BOOST_AUTO_TEST_CASE(gicc_ctlr_writable_bits) {
    GicFixture f(make_config(2));
    for (unsigned bit = 0; bit < 32; ++bit) {
        f.cwr(0, gicc::CTLR, 1u << bit);
        const std::uint32_t expect = bit < 10 ? 1u << bit : 0u;
        BOOST_TEST(f.crd(0, gicc::CTLR) == expect, "GICC_CTLR bit " << bit << (bit < 10 ? " RW" : " RAZ/WI"));
    }
    f.cwr(0, gicc::CTLR, 0xFFFFFFFF);
    BOOST_TEST(f.crd(0, gicc::CTLR) == kCpuCtlrBits, "all ones reads 0x3FF");
    BOOST_TEST(f.crd(1, gicc::CTLR) == 0u, "GICC_CTLR is per CPU interface");
    f.cwr(0, gicc::CTLR, 0);
    BOOST_TEST(f.crd(0, gicc::CTLR) == 0u, "cleared");
}

// =============================================================================================
// GICD_ICFGRn, IHI 0048B 4.3.13: ICFGR0 (SGIs) read-only 0xAAAAAAAA; for PPIs/SPIs
// Int_config[1] (odd bit) RW, Int_config[0] (even bit) reserved RAZ/WI
// =============================================================================================
BOOST_AUTO_TEST_CASE(icfgr_sgi_read_only_odd_bits_rw) {
    GicFixture f(make_config(2, 64));
    for (std::uint32_t value : {0x00000000u, 0x55555555u, 0xFFFFFFFFu}) {
        legal_write(f.gic, Frame::GICD, 0, gicd::ICFGR, value);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 0, gicd::ICFGR) == 0xAAAAAAAAu,
                   "ICFGR0 write " << hex(value) << " ignored: SGIs always edge");
    }
    for (std::uint32_t w = 1; w < 6; ++w) {  // ICFGR1 (PPIs) .. ICFGR5 (last SPIs of 96 INTIDs)
        const std::uint32_t off = gicd::ICFGR + 4 * w;
        f.wr(0, off, 0xFFFFFFFF);
        BOOST_TEST(f.rd(0, off) == 0xAAAAAAAAu, "ICFGR" << w << " all ones: odd bits only");
        f.wr(0, off, 0x55555555);
        BOOST_TEST(f.rd(0, off) == 0u, "ICFGR" << w << " even bits RAZ/WI");
        f.wr(0, off, 0x8000000A);
        BOOST_TEST(f.rd(0, off) == 0x8000000Au, "ICFGR" << w << " individual fields RW");
        f.wr(0, off, 0);
        BOOST_TEST(f.rd(0, off) == 0u, "ICFGR" << w << " back to level");
    }
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "no bad access counted");
}

// =============================================================================================
// SGI pending state, IHI 0048B 4.3.7-4.3.8 and 4.3.16-4.3.17: ISPENDR0/ICPENDR0 SGI bits are
// read-only (pending state is per source, set/cleared via SPENDSGIR/CPENDSGIR, banked per
// target CPU, byte-accessible); ISPENDR0 bit n = 1 while any source of SGI n is pending
// =============================================================================================
BOOST_AUTO_TEST_CASE(ispendr0_icpendr0_sgi_bits_read_only) {
    GicFixture f(make_config(4));
    legal_write(f.gic, Frame::GICD, 1, gicd::ISPENDR, 0x0000FFFF);
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == 0u, "ISPENDR0 SGI bits ignore writes");
    for (std::uint32_t w = 0; w < 4; ++w)
        BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 4 * w) == 0u, "no SGI source became pending via ISPENDR0");
    f.wr(1, gicd::SPENDSGIR, 0x00000100, 4);  // SGI 1 from CPU0
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == 0x2u, "SGI 1 pending");
    legal_write(f.gic, Frame::GICD, 1, gicd::ICPENDR, 0x0000FFFF);
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == 0x2u, "ICPENDR0 SGI bits ignore writes");
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR) == 0x00000100u, "source state intact");
    BOOST_TEST(f.rd(1, gicd::ICPENDR) == 0x2u, "ICPENDR0 reads the pending state too");
}

BOOST_AUTO_TEST_CASE(spendsgir_cpendsgir_per_source_banked) {
    GicFixture f(make_config(4));
    // CPU1 sets SGI 6 (SPENDSGIR1, lane 2) pending from sources 1 and 3, and absent 4-7.
    legal_write(f.gic, Frame::GICD, 1, gicd::SPENDSGIR + 6, 0xFA, 1);
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 4) == 0x000A0000u, "sources 1 and 3 of SGI 6; absent CPUs 4-7 ignored");
    BOOST_TEST(f.rd(1, gicd::CPENDSGIR + 4) == 0x000A0000u, "CPENDSGIR reads the same state");
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 6, 1) == 0x0Au, "byte read");
    for (unsigned cpu : {0u, 2u, 3u})
        BOOST_TEST(f.rd(cpu, gicd::SPENDSGIR + 4) == 0u, "banked per target: CPU" << cpu << " sees nothing");
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == 1u << 6, "ISPENDR0 bit 6 set while a source is pending");
    BOOST_TEST(f.rd(0, gicd::ISPENDR) == 0u, "not pending on CPU0");

    // GICD_SGIR from CPU2 to CPU1, SGI 5: source bit 2 in lane 1 of SPENDSGIR1.
    f.wr(2, gicd::SGIR, sgir(0, 0x02, 5));
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 4) == 0x000A0400u, "SGIR adds source 2 to SGI 5");

    // Word write to SPENDSGIR hits every lane; only the lanes' own bits.
    f.wr(1, gicd::SPENDSGIR + 12, 0x01020304);
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 12) == 0x01020304u, "SGIs 12-15 set by a word write");

    // CPENDSGIR clears source by source.
    legal_write(f.gic, Frame::GICD, 1, gicd::CPENDSGIR + 6, 0x02, 1);
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 6, 1) == 0x08u, "source 1 cleared, source 3 left");
    BOOST_TEST((f.rd(1, gicd::ISPENDR) & (1u << 6)) != 0u, "SGI 6 still pending from source 3");
    legal_write(f.gic, Frame::GICD, 1, gicd::CPENDSGIR + 6, 0x08, 1);
    BOOST_TEST((f.rd(1, gicd::ISPENDR) & (1u << 6)) == 0u, "SGI 6 no longer pending");
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 4) == 0x00000400u, "SGI 5 (lane 1) untouched by lane-2 byte writes");
    f.wr(1, gicd::CPENDSGIR + 12, 0xFFFFFFFF);
    BOOST_TEST(f.rd(1, gicd::SPENDSGIR + 12) == 0u, "word write to CPENDSGIR3 clears all");
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == 1u << 5, "only SGI 5 pending now");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, "no bad access counted");
}

BOOST_AUTO_TEST_CASE(spendsgir_source_bits_of_absent_cpus_ignored) {
    // 4.3.17: one bit per source CPU interface; bits of CPU interfaces that do not exist are RAZ/WI.
    struct Row {
        unsigned cpus;
        std::uint32_t sources;
    };
    for (const Row& r : {Row{1, 0x01}, Row{3, 0x07}, Row{8, 0xFF}}) {
        GicFixture f(make_config(r.cpus));
        const unsigned target = r.cpus - 1;
        legal_write(f.gic, Frame::GICD, target, gicd::SPENDSGIR + 9, 0xFF, 1);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, target, gicd::SPENDSGIR + 9, 1) == r.sources,
                   r.cpus << " CPUs: SGI 9 sources " << hex(r.sources));
        BOOST_TEST(legal_read(f.gic, Frame::GICD, target, gicd::SPENDSGIR + 8) == r.sources << 8,
                   r.cpus << " CPUs: only lane 1 of SPENDSGIR2 written");
        legal_write(f.gic, Frame::GICD, target, gicd::SPENDSGIR, 0xFFFFFFFF);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, target, gicd::SPENDSGIR) == replicate(r.sources),
                   r.cpus << " CPUs: word write sets present sources of SGIs 0-3 only");
        BOOST_TEST(legal_read(f.gic, Frame::GICD, target, gicd::ISPENDR) == 0x20Fu,
                   r.cpus << " CPUs: SGIs 0-3 and 9 pending in ISPENDR0");
        legal_write(f.gic, Frame::GICD, target, gicd::CPENDSGIR, 0xFFFFFFFF);
        legal_write(f.gic, Frame::GICD, target, gicd::CPENDSGIR + 8, 0xFFFFFFFF);
        BOOST_TEST(legal_read(f.gic, Frame::GICD, target, gicd::ISPENDR) == 0u, r.cpus << " CPUs: all cleared");
    }
}

// =============================================================================================
// Debug accesses (model contract, AccessMode::Debug): observe without side effects; a debug
// read of GICC_IAR (IHI 0048B 4.4.4: a normal read acknowledges) must not acknowledge
// =============================================================================================
BOOST_AUTO_TEST_CASE(debug_read_of_iar_does_not_acknowledge) {
    GicFixture f(make_config(2));
    f.enable_all(0);
    f.enable_irq(0, 40, 0xA0);
    f.target(40, 0x1);
    f.pend(0, 40);
    BOOST_TEST_REQUIRE(f.irq(0), "SPI 40 signalled to CPU0");
    for (int i = 0; i < 3; ++i) {
        const std::uint32_t v = legal_read(f.gic, Frame::GICC, 0, gicc::IAR, 4, AccessMode::Debug);
        BOOST_TEST(v == 40u, "debug IAR read " << i << " returns the pending INTID 40");
    }
    BOOST_TEST((f.rd(0, gicd::ISACTIVER + 4) & (1u << 8)) == 0u, "SPI 40 not active after debug reads");
    BOOST_TEST((f.rd(0, gicd::ISPENDR + 4) & (1u << 8)) != 0u, "SPI 40 still pending");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xFFu, "running priority still idle");
    BOOST_TEST(f.irq(0), "IRQ still asserted");
    BOOST_TEST(f.crd(0, gicc::IAR) == 40u, "the normal read still returns 40");
    BOOST_TEST((f.rd(0, gicd::ISACTIVER + 4) & (1u << 8)) != 0u, "SPI 40 active after the normal read");
    BOOST_TEST((f.rd(0, gicd::ISPENDR + 4) & (1u << 8)) == 0u, "and no longer pending");
    BOOST_TEST(f.crd(0, gicc::RPR) == 0xA0u, "running priority = 0xA0");
    BOOST_TEST(legal_read(f.gic, Frame::GICC, 0, gicc::IAR, 4, AccessMode::Debug) == kSpurious,
               "debug IAR with nothing signallable returns 1023");
    f.cwr(0, gicc::EOIR, 40);

    // An SGI: the debug read reports the source CPU in [12:10] and leaves it pending.
    f.wr(0, gicd::ISENABLER, 1u << 3);
    f.wr(1, gicd::SGIR, sgir(0, 0x01, 3));  // SGI 3 from CPU1 to CPU0
    const std::uint32_t dbg = legal_read(f.gic, Frame::GICC, 0, gicc::IAR, 4, AccessMode::Debug);
    BOOST_TEST(dbg == ((1u << 10) | 3u), "debug IAR of SGI 3 from CPU1 = " << hex(dbg));
    BOOST_TEST(f.rd(0, gicd::SPENDSGIR) == 0x02000000u, "source CPU1 still pending");
    BOOST_TEST(f.rd(0, gicd::ISACTIVER) == 0u, "SGI 3 not active");
    BOOST_TEST(f.crd(0, gicc::IAR) == ((1u << 10) | 3u), "the normal read acknowledges it");
    BOOST_TEST(f.rd(0, gicd::ISACTIVER) == 1u << 3, "SGI 3 active");
    BOOST_TEST(f.rd(0, gicd::SPENDSGIR) == 0u, "source consumed");
}

BOOST_AUTO_TEST_CASE(debug_reads_match_normal_reads) {
    GicFixture f(make_config(2));
    f.wr(0, gicd::IPRIORITYR + 36, 0xA0806040);
    f.cwr(1, gicc::PMR, 0xF0);
    for (std::uint32_t off : gicd_readable_words())
        BOOST_TEST(legal_read(f.gic, Frame::GICD, 1, off, 4, AccessMode::Debug) == f.rd(1, off),
                   "debug and normal GICD reads agree at " << hex(off));
    for (std::uint32_t off : gicc_state_words())
        BOOST_TEST(legal_read(f.gic, Frame::GICC, 1, off, 4, AccessMode::Debug) == f.crd(1, off),
                   "debug and normal GICC reads agree at " << hex(off));
}

BOOST_AUTO_TEST_SUITE_END()
