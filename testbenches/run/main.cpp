#define BOOST_TEST_MODULE vgic_run_tests
#include <boost/test/unit_test.hpp>
