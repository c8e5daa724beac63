// SPDX-License-Identifier: Apache-2.0
// The arbitration structure (per-priority-level INTID bitmaps with a cached minimum) checked
// against std::set under random insert / re-key / erase / clear sequences (fixed seeds), plus
// its edges: the highest and lowest keys, level bitmaps given back and reused.
#include "vgic/model/indexed_priority_queue.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <set>
#include <utility>

using vgic::IndexedPriorityQueue;

BOOST_AUTO_TEST_SUITE(indexed_priority_queue)

BOOST_AUTO_TEST_CASE(orders_by_priority_then_intid) {
    IndexedPriorityQueue h(1020);
    h.upsert(40, 0xA0);
    h.upsert(33, 0xA0);
    h.upsert(900, 0x10);
    BOOST_TEST(IndexedPriorityQueue::id_of(h.top()) == 900u);
    h.erase(900);
    BOOST_TEST(IndexedPriorityQueue::id_of(h.top()) == 33u, "equal priority: lower INTID first");
    BOOST_TEST(!h.upsert(33, 0xA0), "same key: no change reported");
    BOOST_TEST(h.upsert(33, 0xB0));
    BOOST_TEST(IndexedPriorityQueue::id_of(h.top()) == 40u);
    BOOST_TEST(!h.erase(7), "erasing an absent id reports no change");
}

BOOST_AUTO_TEST_CASE(extreme_keys_and_word_boundaries) {
    IndexedPriorityQueue h(1020);
    for (unsigned id : {1019u, 64u, 63u, 0u, 128u}) h.upsert(id, 0xFF);
    BOOST_TEST(h.size() == 5u);
    const unsigned order[] = {0, 63, 64, 128, 1019};  // INTID order within one level, across words
    for (unsigned id : order) {
        BOOST_TEST(IndexedPriorityQueue::id_of(h.top()) == id);
        BOOST_TEST(IndexedPriorityQueue::priority_of(h.top()) == 0xFFu);
        BOOST_TEST(h.erase(id));
    }
    BOOST_TEST(h.empty());
    h.upsert(1019, 0x00);
    h.upsert(0, 0xFF);
    BOOST_TEST(h.top() == IndexedPriorityQueue::make_key(0x00, 1019), "priority 0 beats INTID 0 at priority 255");
    BOOST_TEST(h.contains(1019));
    BOOST_TEST(h.contains(0));
    BOOST_TEST(!h.contains(1));
}

BOOST_AUTO_TEST_CASE(levels_given_back_and_reused_and_clear) {
    IndexedPriorityQueue h(1020);
    // Every priority level in use, then emptied, then used again: the level bitmaps go back
    // to the pool and are handed out again clean (a stale bit would show up as a phantom id).
    for (int round = 0; round < 3; ++round) {
        for (unsigned p = 0; p < 256; ++p) h.upsert(p * 3 + static_cast<unsigned>(round), 255 - p);
        BOOST_TEST(h.size() == 256u);
        BOOST_TEST(h.top() == IndexedPriorityQueue::make_key(0, 255 * 3 + static_cast<unsigned>(round)));
        for (unsigned p = 0; p < 256; ++p) BOOST_TEST_REQUIRE(h.erase(p * 3 + static_cast<unsigned>(round)));
        BOOST_TEST(h.empty());
    }
    h.upsert(5, 7);
    h.upsert(6, 7);
    h.upsert(700, 1);
    h.clear();
    BOOST_TEST(h.empty());
    BOOST_TEST(!h.contains(5));
    BOOST_TEST(!h.contains(700));
    h.upsert(6, 9);
    BOOST_TEST(h.top() == IndexedPriorityQueue::make_key(9, 6), "after clear, nothing of the old entries is left");
}

BOOST_AUTO_TEST_CASE(capacity_above_the_id_space_is_refused) {
    BOOST_CHECK_THROW(IndexedPriorityQueue(1025), std::invalid_argument);
    BOOST_CHECK_NO_THROW(IndexedPriorityQueue(1024));
}

BOOST_AUTO_TEST_CASE(random_operations_match_std_set) {
    for (unsigned seed : {1u, 2u, 3u, 42u}) {
        std::mt19937 rng(seed);
        const unsigned capacity = 1020;
        IndexedPriorityQueue h(capacity);
        std::set<std::pair<unsigned, unsigned>> ref;  // (priority, id)
        std::vector<int> prio_of(capacity, -1);
        for (int step = 0; step < 20000; ++step) {
            const unsigned id = rng() % capacity;
            if (rng() % 5000 == 0) {
                h.clear();
                ref.clear();
                std::fill(prio_of.begin(), prio_of.end(), -1);
            } else if (rng() % 3 == 0) {
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
                BOOST_TEST_REQUIRE(IndexedPriorityQueue::id_of(h.top()) == ref.begin()->second, "seed " << seed << " step " << step);
                BOOST_TEST_REQUIRE(IndexedPriorityQueue::priority_of(h.top()) == ref.begin()->first);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
