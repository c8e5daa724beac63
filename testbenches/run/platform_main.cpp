// SPDX-License-Identifier: Apache-2.0
// Boost.Test inside sc_main (SystemC owns main): each CTest entry selects one case with
// --run_test, so every simulation gets its own process (SystemC cannot reset its kernel).
#define BOOST_TEST_MODULE vgic_run_platform_tests
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <systemc>

#include <cstdlib>

int sc_main(int argc, char** argv) { return boost::unit_test::unit_test_main(&init_unit_test, argc, argv); }

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
