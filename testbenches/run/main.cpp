// SPDX-License-Identifier: Apache-2.0
#define BOOST_TEST_MODULE vgic_run_tests
#include <boost/test/unit_test.hpp>
