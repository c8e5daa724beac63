// A binary min-heap of interrupt keys with O(1) membership and O(log n) insert, erase and
// re-key by INTID. One per CPU and group holds the interrupts that are eligible for
// signalling, so the best pending interrupt is read in O(1) instead of scanning all INTIDs
// on every state change (the approach of our peers, which step 7 benchmarks against).
// Storage is allocated once at construction; no operation allocates.
#pragma once

#include <cstdint>
#include <vector>

namespace vgic {

class IndexedMinHeap {
public:
    /// Keys are (priority << kIdBits) | intid, so ties in priority go to the lower INTID
    /// (the GICv2 arbitration rule is IMPLEMENTATION DEFINED; lowest ID is what GIC-400 does).
    static constexpr unsigned kIdBits = 10;
    static constexpr std::uint32_t make_key(std::uint32_t priority, std::uint32_t id) {
        return (priority << kIdBits) | id;
    }
    static constexpr std::uint32_t id_of(std::uint32_t key) { return key & ((1u << kIdBits) - 1); }
    static constexpr std::uint32_t priority_of(std::uint32_t key) { return key >> kIdBits; }

    explicit IndexedMinHeap(std::uint32_t capacity) : position_(capacity, kAbsent) {
        heap_.reserve(capacity);
    }

    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    bool contains(std::uint32_t id) const { return position_[id] != kAbsent; }
    /// Smallest key; only valid when !empty().
    std::uint32_t top() const { return heap_.front(); }

    /// Inserts `id` with `priority`, or re-keys it if present. Returns true if the heap changed.
    bool upsert(std::uint32_t id, std::uint32_t priority) {
        const std::uint32_t key = make_key(priority, id);
        std::uint16_t pos = position_[id];
        if (pos == kAbsent) {
            pos = static_cast<std::uint16_t>(heap_.size());
            heap_.push_back(key);
            position_[id] = pos;
            sift_up(pos);
            return true;
        }
        if (heap_[pos] == key) return false;
        const bool up = key < heap_[pos];
        heap_[pos] = key;
        if (up) sift_up(pos); else sift_down(pos);
        return true;
    }

    /// Removes every entry, O(size). For wholesale state replacement (snapshot restore),
    /// never on the access paths.
    void clear() {
        for (const std::uint32_t key : heap_) position_[id_of(key)] = kAbsent;
        heap_.clear();
    }

    /// Removes `id` if present. Returns true if the heap changed.
    bool erase(std::uint32_t id) {
        const std::uint16_t pos = position_[id];
        if (pos == kAbsent) return false;
        position_[id] = kAbsent;
        const std::uint32_t last = heap_.back();
        heap_.pop_back();
        if (pos < heap_.size()) {
            heap_[pos] = last;
            position_[id_of(last)] = pos;
            sift_up(pos);
            sift_down(position_[id_of(last)]);
        }
        return true;
    }

private:
    static constexpr std::uint16_t kAbsent = 0xFFFF;

    void place(std::size_t pos, std::uint32_t key) {
        heap_[pos] = key;
        position_[id_of(key)] = static_cast<std::uint16_t>(pos);
    }
    void sift_up(std::size_t pos) {
        const std::uint32_t key = heap_[pos];
        while (pos > 0) {
            const std::size_t parent = (pos - 1) / 2;
            if (heap_[parent] <= key) break;
            place(pos, heap_[parent]);
            pos = parent;
        }
        place(pos, key);
    }
    void sift_down(std::size_t pos) {
        const std::uint32_t key = heap_[pos];
        const std::size_t n = heap_.size();
        for (;;) {
            std::size_t child = 2 * pos + 1;
            if (child >= n) break;
            if (child + 1 < n && heap_[child + 1] < heap_[child]) ++child;
            if (heap_[child] >= key) break;
            place(pos, heap_[child]);
            pos = child;
        }
        place(pos, key);
    }

    std::vector<std::uint32_t> heap_;       // keys
    std::vector<std::uint16_t> position_;   // INTID -> index in heap_, or kAbsent
};

} // namespace vgic
