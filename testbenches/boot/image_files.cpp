// SPDX-License-Identifier: Apache-2.0
// Reading an image file (read_image_file; hostile-input corpus, class special_files:
// testbenches/hostile/README.md): only a regular file of 1 byte up to the limit is read; a
// missing file, a directory, a FIFO, a device, an empty file and a file over the limit are
// refused with the system's reason or what the file is. Nothing here blocks: a FIFO is never
// opened.
#include "boot/image.hpp"

#include "../input_files.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace vgic::boot;
using vgic::testing::ScratchDir;

namespace {

std::string refusal(const std::string& path, std::uint64_t limit = 1 << 20) {
    try {
        read_image_file(path, limit);
        BOOST_ERROR("reading '" << path << "' should have failed");
    } catch (const ImageError& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(image_files)

BOOST_AUTO_TEST_CASE(reads_a_regular_file_whole) {
    ScratchDir dir("boot-image");
    std::string text(100000, '\0');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7);
    const std::string path = dir.write("image.bin", text);
    const std::vector<std::uint8_t> bytes = read_image_file(path, text.size());
    BOOST_TEST(bytes.size() == text.size(), "a file of exactly the limit is read");
    BOOST_TEST(std::equal(bytes.begin(), bytes.end(), text.begin(),
                          [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }));
}

BOOST_AUTO_TEST_CASE(missing_file) {
    ScratchDir dir("boot-image");
    BOOST_TEST(refusal(dir / "none") == "IMAGE '" + (dir / "none") + "': cannot read it: No such file or directory");
}

BOOST_AUTO_TEST_CASE(path_under_a_regular_file) {
    ScratchDir dir("boot-image");
    const std::string file = dir.write("f", "x");
    BOOST_TEST(refusal(file + "/image") == "IMAGE '" + file + "/image': cannot read it: Not a directory");
}

BOOST_AUTO_TEST_CASE(directory) {
    ScratchDir dir("boot-image");
    BOOST_TEST(refusal(dir / "") == "IMAGE '" + (dir / "") + "': cannot read it: it is a directory, not a regular file");
}

BOOST_AUTO_TEST_CASE(fifo_is_refused_without_opening_it) {
    ScratchDir dir("boot-image");
    const std::string fifo = dir / "fifo";
    BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // No writer: opening it would block; the kind is refused from stat first.
    BOOST_TEST(refusal(fifo) == "IMAGE '" + fifo + "': cannot read it: it is a FIFO, not a regular file");
}

BOOST_AUTO_TEST_CASE(character_device) {
    BOOST_TEST(refusal("/dev/zero") == "IMAGE '/dev/zero': cannot read it: it is a character device, not a regular file");
}

BOOST_AUTO_TEST_CASE(empty_file) {
    ScratchDir dir("boot-image");
    const std::string path = dir.write("empty", "");
    BOOST_TEST(refusal(path) == "IMAGE '" + path + "': cannot read it: it is empty");
}

BOOST_AUTO_TEST_CASE(one_byte_over_the_limit) {
    ScratchDir dir("boot-image");
    const std::string path = dir.write("big", std::string(4097, 'x'));
    BOOST_TEST(refusal(path, 4096) ==
               "IMAGE '" + path + "': cannot read it: it holds 4097 bytes, more than the limit of 4 KiB (4096 bytes)");
}

BOOST_AUTO_TEST_CASE(sparse_file_far_over_the_limit_is_not_read) {
    // 1 TiB of holes: refused from its size before a byte is read.
    ScratchDir dir("boot-image");
    const std::string path = dir.write("sparse", "");
    BOOST_REQUIRE(::truncate(path.c_str(), std::int64_t{1} << 40) == 0);
    BOOST_TEST(refusal(path, std::uint64_t{128} << 20) ==
               "IMAGE '" + path +
                   "': cannot read it: it holds 1099511627776 bytes, more than the limit of 128 MiB (134217728 bytes)");
}

BOOST_AUTO_TEST_CASE(label_names_what_the_file_is_for) {
    ScratchDir dir("boot-image");
    try {
        read_image_file(dir / "board.dtb", 2 << 20, "DTB");
        BOOST_ERROR("a missing file should be refused");
    } catch (const ImageError& e) {
        BOOST_TEST(std::string(e.what()) == "DTB '" + (dir / "board.dtb") + "': cannot read it: No such file or directory");
    }
}

BOOST_AUTO_TEST_SUITE_END()
