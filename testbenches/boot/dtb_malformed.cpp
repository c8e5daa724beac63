// SPDX-License-Identifier: Apache-2.0
// A user's device tree blob (`--dtb FILE`, check_device_tree; hostile-input corpus, class
// malformed_files): the generated tree passes; a blob over 2 MiB, a truncated header, a wrong
// magic, a totalsize past the file, an unsupported version, blocks out of bounds and a broken
// structure block are refused with a message naming the field and value.
#include "boot/device_tree.hpp"

#include <boost/test/unit_test.hpp>

#include <libfdt.h>

using namespace vgic::boot;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes good() { return make_device_tree(BoardDescription{}); }

/// Big-endian 32-bit header field at `offset` (Devicetree Specification 5.2).
void put32(Bytes& b, std::size_t offset, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
constexpr std::size_t kMagic = 0, kTotalsize = 4, kOffDtStruct = 8, kOffDtStrings = 12, kVersion = 20,
                      kLastCompVersion = 24, kSizeDtStruct = 36;

std::string refusal(const Bytes& blob) {
    try {
        check_device_tree(blob.data(), blob.size(), "bad.dtb");
        BOOST_ERROR("the blob should be refused");
    } catch (const DeviceTreeError& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(dtb_malformed)

BOOST_AUTO_TEST_CASE(generated_tree_and_trailing_bytes_pass) {
    Bytes blob = good();
    BOOST_CHECK_NO_THROW(check_device_tree(blob.data(), blob.size(), "good.dtb"));
    // A file longer than totalsize (padding after the blob) is accepted: totalsize rules.
    blob.resize(blob.size() + 100, 0xff);
    BOOST_CHECK_NO_THROW(check_device_tree(blob.data(), blob.size(), "padded.dtb"));
    // At a misaligned address too: the check works on its own aligned copy.
    Bytes shifted(1, 0);
    shifted.insert(shifted.end(), blob.begin(), blob.end());
    BOOST_CHECK_NO_THROW(check_device_tree(shifted.data() + 1, blob.size(), "shifted.dtb"));
}

BOOST_AUTO_TEST_CASE(larger_than_2_mib) {
    const Bytes blob((2 << 20) + 1, 0);
    BOOST_TEST(refusal(blob) == "DTB 'bad.dtb': it holds 2097153 bytes, more than 2 MiB (2097152 bytes), the arm64 "
                                "boot protocol's limit (booting.rst)");
}

BOOST_AUTO_TEST_CASE(empty_and_truncated_header) {
    BOOST_TEST(refusal({}) == "DTB 'bad.dtb': header truncated: 0 bytes, the header has 40");
    Bytes blob = good();
    blob.resize(39);
    BOOST_TEST(refusal(blob) == "DTB 'bad.dtb': header truncated: 39 bytes, the header has 40");
}

BOOST_AUTO_TEST_CASE(wrong_magic) {
    Bytes blob = good();
    put32(blob, kMagic, 0x7f454c46);
    BOOST_TEST(refusal(blob) == "DTB 'bad.dtb': magic 0x7f454c46 is not 0xd00dfeed: not a flattened device tree");
}

BOOST_AUTO_TEST_CASE(totalsize_past_the_file) {
    Bytes blob = good();
    const std::size_t size = blob.size();
    blob.resize(size - 1);
    BOOST_TEST(refusal(blob) == "DTB 'bad.dtb': totalsize " + [&] {
        char t[16];
        std::snprintf(t, sizeof t, "0x%zx", size);
        return std::string(t);
    }() + " (" + std::to_string(size) + " bytes) is larger than the file (" + std::to_string(size - 1) + " bytes)");
    blob = good();
    put32(blob, kTotalsize, 0xffffffff);
    BOOST_TEST(refusal(blob).find("totalsize 0xffffffff (4294967295 bytes) is larger than the file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unsupported_version) {
    Bytes blob = good();
    put32(blob, kVersion, 1);
    put32(blob, kLastCompVersion, 1);
    const std::string message = refusal(blob);
    BOOST_TEST(message.rfind("DTB 'bad.dtb': bad header (version 1, last_comp_version 1, ", 0) == 0, message);
    BOOST_TEST(message.find(fdt_strerror(-FDT_ERR_BADVERSION)) != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(structure_block_out_of_bounds) {
    Bytes blob = good();
    put32(blob, kOffDtStruct, 0x7ffffff0);
    const std::string message = refusal(blob);
    BOOST_TEST(message.rfind("DTB 'bad.dtb': bad header (version 17, last_comp_version 16, off_dt_struct 0x7ffffff0, ", 0) == 0,
               message);
    blob = good();
    put32(blob, kSizeDtStruct, 0x7ffffff0);
    BOOST_TEST(refusal(blob).rfind("DTB 'bad.dtb': bad header", 0) == 0);
    blob = good();
    put32(blob, kOffDtStrings, static_cast<std::uint32_t>(blob.size()) + 8);
    BOOST_TEST(refusal(blob).rfind("DTB 'bad.dtb': bad header", 0) == 0);
}

BOOST_AUTO_TEST_CASE(broken_structure_block) {
    // The first token after the root's FDT_BEGIN_NODE and its empty name made an FDT_END:
    // the tree ends with a node left open.
    Bytes blob = good();
    const std::size_t root = fdt_off_dt_struct(blob.data());
    put32(blob, root + 8, FDT_END);
    const std::string message = refusal(blob);
    BOOST_TEST(message.rfind("DTB 'bad.dtb': bad structure: ", 0) == 0, message);
}

BOOST_AUTO_TEST_CASE(property_name_outside_the_strings_block) {
    Bytes blob = good();
    // The root's first property (FDT_PROP, len, nameoff) starts right after the root's
    // FDT_BEGIN_NODE and empty name: 8 bytes in. Its nameoff points past the strings.
    const std::size_t prop = fdt_off_dt_struct(blob.data()) + 8;
    put32(blob, prop + 8, 0x7fffff00);
    const std::string message = refusal(blob);
    BOOST_TEST(message.rfind("DTB 'bad.dtb': bad structure: ", 0) == 0, message);
}

BOOST_AUTO_TEST_SUITE_END()
