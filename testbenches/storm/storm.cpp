// SPDX-License-Identifier: Apache-2.0
// Storm (roadmap step 7): 10^6 interrupts across 8 vCPUs with 4 list registers, random
// priorities and vCPU switches. Every edge interrupt must be acknowledged exactly once, no
// level interrupt may be lost, and the counts must add up.
//
// Platforms (--mode, --gic):
//  - vm, GICv2 or GICv3: vgic::VmGic, where the model is also the hypervisor's vGIC
//    software (flush on entry, sync on exit, overflow, eviction, EOICount, kicks);
//  - hw, GICv2: vgic::Gic, where the harness itself is a minimal hypervisor that takes the
//    physical interrupts on GICC and programs the list registers through GICH (HwPlatform).
// The harness plays the devices (edge and level SPIs with random single targets, edge and
// level PPIs per vCPU), the scheduler (vCPU entry / exit; some vCPUs descheduled for long
// stretches so that more interrupts are in flight than there are list registers: overflow,
// eviction, refill) and the guest on each running vCPU (IAR, EOIR, split EOI with DIR on
// the odd vCPUs, SGIs to any vCPU, IPRIORITYR rewrites, nested preemption).
//
// The harness keeps its own books and derives every expectation from the architecture
// (IHI 0048B for GICv2, IHI 0069 for GICv3), never from the model:
//  - edge (SPI, PPI, SGI per (INTID, target) and, GICv2, per SGI source): an edge while the
//    pending latch is set merges with it (IHI 0048B "Interrupt handling state machine",
//    IHI 0069 4.1: the pending state is a single bit); otherwise it sets the latch. An edge
//    while the interrupt is active is a new pending (active and pending). An acknowledge
//    must find the latch set, and clears it.
//  - level: the device holds its line high until the guest's handler (after IAR) tells it
//    to drop it; each assertion must be acknowledged exactly once, while the line is high.
//  - IAR returns only an interrupt whose group priority is higher than the running priority
//    (IHI 0048B 3.3 "Preemption", IHI 0069 4.8), the highest-priority one among those
//    pending for that vCPU and not active there (kicks and maintenance interrupts are
//    serviced after every step, so the list registers hold the best); RPR follows the
//    nesting.
//  - a vIRQ line high when the guest reads IAR yields an interrupt, never 1023; a low one
//    yields 1023; a running vCPU with nothing active and its vIRQ line low has nothing
//    pending.
//  - vm mode: GICD/GICR ISPENDR / ISACTIVER as the guest reads them match the books.
//  - the model's own consistency check (check_state) and its diagnostics counters (no bad
//    access, no guest error) periodically and at the end.
// At the end every vCPU runs and the guests drain (bounded); then no latch may be set, no
// line high, nothing active, and per kind: acknowledged == injected - merged.
// The register layouts are written out here from the specifications (only the system
// register encodings come from the model's header, as in testbenches/model/gicv3_vm_mode.cpp).
//
// Usage: vgic-storm [--mode vm|hw] [--gic v2|v3] [--dir-any-order] [interrupts [seed]]
// Defaults: vm, v2, 1000000 interrupts, seed 0x5704. Deterministic: a fixed seed gives the
// same run with any standard library (own generator). Exit status: 0 all checks passed, 1 a
// violation (the message says which, at which step, with the last harness events and each
// vCPU's LRs), 2 bad arguments.
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/model/vm_gic.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace sr = vgic::gicv3::sysreg;

constexpr unsigned kVcpus = 8;
constexpr unsigned kLrs = 4;
constexpr unsigned kSpis = 64;
constexpr unsigned kIntids = 32 + kSpis;
constexpr std::uint32_t kSpurious = 1023;
// The storm's INTIDs: SGIs 0-7, PPIs 16-23 (away from the maintenance PPI 25 and the timer
// PPIs 26-30), every SPI 32-95.
constexpr unsigned kNumSgis = 8;
constexpr unsigned kFirstPpi = 16, kNumPpis = 8;
// Priorities: 5 implemented bits (GIC-400, VirtConfig default), so multiples of 8. 0xF8 is
// the PMR value: an interrupt must be strictly higher (lower value) to be signalled.
constexpr unsigned kPrioLevels = 0xF0 / 8 + 1;  // 0x00 .. 0xF0

// ---- register layouts --------------------------------------------------------------------
// GICv2 (IHI 0048B 4.3 distributor, 4.4 / 5.6 CPU interface = GICV layout).
constexpr std::uint32_t GICD_CTLR = 0x000;
constexpr std::uint32_t GICD_IGROUPR = 0x080;
constexpr std::uint32_t GICD_ISENABLER = 0x100;
constexpr std::uint32_t GICD_ISPENDR = 0x200;
constexpr std::uint32_t GICD_ISACTIVER = 0x300;
constexpr std::uint32_t GICD_IPRIORITYR = 0x400;
constexpr std::uint32_t GICD_ITARGETSR = 0x800;
constexpr std::uint32_t GICD_ICFGR = 0xC00;
constexpr std::uint32_t GICD_SGIR = 0xF00;  // TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0]
constexpr std::uint32_t GICV_CTLR = 0x000;  // EnableGrp0 [0], EOImode [9]
constexpr std::uint32_t GICV_PMR = 0x004;
constexpr std::uint32_t GICV_BPR = 0x008;
constexpr std::uint32_t GICV_IAR = 0x00C;   // CPUID [12:10] (SGIs: the source), InterruptID [9:0]
constexpr std::uint32_t GICV_EOIR = 0x010;
constexpr std::uint32_t GICV_RPR = 0x014;
constexpr std::uint32_t GICV_DIR = 0x1000;
constexpr std::uint32_t CTLR_EOImode_v2 = 1u << 9;
// GICv3 (IHI 0069 12.9 GICD with ARE = 1, 12.10/12.11 GICR, 12.2 ICC_CTLR_EL1).
constexpr std::uint32_t GICD_IROUTER = 0x6000;  // IROUTER<n> at 0x6000 + 8n: Aff1 [15:8], Aff0 [7:0]
constexpr std::uint32_t kGicrStride = 0x20000;
constexpr std::uint32_t kSgiBase = 0x10000;
constexpr std::uint32_t GICR_WAKER = 0x0014;
constexpr std::uint32_t GICR_IGROUPR0 = kSgiBase + 0x0080;
constexpr std::uint32_t GICR_ISENABLER0 = kSgiBase + 0x0100;
constexpr std::uint32_t GICR_ISPENDR0 = kSgiBase + 0x0200;
constexpr std::uint32_t GICR_ISACTIVER0 = kSgiBase + 0x0300;
constexpr std::uint32_t GICR_IPRIORITYR = kSgiBase + 0x0400;
constexpr std::uint32_t GICR_ICFGR1 = kSgiBase + 0x0C04;
constexpr std::uint64_t CTLR_EOImode_v3 = 1u << 1;

// ---- a deterministic generator (the same sequence with any standard library) ------------
struct Rng {
    std::uint64_t s;
    explicit Rng(std::uint64_t seed) : s(seed ^ 0x9E3779B97F4A7C15ull) {}
    std::uint64_t next() {  // splitmix64
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
};

struct Violation : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// A refused access or a hypervisor inconsistency inside a Platform; the harness adds the
/// step and its trace.
struct PlatformError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum Kind : unsigned { SpiEdge, SpiLevel, PpiEdge, PpiLevel, Sgi, kKinds };
const char* const kKindName[kKinds] = {"SPI edge", "SPI level", "PPI edge", "PPI level", "SGI"};

struct Counts {
    std::uint64_t injected = 0, merged = 0, acked = 0;
};

/// The harness's view of one interrupt on one target vCPU.
struct Slot {
    bool used = false;
    bool edge = true;
    std::uint8_t prio = 0xA0;
    std::uint8_t pending = 0;  // edge latches: bit per SGI source (GICv2), else bit 0
    bool line = false;         // level: the device's line
    bool acked_assertion = false;  // level: this assertion has been acknowledged
    bool active = false;       // acknowledged, not yet deactivated
};

/// An interrupt the guest acknowledged and has not deactivated.
struct Handling {
    std::uint32_t iar;  // the IAR value, written back to EOIR / DIR
    std::uint32_t intid;
    std::uint8_t prio;
    bool drop_before_eoi;  // level: the handler drops the line just before EOIR
};

/// The last harness events, printed with a violation (what led to it).
struct Event {
    std::uint64_t step;
    const char* what;
    unsigned vcpu;
    std::uint64_t value;
};

struct Options {
    vgic::GicVersion version = vgic::GicVersion::V2;
    bool hw = false;  ///< hw mode: vgic::Gic with the harness as the hypervisor (GICv2 only)
    std::uint64_t interrupts = 1000000;
    std::uint64_t seed = 0x5704u;
    /// Split-EOI guests deactivate (DIR) in nesting order: always the highest-priority
    /// active interrupt of the vCPU. With `dir_any_order` they pick any awaiting one, which
    /// the vm engine does not support for evicted interrupts (docs/MODEL.md, "Known
    /// limitation": EOICount deactivates the evicted actives highest priority first).
    bool dir_any_order = false;
};

/// What the harness decided before anything is programmed.
struct Plan {
    unsigned spi_target[kIntids] = {};
    bool spi_edge[kIntids] = {};
    std::uint8_t prio[kVcpus][kIntids] = {};  // SPIs: in the target's row
    std::uint32_t ppi_cfg_request = 0;         // GICD_ICFGR1 / GICR_ICFGR1 value asked for
    bool split_eoi[kVcpus] = {};
};

/// What the guest found when it read its configuration back.
struct SetUpResult {
    std::uint32_t ppi_cfg[kVcpus] = {};  // ICFGR1 as read back: Int_config[1] = edge
    std::uint8_t group_mask = 0xF8;      // group priority bits under the guest's binary point
};

std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%" PRIX64, v);
    return b;
}

/// The system under test as the guest, the devices and the scheduler see it.
class Platform {
public:
    virtual ~Platform() = default;
    virtual SetUpResult set_up(const Plan& plan) = 0;
    // The guest's CPU interface on vCPU v (no trap).
    virtual std::uint32_t iar(unsigned v) = 0;
    virtual void eoir(unsigned v, std::uint32_t value) = 0;
    virtual void dir(unsigned v, std::uint32_t value) = 0;
    virtual std::uint32_t rpr(unsigned v) = 0;
    virtual bool virq(unsigned v) const = 0;
    // The guest's distributor accesses (traps).
    virtual void send_sgi(unsigned src, std::uint32_t intid, unsigned target) = 0;
    virtual void set_priority(unsigned v, std::uint32_t intid, std::uint8_t prio) = 0;
    /// GICD/GICR ISPENDR and ISACTIVER word `word` as the guest on v reads them; false if
    /// this platform cannot show them independently of the harness.
    virtual bool read_pending_active(unsigned v, std::uint32_t word, std::uint32_t& pend, std::uint32_t& act) = 0;
    // Devices.
    virtual void set_spi_level(std::uint32_t intid, bool level) = 0;
    virtual void set_ppi_level(unsigned v, std::uint32_t intid, bool level) = 0;
    // The scheduler.
    virtual void entry(unsigned v) = 0;
    virtual void exit(unsigned v) = 0;
    virtual bool running(unsigned v) const = 0;
    /// Lets whatever must react to the last step react (kicks, the hypervisor's IRQs).
    virtual void settle() = 0;
    /// The model's own consistency checks and diagnostics counters: the first problem.
    virtual std::string check() = 0;
    /// End of the run: checks only this platform can make ("" = none failed).
    virtual std::string final_check() { return ""; }
    virtual std::string dump(unsigned v) const = 0;
    virtual void report(FILE* out) const = 0;
    virtual const char* name() const = 0;
};

vgic::GicConfig make_config(vgic::GicVersion version) {
    vgic::GicConfig c;
    c.version = version;
    c.num_cpus = kVcpus;
    c.num_spis = kSpis;
    c.priority_bits = 5;
    c.bad_access = vgic::BadAccessPolicy::Error;  // a bad access by the harness is a failure
    c.virt.enabled = true;
    c.virt.num_list_regs = kLrs;
    c.virt.priority_bits = 5;
    c.virt.preemption_bits = 5;
    return c;
}

[[noreturn]] void platform_fail(const std::string& what) { throw PlatformError(what); }

std::string model_check(const vgic::StateCheck& p, const vgic::Diagnostics& d, const char* who) {
    if (p) return std::string("the model's own consistency check (") + who + "::check_state): " + p->describe();
    if (d.bad_access_count() != 0 || d.guest_error_count() != 0)
        return std::string("the model reported ") + std::to_string(d.bad_access_count()) + " bad accesses and " +
               std::to_string(d.guest_error_count()) + " guest errors (last: " + d.last().describe() + ")";
    return "";
}

// ---- vm mode: vgic::VmGic, GICv2 or GICv3 ------------------------------------------------

class VmPlatform final : public Platform {
public:
    explicit VmPlatform(vgic::GicVersion version) : v3_(version == vgic::GicVersion::V3), vm_(make_config(version)) {}

    const char* name() const override { return v3_ ? "vm mode, GICv3" : "vm mode, GICv2"; }

    SetUpResult set_up(const Plan& plan) override {
        SetUpResult r;
        if (v3_) {
            // IHI 0069: GICD_CTLR.ARE with the enables; SPIs into Group 1 (Linux's layout,
            // real-clients.md 1.2); per vCPU: wake the redistributor (GICR_WAKER), SGIs/PPIs
            // Group 1, the ICV_ interface: PMR, BPR1 (below the minimum reads back as the
            // minimum), EOImode, IGRPEN1.
            gicd_wr(0, GICD_CTLR, 0);
            for (std::uint32_t w = 1; w < kIntids / 32; ++w) gicd_wr(0, GICD_IGROUPR + 4 * w, 0xFFFFFFFF);
            gicd_wr(0, GICD_CTLR, 0x13);  // EnableGrp0 | EnableGrp1 | ARE (DS = 1)
        } else {
            gicd_wr(0, GICD_CTLR, 1);  // GICv2: Group 0 forwarding (every interrupt resets to Group 0)
        }
        for (unsigned v = 0; v < kVcpus; ++v) {
            if (v3_) {
                gicr_wr(v, GICR_WAKER, 0);
                gicr_wr(v, GICR_IGROUPR0, 0xFFFFFFFF);
                msr(v, sr::ICC_PMR_EL1, 0xFF);
                msr(v, sr::ICC_BPR1_EL1, 0);
                msr(v, sr::ICC_CTLR_EL1, plan.split_eoi[v] ? CTLR_EOImode_v3 : 0);
                msr(v, sr::ICC_IGRPEN1_EL1, 1);
                // ICC_BPR1_EL1 = N: group priority is priority[7:N] (IHI 0069 4.8.3, ICC_BPR1_EL1).
                const auto bpr = static_cast<unsigned>(mrs(v, sr::ICC_BPR1_EL1) & 7);
                r.group_mask = static_cast<std::uint8_t>(0xFFu << bpr);
                gicr_wr(v, GICR_ICFGR1, plan.ppi_cfg_request);
                r.ppi_cfg[v] = static_cast<std::uint32_t>(gicr_rd(v, GICR_ICFGR1));
            } else {
                gicv_wr(v, GICV_PMR, 0xFF);
                gicv_wr(v, GICV_BPR, 0);
                gicv_wr(v, GICV_CTLR, 1u | (plan.split_eoi[v] ? CTLR_EOImode_v2 : 0));
                // GICV_BPR = N: group priority is priority[7:N+1] (IHI 0048B "Priority grouping").
                const unsigned bpr = gicv_rd(v, GICV_BPR) & 7;
                r.group_mask = static_cast<std::uint8_t>(0xFFu << (bpr + 1));
                gicd_wr(v, GICD_ICFGR + 4, plan.ppi_cfg_request);
                r.ppi_cfg[v] = static_cast<std::uint32_t>(gicd_rd(v, GICD_ICFGR + 4));
            }
            std::uint32_t enable = 0;
            for (std::uint32_t id = 0; id < kNumSgis; ++id) enable |= 1u << id;
            for (std::uint32_t id = kFirstPpi; id < kFirstPpi + kNumPpis; ++id) enable |= 1u << id;
            for (std::uint32_t id = 0; id < 32; ++id)
                if ((enable >> id) & 1u) set_priority(v, id, plan.prio[v][id]);
            if (v3_) gicr_wr(v, GICR_ISENABLER0, enable);
            else gicd_wr(v, GICD_ISENABLER, enable);
        }
        for (std::uint32_t id = 32; id < kIntids; ++id) {
            const unsigned t = plan.spi_target[id];
            set_priority(0, id, plan.prio[t][id]);
            const std::uint32_t cfg_off = GICD_ICFGR + (id / 16) * 4;
            const std::uint32_t edge_bit = 2u << (2 * (id % 16));
            const auto old = static_cast<std::uint32_t>(gicd_rd(0, cfg_off));
            gicd_wr(0, cfg_off, plan.spi_edge[id] ? (old | edge_bit) : (old & ~edge_bit));
            // A single target: GICv2 one ITARGETSR bit, GICv3 IROUTER with IRM = 0, Aff0 = t.
            if (v3_) gicd_wr(0, GICD_IROUTER + 8 * id, t, 8);
            else gicd_wr(0, GICD_ITARGETSR + id, 1u << t, 1);
            gicd_wr(0, GICD_ISENABLER + (id / 32) * 4, 1u << (id % 32));
        }
        return r;
    }

    std::uint32_t iar(unsigned v) override {
        return v3_ ? static_cast<std::uint32_t>(mrs(v, sr::ICC_IAR1_EL1)) : gicv_rd(v, GICV_IAR);
    }
    void eoir(unsigned v, std::uint32_t value) override {
        v3_ ? msr(v, sr::ICC_EOIR1_EL1, value) : gicv_wr(v, GICV_EOIR, value);
    }
    void dir(unsigned v, std::uint32_t value) override { v3_ ? msr(v, sr::ICC_DIR_EL1, value) : gicv_wr(v, GICV_DIR, value); }
    std::uint32_t rpr(unsigned v) override {
        return v3_ ? static_cast<std::uint32_t>(mrs(v, sr::ICC_RPR_EL1)) : gicv_rd(v, GICV_RPR);
    }
    bool virq(unsigned v) const override { return vm_.line(v, vgic::Line::VIrq); }

    void send_sgi(unsigned src, std::uint32_t id, unsigned target) override {
        if (v3_) msr(src, sr::ICC_SGI1R_EL1, (std::uint64_t{id} << 24) | (1u << target));  // TargetList [15:0], INTID [27:24]
        else gicd_wr(src, GICD_SGIR, (1u << (16 + target)) | id);                          // TargetListFilter 0, NSATT 0
    }
    void set_priority(unsigned v, std::uint32_t id, std::uint8_t prio) override {
        if (id >= 32 || !v3_) gicd_wr(v, GICD_IPRIORITYR + id, prio, 1);  // GICv2: SGI/PPI bytes banked per vCPU
        else gicr_wr(v, GICR_IPRIORITYR + id, prio, 1);
    }
    bool read_pending_active(unsigned v, std::uint32_t w, std::uint32_t& pend, std::uint32_t& act) override {
        if (w == 0 && v3_) {
            pend = static_cast<std::uint32_t>(gicr_rd(v, GICR_ISPENDR0));
            act = static_cast<std::uint32_t>(gicr_rd(v, GICR_ISACTIVER0));
        } else {
            pend = static_cast<std::uint32_t>(gicd_rd(v, GICD_ISPENDR + 4 * w));
            act = static_cast<std::uint32_t>(gicd_rd(v, GICD_ISACTIVER + 4 * w));
        }
        return true;
    }
    void set_spi_level(std::uint32_t id, bool level) override { vm_.set_spi_level(id, level); }
    void set_ppi_level(unsigned v, std::uint32_t id, bool level) override { vm_.set_ppi_level(v, id, level); }
    void entry(unsigned v) override { vm_.vcpu_entry(v); }
    void exit(unsigned v) override { vm_.vcpu_exit(v); }
    bool running(unsigned v) const override { return vm_.running(v); }
    /// Kicks are what a running vCPU gets when its LRs must change (a better interrupt, a
    /// maintenance condition); the untimed world performs them at once, so the guest's next
    /// instruction sees the refilled LRs.
    void settle() override { vm_.service_kicks(); }
    std::string check() override { return model_check(vm_.check_state(vm_.export_state()), vm_.diagnostics(), "VmGic"); }
    std::string dump(unsigned v) const override {
        const auto& vif = vm_.vcpu_interface(v);
        std::string s = std::string(vm_.running(v) ? "running" : "stopped") + " HCR " + hex(vif.hcr()) + " LRs";
        for (unsigned i = 0; i < vif.num_list_regs(); ++i) s += " " + hex(vif.lr(i));
        return s;
    }
    void report(FILE* out) const override {
        const vgic::LrEngineStats& st = vm_.stats();
        std::fprintf(out,
                     "  engine: %" PRIu64 " flushes, %" PRIu64 " syncs, %" PRIu64 " LR writes, %" PRIu64 " overflows, %" PRIu64
                     " evictions, %" PRIu64 " kicks (%" PRIu64 " maintenance), %" PRIu64 " EOICount deactivations\n",
                     st.flushes, st.syncs, st.lr_writes, st.overflows, st.evictions, st.kicks, st.maintenance_kicks,
                     st.eoicount_deactivations);
    }

private:
    void gicd_wr(unsigned v, std::uint32_t off, std::uint64_t value, unsigned size = 4) {
        if (!vm_.write_distributor(v, off, size, value).ok()) platform_fail("GICD write " + hex(off) + " refused");
    }
    std::uint64_t gicd_rd(unsigned v, std::uint32_t off) {
        const vgic::AccessResult r = vm_.read_distributor(v, off, 4);
        if (!r.ok()) platform_fail("GICD read " + hex(off) + " refused");
        return r.value;
    }
    void gicr_wr(unsigned v, std::uint32_t off, std::uint64_t value, unsigned size = 4) {
        if (!vm_.write_redistributor(v, v * kGicrStride + off, size, value).ok())
            platform_fail("GICR write " + hex(off) + " refused");
    }
    std::uint64_t gicr_rd(unsigned v, std::uint32_t off) {
        const vgic::AccessResult r = vm_.read_redistributor(v, v * kGicrStride + off, 4);
        if (!r.ok()) platform_fail("GICR read " + hex(off) + " refused");
        return r.value;
    }
    void gicv_wr(unsigned v, std::uint32_t off, std::uint32_t value) {
        if (!vm_.write_cpu_interface(v, off, 4, value).ok()) platform_fail("GICV write " + hex(off) + " refused");
    }
    std::uint32_t gicv_rd(unsigned v, std::uint32_t off) {
        const vgic::AccessResult r = vm_.read_cpu_interface(v, off, 4);
        if (!r.ok()) platform_fail("GICV read " + hex(off) + " refused");
        return static_cast<std::uint32_t>(r.value);
    }
    void msr(unsigned v, std::uint32_t enc, std::uint64_t value) {
        if (!vm_.write_sysreg(v, enc, value).ok()) platform_fail("MSR " + hex(enc) + " refused");
    }
    std::uint64_t mrs(unsigned v, std::uint32_t enc) {
        const vgic::AccessResult r = vm_.read_sysreg(v, enc);
        if (!r.ok()) platform_fail("MRS " + hex(enc) + " refused");
        return r.value;
    }

    bool v3_;
    vgic::VmGic vm_;
};

// ---- hw mode: vgic::Gic (GICv2) with the harness as a minimal hypervisor -------------------
//
// vCPU v is pinned to physical CPU v. The physical distributor routes each SPI to its
// target's CPU; the hypervisor takes every physical interrupt on GICC (EOImode = 1: EOIR is
// the priority drop, DIR the deactivation) and injects it through the list registers of
// GICH (IHI 0048B 5.3.8 GICH_LRn):
//  - edge SPIs/PPIs: HW = 0, deactivated physically at once; the pending latch is the
//    hypervisor's (an edge while the LR is pending merges; while it is active the new
//    instance queues until that LR is deactivated: LR.EOI = 1 brings the hypervisor back);
//  - level SPIs/PPIs: HW = 1 with PhysicalID = the INTID, left active physically; the
//    guest's deactivation deactivates the physical interrupt (5.3.8 "HW"), which fires again
//    if the line is still (or again) high;
//  - SGIs: trapped GICD_SGIR writes, HW = 0 with CPUID = the source, one pending latch per
//    source; one LR per vINTID at a time (two LRs with one vINTID are UNPREDICTABLE).
// Queued interrupts live in a software queue; the LRs always hold the best (a pending LR is
// swapped for a better queued one); no active interrupt is ever evicted, so EOICount must stay
// 0. HW = 0 LRs ask for the EOI maintenance interrupt (LR.EOI = 1) so a freed LR is refilled;
// GICH_HCR.UIE is set while loadable interrupts wait. The maintenance interrupt (PPI 25) is
// taken like any physical interrupt. A descheduled vCPU's GICH state (HCR, VMCR, APR, LRs) is
// saved and an empty interface (HCR.En = 0) loaded; its interrupts queue meanwhile.
namespace lr {
constexpr std::uint32_t kPending = 1;  // State [29:28]: 01 pending, 10 active, 11 both
constexpr std::uint32_t VirtualID(std::uint32_t v) { return v & 0x3FF; }
constexpr std::uint32_t CPUID(std::uint32_t v) { return (v >> 10) & 7; }
constexpr std::uint32_t State(std::uint32_t v) { return (v >> 28) & 3; }
} // namespace lr
constexpr std::uint32_t GICC_CTLR = 0x000, GICC_PMR = 0x004, GICC_IAR = 0x00C, GICC_EOIR = 0x010, GICC_DIR = 0x1000;
constexpr std::uint32_t GICH_HCR = 0x000, GICH_VMCR = 0x008, GICH_MISR = 0x010, GICH_APR = 0x0F0,
                        GICH_LR0 = 0x100;
constexpr std::uint32_t HCR_En = 1u << 0, HCR_UIE = 1u << 1;
constexpr std::uint32_t MISR_EOI = 1u << 0, MISR_U = 1u << 1;
constexpr std::uint32_t kMaintenanceIntid = 25;  // VirtConfig default

class HwPlatform final : public Platform {
public:
    HwPlatform() : gic_(make_config(vgic::GicVersion::V2)) {}

    const char* name() const override { return "hw mode, GICv2, the harness as hypervisor"; }

    SetUpResult set_up(const Plan& plan) override {
        SetUpResult r;
        // The physical side (the hypervisor's own GIC set-up): Group 0, every SPI to its
        // target's CPU, edge/level as planned, priority 0xA0; per CPU the PPIs 16-23 and the
        // maintenance PPI; GICC with EOImode = 1.
        gicd_wr(0, GICD_CTLR, 1);
        for (std::uint32_t id = 32; id < kIntids; ++id) {
            const unsigned t = plan.spi_target[id];
            edge_[id] = plan.spi_edge[id];
            spi_target_[id] = t;
            gicd_wr(0, GICD_IPRIORITYR + id, 0xA0, 1);
            gicd_wr(0, GICD_ITARGETSR + id, 1u << t, 1);
            const std::uint32_t cfg_off = GICD_ICFGR + (id / 16) * 4;
            const std::uint32_t edge_bit = 2u << (2 * (id % 16));
            const auto old = gicd_rd(0, cfg_off);
            gicd_wr(0, cfg_off, plan.spi_edge[id] ? (old | edge_bit) : (old & ~edge_bit));
            gicd_wr(0, GICD_ISENABLER + (id / 32) * 4, 1u << (id % 32));
        }
        for (unsigned p = 0; p < kVcpus; ++p) {
            gicd_wr(p, GICD_ICFGR + 4, plan.ppi_cfg_request);
            // The guest's (emulated) ICFGR1 shows the physical configuration.
            r.ppi_cfg[p] = gicd_rd(p, GICD_ICFGR + 4);
            std::uint32_t enable = 1u << kMaintenanceIntid;
            for (std::uint32_t id = kFirstPpi; id < kFirstPpi + kNumPpis; ++id) {
                enable |= 1u << id;
                gicd_wr(p, GICD_IPRIORITYR + id, 0xA0, 1);
            }
            gicd_wr(p, GICD_IPRIORITYR + kMaintenanceIntid, 0x80, 1);
            gicd_wr(p, GICD_ISENABLER, enable);
            gicc_wr(p, GICC_PMR, 0xFF);
            gicc_wr(p, GICC_CTLR, 1u | CTLR_EOImode_v2);
            // The hypervisor's virtual distributor: priorities, triggers.
            for (std::uint32_t id = 0; id < 32; ++id) vprio_[p][id] = plan.prio[p][id];
            for (std::uint32_t id = kFirstPpi; id < kFirstPpi + kNumPpis; ++id)
                ppi_edge_[p][id - 16] = ((r.ppi_cfg[p] >> (2 * (id - 16) + 1)) & 1u) != 0;
            // The virtual interface: enabled, then the guest programs GICV.
            gich_wr(p, GICH_HCR, HCR_En);
            hcr_[p] = HCR_En;
            running_[p] = true;
            gicv_wr(p, GICV_PMR, 0xFF);
            gicv_wr(p, GICV_BPR, 0);
            gicv_wr(p, GICV_CTLR, 1u | (plan.split_eoi[p] ? CTLR_EOImode_v2 : 0));
            const unsigned bpr = gicv_rd(p, GICV_BPR) & 7;
            r.group_mask = static_cast<std::uint8_t>(0xFFu << (bpr + 1));
            for (unsigned i = 0; i < kLrs; ++i) lr_id_[p][i] = -1;
        }
        for (std::uint32_t id = 32; id < kIntids; ++id) vprio_[plan.spi_target[id]][id] = plan.prio[plan.spi_target[id]][id];
        return r;
    }

    std::uint32_t iar(unsigned v) override { return gicv_rd(v, GICV_IAR); }
    void eoir(unsigned v, std::uint32_t value) override { gicv_wr(v, GICV_EOIR, value); }
    void dir(unsigned v, std::uint32_t value) override { gicv_wr(v, GICV_DIR, value); }
    std::uint32_t rpr(unsigned v) override { return gicv_rd(v, GICV_RPR); }
    bool virq(unsigned v) const override { return gic_.line(v, vgic::Line::VIrq); }

    void send_sgi(unsigned src, std::uint32_t id, unsigned target) override {
        // The trapped GICD_SGIR write: the hypervisor latches the SGI per source (as a
        // GICv2 distributor does) and kicks the target; the sender exits and re-enters too.
        ++hyp_.sgi_traps;
        sgi_src_[target][id] |= static_cast<std::uint8_t>(1u << src);
        dirty_[target] = dirty_[src] = true;
    }
    void set_priority(unsigned v, std::uint32_t id, std::uint8_t prio) override {
        // The trapped GICD_IPRIORITYR write: the virtual distributor's priority (the guest
        // only rewrites an interrupt that is neither pending nor active, so no LR holds it).
        const unsigned owner = id < 32 ? v : spi_target_[id];
        vprio_[owner][id] = prio;
    }
    bool read_pending_active(unsigned, std::uint32_t, std::uint32_t&, std::uint32_t&) override { return false; }
    void set_spi_level(std::uint32_t id, bool level) override { gic_.set_spi_level(id, level); }
    void set_ppi_level(unsigned v, std::uint32_t id, bool level) override { gic_.set_ppi_level(v, id, level); }

    void exit(unsigned v) override {
        if (!running_[v]) return;
        // Save the vCPU's virtual interface through GICH, then load an empty one.
        Saved& s = saved_[v];
        s.hcr = gich_rd(v, GICH_HCR);
        s.vmcr = gich_rd(v, GICH_VMCR);
        s.apr = gich_rd(v, GICH_APR);
        for (unsigned i = 0; i < kLrs; ++i) {
            s.lrs[i] = gich_rd(v, GICH_LR0 + 4 * i);
            gich_wr(v, GICH_LR0 + 4 * i, 0);
        }
        gich_wr(v, GICH_APR, 0);
        gich_wr(v, GICH_HCR, 0);
        running_[v] = false;
        ++hyp_.switches;
    }
    void entry(unsigned v) override {
        if (running_[v]) return;
        const Saved& s = saved_[v];
        gich_wr(v, GICH_VMCR, s.vmcr);
        gich_wr(v, GICH_APR, s.apr);
        for (unsigned i = 0; i < kLrs; ++i) gich_wr(v, GICH_LR0 + 4 * i, s.lrs[i]);
        gich_wr(v, GICH_HCR, s.hcr);
        hcr_[v] = s.hcr;
        running_[v] = true;
        service(v);  // what queued while it was descheduled, before it runs
        dirty_[v] = false;
        ++hyp_.switches;
    }
    bool running(unsigned v) const override { return running_[v]; }

    void settle() override {
        for (unsigned round = 0;; ++round) {
            if (round == 1000) platform_fail("hypervisor: the physical interrupts and kicks did not settle in 1000 rounds");
            bool busy = false;
            for (unsigned p = 0; p < kVcpus; ++p) {
                if (gic_.line(p, vgic::Line::Irq)) {
                    take_physical(p);
                    busy = true;
                }
                if (dirty_[p] && running_[p]) {
                    dirty_[p] = false;
                    service(p);
                    busy = true;
                }
            }
            if (!busy) return;
        }
    }

    std::string check() override {
        std::string r = model_check(gic_.check_state(gic_.export_state()), gic_.diagnostics(), "Gic");
        if (!r.empty()) return r;
        // No active interrupt is ever evicted, so every guest EOI / DIR matches an LR.
        for (unsigned v = 0; v < kVcpus; ++v) {
            const std::uint32_t hcr = running_[v] ? gich_rd(v, GICH_HCR) : saved_[v].hcr;
            if ((hcr >> 27) != 0)
                return "vCPU " + std::to_string(v) + ": GICH_HCR.EOICount = " + std::to_string(hcr >> 27) +
                       " although no active interrupt was ever outside the list registers";
        }
        return "";
    }
    std::string final_check() override {
        // Every physical interrupt deactivated (the HW = 1 ones by the guest's deactivation)
        // and none pending: GICD_ISACTIVER / ISPENDR read 0 for the storm's INTIDs.
        for (unsigned p = 0; p < kVcpus; ++p)
            for (std::uint32_t w = 0; w < kIntids / 32; ++w) {
                const std::uint32_t mask = w == 0 ? 0x00FF0000u : 0xFFFFFFFFu;  // PPIs 16-23
                const std::uint32_t act = gicd_rd(p, GICD_ISACTIVER + 4 * w) & mask;
                const std::uint32_t pend = gicd_rd(p, GICD_ISPENDR + 4 * w) & mask;
                if (act != 0 || pend != 0)
                    return "physical CPU " + std::to_string(p) + " GICD_ISACTIVER" + std::to_string(w) + " = " + hex(act) +
                           ", GICD_ISPENDR" + std::to_string(w) + " = " + hex(pend) + " after the drain";
            }
        return "";
    }
    std::string dump(unsigned v) const override {
        const auto& vif = gic_.virtual_interface(v);
        std::string s = std::string(running_[v] ? "running" : "stopped") + " HCR " + hex(vif.hcr()) + " LRs";
        for (unsigned i = 0; i < vif.num_list_regs(); ++i) s += " " + hex(vif.lr(i));
        if (!running_[v]) {
            s += " saved LRs";
            for (unsigned i = 0; i < kLrs; ++i) s += " " + hex(saved_[v].lrs[i]);
        }
        return s;
    }
    void report(FILE* out) const override {
        std::fprintf(out,
                     "  hypervisor: %" PRIu64 " physical IRQs (%" PRIu64 " maintenance: %" PRIu64 " EOI, %" PRIu64
                     " underflow), %" PRIu64 " SGI traps, %" PRIu64 " LR loads, %" PRIu64 " LR swaps, %" PRIu64
                     " queued behind their active LR, %" PRIu64 " merges in LRs, %" PRIu64 " GICH saves/restores, max queue %zu\n",
                     hyp_.physical, hyp_.maintenance, hyp_.misr_eoi, hyp_.misr_u, hyp_.sgi_traps, hyp_.loads, hyp_.swaps,
                     hyp_.behind_active, hyp_.merges, hyp_.switches, hyp_.max_queue);
    }

private:
    struct Saved {
        std::uint32_t hcr = 0, vmcr = 0, apr = 0;
        std::uint32_t lrs[kLrs] = {};
    };
    struct Candidate {
        std::uint8_t prio;
        std::uint32_t id;
        unsigned src;
        bool operator<(const Candidate& o) const {
            return prio != o.prio ? prio < o.prio : id != o.id ? id < o.id : src < o.src;
        }
    };

    bool is_edge(unsigned v, std::uint32_t id) const {
        if (id < 16) return true;
        if (id < 32) return ppi_edge_[v][id - 16];
        return edge_[id];
    }
    /// A physical interrupt on CPU p: GICC_IAR, priority drop, and either the maintenance
    /// handler or an injection for vCPU p.
    void take_physical(unsigned p) {
        const std::uint32_t value = gicc_rd(p, GICC_IAR);
        const std::uint32_t id = value & 0x3FF;
        if (id == kSpurious) platform_fail("hypervisor: physical IRQ line of CPU " + std::to_string(p) + " high, GICC_IAR spurious");
        ++hyp_.physical;
        gicc_wr(p, GICC_EOIR, value);  // EOImode = 1: priority drop only
        if (id == kMaintenanceIntid) {
            ++hyp_.maintenance;
            const std::uint32_t misr = gich_rd(p, GICH_MISR);
            hyp_.misr_eoi += (misr & MISR_EOI) ? 1 : 0;
            hyp_.misr_u += (misr & MISR_U) ? 1 : 0;
            service(p);
            gicc_wr(p, GICC_DIR, value);
            return;
        }
        if (id >= kIntids || id < kFirstPpi || (id >= kFirstPpi + kNumPpis && id < 32) ||
            (id >= 32 && spi_target_[id] != p))
            platform_fail("hypervisor: physical INTID " + std::to_string(id) + " taken on CPU " + std::to_string(p));
        if (is_edge(p, id)) gicc_wr(p, GICC_DIR, value);  // HW = 0: the physical side is done
        // else: stays active until the guest deactivates the HW = 1 LR
        vpend_[p][id] = true;
        dirty_[p] = true;
    }

    std::uint32_t make_lr(unsigned v, const Candidate& c) const {
        const std::uint32_t prio = (std::uint32_t{vprio_[v][c.id]} >> 3) << 23;
        if (!is_edge(v, c.id)) return c.id | (c.id << 10) | prio | (lr::kPending << 28) | (1u << 31);  // HW = 1
        return c.id | (c.src << 10) | (1u << 19) | prio | (lr::kPending << 28);                          // EOI = 1
    }

    /// The hypervisor's view of vCPU v's LRs becomes consistent with its queue: retire
    /// deactivated LRs, fold newly pending instances into LRs that hold their INTID, load the
    /// best queued interrupts into free LRs, swap a pending LR for a better queued one, and
    /// arm the underflow maintenance interrupt while loadable interrupts wait.
    void service(unsigned v) {
        std::uint32_t lrs[kLrs];
        for (unsigned i = 0; i < kLrs; ++i) {
            lrs[i] = gich_rd(v, GICH_LR0 + 4 * i);
            if (lr_id_[v][i] < 0) continue;
            if (lr::State(lrs[i]) == 0) {  // deactivated by the guest
                lr_id_[v][i] = -1;
                if (lrs[i] != 0) gich_wr(v, GICH_LR0 + 4 * i, 0);  // clears its EISR bit
                lrs[i] = 0;
                continue;
            }
            const std::uint32_t id = lr::VirtualID(lrs[i]);
            const bool pending_latched = id < 16 ? ((sgi_src_[v][id] >> lr::CPUID(lrs[i])) & 1u) != 0 : vpend_[v][id];
            if (!pending_latched) continue;
            if (!is_edge(v, id)) platform_fail("hypervisor: level INTID " + std::to_string(id) + " fired while in an LR");
            if (lr::State(lrs[i]) & lr::kPending) {  // already pending: the edges merge
                ++hyp_.merges;
                if (id < 16) sgi_src_[v][id] &= static_cast<std::uint8_t>(~(1u << lr::CPUID(lrs[i])));
                else vpend_[v][id] = false;
            } else {
                // Active: the new pending instance stays queued until the guest deactivates
                // this LR (EOI maintenance), rather than making the LR pending and active: that
                // LR would turn pending-only at the guest's EOI with no hypervisor run, ahead
                // of better interrupts still queued.
                ++hyp_.behind_active;
            }
        }
        // The queue, best first.
        std::vector<Candidate> q;
        for (std::uint32_t id = 0; id < kIntids; ++id) {
            if (id < 16) {
                for (unsigned src = 0; src < kVcpus; ++src)
                    if ((sgi_src_[v][id] >> src) & 1u) q.push_back({vprio_[v][id], id, src});
            } else if (vpend_[v][id]) {
                q.push_back({vprio_[v][id], id, 0});
            }
        }
        std::sort(q.begin(), q.end());
        hyp_.max_queue = std::max(hyp_.max_queue, q.size());
        bool waiting = false;
        for (const Candidate& c : q) {
            bool dup = false;
            for (unsigned i = 0; i < kLrs; ++i) dup = dup || lr_id_[v][i] == static_cast<int>(c.id);
            if (dup) continue;  // an SGI from another source: after that LR frees (EOI maintenance)
            int slot = -1;
            for (unsigned i = 0; i < kLrs && slot < 0; ++i)
                if (lr_id_[v][i] < 0) slot = static_cast<int>(i);
            if (slot < 0) {
                // No free LR: take out the worst pending-only LR if c is better.
                int worst = -1;
                for (unsigned i = 0; i < kLrs; ++i)
                    if (lr::State(lrs[i]) == lr::kPending &&
                        (worst < 0 || lr_prio(lrs[i]) > lr_prio(lrs[static_cast<unsigned>(worst)]) ||
                         (lr_prio(lrs[i]) == lr_prio(lrs[static_cast<unsigned>(worst)]) &&
                          lr::VirtualID(lrs[i]) > lr::VirtualID(lrs[static_cast<unsigned>(worst)]))))
                        worst = static_cast<int>(i);
                if (worst < 0 || lr_prio(lrs[static_cast<unsigned>(worst)]) <= c.prio) {
                    waiting = true;
                    break;  // the rest is no better
                }
                const unsigned w = static_cast<unsigned>(worst);
                const std::uint32_t out = lr::VirtualID(lrs[w]);
                if (out < 16) sgi_src_[v][out] |= static_cast<std::uint8_t>(1u << lr::CPUID(lrs[w]));
                else vpend_[v][out] = true;
                ++hyp_.swaps;
                slot = worst;
            }
            const unsigned i = static_cast<unsigned>(slot);
            lrs[i] = make_lr(v, c);
            gich_wr(v, GICH_LR0 + 4 * i, lrs[i]);
            lr_id_[v][i] = static_cast<int>(c.id);
            if (c.id < 16) sgi_src_[v][c.id] &= static_cast<std::uint8_t>(~(1u << c.src));
            else vpend_[v][c.id] = false;
            ++hyp_.loads;
        }
        // Still waiting: anything queued whose INTID has no LR (those behind an LR of their
        // own INTID come back through that LR's EOI maintenance), including what a swap
        // just took out.
        for (std::uint32_t id = 0; id < kIntids && !waiting; ++id) {
            if (!(id < 16 ? sgi_src_[v][id] != 0 : vpend_[v][id])) continue;
            bool in_lr = false;
            for (unsigned i = 0; i < kLrs; ++i) in_lr = in_lr || lr_id_[v][i] == static_cast<int>(id);
            waiting = !in_lr;
        }
        const std::uint32_t hcr = HCR_En | (waiting ? HCR_UIE : 0);
        if (hcr != hcr_[v]) {
            gich_wr(v, GICH_HCR, hcr);
            hcr_[v] = hcr;
        }
    }
    static std::uint8_t lr_prio(std::uint32_t lr) { return static_cast<std::uint8_t>(((lr >> 23) & 0x1F) << 3); }

    std::uint32_t gicd_rd(unsigned p, std::uint32_t off) {
        const vgic::AccessResult r = gic_.read_distributor(p, off, 4);
        if (!r.ok()) platform_fail("GICD read " + hex(off) + " refused");
        return static_cast<std::uint32_t>(r.value);
    }
    void gicd_wr(unsigned p, std::uint32_t off, std::uint32_t value, unsigned size = 4) {
        if (!gic_.write_distributor(p, off, size, value).ok()) platform_fail("GICD write " + hex(off) + " refused");
    }
    std::uint32_t gicc_rd(unsigned p, std::uint32_t off) {
        const vgic::AccessResult r = gic_.read_cpu_interface(p, off, 4);
        if (!r.ok()) platform_fail("GICC read " + hex(off) + " refused");
        return static_cast<std::uint32_t>(r.value);
    }
    void gicc_wr(unsigned p, std::uint32_t off, std::uint32_t value) {
        if (!gic_.write_cpu_interface(p, off, 4, value).ok()) platform_fail("GICC write " + hex(off) + " refused");
    }
    std::uint32_t gich_rd(unsigned p, std::uint32_t off) const {
        const vgic::AccessResult r = const_cast<vgic::Gic&>(gic_).read_hyp_control(p, off, 4);
        if (!r.ok()) platform_fail("GICH read " + hex(off) + " refused");
        return static_cast<std::uint32_t>(r.value);
    }
    void gich_wr(unsigned p, std::uint32_t off, std::uint32_t value) {
        if (!gic_.write_hyp_control(p, off, 4, value).ok()) platform_fail("GICH write " + hex(off) + " refused");
    }
    std::uint32_t gicv_rd(unsigned p, std::uint32_t off) {
        const vgic::AccessResult r = gic_.read_virtual_cpu_interface(p, off, 4);
        if (!r.ok()) platform_fail("GICV read " + hex(off) + " refused");
        return static_cast<std::uint32_t>(r.value);
    }
    void gicv_wr(unsigned p, std::uint32_t off, std::uint32_t value) {
        if (!gic_.write_virtual_cpu_interface(p, off, 4, value).ok()) platform_fail("GICV write " + hex(off) + " refused");
    }

    struct HypStats {
        std::uint64_t physical = 0, maintenance = 0, misr_eoi = 0, misr_u = 0, sgi_traps = 0, loads = 0, swaps = 0,
                      behind_active = 0, merges = 0, switches = 0;
        std::size_t max_queue = 0;
    };

    vgic::Gic gic_;
    bool edge_[kIntids] = {};
    bool ppi_edge_[kVcpus][kNumPpis] = {};
    unsigned spi_target_[kIntids] = {};
    std::uint8_t vprio_[kVcpus][kIntids] = {};
    bool vpend_[kVcpus][kIntids] = {};      // queued (HW = 0 edge latch, or HW = 1 taken physically)
    std::uint8_t sgi_src_[kVcpus][16] = {};  // queued SGI sources
    int lr_id_[kVcpus][kLrs] = {};           // the vINTID the hypervisor loaded into each LR, -1 none
    std::uint32_t hcr_[kVcpus] = {};
    bool running_[kVcpus] = {};
    bool dirty_[kVcpus] = {};
    Saved saved_[kVcpus];
    HypStats hyp_;
};

// ---- the harness ---------------------------------------------------------------------------

class Storm {
public:
    Storm(const Options& o, std::unique_ptr<Platform> platform) : opt_(o), rng_(o.seed), plat_(std::move(platform)) {
        set_up();
    }

    void run();
    void report(FILE* out) const;
    std::uint64_t step() const { return step_; }

private:
    [[noreturn]] void fail(const std::string& what) const {
        std::string msg = "step " + std::to_string(step_) + ": " + what + "\n  the last harness events:";
        for (std::size_t k = 0; k < kTrace; ++k) {
            const Event& e = trace_[(trace_next_ + k) % kTrace];
            if (e.what == nullptr) continue;
            msg += "\n    step " + std::to_string(e.step) + " vCPU " + std::to_string(e.vcpu) + " " + e.what + " " + hex(e.value);
        }
        for (unsigned v = 0; v < kVcpus; ++v) {
            msg += "\n  vCPU " + std::to_string(v) + " " + plat_->dump(v) + "; harness stack";
            for (const Handling& h : stack_[v]) msg += " " + hex(h.iar) + "@" + hex(h.prio);
            msg += "; awaiting DIR";
            for (const Handling& h : await_dir_[v]) msg += " " + hex(h.iar);
        }
        throw Violation(msg);
    }
    static constexpr std::size_t kTrace = 48;
    void note(const char* what, unsigned v, std::uint64_t value) {
        trace_[trace_next_] = {step_, what, v, value};
        trace_next_ = (trace_next_ + 1) % kTrace;
    }

    // The guest's CPU interface.
    std::uint32_t iar(unsigned v) { return plat_->iar(v); }
    void eoir(unsigned v, std::uint32_t value) { plat_->eoir(v, value); }
    void dir(unsigned v, std::uint32_t value) { plat_->dir(v, value); }
    std::uint32_t rpr(unsigned v) { return plat_->rpr(v); }
    bool virq(unsigned v) const { return plat_->virq(v); }
    std::uint8_t random_prio() { return static_cast<std::uint8_t>(rng_.below(kPrioLevels) * 8); }

    void set_up();
    Slot& slot_of(unsigned v, std::uint32_t intid) { return slots_[v][intid]; }
    Kind kind_of(std::uint32_t intid, const Slot& s) const {
        if (intid < 16) return Sgi;
        if (intid < 32) return s.edge ? PpiEdge : PpiLevel;
        return s.edge ? SpiEdge : SpiLevel;
    }
    void set_line(unsigned target, std::uint32_t intid, bool level) {
        note(level ? "level high" : "level low", target, intid);
        if (intid >= 32) plat_->set_spi_level(intid, level);
        else plat_->set_ppi_level(target, intid, level);
    }

    // ---- the actors ------------------------------------------------------------------------
    void device_step();
    void send_sgi(unsigned src);
    void edge(unsigned target, std::uint32_t intid, unsigned src);
    void guest_step(unsigned v);
    void acknowledge(unsigned v, bool expect_interrupt);
    void end_of_interrupt(unsigned v);
    void deactivate(unsigned v, std::size_t index);
    int dir_candidate(unsigned v);
    void rewrite_priority(unsigned v);
    void schedule();
    void settle() { plat_->settle(); }
    void check_model(const char* when);
    void storm();
    void drain();
    void final_checks();
    void check_pending_active(unsigned v);

    /// Group priority under the guest's binary point (all five implemented bits here).
    std::uint8_t group(std::uint8_t prio) const { return static_cast<std::uint8_t>(prio & gmask_); }
    std::uint8_t running_priority(unsigned v) const {
        return stack_[v].empty() ? 0xFF : group(stack_[v].back().prio);
    }

    Options opt_;
    Rng rng_;
    std::unique_ptr<Platform> plat_;
    bool v3_ = false;
    std::uint8_t gmask_ = 0xF8;
    Event trace_[kTrace] = {};
    std::size_t trace_next_ = 0;

    Slot slots_[kVcpus][kIntids];
    unsigned spi_target_[kIntids] = {};
    std::vector<std::uint32_t> spis_;                // the SPIs in use
    std::vector<std::uint32_t> targets_of_[kVcpus];  // every INTID whose slot on v is used
    bool split_eoi_[kVcpus] = {};
    std::vector<Handling> stack_[kVcpus];      // acknowledged, priority not dropped (nesting order)
    std::vector<Handling> await_dir_[kVcpus];  // split EOI: priority dropped, not deactivated
    std::uint64_t next_switch_[kVcpus] = {};

    Counts counts_[kKinds];
    std::uint64_t step_ = 0;
    std::uint64_t switches_ = 0, rewrites_ = 0, dirs_ = 0, spurious_reads_ = 0, preemptions_ = 0, rpr_checks_ = 0;
    std::uint64_t state_checks_ = 0, drain_rounds_ = 0, pa_checks_ = 0, idle_checks_ = 0;
    std::size_t max_nesting_ = 0, max_in_flight_ = 0;
};

void Storm::set_up() {
    // The plan: which INTIDs the storm uses, their trigger (PPIs: asked for, then taken as
    // ICFGR1 reads back, since PPI configuration may be fixed), targets and priorities.
    // SPIs have a single target each (GICv2 ITARGETSR one bit, GICv3 IROUTER with IRM = 0),
    // so their state lives in one slot.
    v3_ = opt_.version == vgic::GicVersion::V3;
    Plan plan;
    for (std::uint32_t id = 32; id < kIntids; ++id) {
        spis_.push_back(id);
        spi_target_[id] = plan.spi_target[id] = rng_.below(kVcpus);
        plan.spi_edge[id] = rng_.chance(50);
        plan.prio[spi_target_[id]][id] = random_prio();
    }
    for (unsigned k = 0; k < kNumPpis; ++k)
        if (k < kNumPpis / 2) plan.ppi_cfg_request |= 2u << (2 * k);  // PPIs 16-19 edge, 20-23 level
    for (unsigned v = 0; v < kVcpus; ++v) {
        plan.split_eoi[v] = split_eoi_[v] = (v % 2) == 1;  // odd vCPUs: EOImode = 1 (priority drop, then DIR)
        for (std::uint32_t id = 0; id < kNumSgis; ++id) plan.prio[v][id] = random_prio();
        for (std::uint32_t id = kFirstPpi; id < kFirstPpi + kNumPpis; ++id) plan.prio[v][id] = random_prio();
    }
    const SetUpResult r = plat_->set_up(plan);
    gmask_ = r.group_mask;
    for (unsigned v = 0; v < kVcpus; ++v) {
        for (std::uint32_t id = 0; id < kNumSgis; ++id) {
            Slot& s = slot_of(v, id);
            s.used = true;
            s.edge = true;  // SGIs are always edge (ICFGR0 is read-only)
            s.prio = plan.prio[v][id];
            targets_of_[v].push_back(id);
        }
        for (std::uint32_t id = kFirstPpi; id < kFirstPpi + kNumPpis; ++id) {
            Slot& s = slot_of(v, id);
            s.used = true;
            s.edge = ((r.ppi_cfg[v] >> (2 * (id - 16) + 1)) & 1u) != 0;
            s.prio = plan.prio[v][id];
            targets_of_[v].push_back(id);
        }
    }
    for (const std::uint32_t id : spis_) {
        Slot& s = slot_of(spi_target_[id], id);
        s.used = true;
        s.edge = plan.spi_edge[id];
        s.prio = plan.prio[spi_target_[id]][id];
        targets_of_[spi_target_[id]].push_back(id);
    }
    // Half of the vCPUs start running; every vCPU then alternates run / descheduled.
    for (unsigned v = 0; v < kVcpus; ++v) {
        if (v % 2 == 0) plat_->entry(v);
        else plat_->exit(v);
        next_switch_[v] = 1 + rng_.below(2000);
    }
    settle();
    check_model("after the set-up");
}

void Storm::check_model(const char* when) {
    ++state_checks_;
    if (const std::string p = plat_->check(); !p.empty()) fail(std::string(when) + ": " + p);
}

/// The guest on running vCPU `v` reads the pending and active registers (a trap: the engine
/// syncs the vCPUs that hold LRs, so the registers show exact state, IHI 0048B 4.3.7-4.3.10,
/// IHI 0069 GICD/GICR_ISPENDR/ISACTIVER) and they must match the harness's books: pending =
/// an edge latch set (any SGI source) or a level line high; active = acknowledged and not yet
/// deactivated. Words 1-2 are the SPIs; word 0 is v's own SGIs/PPIs (GICv2 GICD banked,
/// GICv3 its redistributor's SGI_base).
void Storm::check_pending_active(unsigned v) {
    for (std::uint32_t w = 0; w < kIntids / 32; ++w) {
        std::uint32_t pend = 0, act = 0;
        if (!plat_->read_pending_active(v, w, pend, act)) return;
        if (w == 0) ++pa_checks_;
        for (unsigned b = 0; b < 32; ++b) {
            const std::uint32_t id = w * 32 + b;
            const unsigned owner = id < 32 ? v : spi_target_[id];
            const Slot& s = slot_of(owner, id);
            if (!s.used) continue;
            const bool want_pend = s.edge ? s.pending != 0 : s.line;
            const bool got_pend = ((pend >> b) & 1u) != 0, got_act = ((act >> b) & 1u) != 0;
            if (got_pend != want_pend || got_act != s.active)
                fail("vCPU " + std::to_string(v) + " reads INTID " + std::to_string(id) + " (target vCPU " +
                     std::to_string(owner) + ") as " + (got_pend ? "pending" : "not pending") + ", " +
                     (got_act ? "active" : "inactive") + "; the harness has it " + (want_pend ? "pending" : "not pending") +
                     ", " + (s.active ? "active" : "inactive"));
        }
    }
}

void Storm::edge(unsigned target, std::uint32_t intid, unsigned src) {
    Slot& s = slot_of(target, intid);
    Counts& c = counts_[kind_of(intid, s)];
    note("edge", target, intid | (src << 10));
    ++c.injected;
    const std::uint8_t bit = static_cast<std::uint8_t>(1u << src);
    if (s.pending & bit) ++c.merged;  // the pending latch is one bit: the edges merge
    s.pending |= bit;
}

void Storm::device_step() {
    // SPIs are three quarters of the device traffic, PPIs the rest.
    if (rng_.chance(75)) {
        const std::uint32_t id = spis_[rng_.below(static_cast<unsigned>(spis_.size()))];
        const unsigned t = spi_target_[id];
        Slot& s = slot_of(t, id);
        if (s.edge) {
            edge(t, id, 0);
            plat_->set_spi_level(id, true);
            plat_->set_spi_level(id, false);
        } else if (!s.line) {
            ++counts_[SpiLevel].injected;
            note("level high", t, id);
            s.line = true;
            s.acked_assertion = false;
            plat_->set_spi_level(id, true);
        }
    } else {
        const unsigned v = rng_.below(kVcpus);
        const std::uint32_t id = kFirstPpi + rng_.below(kNumPpis);
        Slot& s = slot_of(v, id);
        if (s.edge) {
            edge(v, id, 0);
            plat_->set_ppi_level(v, id, true);
            plat_->set_ppi_level(v, id, false);
        } else if (!s.line) {
            ++counts_[PpiLevel].injected;
            note("level high", v, id);
            s.line = true;
            s.acked_assertion = false;
            plat_->set_ppi_level(v, id, true);
        }
    }
}

void Storm::send_sgi(unsigned src) {
    const std::uint32_t id = rng_.below(kNumSgis);
    const unsigned target = rng_.below(kVcpus);  // may be the sender itself
    // GICv2: one pending latch per source CPU (IHI 0048B, SGIs in the "N-N model": the
    // distributor keeps a pending state per source); GICv3 with ARE: one per INTID and target.
    edge(target, id, v3_ ? 0 : src);
    plat_->send_sgi(src, id, target);  // GICv2 GICD_SGIR, GICv3 ICC_SGI1R_EL1: a trap
}

void Storm::acknowledge(unsigned v, bool expect_interrupt) {
    const std::uint32_t value = iar(v);
    note("IAR", v, value);
    const std::uint32_t id = value & 0x3FF;
    if (id == kSpurious) {
        if (expect_interrupt) fail("vCPU " + std::to_string(v) + ": vIRQ was high but IAR returned 1023 (spurious)");
        ++spurious_reads_;
        return;
    }
    const std::string who = "vCPU " + std::to_string(v) + ": IAR returned " + hex(value);
    if (!expect_interrupt) fail(who + " while its vIRQ line was low");
    if (id >= kIntids || !slot_of(v, id).used)
        fail(who + ": INTID " + std::to_string(id) + " is not one the harness uses on this vCPU" +
             (id >= 32 && id < kIntids ? " (its target is vCPU " + std::to_string(spi_target_[id]) + ")" : ""));
    const unsigned src = (!v3_ && id < 16) ? ((value >> 10) & 7) : 0;
    if (v3_ && (value >> 10) != 0) fail(who + ": a GICv3 INTID has no source field");
    if (!v3_ && id >= 16 && (value >> 10) != 0) fail(who + ": CPUID must be 0 for a PPI or SPI");
    Slot& s = slot_of(v, id);
    Counts& c = counts_[kind_of(id, s)];
    if (s.active) fail(who + ": INTID is still active on this vCPU (acknowledged twice)");
    if (s.edge) {
        const std::uint8_t bit = static_cast<std::uint8_t>(1u << src);
        if (!(s.pending & bit))
            fail(who + ": no edge pending for it (phantom, or acknowledged twice)" +
                 (id < 16 ? " from source " + std::to_string(src) : ""));
        s.pending &= static_cast<std::uint8_t>(~bit);
    } else {
        if (!s.line) fail(who + ": level interrupt whose line is low");
        if (s.acked_assertion) fail(who + ": this assertion of the level interrupt was already acknowledged");
        s.acked_assertion = true;
    }
    // Preemption (IHI 0048B 3.3, IHI 0069 4.8): the acknowledged interrupt's group priority
    // is higher than the running priority.
    const std::uint8_t running = running_priority(v);
    if (group(s.prio) >= running)
        fail(who + ": priority " + hex(s.prio) + " cannot preempt the running priority " + hex(running));
    // Highest priority first: no interrupt pending for this vCPU (and not active there, an
    // active one cannot be signalled again before its deactivation) has a higher priority.
    for (const std::uint32_t other : targets_of_[v]) {
        const Slot& o = slot_of(v, other);
        if (other == id || o.active) continue;
        const bool pend = o.edge ? o.pending != 0 : (o.line && !o.acked_assertion);
        if (pend && o.prio < s.prio)
            fail(who + " (priority " + hex(s.prio) + ") while INTID " + std::to_string(other) + " (priority " +
                 hex(o.prio) + ") was pending: not the highest-priority pending interrupt");
    }
    if (!stack_[v].empty()) ++preemptions_;
    ++c.acked;
    s.active = true;
    // The handler tells a level device to drop its line now, or just before EOIR.
    const bool defer = !s.edge && rng_.chance(50);
    if (!s.edge && !defer) {
        s.line = false;
        set_line(v, id, false);
    }
    stack_[v].push_back({value, id, s.prio, defer});
    max_nesting_ = std::max(max_nesting_, stack_[v].size() + await_dir_[v].size());
    if (rng_.chance(12)) {
        ++rpr_checks_;
        if (const std::uint32_t r = rpr(v); (r & 0xFF) != group(s.prio))
            fail(who + ": RPR reads " + hex(r) + ", expected " + hex(group(s.prio)));
    }
}

void Storm::end_of_interrupt(unsigned v) {
    const Handling h = stack_[v].back();
    stack_[v].pop_back();
    Slot& s = slot_of(v, h.intid);
    if (h.drop_before_eoi) {
        s.line = false;
        set_line(v, h.intid, false);
    }
    // EOImode 0: EOIR drops the priority and deactivates; EOImode 1: only the priority drop,
    // DIR deactivates later (IHI 0048B "Priority drop and interrupt deactivation",
    // IHI 0069 4.4). EOIR must name the most recent acknowledged interrupt: the stack top.
    note("EOIR", v, h.iar);
    eoir(v, h.iar);
    if (split_eoi_[v]) await_dir_[v].push_back(h);
    else s.active = false;
    if (rng_.chance(12)) {
        ++rpr_checks_;
        const std::uint8_t expect = running_priority(v);
        if (const std::uint32_t r = rpr(v); (r & 0xFF) != expect)
            fail("vCPU " + std::to_string(v) + ": RPR reads " + hex(r) + " after EOIR " + hex(h.iar) + ", expected " +
                 hex(expect));
    }
}

void Storm::deactivate(unsigned v, std::size_t index) {
    const Handling h = await_dir_[v][index];
    await_dir_[v].erase(await_dir_[v].begin() + static_cast<std::ptrdiff_t>(index));
    note("DIR", v, h.iar);
    dir(v, h.iar);  // any order: deactivation is not tied to the nesting
    slot_of(v, h.intid).active = false;
    ++dirs_;
}

/// The awaiting-DIR entry the guest may deactivate now, or -1. In nesting order: the
/// highest-priority active interrupt of the vCPU (priority, then INTID), if its priority was
/// dropped already. EOICount (IHI 0048B 5.3.1 GICH_HCR, IHI 0069 ICH_HCR_EL2) only counts
/// deactivations that matched no LR, so a hypervisor can attribute them only if they follow
/// an order it can reconstruct.
int Storm::dir_candidate(unsigned v) {
    if (await_dir_[v].empty()) return -1;
    if (opt_.dir_any_order) return static_cast<int>(rng_.below(static_cast<unsigned>(await_dir_[v].size())));
    auto key = [](const Handling& h) { return (unsigned{h.prio} << 10) | h.intid; };
    std::size_t best = 0;
    for (std::size_t k = 1; k < await_dir_[v].size(); ++k)
        if (key(await_dir_[v][k]) < key(await_dir_[v][best])) best = k;
    for (const Handling& h : stack_[v])
        if (key(h) < key(await_dir_[v][best])) return -1;
    return static_cast<int>(best);
}

void Storm::rewrite_priority(unsigned v) {
    // Only an interrupt that is neither pending nor active gets a new priority: the list
    // register holds the priority it was loaded with (a pending interrupt's new priority
    // reaches the guest only at the next flush), and the architecture leaves changing the
    // priority of an active interrupt ill-defined (IHI 0048B GICD_IPRIORITYR, IHI 0069 4.8).
    std::uint32_t id;
    unsigned owner;
    if (rng_.chance(50)) {
        id = spis_[rng_.below(static_cast<unsigned>(spis_.size()))];
        owner = spi_target_[id];
    } else {
        const std::uint32_t k = rng_.below(kNumSgis + kNumPpis);
        id = k < kNumSgis ? k : kFirstPpi + (k - kNumSgis);
        owner = v;  // the banked copy of the writing vCPU
    }
    Slot& s = slot_of(owner, id);
    if (s.pending != 0 || s.line || s.active) return;
    s.prio = random_prio();
    note("IPRIORITYR", owner, (std::uint64_t{id} << 8) | s.prio);
    plat_->set_priority(v, id, s.prio);
    ++rewrites_;
}

void Storm::guest_step(unsigned v) {
    const unsigned a = rng_.below(100);
    const int d = dir_candidate(v);
    if (virq(v)) {
        if (a < 60) return acknowledge(v, true);
        if (a < 85 && !stack_[v].empty()) return end_of_interrupt(v);
        if (d >= 0) return deactivate(v, static_cast<std::size_t>(d));
        return acknowledge(v, true);
    }
    // Nothing active and vIRQ low: the running priority is idle and PMR admits every priority
    // the storm uses, so nothing may be pending for this vCPU (IHI 0048B 3.3 / 5.3: a
    // pending, enabled interrupt of sufficient priority is signalled; the hypervisor, model
    // or harness, has had its kicks and maintenance interrupts by now).
    if (stack_[v].empty() && await_dir_[v].empty()) {
        for (const std::uint32_t id : targets_of_[v]) {
            const Slot& s = slot_of(v, id);
            if (s.edge ? s.pending != 0 : (s.line && !s.acked_assertion))
                fail("vCPU " + std::to_string(v) + " runs with nothing active and its vIRQ line low while INTID " +
                     std::to_string(id) + " is pending for it: lost, or never delivered");
        }
        ++idle_checks_;
    }
    // vIRQ low: finish handlers; now and then a spurious read (Linux reads IAR until 1023);
    // otherwise the vCPU idles (WFI).
    if (a < 5) return acknowledge(v, false);
    if (a < 70 && !stack_[v].empty()) return end_of_interrupt(v);
    if (d >= 0) return deactivate(v, static_cast<std::size_t>(d));
    if (!stack_[v].empty()) return end_of_interrupt(v);
}

void Storm::schedule() {
    for (unsigned v = 0; v < kVcpus; ++v) {
        if (step_ < next_switch_[v]) continue;
        ++switches_;
        if (plat_->running(v)) {
            note("exit", v, 0);
            plat_->exit(v);
            // Mostly short descheduled stretches; one in twenty long enough for dozens of
            // interrupts to pile up beyond the four list registers.
            next_switch_[v] = step_ + (rng_.chance(5) ? 5000 + rng_.below(10000) : 1 + rng_.below(600));
        } else {
            note("entry", v, 0);
            plat_->entry(v);
            next_switch_[v] = step_ + 1 + rng_.below(3000);
        }
    }
}

void Storm::run() {
    try {
        storm();
        drain();
        final_checks();
    } catch (const PlatformError& e) {
        fail(e.what());
    } catch (const Violation&) {
        throw;
    } catch (const std::exception& e) {
        fail(std::string("exception from the model: ") + e.what());
    }
}

void Storm::storm() {
    // Bounded: a storm that does not reach its count in this many steps is a failure.
    const std::uint64_t max_steps = opt_.interrupts * 20 + 100000;
    std::uint64_t injected = 0;
    while (injected < opt_.interrupts) {
        if (++step_ > max_steps) fail("the storm did not inject its interrupts within " + std::to_string(max_steps) + " steps");
        schedule();
        settle();
        const unsigned r = rng_.below(100);
        if (r < 30) {
            device_step();
        } else {
            // A random running vCPU's guest acts (none running: this step is idle time).
            unsigned running[kVcpus], n = 0;
            for (unsigned v = 0; v < kVcpus; ++v)
                if (plat_->running(v)) running[n++] = v;
            if (n != 0) {
                const unsigned v = running[rng_.below(n)];
                if (r < 34) send_sgi(v);
                else if (r < 35) rewrite_priority(v);
                else guest_step(v);
            }
        }
        settle();
        injected = 0;
        for (const Counts& c : counts_) injected += c.injected;
        if ((step_ & 0x3FF) == 0) check_model("during the storm");
        if ((step_ & 0xFFF) == 0x800) {
            for (unsigned v = 0; v < kVcpus; ++v)
                if (plat_->running(v)) {
                    check_pending_active(v);
                    break;
                }
            for (unsigned v = 0; v < kVcpus; ++v) {
                std::size_t in_flight = 0;
                for (const std::uint32_t id : targets_of_[v]) {
                    const Slot& s = slot_of(v, id);
                    in_flight += (s.pending != 0 || (s.line && !s.acked_assertion) || s.active) ? 1 : 0;
                }
                max_in_flight_ = std::max(max_in_flight_, in_flight);
            }
        }
    }
}

void Storm::drain() {
    // Every vCPU runs; each guest handles what it has until IAR returns 1023, its vIRQ line
    // is low and nothing is left active. Bounded: no convergence in kMaxRounds is a failure.
    for (unsigned v = 0; v < kVcpus; ++v) plat_->entry(v);
    settle();
    constexpr unsigned kMaxRounds = 1000;
    for (unsigned round = 0;; ++round) {
        if (round == kMaxRounds) fail("the drain did not converge in " + std::to_string(kMaxRounds) + " rounds");
        ++drain_rounds_;
        bool busy = false;
        for (unsigned v = 0; v < kVcpus; ++v) {
            for (unsigned guard = 0; guard < 64; ++guard) {
                if (virq(v)) acknowledge(v, true);
                else if (!stack_[v].empty()) end_of_interrupt(v);
                else if (const int d = dir_candidate(v); d >= 0) deactivate(v, static_cast<std::size_t>(d));
                else break;
                busy = true;
                settle();
            }
        }
        if (!busy) break;
    }
    // The final look of each guest: IAR must say spurious.
    for (unsigned v = 0; v < kVcpus; ++v) acknowledge(v, false);
}

void Storm::final_checks() {
    check_model("after the drain");
    if (const std::string p = plat_->final_check(); !p.empty()) fail(p);
    for (unsigned v = 0; v < kVcpus; ++v) {
        if (virq(v)) fail("vCPU " + std::to_string(v) + ": vIRQ high after the drain with nothing pending");
        for (const std::uint32_t id : targets_of_[v]) {
            const Slot& s = slot_of(v, id);
            const std::string what = "vCPU " + std::to_string(v) + " INTID " + std::to_string(id) + ": ";
            if (s.pending != 0) fail(what + "edge pending (latch " + hex(s.pending) + ") never acknowledged: lost");
            if (s.line) fail(what + "level line still high after the drain: lost");
            if (s.active) fail(what + "still active after the drain");
        }
    }
    for (unsigned k = 0; k < kKinds; ++k) {
        const Counts& c = counts_[k];
        if (c.acked != c.injected - c.merged)
            fail(std::string(kKindName[k]) + ": acknowledged " + std::to_string(c.acked) + " != injected " +
                 std::to_string(c.injected) + " - merged " + std::to_string(c.merged));
    }
}

void Storm::report(FILE* out) const {
    std::fprintf(out, "storm: %s, %u vCPUs, %u LRs, seed %s, %" PRIu64 " steps\n", plat_->name(), kVcpus, kLrs,
                 hex(opt_.seed).c_str(), step_);
    std::fprintf(out, "  %-10s %10s %10s %13s %12s\n", "kind", "injected", "merged", "acknowledged", "outstanding");
    Counts total;
    std::uint64_t outstanding_total = 0;
    for (unsigned k = 0; k < kKinds; ++k) {
        std::uint64_t outstanding = 0;
        for (unsigned v = 0; v < kVcpus; ++v)
            for (const std::uint32_t id : targets_of_[v]) {
                const Slot& s = slots_[v][id];
                if (kind_of(id, s) != k) continue;
                outstanding += static_cast<std::uint64_t>(__builtin_popcount(s.pending)) + ((s.line && !s.acked_assertion) ? 1 : 0);
            }
        const Counts& c = counts_[k];
        std::fprintf(out, "  %-10s %10" PRIu64 " %10" PRIu64 " %13" PRIu64 " %12" PRIu64 "\n", kKindName[k], c.injected,
                     c.merged, c.acked, outstanding);
        total.injected += c.injected, total.merged += c.merged, total.acked += c.acked;
        outstanding_total += outstanding;
    }
    std::fprintf(out, "  %-10s %10" PRIu64 " %10" PRIu64 " %13" PRIu64 " %12" PRIu64 "\n", "total", total.injected,
                 total.merged, total.acked, outstanding_total);
    std::fprintf(out,
                 "  guest: %" PRIu64 " preemptions (max nesting %zu), %" PRIu64 " split-EOI DIRs, %" PRIu64
                 " spurious IAR reads, %" PRIu64 " IPRIORITYR rewrites, %" PRIu64
                 " RPR checks; %" PRIu64 " vCPU switches; max %zu in flight on one vCPU\n",
                 preemptions_, max_nesting_, dirs_, spurious_reads_, rewrites_, rpr_checks_, switches_, max_in_flight_);
    plat_->report(out);
    std::fprintf(out,
                 "  checks: %" PRIu64 " model consistency checks, %" PRIu64 " ISPENDR/ISACTIVER comparisons, %" PRIu64
                 " idle-vCPU checks, %" PRIu64 " drain rounds\n",
                 state_checks_, pa_checks_, idle_checks_, drain_rounds_);
}

int usage() {
    std::fprintf(stderr, "usage: vgic-storm [--mode vm|hw] [--gic v2|v3] [--dir-any-order] [interrupts [seed]]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--gic" || a == "--mode") && i + 1 < argc) {
            const std::string v = argv[++i];
            if (a == "--gic" && v == "v2") o.version = vgic::GicVersion::V2;
            else if (a == "--gic" && v == "v3") o.version = vgic::GicVersion::V3;
            else if (a == "--mode" && v == "vm") o.hw = false;
            else if (a == "--mode" && v == "hw") o.hw = true;
            else return usage();
        } else if (a == "--dir-any-order") {
            o.dir_any_order = true;
        } else if (!a.empty() && a[0] != '-') {
            positional.push_back(a);
        } else {
            return usage();
        }
    }
    try {
        if (positional.size() > 2) return usage();
        if (positional.size() >= 1) o.interrupts = std::stoull(positional[0], nullptr, 0);
        if (positional.size() >= 2) o.seed = std::stoull(positional[1], nullptr, 0);
    } catch (const std::exception&) {
        return usage();
    }
    if (o.hw && o.version != vgic::GicVersion::V2) {
        std::fprintf(stderr, "vgic-storm: --mode hw is GICv2 only\n");
        return 2;
    }
    // The set-up (register programming) runs in the constructor: its refusals are failures too.
    std::unique_ptr<Storm> storm;
    try {
        std::unique_ptr<Platform> platform;
        if (o.hw) platform = std::make_unique<HwPlatform>();
        else platform = std::make_unique<VmPlatform>(o.version);
        storm = std::make_unique<Storm>(o, std::move(platform));
        storm->run();
    } catch (const Violation& v) {
        if (storm) storm->report(stdout);
        std::fprintf(stdout, "FAIL: %s\n", v.what());
        return 1;
    } catch (const std::exception& e) {
        if (storm) storm->report(stdout);
        std::fprintf(stdout, "FAIL: step %" PRIu64 ": exception from the model: %s\n", storm ? storm->step() : 0, e.what());
        return 1;
    }
    storm->report(stdout);
    std::fprintf(stdout, "PASS: every edge acknowledged exactly once, every level assertion handled, counts equal\n");
    return 0;
}
