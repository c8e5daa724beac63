// SPDX-License-Identifier: Apache-2.0
// A file written through a fixed-size buffer in which every write is checked: the outputs of
// `vgic-sim run` and the VCD writer (vcd_writer.hpp) go through it, so that a full disk or an
// unwritable path is reported with the file and the reason (strerror) instead of being lost
// in an std::ofstream whose state nobody looks at, or ending in a cut file and exit 0.
//
// Plain C++17 and POSIX (open/write/close), no SystemC.
#pragma once

#include "vgic/tlm/export.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <streambuf>
#include <string>

namespace vgic::tlm {

/// An output that cannot be written. what() is "cannot write FILE: REASON".
class VGIC_OUTPUT_API OutputError : public std::runtime_error {
public:
    /// `error_number` is an errno value; the reason is its strerror text.
    OutputError(const std::string& file, int error_number);
    /// "cannot write FILE: CONTEXT: strerror(error_number)", e.g. CONTEXT "cannot create a
    /// file in it" for a directory.
    OutputError(const std::string& file, const std::string& context, int error_number);
    /// A reason that is not an errno value (a plotter that failed, ...).
    OutputError(const std::string& file, const std::string& reason);
    const std::string& file() const { return file_; }
    /// The errno value, 0 when the reason is not one.
    int error_number() const { return error_number_; }
    const std::string& reason() const { return reason_; }

private:
    std::string file_, reason_;
    int error_number_ = 0;
};

/// A file opened for writing, buffered in a fixed block of kBufferSize bytes that is written
/// out as it fills: memory stays bounded however much is written. It is an std::streambuf, so
/// that `std::ostream os(&file)` writes through it.
///
/// Every write(2) and the close(2) are checked; the first failure is kept (its errno) and
/// every later write is dropped, so that a writer can go on and look once at the end
/// (`failed()`, `check()`), or after every flush. A write interrupted by a signal is retried,
/// a short write continued.
class VGIC_OUTPUT_API OutputFile : public std::streambuf {
public:
    static constexpr std::size_t kBufferSize = 64 * 1024;

    enum class Create {
        Truncate,   ///< O_CREAT | O_TRUNC: a file the user named (`--vcd F`), written over
        Exclusive,  ///< O_CREAT | O_EXCL | O_NOFOLLOW: a temporary that must be new (never
                    ///< follows a link or reuses a file someone else placed there)
    };

    /// Opens `path`. `name` is how messages call it ("" = `path`): the temporaries of
    /// `vgic-sim run` are reported under the name the file gets. Throws OutputError when the
    /// file cannot be opened.
    explicit OutputFile(const std::string& path, Create how = Create::Truncate, const std::string& name = "");
    /// Closes the file if close() was not called; a failure there is not reported (call close()).
    ~OutputFile() override;
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Appends `n` bytes; false once the file has failed.
    bool write(const char* data, std::size_t n);
    bool write(const std::string& s) { return write(s.data(), s.size()); }
    /// Writes the buffer out; false once the file has failed.
    bool flush();
    /// Flushes and closes (checked); false if the file failed at any point. Idempotent.
    bool close();

    bool failed() const { return error_ != 0; }
    /// The errno of the first failure, 0 if none.
    int error_number() const { return error_; }
    /// Throws OutputError(name(), error_number()) if the file has failed.
    void check() const;
    const std::string& path() const { return path_; }
    const std::string& name() const { return name_; }
    /// Bytes handed to the file so far (written or still buffered).
    std::uint64_t bytes() const { return written_ + static_cast<std::uint64_t>(pptr() - pbase()); }

protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

private:
    bool write_out(const char* data, std::size_t n);

    std::string path_, name_;
    int fd_ = -1;
    int error_ = 0;
    std::uint64_t written_ = 0;
    std::unique_ptr<char[]> buffer_;
};

} // namespace vgic::tlm
