// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vgic::tlm {

OutputError::OutputError(const std::string& file, int error_number)
    : std::runtime_error("cannot write " + file + ": " + std::strerror(error_number)),
      file_(file),
      reason_(std::strerror(error_number)),
      error_number_(error_number) {}

OutputError::OutputError(const std::string& file, const std::string& context, int error_number)
    : std::runtime_error("cannot write " + file + ": " + context + ": " + std::strerror(error_number)),
      file_(file),
      reason_(context + ": " + std::strerror(error_number)),
      error_number_(error_number) {}

OutputError::OutputError(const std::string& file, const std::string& reason)
    : std::runtime_error("cannot write " + file + ": " + reason), file_(file), reason_(reason) {}

OutputFile::OutputFile(const std::string& path, Create how, const std::string& name)
    : path_(path), name_(name.empty() ? path : name) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC |
                      (how == Create::Exclusive ? O_EXCL | O_NOFOLLOW : O_TRUNC);
    do {
        fd_ = ::open(path.c_str(), flags, 0666);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0) throw OutputError(name_, errno);
    buffer_.reset(new char[kBufferSize]);
    setp(buffer_.get(), buffer_.get() + kBufferSize);
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
}

bool OutputFile::write_out(const char* data, std::size_t n) {
    while (n > 0 && error_ == 0) {
        const ssize_t w = ::write(fd_, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;  // a signal arrived (vgic-sim run handles SIGINT/SIGTERM)
            error_ = errno;
        } else if (w == 0) {
            error_ = EIO;  // write(2) of a regular file never returns 0 for n > 0; do not spin
        } else {
            data += w;
            n -= static_cast<std::size_t>(w);
            written_ += static_cast<std::uint64_t>(w);
        }
    }
    return error_ == 0;
}

bool OutputFile::flush() {
    const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
    // A failed file drops what it holds: the memory stays bounded and the error is kept.
    setp(buffer_.get(), buffer_.get() + kBufferSize);
    if (error_ != 0) return false;
    if (n == 0) return true;
    if (fd_ < 0) {
        error_ = EBADF;  // written after close(): a bug of the caller, reported as such
        return false;
    }
    return write_out(buffer_.get(), n);
}

bool OutputFile::write(const char* data, std::size_t n) {
    if (error_ != 0) return false;
    if (fd_ < 0) {
        error_ = EBADF;  // written after close(): a bug of the caller, reported as such
        return false;
    }
    const std::size_t room = static_cast<std::size_t>(epptr() - pptr());
    if (n <= room) {
        std::memcpy(pptr(), data, n);
        pbump(static_cast<int>(n));
        return true;
    }
    if (!flush()) return false;
    if (n >= kBufferSize) return write_out(data, n);  // large blocks go out directly
    std::memcpy(pptr(), data, n);
    pbump(static_cast<int>(n));
    return true;
}

bool OutputFile::close() {
    if (fd_ < 0) return error_ == 0;
    flush();
    // close(2) may report a deferred write error (NFS, quotas); it is not retried on EINTR
    // (Linux releases the descriptor anyway).
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_ == 0;
}

void OutputFile::check() const {
    if (error_ != 0) throw OutputError(name_, error_);
}

OutputFile::int_type OutputFile::overflow(int_type c) {
    if (!flush()) return traits_type::eof();
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
}

std::streamsize OutputFile::xsputn(const char* s, std::streamsize n) {
    return write(s, static_cast<std::size_t>(n)) ? n : 0;
}

int OutputFile::sync() { return flush() ? 0 : -1; }

} // namespace vgic::tlm
