// SPDX-License-Identifier: Apache-2.0
// The arbitration structure: the set of interrupts eligible for one CPU and group, keyed by
// (priority, INTID), with membership, insert, erase, re-key and the minimum all in O(1).
//
// A GIC priority is 8 bits and an INTID (without LPIs) below 1024, so the keys live in a
// small fixed space and a bitmap beats a comparison heap: a 256-bit mask of the priority
// levels in use, and per level in use a bitmap of its INTIDs with a summary word of the
// non-empty 64-bit words. The minimum is cached and, when it leaves, found again with three
// count-trailing-zeros; the cost of an update does not depend on how many interrupts are
// pending (the binary heap this replaces paid O(log n): with 900 interrupts pending, a round
// trip cost 1.3x the one with none, docs/PERFORMANCE.md).
// Level bitmaps are taken from a per-queue pool when a level first gets an entry and given
// back when it empties: real guests use a handful of priority levels, so memory stays
// about one bitmap per level in use. Nothing allocates once a level's bitmap has been
// used; no operation scans the INTIDs.
#pragma once

#include "vgic/model/export.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace vgic {

class VGIC_MODEL_API IndexedPriorityQueue {
public:
    /// Keys are (priority << kIdBits) | intid, so ties in priority go to the lower INTID
    /// (the GICv2 arbitration rule is IMPLEMENTATION DEFINED; lowest ID is what GIC-400 does).
    static constexpr unsigned kIdBits = 10;
    static constexpr std::uint32_t kMaxIds = 1u << kIdBits;
    static constexpr std::uint32_t make_key(std::uint32_t priority, std::uint32_t id) {
        return (priority << kIdBits) | id;
    }
    static constexpr std::uint32_t id_of(std::uint32_t key) { return key & (kMaxIds - 1); }
    static constexpr std::uint32_t priority_of(std::uint32_t key) { return key >> kIdBits; }

    /// Holds ids 0..capacity-1 (at most kMaxIds).
    explicit IndexedPriorityQueue(std::uint32_t capacity)
        : words_per_level_((capacity + 63) / 64), priority_of_(capacity, kAbsent) {
        if (capacity > kMaxIds) throw std::invalid_argument("IndexedPriorityQueue: capacity above 1024 ids");
        level_block_.fill(kNoBlock);
    }

    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    bool contains(std::uint32_t id) const { return priority_of_[id] != kAbsent; }

    /// Smallest key; only valid when !empty(). Cached: arbitration reads it far more often
    /// than the minimum changes.
    std::uint32_t top() const { return top_; }

    /// Inserts `id` with `priority` (0..255), or re-keys it if present. Returns true if the
    /// queue changed.
    bool upsert(std::uint32_t id, std::uint32_t priority) {
        const std::uint16_t old = priority_of_[id];
        if (old == priority) return false;
        if (old != kAbsent) remove(id, old);
        insert(id, priority);
        return true;
    }

    /// Removes `id` if present. Returns true if the queue changed.
    bool erase(std::uint32_t id) {
        const std::uint16_t old = priority_of_[id];
        if (old == kAbsent) return false;
        remove(id, old);
        return true;
    }

    /// Removes every entry. For wholesale state replacement (snapshot restore); O(capacity).
    void clear() {
        for (std::uint32_t id = 0; id < priority_of_.size(); ++id)
            if (priority_of_[id] != kAbsent) remove(id, priority_of_[id]);
    }

private:
    static constexpr std::uint16_t kAbsent = 0xFFFF;
    static constexpr std::uint16_t kNoBlock = 0xFFFF;

    static unsigned ctz(std::uint64_t v) { return static_cast<unsigned>(__builtin_ctzll(v)); }
    static constexpr std::uint32_t kNoKey = ~0u;

    /// The smallest key by the bitmaps: the lowest level in use, its lowest non-empty word,
    /// its lowest bit.
    std::uint32_t find_min() const {
        if (size_ == 0) return kNoKey;
        unsigned w = 0;
        while (levels_[w] == 0) ++w;  // at most 4 words; size_ > 0 guarantees one is set
        const unsigned level = 64 * w + ctz(levels_[w]);
        const std::uint64_t* b = block(level_block_[level]);
        const unsigned word = ctz(b[0]);  // b[0]: summary of the non-empty id words
        return make_key(level, 64 * word + ctz(b[1 + word]));
    }

    // A block is 1 summary word followed by words_per_level_ id words.
    std::uint64_t* block(std::uint16_t index) { return &pool_[index * (1 + words_per_level_)]; }
    const std::uint64_t* block(std::uint16_t index) const { return &pool_[index * (1 + words_per_level_)]; }

    void insert(std::uint32_t id, std::uint32_t priority) {
        std::uint16_t& bi = level_block_[priority];
        if (bi == kNoBlock) {
            if (free_count_ == 0) {
                bi = static_cast<std::uint16_t>(pool_.size() / (1 + words_per_level_));
                pool_.resize(pool_.size() + 1 + words_per_level_, 0);
            } else {
                bi = free_blocks_[--free_count_];
            }
            levels_[priority / 64] |= std::uint64_t{1} << (priority % 64);
        }
        std::uint64_t* b = block(bi);
        b[1 + id / 64] |= std::uint64_t{1} << (id % 64);
        b[0] |= std::uint64_t{1} << (id / 64);
        priority_of_[id] = static_cast<std::uint16_t>(priority);
        ++size_;
        const std::uint32_t key = make_key(priority, id);
        if (key < top_) top_ = key;
    }

    void remove(std::uint32_t id, std::uint16_t priority) {
        std::uint16_t& bi = level_block_[priority];
        std::uint64_t* b = block(bi);
        std::uint64_t& word = b[1 + id / 64];
        word &= ~(std::uint64_t{1} << (id % 64));
        if (word == 0) {
            b[0] &= ~(std::uint64_t{1} << (id / 64));
            if (b[0] == 0) {  // the level emptied: its (all-zero) block goes back to the pool
                free_blocks_[free_count_++] = bi;
                bi = kNoBlock;
                levels_[priority / 64] &= ~(std::uint64_t{1} << (priority % 64));
            }
        }
        priority_of_[id] = kAbsent;
        --size_;
        if (make_key(priority, id) == top_) top_ = find_min();
    }

    std::uint32_t words_per_level_;
    std::size_t size_ = 0;
    std::uint32_t top_ = kNoKey;                     // find_min(), kept current
    std::array<std::uint64_t, 4> levels_{};          // bit p: priority level p in use
    std::array<std::uint16_t, 256> level_block_{};   // level -> block index, or kNoBlock
    std::vector<std::uint64_t> pool_;                // blocks, see block()
    // At most one block per priority level exists, so a fixed array holds every free one:
    // giving a block back never allocates, in copies too.
    std::array<std::uint16_t, 256> free_blocks_{};
    unsigned free_count_ = 0;
    std::vector<std::uint16_t> priority_of_;         // id -> its priority, or kAbsent
};

} // namespace vgic
