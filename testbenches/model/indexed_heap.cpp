// The arbitration structure: an indexed min-heap checked against std::set under random
// insert / re-key / erase sequences (fixed seeds).
#include "vgic/model/indexed_heap.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <set>
#include <utility>

using vgic::IndexedMinHeap;

BOOST_AUTO_TEST_SUITE(indexed_heap)

BOOST_AUTO_TEST_CASE(orders_by_priority_then_intid) {
    IndexedMinHeap h(1020);
    h.upsert(40, 0xA0);
    h.upsert(33, 0xA0);
    h.upsert(900, 0x10);
    BOOST_TEST(IndexedMinHeap::id_of(h.top()) == 900u);
    h.erase(900);
    BOOST_TEST(IndexedMinHeap::id_of(h.top()) == 33u, "equal priority: lower INTID first");
    BOOST_TEST(!h.upsert(33, 0xA0), "same key: no change reported");
    BOOST_TEST(h.upsert(33, 0xB0));
    BOOST_TEST(IndexedMinHeap::id_of(h.top()) == 40u);
    BOOST_TEST(!h.erase(7), "erasing an absent id reports no change");
}

BOOST_AUTO_TEST_CASE(random_operations_match_std_set) {
    for (unsigned seed : {1u, 2u, 3u, 42u}) {
        std::mt19937 rng(seed);
        const unsigned capacity = 1020;
        IndexedMinHeap h(capacity);
        std::set<std::pair<unsigned, unsigned>> ref;  // (priority, id)
        std::vector<int> prio_of(capacity, -1);
        for (int step = 0; step < 20000; ++step) {
            const unsigned id = rng() % capacity;
            if (rng() % 3 == 0) {
                const bool had = prio_of[id] >= 0;
                BOOST_TEST_REQUIRE(h.erase(id) == had);
                if (had) ref.erase({static_cast<unsigned>(prio_of[id]), id});
                prio_of[id] = -1;
            } else {
                const unsigned prio = rng() % 256;
                if (prio_of[id] >= 0) ref.erase({static_cast<unsigned>(prio_of[id]), id});
                ref.insert({prio, id});
                prio_of[id] = static_cast<int>(prio);
                h.upsert(id, prio);
            }
            BOOST_TEST_REQUIRE(h.size() == ref.size());
            if (!ref.empty()) {
                BOOST_TEST_REQUIRE(IndexedMinHeap::id_of(h.top()) == ref.begin()->second, "seed " << seed << " step " << step);
                BOOST_TEST_REQUIRE(IndexedMinHeap::priority_of(h.top()) == ref.begin()->first);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
