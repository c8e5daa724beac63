// SPDX-License-Identifier: Apache-2.0
#include "gic_fixture.hpp"

using namespace vgic;
using namespace vgic::test;

BOOST_AUTO_TEST_SUITE(smoke)

BOOST_AUTO_TEST_CASE(spi_end_to_end) {
    GicFixture f(make_config(2));
    f.enable_all(1);
    f.enable_irq(0, 40);
    f.target(40, 0x2);
    f.gic.set_spi_level(40, true);
    BOOST_TEST(f.irq(1));
    BOOST_TEST(!f.irq(0));
    BOOST_TEST(f.crd(1, gicc::IAR) == 40u);
    BOOST_TEST(!f.irq(1), "acknowledged: running priority masks the still-high level line");
    f.gic.set_spi_level(40, false);
    f.cwr(1, gicc::EOIR, 40);
    BOOST_TEST(!f.irq(1));
    BOOST_TEST(f.crd(1, gicc::IAR) == 1023u);
}

BOOST_AUTO_TEST_SUITE_END()
