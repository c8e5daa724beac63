// SPDX-License-Identifier: Apache-2.0
// The board's device tree (platforms/boot/device_tree.hpp), read back with libfdt and checked
// against board.h and the Linux bindings each node follows, for every board variant (GICv2 /
// GICv3, hw / vm mode, 1 / 4 / 8 CPUs); where the DTB goes in RAM.
#include "boot/device_tree.hpp"

#include <vgic/boot/board.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <libfdt.h>

#include <cstring>
#include <optional>

using namespace vgic::boot;
namespace data = boost::unit_test::data;

namespace {

/// A generated tree and typed access to its properties; every lookup failure is a failed check.
class Tree {
public:
    explicit Tree(const BoardDescription& board) : blob_(make_device_tree(board)) {
        aligned_.resize((blob_.size() + 7) / 8);
        std::memcpy(aligned_.data(), blob_.data(), blob_.size());
    }
    const void* fdt() const { return aligned_.data(); }
    std::size_t size() const { return blob_.size(); }

    int node(const std::string& path) const {
        const int offset = fdt_path_offset(fdt(), path.c_str());
        BOOST_TEST(offset >= 0, "node " << path << ": " << fdt_strerror(offset));
        return offset;
    }
    bool has(const std::string& path, const char* name) const {
        return fdt_getprop(fdt(), node(path), name, nullptr) != nullptr;
    }
    /// A property's raw bytes (empty optional if absent).
    std::optional<std::string> raw(const std::string& path, const char* name) const {
        int len = 0;
        const void* p = fdt_getprop(fdt(), node(path), name, &len);
        if (p == nullptr) return std::nullopt;
        return std::string(static_cast<const char*>(p), static_cast<std::size_t>(len));
    }
    std::string string(const std::string& path, const char* name) const {
        const auto r = raw(path, name);
        BOOST_TEST(r.has_value(), path << " has no " << name);
        if (!r || r->empty() || r->back() != '\0') return "<not a string>";
        return r->substr(0, r->size() - 1);  // "a\0b" for string lists
    }
    std::vector<std::uint32_t> cells(const std::string& path, const char* name) const {
        const auto r = raw(path, name);
        BOOST_TEST(r.has_value(), path << " has no " << name);
        std::vector<std::uint32_t> out;
        if (!r) return out;
        BOOST_TEST(r->size() % 4 == 0, path << "/" << name << " is not whole cells");
        for (std::size_t i = 0; i + 4 <= r->size(); i += 4) {
            fdt32_t be;
            std::memcpy(&be, r->data() + i, 4);
            out.push_back(fdt32_to_cpu(be));
        }
        return out;
    }
    std::uint32_t cell(const std::string& path, const char* name) const {
        const auto c = cells(path, name);
        BOOST_TEST(c.size() == 1u, path << "/" << name << " is one cell");
        return c.empty() ? 0 : c[0];
    }
    /// The node path of the node whose phandle is `phandle`.
    std::string by_phandle(std::uint32_t phandle) const {
        const int offset = fdt_node_offset_by_phandle(fdt(), phandle);
        BOOST_TEST(offset >= 0, "no node with phandle " << phandle);
        if (offset < 0) return "";
        char path[256];
        BOOST_TEST(fdt_get_path(fdt(), offset, path, sizeof path) == 0);
        return path;
    }

private:
    std::vector<std::uint8_t> blob_;
    std::vector<std::uint64_t> aligned_;
};

std::vector<std::uint32_t> region(std::uint64_t base, std::uint64_t size) {
    return {static_cast<std::uint32_t>(base >> 32), static_cast<std::uint32_t>(base),
            static_cast<std::uint32_t>(size >> 32), static_cast<std::uint32_t>(size)};
}
std::vector<std::uint32_t> operator+(std::vector<std::uint32_t> a, const std::vector<std::uint32_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

BoardDescription board(GicVersion gic, bool vm, unsigned cpus) {
    BoardDescription b;
    b.gic = gic;
    b.vm_mode = vm;
    b.cpus = cpus;
    b.bootargs = "console=ttyAMA0 earlycon";
    return b;
}

std::string device_tree_refusal(const BoardDescription& b) {
    try {
        make_device_tree(b);
        BOOST_ERROR("the board should be refused");
    } catch (const DeviceTreeError& e) {
        return e.what();
    }
    return "";
}

const std::string kGic = "/intc@8000000";
const std::string kUart = "/pl011@9000000";
// Interrupt specifier cells (arm,gic.yaml / arm,gic-v3.yaml; dt-bindings/interrupt-controller/irq.h).
constexpr std::uint32_t kSpi = 0, kPpi = 1, kLevelHigh = 4, kLevelLow = 8;

const auto kGics = data::make({GicVersion::V2, GicVersion::V3});
const auto kModes = data::make({false, true});
const auto kCpus = data::make({1u, 4u, 8u});

} // namespace

// Boost.Test prints dataset samples.
namespace vgic {
inline std::ostream& operator<<(std::ostream& os, GicVersion v) { return os << (v == GicVersion::V3 ? "v3" : "v2"); }
} // namespace vgic

BOOST_AUTO_TEST_SUITE(device_tree)

BOOST_DATA_TEST_CASE(header_and_structure_are_valid, kGics * kModes * kCpus, gic, vm, cpus) {
    const Tree t(board(gic, vm, cpus));
    BOOST_TEST(fdt_check_full(t.fdt(), t.size()) == 0, "libfdt walks the whole tree");
    BOOST_TEST(fdt_totalsize(t.fdt()) == t.size(), "the blob is exactly totalsize bytes");
    BOOST_TEST(fdt_num_mem_rsv(t.fdt()) == 0, "no memory reservations (the board has no firmware in RAM)");
    BOOST_CHECK_NO_THROW(check_device_tree(static_cast<const std::uint8_t*>(t.fdt()), t.size(), "generated"));
}

BOOST_DATA_TEST_CASE(root_chosen_and_memory, kGics * kModes * kCpus, gic, vm, cpus) {
    const Tree t(board(gic, vm, cpus));
    BOOST_TEST(t.string("/", "compatible") == "vgic-tlm,boot-board");
    BOOST_TEST(t.has("/", "model"));
    BOOST_TEST(t.cell("/", "#address-cells") == 2u);
    BOOST_TEST(t.cell("/", "#size-cells") == 2u);
    BOOST_TEST(t.by_phandle(t.cell("/", "interrupt-parent")) == kGic, "the GIC is every node's interrupt parent");
    BOOST_TEST(t.string("/chosen", "bootargs") == "console=ttyAMA0 earlycon");
    BOOST_TEST(t.string("/chosen", "stdout-path") == kUart);
    BOOST_TEST(fdt_path_offset(t.fdt(), t.string("/chosen", "stdout-path").c_str()) >= 0,
               "stdout-path names an existing node");
    BOOST_TEST(t.string("/memory@40000000", "device_type") == "memory");
    BOOST_TEST(t.cells("/memory@40000000", "reg") == region(VGIC_BOARD_RAM_BASE, VGIC_BOARD_RAM_DEFAULT_SIZE));
}

BOOST_DATA_TEST_CASE(cpus_with_mpidr_and_psci, kGics * kModes * kCpus, gic, vm, cpus) {
    const Tree t(board(gic, vm, cpus));
    BOOST_TEST(t.cell("/cpus", "#address-cells") == 1u);
    BOOST_TEST(t.cell("/cpus", "#size-cells") == 0u);
    unsigned found = 0;
    int child;
    fdt_for_each_subnode(child, t.fdt(), t.node("/cpus")) ++found;
    BOOST_TEST(found == cpus, "one cpu node per CPU");
    for (unsigned n = 0; n < cpus; ++n) {
        const std::string cpu = "/cpus/cpu@" + std::to_string(n);
        BOOST_TEST(t.string(cpu, "device_type") == "cpu");
        BOOST_TEST(t.string(cpu, "compatible") == "arm,cortex-a57");
        BOOST_TEST(t.cell(cpu, "reg") == (VGIC_BOARD_MPIDR(n) & 0xffffffUL), "cpus.yaml: reg = MPIDR_EL1[23:0]");
        BOOST_TEST(t.string(cpu, "enable-method") == "psci");
    }
    BOOST_TEST(t.raw("/psci", "compatible").value_or("<absent>") == std::string("arm,psci-1.0\0arm,psci-0.2\0", 26));
    BOOST_TEST(t.string("/psci", "method") == "hvc");
}

BOOST_DATA_TEST_CASE(gic_node_per_version_and_mode, kGics * kModes * kCpus, gic, vm, cpus) {
    const Tree t(board(gic, vm, cpus));
    BOOST_TEST(t.cell(kGic, "#interrupt-cells") == 3u);
    BOOST_TEST(t.has(kGic, "interrupt-controller"));
    BOOST_TEST(t.raw(kGic, "interrupt-controller")->empty(), "interrupt-controller is a boolean property");
    const auto gicd = region(VGIC_BOARD_GICD_BASE, VGIC_BOARD_GICD_SIZE);
    // Maintenance interrupt: INTID 25 = PPI 9 (the model's default), level-high.
    const std::uint32_t maintenance_ppi = 25 - 16;
    if (gic == GicVersion::V2) {
        BOOST_TEST(t.string(kGic, "compatible") == "arm,cortex-a15-gic");
        const auto gicc = region(VGIC_BOARD_GICC_BASE, VGIC_BOARD_GICC_SIZE);
        if (vm) {
            BOOST_TEST(t.cells(kGic, "reg") == gicd + gicc, "a VM sees GICD and its CPU interface only");
        } else {
            BOOST_TEST(t.cells(kGic, "reg") == gicd + gicc + region(VGIC_BOARD_GICH_BASE, VGIC_BOARD_GICH_SIZE) +
                                                   region(VGIC_BOARD_GICV_BASE, VGIC_BOARD_GICV_SIZE),
                       "arm,gic.yaml: GICD, GICC, GICH, GICV");
            const std::uint32_t mask = ((1u << cpus) - 1) << 8;
            BOOST_TEST(t.cells(kGic, "interrupts") == (std::vector<std::uint32_t>{kPpi, maintenance_ppi, mask | kLevelHigh}));
        }
    } else {
        BOOST_TEST(t.string(kGic, "compatible") == "arm,gic-v3");
        BOOST_TEST(t.cell(kGic, "#redistributor-regions") == 1u);
        BOOST_TEST(t.cells(kGic, "reg") == gicd + region(VGIC_BOARD_GICR_BASE, std::uint64_t{VGIC_BOARD_GICR_STRIDE} * cpus),
                   "GICD, then one redistributor region of 128 KiB per CPU");
        if (!vm)
            BOOST_TEST(t.cells(kGic, "interrupts") == (std::vector<std::uint32_t>{kPpi, maintenance_ppi, kLevelHigh}),
                       "GICv3 specifiers have no CPU mask");
    }
    if (vm) BOOST_TEST(!t.has(kGic, "interrupts"), "a VM has no maintenance interrupt");
}

BOOST_DATA_TEST_CASE(timer_ppis_in_the_binding_order, kGics * kModes * kCpus, gic, vm, cpus) {
    const Tree t(board(gic, vm, cpus));
    BOOST_TEST(t.string("/timer", "compatible") == "arm,armv8-timer");
    const std::uint32_t flags = gic == GicVersion::V2 ? (((1u << cpus) - 1) << 8) | kLevelLow : kLevelLow;
    // arm,arch_timer.yaml: secure physical, non-secure physical, virtual, hypervisor.
    BOOST_TEST(t.cells("/timer", "interrupts") ==
               (std::vector<std::uint32_t>{kPpi, VGIC_BOARD_TIMER_SEC_PHYS_INTID - 16, flags,  //
                                           kPpi, VGIC_BOARD_TIMER_PHYS_INTID - 16, flags,      //
                                           kPpi, VGIC_BOARD_TIMER_VIRT_INTID - 16, flags,      //
                                           kPpi, VGIC_BOARD_TIMER_HYP_INTID - 16, flags}));
    BOOST_TEST(t.has("/timer", "always-on"));
    BOOST_TEST(!t.has("/timer", "clock-frequency"), "CNTFRQ_EL0 is programmed: no clock-frequency");
}

BOOST_DATA_TEST_CASE(uart_and_board_devices, kGics * kModes * kCpus, gic, vm, cpus) {
    const Tree t(board(gic, vm, cpus));
    BOOST_TEST(t.raw(kUart, "compatible").value_or("<absent>") == std::string("arm,pl011\0arm,primecell\0", 24));
    BOOST_TEST(t.cells(kUart, "reg") == region(VGIC_BOARD_UART_BASE, VGIC_BOARD_UART_SIZE));
    BOOST_TEST(t.cells(kUart, "interrupts") ==
               (std::vector<std::uint32_t>{kSpi, VGIC_BOARD_UART_INTID - 32, kLevelHigh}));
    const auto clocks = t.cells(kUart, "clocks");
    BOOST_TEST_REQUIRE(clocks.size() == 2u);
    BOOST_TEST(t.raw(kUart, "clock-names").value_or("<absent>") == std::string("uartclk\0apb_pclk\0", 17));
    for (const std::uint32_t phandle : clocks) {
        const std::string clock = t.by_phandle(phandle);
        BOOST_TEST(clock == "/apb-pclk");
        BOOST_TEST(t.string(clock, "compatible") == "fixed-clock");
        BOOST_TEST(t.cell(clock, "#clock-cells") == 0u);
        BOOST_TEST(t.cell(clock, "clock-frequency") == 24000000u);
    }
    BOOST_TEST(t.string("/intgen@9010000", "compatible") == "vgic-tlm,intgen");
    BOOST_TEST(t.cells("/intgen@9010000", "reg") == region(VGIC_BOARD_INTGEN_BASE, VGIC_BOARD_INTGEN_SIZE));
    BOOST_TEST(t.string("/exit@9020000", "compatible") == "vgic-tlm,test-exit");
    BOOST_TEST(t.cells("/exit@9020000", "reg") == region(VGIC_BOARD_EXIT_BASE, VGIC_BOARD_EXIT_SIZE));
}

BOOST_AUTO_TEST_CASE(ram_above_4_gib_and_other_sizes) {
    BoardDescription b;
    b.ram_base = 0x880000000ULL;
    b.ram_size = 0x100000000ULL;
    const Tree t(b);
    BOOST_TEST(t.cells("/memory@880000000", "reg") == region(0x880000000ULL, 0x100000000ULL));
}

BOOST_AUTO_TEST_CASE(empty_bootargs_are_omitted) {
    BoardDescription b;
    const Tree t(b);
    BOOST_TEST(!t.has("/chosen", "bootargs"), "no bootargs: the kernel's built-in command line applies");
    BOOST_TEST(t.has("/chosen", "stdout-path"));
}

BOOST_AUTO_TEST_CASE(long_bootargs_grow_the_buffer) {
    BoardDescription b;
    b.bootargs = std::string(300000, 'a');
    const Tree t(b);
    BOOST_TEST(t.string("/chosen", "bootargs") == b.bootargs);
}

BOOST_AUTO_TEST_CASE(maintenance_interrupt_follows_the_model_configuration) {
    BoardDescription b;
    b.maintenance_intid = 20;
    const Tree t(b);
    BOOST_TEST(t.cells(kGic, "interrupts")[1] == 4u, "INTID 20 = PPI 4");
}

BOOST_AUTO_TEST_CASE(boards_it_cannot_describe) {
    BoardDescription b;
    b.cpus = 0;
    BOOST_TEST(device_tree_refusal(b) == "device tree: 0 CPUs: the board has 1..8");
    b.cpus = VGIC_BOARD_MAX_CPUS + 1;
    BOOST_TEST(device_tree_refusal(b) == "device tree: 9 CPUs: the board has 1..8");
    b = BoardDescription{};
    b.ram_size = 0;
    BOOST_TEST(device_tree_refusal(b) ==
               "device tree: RAM at 0x40000000 of 0x0 bytes does not fit in the 64-bit address space");
    b = BoardDescription{};
    b.ram_base = 0xffffffffc0000000ULL;
    b.ram_size = 0x80000000ULL;
    BOOST_TEST(device_tree_refusal(b) ==
               "device tree: RAM at 0xffffffffc0000000 of 0x80000000 bytes does not fit in the 64-bit address space");
    b = BoardDescription{};
    b.maintenance_intid = 40;
    BOOST_TEST(device_tree_refusal(b) == "device tree: maintenance interrupt INTID 40 is not a PPI (16..31)");
    b = BoardDescription{};
    b.bootargs = std::string(kMaxDeviceTreeSize, 'a');
    BOOST_TEST(device_tree_refusal(b) ==
               "device tree: larger than 2097152 bytes (booting.rst: at most 2 MiB); bootargs holds 2097152 bytes");
}

// ---- device_tree_address (booting.rst section 2) ----

BOOST_AUTO_TEST_CASE(dtb_at_the_top_of_ram) {
    const std::uint64_t top = VGIC_BOARD_RAM_BASE + VGIC_BOARD_RAM_DEFAULT_SIZE;
    BOOST_TEST(device_tree_address(VGIC_BOARD_RAM_BASE, VGIC_BOARD_RAM_DEFAULT_SIZE, 4096, VGIC_BOARD_RAM_BASE,
                                   VGIC_BOARD_RAM_BASE + 0x1000000) == top - 0x200000);
    BOOST_TEST(device_tree_address(VGIC_BOARD_RAM_BASE, VGIC_BOARD_RAM_DEFAULT_SIZE, 0x200000, VGIC_BOARD_RAM_BASE,
                                   VGIC_BOARD_RAM_BASE + 0x1000) == top - 0x200000,
               "a DTB of exactly 2 MiB fills the last block");
    // RAM ending 1 MiB into a block: the DTB starts that block (all of it lies in RAM).
    BOOST_TEST(device_tree_address(VGIC_BOARD_RAM_BASE, 0x8100000, 4096, 0, 0) == VGIC_BOARD_RAM_BASE + 0x8000000);
    BOOST_TEST(device_tree_address(VGIC_BOARD_RAM_BASE, 0x8100000, 0x100001, 0, 0) == VGIC_BOARD_RAM_BASE + 0x7e00000,
               "one byte more than the RAM left in that block: the block below");
}

BOOST_AUTO_TEST_CASE(dtb_below_an_image_that_reaches_the_top) {
    // A kernel whose image_size runs to 1 MiB below the top of RAM.
    const std::uint64_t image_begin = VGIC_BOARD_RAM_BASE + 0x7000000 + 0x1000;
    BOOST_TEST(device_tree_address(VGIC_BOARD_RAM_BASE, VGIC_BOARD_RAM_DEFAULT_SIZE, 4096, image_begin,
                                   VGIC_BOARD_RAM_BASE + 0x7f00000) == VGIC_BOARD_RAM_BASE + 0x7000000,
               "the block the image starts in, ending where the image begins");
    BOOST_TEST(device_tree_address(VGIC_BOARD_RAM_BASE, VGIC_BOARD_RAM_DEFAULT_SIZE, 8192, image_begin,
                                   VGIC_BOARD_RAM_BASE + 0x7f00000) == VGIC_BOARD_RAM_BASE + 0x6e00000,
               "too large for that gap: the block below");
}

BOOST_AUTO_TEST_CASE(dtb_just_below_the_image) {
    BOOST_TEST(device_tree_address(VGIC_BOARD_RAM_BASE, 0x400000, 4096, VGIC_BOARD_RAM_BASE + 0x1000,
                                   VGIC_BOARD_RAM_BASE + 0x400000) == VGIC_BOARD_RAM_BASE,
               "[base, base + 4 KiB) ends where the image begins");
}

BOOST_AUTO_TEST_CASE(dtb_with_no_room) {
    const auto refusal = [](std::uint64_t ram_size, std::size_t dtb, std::uint64_t b, std::uint64_t e) {
        try {
            device_tree_address(VGIC_BOARD_RAM_BASE, ram_size, dtb, b, e);
            BOOST_ERROR("should be refused");
        } catch (const DeviceTreeError& x) {
            return std::string(x.what());
        }
        return std::string();
    };
    BOOST_TEST(refusal(0x8000000, 4096, VGIC_BOARD_RAM_BASE, VGIC_BOARD_RAM_BASE + 0x8000000) ==
               "DTB of 4096 bytes: no 2 MiB aligned place in RAM [0x40000000, 0x48000000) beside the image "
               "[0x40000000, 0x48000000)");
    BOOST_TEST(refusal(0x1000, 0x2000, 0, 0) ==
               "DTB of 8192 bytes: no room in RAM [0x40000000, 0x40001000) beside the image [0x0, 0x0)");
    BOOST_TEST(refusal(0x8000000, 0, 0, 0) == "DTB of 0 bytes: a DTB holds 1 to 2097152 bytes (booting.rst)");
    BOOST_TEST(refusal(0x8000000, 0x200001, 0, 0) ==
               "DTB of 2097153 bytes: a DTB holds 1 to 2097152 bytes (booting.rst)");
    // The image 4 KiB into the first block: 8 KiB do not fit below it (4 KiB would).
    BOOST_TEST(refusal(0x400000, 8192, VGIC_BOARD_RAM_BASE + 0x1000, VGIC_BOARD_RAM_BASE + 0x400000) ==
               "DTB of 8192 bytes: no 2 MiB aligned place in RAM [0x40000000, 0x40400000) beside the image "
               "[0x40001000, 0x40400000)");
}

BOOST_AUTO_TEST_SUITE_END()
