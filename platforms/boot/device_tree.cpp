// SPDX-License-Identifier: Apache-2.0
// The board's device tree (device_tree.hpp), written with libfdt's sequential-write API
// (fdt_create .. fdt_finish): nodes in the order a reader of the dts expects them, each
// following its Linux binding (Documentation/devicetree/bindings/, cited per node). Every
// number of the board comes from board.h; every libfdt call is checked (Fdt::check), and a
// full buffer is retried with a larger one, so the result is whole or an exception.
#include "boot/device_tree.hpp"
#include "vgic/model/state.hpp"  // hex_string

#include <vgic/tlm/input.hpp>

#include <libfdt.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>

namespace vgic::boot {

namespace {

// ---- Interrupt specifiers of the GIC bindings (interrupt-controller/arm,gic.yaml and
// arm,gic-v3.yaml; include/dt-bindings/interrupt-controller/arm-gic.h and irq.h) ----
constexpr std::uint32_t kGicSpi = 0;               ///< cell 1: GIC_SPI (cell 2 = INTID - 32)
constexpr std::uint32_t kGicPpi = 1;               ///< cell 1: GIC_PPI (cell 2 = INTID - 16)
constexpr std::uint32_t kFirstSpi = 32;
constexpr std::uint32_t kFirstPpi = 16;
constexpr std::uint32_t kIrqTypeLevelHigh = 4;     ///< IRQ_TYPE_LEVEL_HIGH
constexpr std::uint32_t kIrqTypeLevelLow = 8;      ///< IRQ_TYPE_LEVEL_LOW
/// GICv2 only: cell 3 bits [15:8] are the CPUs a PPI is wired to, GIC_CPU_MASK_SIMPLE(n) =
/// ((1 << n) - 1) << 8 (arm,gic.yaml "bits[15:8] PPI interrupt cpu mask"). GICv3 has none.
constexpr unsigned kGicCpuMaskShift = 8;

constexpr std::uint32_t kGicPhandle = 1;
constexpr std::uint32_t kClockPhandle = 2;
/// The PL011's reference clock (clock/fixed-clock.yaml). The model's UART only transmits and
/// ignores the baud divisors, so the value only has to be a plausible one: 24 MHz, the
/// apb_pclk of Arm's Versatile Express and QEMU's virt board.
constexpr std::uint32_t kUartClockHz = 24000000;
/// cpus.yaml: "reg" of a cpu node on arm64 is MPIDR_EL1's affinity bits Aff2..Aff0 with
/// #address-cells = 1 ("bits [23:0] ... other bits must be set to 0").
constexpr unsigned long kMpidrAffinityMask = 0x00ffffffUL;

/// "name@unit-address" (Devicetree Specification 2.2.1: the unit address is the first
/// address of reg, in hexadecimal without leading zeros or 0x).
std::string node_name(const char* name, std::uint64_t address) {
    char text[64];
    std::snprintf(text, sizeof text, "%s@%llx", name, static_cast<unsigned long long>(address));
    return text;
}


/// The sequential writer over one buffer; every call's result is checked.
class Fdt {
public:
    explicit Fdt(std::size_t capacity) : buffer_(capacity) {
        check(fdt_create(buffer_.data(), static_cast<int>(buffer_.size())), "fdt_create");
        check(fdt_finish_reservemap(buffer_.data()), "fdt_finish_reservemap");
    }
    /// Thrown by check for -FDT_ERR_NOSPACE: make_device_tree retries with a larger buffer.
    struct NoSpace {};

    void begin(const std::string& name) { check(fdt_begin_node(fdt(), name.c_str()), "fdt_begin_node " + name); }
    void end() { check(fdt_end_node(fdt()), "fdt_end_node"); }
    void raw(const char* name, const void* bytes, std::size_t size) {
        check(fdt_property(fdt(), name, bytes, static_cast<int>(size)), std::string("fdt_property ") + name);
    }
    void empty(const char* name) { raw(name, nullptr, 0); }
    void u32(const char* name, std::uint32_t value) { cells(name, {value}); }
    /// A property of 32-bit cells, big-endian (Devicetree Specification 2.2.4).
    void cells(const char* name, std::initializer_list<std::uint32_t> values) { cells(name, std::vector<std::uint32_t>(values)); }
    void cells(const char* name, const std::vector<std::uint32_t>& values) {
        std::vector<fdt32_t> be;
        for (const std::uint32_t v : values) be.push_back(cpu_to_fdt32(v));
        raw(name, be.data(), be.size() * sizeof(fdt32_t));
    }
    /// A string list ("a\0b\0"): compatible, clock-names.
    void strings(const char* name, std::initializer_list<const char*> values) {
        std::string bytes;
        for (const char* v : values) bytes.append(v).push_back('\0');
        raw(name, bytes.data(), bytes.size());
    }
    void string(const char* name, const std::string& value) { raw(name, value.c_str(), value.size() + 1); }

    std::vector<std::uint8_t> finish() {
        check(fdt_finish(fdt()), "fdt_finish");
        // fdt_finish sets totalsize to the bytes in use.
        std::vector<std::uint8_t> blob(buffer_.begin(), buffer_.begin() + fdt_totalsize(fdt()));
        return blob;
    }

private:
    void* fdt() { return buffer_.data(); }
    void check(int result, const std::string& what) {
        if (result == -FDT_ERR_NOSPACE) throw NoSpace{};
        if (result < 0) throw DeviceTreeError("device tree: " + what + " failed: " + fdt_strerror(result));
    }
    std::vector<std::uint8_t> buffer_;
};

std::uint32_t high(std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); }
std::uint32_t low(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

/// A `reg` entry with #address-cells = #size-cells = 2 (the root's).
void add_region(std::vector<std::uint32_t>& reg, std::uint64_t base, std::uint64_t size) {
    reg.insert(reg.end(), {high(base), low(base), high(size), low(size)});
}

/// Cell 3 of a PPI specifier: the trigger, and on GICv2 the CPUs the PPI is wired to.
std::uint32_t ppi_flags(const BoardDescription& board, std::uint32_t trigger) {
    if (board.gic == GicVersion::V3) return trigger;
    return (((std::uint32_t{1} << board.cpus) - 1) << kGicCpuMaskShift) | trigger;
}

void write_tree(Fdt& t, const BoardDescription& board) {
    const bool v3 = board.gic == GicVersion::V3;
    t.begin("");  // the root
    t.strings("compatible", {"vgic-tlm,boot-board"});
    t.string("model", std::string("vgic-tlm boot board (") + (v3 ? "GICv3" : "GICv2") + ", " +
                          (board.vm_mode ? "vm" : "hw") + " mode, " + std::to_string(board.cpus) +
                          (board.cpus == 1 ? " CPU)" : " CPUs)"));
    // Two cells for addresses and sizes: RAM may reach above 4 GiB (--mem).
    t.u32("#address-cells", 2);
    t.u32("#size-cells", 2);
    t.u32("interrupt-parent", kGicPhandle);

    // chosen (Devicetree Specification 3.6; booting.rst: the kernel reads bootargs here).
    t.begin("chosen");
    if (!board.bootargs.empty()) t.string("bootargs", board.bootargs);
    t.string("stdout-path", "/" + node_name("pl011", VGIC_BOARD_UART_BASE));
    t.end();

    // memory (Devicetree Specification 3.4).
    {
        t.begin(node_name("memory", board.ram_base));
        t.string("device_type", "memory");
        std::vector<std::uint32_t> reg;
        add_region(reg, board.ram_base, board.ram_size);
        t.cells("reg", reg);
        t.end();
    }

    // cpus (arm/cpus.yaml): one cluster, reg = the affinity fields of VGIC_BOARD_MPIDR(n).
    t.begin("cpus");
    t.u32("#address-cells", 1);
    t.u32("#size-cells", 0);
    for (unsigned n = 0; n < board.cpus; ++n) {
        const auto reg = static_cast<std::uint32_t>(VGIC_BOARD_MPIDR(n) & kMpidrAffinityMask);
        t.begin(node_name("cpu", reg));
        t.string("device_type", "cpu");
        t.strings("compatible", {"arm,cortex-a57"});
        t.u32("reg", reg);
        // The board implements PSCI CPU_ON (arm/psci.yaml, cpus.yaml enable-method).
        t.string("enable-method", "psci");
        t.end();
    }
    t.end();

    // psci (arm/psci.yaml): PSCI 1.0 is compatible with 0.2, whose function IDs are fixed by
    // the specification, so no cpu_on/cpu_off properties; the board answers HVC.
    t.begin("psci");
    t.strings("compatible", {"arm,psci-1.0", "arm,psci-0.2"});
    t.string("method", "hvc");
    t.end();

    // The GIC (interrupt-controller/arm,gic.yaml, arm,gic-v3.yaml).
    t.begin(node_name("intc", VGIC_BOARD_GICD_BASE));
    t.strings("compatible", {v3 ? "arm,gic-v3" : "arm,cortex-a15-gic"});
    t.u32("#interrupt-cells", 3);
    // No child nodes (no GICv2m frame, no ITS): 0 address cells, which also makes dtc's
    // interrupt_provider check content (an interrupt provider states its #address-cells,
    // used by interrupt-map parsing; Devicetree Specification 2.4.3.1).
    t.u32("#address-cells", 0);
    t.empty("interrupt-controller");
    std::vector<std::uint32_t> reg;
    add_region(reg, VGIC_BOARD_GICD_BASE, VGIC_BOARD_GICD_SIZE);
    if (v3) {
        // One contiguous redistributor region, 128 KiB (RD_base + SGI_base) per CPU.
        t.u32("#redistributor-regions", 1);
        add_region(reg, VGIC_BOARD_GICR_BASE, std::uint64_t{VGIC_BOARD_GICR_STRIDE} * board.cpus);
    } else {
        // reg: distributor, CPU interface, and (virtualization extensions) GICH, GICV. A vm
        // mode guest is the VM: its CPU interface is the GICV frame mapped at GICC's address,
        // and it has no GICH or GICV of its own.
        add_region(reg, VGIC_BOARD_GICC_BASE, VGIC_BOARD_GICC_SIZE);
        if (!board.vm_mode) {
            add_region(reg, VGIC_BOARD_GICH_BASE, VGIC_BOARD_GICH_SIZE);
            add_region(reg, VGIC_BOARD_GICV_BASE, VGIC_BOARD_GICV_SIZE);
        }
    }
    t.cells("reg", reg);
    // interrupts: the VGIC maintenance interrupt (both bindings), level-sensitive (the
    // model's VirtConfig.maintenance_intid), for a hypervisor; a VM has none.
    if (!board.vm_mode)
        t.cells("interrupts", {kGicPpi, board.maintenance_intid - kFirstPpi, ppi_flags(board, kIrqTypeLevelHigh)});
    t.u32("phandle", kGicPhandle);
    t.end();

    // timer (timer/arm,arch_timer.yaml): interrupts in the binding's order: secure physical,
    // non-secure physical, virtual, hypervisor. Level-low as Linux's arm64 device trees
    // write them. No clock-frequency: the binding keeps it for firmware that fails to
    // program CNTFRQ_EL0, and the board programs it.
    t.begin("timer");
    t.strings("compatible", {"arm,armv8-timer"});
    const std::uint32_t timer_flags = ppi_flags(board, kIrqTypeLevelLow);
    t.cells("interrupts", {kGicPpi, VGIC_BOARD_TIMER_SEC_PHYS_INTID - kFirstPpi, timer_flags,  //
                           kGicPpi, VGIC_BOARD_TIMER_PHYS_INTID - kFirstPpi, timer_flags,      //
                           kGicPpi, VGIC_BOARD_TIMER_VIRT_INTID - kFirstPpi, timer_flags,      //
                           kGicPpi, VGIC_BOARD_TIMER_HYP_INTID - kFirstPpi, timer_flags});
    // The counter runs in every power state the board has (none).
    t.empty("always-on");
    t.end();

    // The PL011's clock (clock/fixed-clock.yaml).
    t.begin("apb-pclk");
    t.strings("compatible", {"fixed-clock"});
    t.u32("#clock-cells", 0);
    t.u32("clock-frequency", kUartClockHz);
    t.string("clock-output-names", "clk24mhz");
    t.u32("phandle", kClockPhandle);
    t.end();

    // The UART (serial/arm,pl011.yaml; arm,primecell.yaml wants the apb_pclk clock too).
    {
        t.begin(node_name("pl011", VGIC_BOARD_UART_BASE));
        t.strings("compatible", {"arm,pl011", "arm,primecell"});
        std::vector<std::uint32_t> uart_reg;
        add_region(uart_reg, VGIC_BOARD_UART_BASE, VGIC_BOARD_UART_SIZE);
        t.cells("reg", uart_reg);
        t.cells("interrupts", {kGicSpi, VGIC_BOARD_UART_INTID - kFirstSpi, kIrqTypeLevelHigh});
        t.cells("clocks", {kClockPhandle, kClockPhandle});
        t.strings("clock-names", {"uartclk", "apb_pclk"});
        t.end();
    }

    // The board's own devices (docs/BOOT.md): no Linux driver binds them; guests find them
    // by compatible.
    {
        std::vector<std::uint32_t> intgen_reg, exit_reg;
        add_region(intgen_reg, VGIC_BOARD_INTGEN_BASE, VGIC_BOARD_INTGEN_SIZE);
        add_region(exit_reg, VGIC_BOARD_EXIT_BASE, VGIC_BOARD_EXIT_SIZE);
        t.begin(node_name("intgen", VGIC_BOARD_INTGEN_BASE));
        t.strings("compatible", {"vgic-tlm,intgen"});
        t.cells("reg", intgen_reg);
        t.end();
        t.begin(node_name("exit", VGIC_BOARD_EXIT_BASE));
        t.strings("compatible", {"vgic-tlm,test-exit"});
        t.cells("reg", exit_reg);
        t.end();
    }

    t.end();  // the root
}

} // namespace

std::vector<std::uint8_t> make_device_tree(const BoardDescription& board) {
    if (board.cpus == 0 || board.cpus > VGIC_BOARD_MAX_CPUS)
        throw DeviceTreeError("device tree: " + std::to_string(board.cpus) + " CPUs: the board has 1.." +
                              std::to_string(VGIC_BOARD_MAX_CPUS));
    if (board.ram_size == 0 || board.ram_size > std::numeric_limits<std::uint64_t>::max() - board.ram_base)
        throw DeviceTreeError("device tree: RAM at " + hex_string(board.ram_base) + " of " + hex_string(board.ram_size) +
                              " bytes does not fit in the 64-bit address space");
    if (!board.vm_mode && (board.maintenance_intid < kFirstPpi || board.maintenance_intid >= kFirstSpi))
        throw DeviceTreeError("device tree: maintenance interrupt INTID " + std::to_string(board.maintenance_intid) +
                              " is not a PPI (16..31)");
    // The nodes take about 2 KiB, plus bootargs; double the buffer until it fits.
    for (std::size_t capacity = 8192 + board.bootargs.size(); capacity <= kMaxDeviceTreeSize; capacity *= 2) {
        try {
            Fdt tree(capacity);
            write_tree(tree, board);
            return tree.finish();
        } catch (const Fdt::NoSpace&) {
        }
    }
    throw DeviceTreeError("device tree: larger than " + std::to_string(kMaxDeviceTreeSize) +
                          " bytes (booting.rst: at most 2 MiB); bootargs holds " + std::to_string(board.bootargs.size()) +
                          " bytes");
}

void check_device_tree(const std::uint8_t* data, std::size_t size, std::string_view name) {
    const std::string prefix = "DTB '" + vgic::tlm::printable(name) + "': ";
    if (size > kMaxDeviceTreeSize)
        throw DeviceTreeError(prefix + "it holds " + std::to_string(size) +
                              " bytes, more than 2 MiB (2097152 bytes), the arm64 boot protocol's limit (booting.rst)");
    if (data == nullptr || size < sizeof(struct fdt_header))
        throw DeviceTreeError(prefix + "header truncated: " + std::to_string(size) + " bytes, the header has " +
                              std::to_string(sizeof(struct fdt_header)));
    // libfdt reads 32-bit fields in place: give it an 8-byte aligned copy of the bytes.
    std::vector<std::uint64_t> aligned((size + 7) / 8);
    std::memcpy(aligned.data(), data, size);
    const void* fdt = aligned.data();
    const std::uint32_t magic = fdt_magic(fdt);
    if (magic != FDT_MAGIC)
        throw DeviceTreeError(prefix + "magic " + hex_string(magic) + " is not " + hex_string(FDT_MAGIC) + ": not a flattened device tree");
    const std::uint32_t total = fdt_totalsize(fdt);
    if (total > size)
        throw DeviceTreeError(prefix + "totalsize " + hex_string(total) + " (" + std::to_string(total) +
                              " bytes) is larger than the file (" + std::to_string(size) + " bytes)");
    if (const int err = fdt_check_header(fdt); err != 0)
        throw DeviceTreeError(prefix + "bad header (version " + std::to_string(fdt_version(fdt)) +
                              ", last_comp_version " + std::to_string(fdt_last_comp_version(fdt)) + ", off_dt_struct " +
                              hex_string(fdt_off_dt_struct(fdt)) + ", off_dt_strings " + hex_string(fdt_off_dt_strings(fdt)) +
                              "): " + fdt_strerror(err));
    // The structure block: nodes nested and closed, properties inside it, names in the
    // strings block (what a kernel walks at boot).
    if (const int err = fdt_check_full(fdt, size); err != 0)
        throw DeviceTreeError(prefix + "bad structure: " + fdt_strerror(err));
}

std::uint64_t device_tree_address(std::uint64_t ram_base, std::uint64_t ram_size, std::size_t dtb_size,
                                  std::uint64_t image_begin, std::uint64_t image_end) {
    // booting.rst section 2: the DTB "must be placed on an 8-byte boundary and must not
    // exceed 2 megabytes in size. Since the dtb will be mapped cacheable using blocks of up
    // to 2 megabytes in size, it must not be placed within any 2M region which must be
    // mapped with any specific attributes." A 2 MiB aligned start keeps it in one such
    // block (its size is at most 2 MiB), all of it normal RAM.
    constexpr std::uint64_t kAlign = std::uint64_t{2} << 20;
    const auto where = [&] {
        return "RAM [" + hex_string(ram_base) + ", " + hex_string(ram_base + ram_size) + ") beside the image [" + hex_string(image_begin) +
               ", " + hex_string(image_end) + ")";
    };
    if (dtb_size == 0 || dtb_size > kMaxDeviceTreeSize)
        throw DeviceTreeError("DTB of " + std::to_string(dtb_size) + " bytes: a DTB holds 1 to 2097152 bytes (booting.rst)");
    if (ram_size > std::numeric_limits<std::uint64_t>::max() - ram_base)
        throw DeviceTreeError("DTB: RAM at " + hex_string(ram_base) + " of " + hex_string(ram_size) + " bytes overflows the address space");
    const std::uint64_t ram_end = ram_base + ram_size;
    if (ram_size < dtb_size) throw DeviceTreeError("DTB of " + std::to_string(dtb_size) + " bytes: no room in " + where());
    // Downwards from the top: the highest aligned start whose DTB ends in RAM; if it meets
    // the image, the highest one below the image's start.
    std::uint64_t at = (ram_end - dtb_size) & ~(kAlign - 1);
    while (at >= ram_base) {
        const bool overlaps = at < image_end && image_begin < at + dtb_size;
        if (!overlaps) return at;
        if (image_begin < dtb_size) break;
        const std::uint64_t below = (image_begin - dtb_size) & ~(kAlign - 1);
        if (below >= at) break;  // cannot happen (image_begin <= at + dtb_size - 1); no loop
        at = below;
    }
    throw DeviceTreeError("DTB of " + std::to_string(dtb_size) + " bytes: no 2 MiB aligned place in " + where());
}

} // namespace vgic::boot
