// SPDX-License-Identifier: Apache-2.0
// SHA-256 against FIPS 180-4's examples (the NIST "Cryptographic Standards and Guidelines:
// Examples with Intermediate Values", SHA256.pdf) and the long messages of the NIST test
// vectors, fed whole and in pieces that cross the 64-byte blocks; with the portable code and,
// where the CPU has them, with the x86 SHA extensions.
#include "run/sha256.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using vgic::run::Sha256;
using vgic::run::sha256_hex;

namespace {

/// Runs `check` with the portable code, then with the CPU's instructions if it has them.
template <class F>
void both_ways(F check) {
    const bool cpu = Sha256::cpu_instructions_available();
    for (const bool use : {false, true}) {
        if (use && !cpu) {
            BOOST_TEST_MESSAGE("no x86 SHA extensions: the portable code only");
            continue;
        }
        Sha256::use_cpu_instructions(use);
        BOOST_TEST_CONTEXT((use ? "SHA extensions" : "portable")) { check(); }
    }
    Sha256::use_cpu_instructions(cpu);
}

} // namespace

BOOST_AUTO_TEST_SUITE(sha256)

BOOST_AUTO_TEST_CASE(fips_180_4_examples) {
  both_ways([] {
    // One block: "abc".
    BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // The empty message: padding only.
    BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // 448 bits: the length no longer fits the first block, a second one holds it.
    BOOST_TEST(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // 896 bits (two blocks of message).
    BOOST_TEST(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
               "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  });
}

BOOST_AUTO_TEST_CASE(one_million_a_in_pieces) {
  both_ways([] {
    // 10^6 x 'a', fed in pieces of 1, 63, 64, 65 and 997 bytes: the buffer joins them.
    const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    BOOST_TEST(sha256_hex(std::string(1000000, 'a')) == expected);
    for (std::size_t piece : {1u, 63u, 64u, 65u, 997u}) {
        Sha256 h;
        const std::string chunk(piece, 'a');
        std::size_t left = 1000000;
        while (left > 0) {
            const std::size_t n = left < piece ? left : piece;
            h.update(chunk.data(), n);
            left -= n;
        }
        BOOST_TEST(h.hex() == expected, "pieces of " << piece);
    }
  });
}

BOOST_AUTO_TEST_CASE(lengths_around_the_padding_boundary) {
  both_ways([] {
    // 55 bytes fit the length in one block, 56 need two; both agree with feeding byte by byte.
    for (std::size_t n : {55u, 56u, 63u, 64u, 119u, 120u}) {
        const std::string m(n, 'x');
        Sha256 h;
        for (char c : m) h.update(&c, 1);
        BOOST_TEST(h.hex() == sha256_hex(m), n << " bytes");
    }
    BOOST_TEST(sha256_hex(std::string(55, 'x')) != sha256_hex(std::string(56, 'x')));
  });
}

BOOST_AUTO_TEST_SUITE_END()
