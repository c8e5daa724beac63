// SPDX-License-Identifier: Apache-2.0
#define BOOST_TEST_MODULE vgic_platform_tests
#include <boost/test/unit_test.hpp>
