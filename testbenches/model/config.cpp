// SPDX-License-Identifier: Apache-2.0
// Configuration validation: every out-of-range field is refused at construction with a
// message naming the field, the value and the allowed range.
#include "gic_fixture.hpp"

#include <string>

using namespace vgic;
using namespace vgic::test;

namespace {
/// Constructs a Gic from `cfg` and returns the ConfigError message ("" if none was thrown).
std::string construction_error(const GicConfig& cfg) {
    try {
        Gic gic(cfg);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
} // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(num_cpus_range) {
    for (unsigned n : {1u, 2u, 8u}) BOOST_TEST(construction_error(make_config(n)).empty(), "num_cpus=" << n << " is legal");
    BOOST_TEST(construction_error(make_config(0)) == "GicConfig.num_cpus = 0: allowed 1..8 with version 2");
    BOOST_TEST(construction_error(make_config(9)) == "GicConfig.num_cpus = 9: allowed 1..8 with version 2");
}

// GICv3: IHI 0069 GICR_TYPER.Processor_Number is 16 bits (this model: up to 4096 CPUs);
// Aff0 is 8 bits, so at most 256 CPUs per cluster; ICH_VTR_EL2.ListRegs is 5 bits with
// ICH_LR0-15 defined, PRIbits 5..8 and PREbits 5..7.
BOOST_AUTO_TEST_CASE(gicv3_ranges) {
    const auto v3 = [](unsigned cpus) {
        GicConfig c = make_config(1);
        c.version = GicVersion::V3;
        c.num_cpus = cpus;
        return c;
    };
    for (unsigned n : {1u, 9u, 512u, 4096u})
        BOOST_TEST(construction_error(v3(n)).empty(), "num_cpus=" << n << " is legal with version 3");
    BOOST_TEST(construction_error(v3(0)) == "GicConfig.num_cpus = 0: allowed 1..4096 with version 3");
    BOOST_TEST(construction_error(v3(4097)) == "GicConfig.num_cpus = 4097: allowed 1..4096 with version 3");
    GicConfig c = v3(4);
    c.v3.cpus_per_cluster = 0;
    BOOST_TEST(construction_error(c) == "GicConfig.v3.cpus_per_cluster = 0: allowed 1..256 (Aff0 is 8 bits)");
    c.v3.cpus_per_cluster = 257;
    BOOST_TEST(construction_error(c) == "GicConfig.v3.cpus_per_cluster = 257: allowed 1..256 (Aff0 is 8 bits)");
    c.v3.cpus_per_cluster = 256;
    BOOST_TEST(construction_error(c).empty());
    c = v3(1);
    c.virt.num_list_regs = 17;
    BOOST_TEST(construction_error(c) == "VirtConfig.num_list_regs = 17: allowed 1..16 with version 3");
    c.virt.num_list_regs = 16;
    BOOST_TEST(construction_error(c).empty());
    c.virt.priority_bits = 4;  // legal for GICv2, not for an ICH_VTR_EL2 (PRIbits >= 5)
    c.virt.preemption_bits = 4;
    BOOST_TEST(construction_error(c) == "VirtConfig.priority_bits = 4: allowed 5..8 with version 3");
    c.virt.priority_bits = 8;
    c.virt.preemption_bits = 8;
    BOOST_TEST(construction_error(c) == "VirtConfig.preemption_bits = 8: allowed 5..7 with version 3");
    c.virt.preemption_bits = 7;
    BOOST_TEST(construction_error(c).empty());
    c.version = static_cast<GicVersion>(4);
    BOOST_TEST(construction_error(c) == "GicConfig.version = 4: allowed 2 or 3");
}

BOOST_AUTO_TEST_CASE(num_spis_range) {
    // IHI 0048B 4.3.2: SPIs come in blocks of 32; the last INTID is 1019, so 988 is the maximum.
    for (unsigned s : {0u, 32u, 480u, 960u, 988u})
        BOOST_TEST(construction_error(make_config(1, s)).empty(), "num_spis=" << s << " is legal");
    for (unsigned s : {1u, 33u, 992u, 1000u, 1024u})
        BOOST_TEST(construction_error(make_config(1, s)) ==
                       "GicConfig.num_spis = " + std::to_string(s) + ": allowed a multiple of 32 in 0..960, or 988",
                   "num_spis=" << s << " refused");
}

BOOST_AUTO_TEST_CASE(priority_bits_range) {
    for (unsigned b : {4u, 5u, 8u}) BOOST_TEST(construction_error(make_config(1, 64, b)).empty());
    BOOST_TEST(construction_error(make_config(1, 64, 3)) == "GicConfig.priority_bits = 3: allowed 4..8");
    BOOST_TEST(construction_error(make_config(1, 64, 9)) == "GicConfig.priority_bits = 9: allowed 4..8");
}

BOOST_AUTO_TEST_CASE(itlines_number_for_each_spi_count) {
    // TYPER.ITLinesNumber N: 32(N+1) INTIDs; 988 SPIs -> 1020 INTIDs -> N=31.
    struct Case { unsigned spis, n; };
    for (Case c : {Case{0, 0}, Case{32, 1}, Case{64, 2}, Case{960, 30}, Case{988, 31}}) {
        GicFixture f(make_config(1, c.spis));
        BOOST_TEST(gicd::TYPER_ITLinesNumber::get(f.rd(0, gicd::TYPER)) == c.n, "num_spis=" << c.spis);
    }
}

BOOST_AUTO_TEST_CASE(bad_cpu_and_intid_on_the_platform_api) {
    GicFixture f(make_config(2, 64));
    BOOST_CHECK_THROW(f.gic.set_spi_level(31, true), std::out_of_range);  // a PPI, not an SPI
    BOOST_CHECK_THROW(f.gic.set_spi_level(96, true), std::out_of_range);  // beyond 32+64
    BOOST_CHECK_THROW(f.gic.set_ppi_level(2, 27, true), std::out_of_range);
    BOOST_CHECK_THROW(f.gic.set_ppi_level(0, 15, true), std::out_of_range);  // SGIs have no line
    BOOST_CHECK_THROW(f.gic.read_distributor(2, gicd::CTLR, 4), std::out_of_range);
    BOOST_CHECK_THROW(f.gic.write_cpu_interface(5, gicc::PMR, 4, 0), std::out_of_range);
    try {
        f.gic.set_spi_level(96, true);
    } catch (const std::out_of_range& e) {
        BOOST_TEST(std::string(e.what()) == "set_spi_level: INTID 96 is not an implemented SPI (allowed 32..95)");
    }
    try {
        f.gic.read_distributor(2, gicd::CTLR, 4);
    } catch (const std::out_of_range& e) {
        BOOST_TEST(std::string(e.what()) == "read_distributor: CPU 2 out of range 0..1");
    }
    // The failed calls changed nothing.
    BOOST_TEST(f.rd(0, gicd::ISPENDR + 8) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
