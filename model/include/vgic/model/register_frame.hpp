// SPDX-License-Identifier: Apache-2.0
// Decoding of one MMIO register frame: a table of register descriptors (name, offset, count,
// legal widths, access rights, handlers), decoded in O(1) through a word-index table.
// Handlers see whole 32-bit words plus a byte-lane mask, so byte-accessible registers
// (IPRIORITYR, ITARGETSR, [CS]PENDSGIR) are written one lane at a time with no special case.
#pragma once

#include "vgic/model/access.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <stdexcept>
#include <vector>

namespace vgic {

enum class RegAccess : std::uint8_t { RW, RO, WO };

/// Bitmask of the access sizes a register accepts.
enum Width : std::uint8_t { kW8 = 1, kW16 = 2, kW32 = 4, kW64 = 8 };

template <class Owner>
struct RegisterDesc {
    using ReadFn = std::uint32_t (Owner::*)(unsigned cpu, std::uint32_t index, AccessMode mode);
    using WriteFn = void (Owner::*)(unsigned cpu, std::uint32_t index, std::uint32_t value,
                                    std::uint32_t byte_mask, AccessMode mode);
    const char* name;      ///< spec mnemonic, e.g. "GICD_ISENABLER"
    std::uint32_t offset;  ///< offset of the first word
    std::uint32_t words;   ///< consecutive 32-bit registers (ISENABLER<n>: 32)
    std::uint8_t widths;   ///< Width mask
    RegAccess access;
    ReadFn read;           ///< nullptr for write-only registers
    WriteFn write;         ///< nullptr for read-only registers
};

template <class Owner>
class RegisterFrame {
public:
    using Desc = RegisterDesc<Owner>;

    RegisterFrame(const char* frame_name, std::uint32_t frame_size, std::vector<Desc> regs)
        : name_(frame_name), regs_(std::move(regs)), word_to_reg_(frame_size / 4, kNone) {
        for (std::size_t i = 0; i < regs_.size(); ++i) {
            const Desc& d = regs_[i];
            for (std::uint32_t w = 0; w < d.words; ++w) {
                const std::uint32_t word = d.offset / 4 + w;
                if (word >= word_to_reg_.size() || word_to_reg_[word] != kNone)
                    throw std::logic_error(std::string(frame_name) + ": bad register table at " + d.name);
                word_to_reg_[word] = static_cast<std::uint8_t>(i);
            }
        }
    }

    const char* name() const { return name_; }

    /// The register decoded at `offset`, or nullptr for a reserved offset.
    const Desc* find(std::uint32_t offset) const {
        const std::uint32_t word = offset / 4;
        if (word >= word_to_reg_.size() || word_to_reg_[word] == kNone) return nullptr;
        return &regs_[word_to_reg_[word]];
    }

    AccessResult read(Owner& owner, Diagnostics& diag, unsigned cpu, std::uint32_t offset,
                      unsigned size, AccessMode mode) const {
        const Desc* d = nullptr;
        if (BadAccessKind why; !check(offset, size, false, d, why))
            return reject(diag, d, cpu, offset, size, false, 0, why);
        const std::uint32_t index = offset / 4 - d->offset / 4;
        std::uint64_t value = (owner.*(d->read))(cpu, index, mode);
        if (size == 8) {
            value |= std::uint64_t{(owner.*(d->read))(cpu, index + 1, mode)} << 32;
        } else {
            value = (value >> (8 * (offset & 3))) & size_mask(size);
        }
        return {value, AccessStatus::Ok};
    }

    AccessResult write(Owner& owner, Diagnostics& diag, unsigned cpu, std::uint32_t offset,
                       unsigned size, std::uint64_t value, AccessMode mode) const {
        const Desc* d = nullptr;
        if (BadAccessKind why; !check(offset, size, true, d, why))
            return reject(diag, d, cpu, offset, size, true, value, why);
        const std::uint32_t index = offset / 4 - d->offset / 4;
        if (size == 8) {
            (owner.*(d->write))(cpu, index, static_cast<std::uint32_t>(value), ~0u, mode);
            (owner.*(d->write))(cpu, index + 1, static_cast<std::uint32_t>(value >> 32), ~0u, mode);
        } else {
            const unsigned shift = 8 * (offset & 3);
            const auto lanes = static_cast<std::uint32_t>(size_mask(size) << shift);
            const auto data = static_cast<std::uint32_t>((value & size_mask(size)) << shift);
            (owner.*(d->write))(cpu, index, data, lanes, mode);
        }
        return {0, AccessStatus::Ok};
    }

private:
    static constexpr std::uint8_t kNone = 0xFF;

    static std::uint64_t size_mask(unsigned size) {
        return size >= 8 ? ~std::uint64_t{0} : ((std::uint64_t{1} << (8 * size)) - 1);
    }

    bool check(std::uint32_t offset, unsigned size, bool is_write, const Desc*& d,
               BadAccessKind& why) const {
        d = find(offset);
        if (size != 1 && size != 2 && size != 4 && size != 8) { why = BadAccessKind::UnsupportedWidth; return false; }
        // size is a power of two here: a mask, not a division (this runs on every access).
        if ((offset & (size - 1)) != 0) { why = BadAccessKind::Unaligned; return false; }
        if (d == nullptr) { why = BadAccessKind::Reserved; return false; }
        if ((d->widths & size) == 0) { why = BadAccessKind::UnsupportedWidth; return false; }
        if (size == 8 && (offset / 4 + 1 - d->offset / 4) >= d->words) { why = BadAccessKind::UnsupportedWidth; return false; }
        if (is_write && d->access == RegAccess::RO) { why = BadAccessKind::WriteToReadOnly; return false; }
        if (!is_write && d->access == RegAccess::WO) { why = BadAccessKind::ReadOfWriteOnly; return false; }
        return true;
    }

    AccessResult reject(Diagnostics& diag, const Desc* d, unsigned cpu, std::uint32_t offset,
                        unsigned size, bool is_write, std::uint64_t value, BadAccessKind why) const {
        const BadAccess bad = BadAccess::make(name_, d ? d->name : nullptr, to_string(why), cpu, offset, size,
                                              is_write, value, why);
        return {0, diag.bad_access(bad), why};
    }

    const char* name_;
    std::vector<Desc> regs_;
    std::vector<std::uint8_t> word_to_reg_;
};

} // namespace vgic
