// SPDX-License-Identifier: Apache-2.0
// LD_PRELOAD fault injection for the output tests (testbenches/run/output_check.cpp): wraps
// write(2) and writev(2) so that writes to the files whose path contains $VGIC_FAULT_PATH misbehave once
// $VGIC_FAULT_AFTER bytes (default 0) have been written to such files:
//   VGIC_FAULT_MODE=enospc (default): the rest fails with ENOSPC, as on a full file system
//     (a write that crosses the limit is cut short first, as the kernel does);
//   VGIC_FAULT_MODE=stall: the write prints "vgic-fault: stalled writing PATH" on stderr and
//     never returns (it waits for signals), so that a test can signal a process that is
//     provably in the middle of writing an output.
// Why a shim and not /dev/full behind a symlink: vgic-sim run never opens an output's final
// name (it writes `.vgic-tmp.NAME`, created exclusively, and renames it), so a link placed
// there is removed, not followed; and a real full file system cannot be made without root
// mounts. The path is looked up per write (readlink of /proc/self/fd/N): slow, but the
// outputs are written in 64 KiB blocks.
//
// Built without sanitizers (CMake adds -fno-sanitize=all): it is preloaded into the shell and
// plotters vgic-sim starts too, which have no sanitizer runtime.
#include <dlfcn.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace {

using WriteFn = ssize_t (*)(int, const void*, size_t);
WriteFn g_real_write = nullptr;
unsigned long long g_written = 0;  // bytes written to matching files so far

__attribute__((constructor)) void init() { g_real_write = reinterpret_cast<WriteFn>(dlsym(RTLD_NEXT, "write")); }

/// "/proc/self/fd/<fd>" without snprintf: write() may be called from a signal handler
/// (vgic-sim's writes its message and a byte into a pipe), where only simple code is safe.
void fd_link(int fd, char* out) {
    const char prefix[] = "/proc/self/fd/";
    std::memcpy(out, prefix, sizeof prefix - 1);
    char digits[16];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + fd % 10);
        fd /= 10;
    } while (fd > 0);
    char* p = out + sizeof prefix - 1;
    while (n > 0) *p++ = digits[--n];
    *p = '\0';
}

/// The target of `fd` if it contains the pattern, else "".
bool matches(int fd, char* target, std::size_t size) {
    if (fd <= 2) return false;  // stdin/stdout/stderr: never the outputs
    const char* pattern = std::getenv("VGIC_FAULT_PATH");
    if (pattern == nullptr || *pattern == '\0') return false;
    char link[48];
    fd_link(fd, link);
    const ssize_t n = readlink(link, target, size - 1);
    if (n <= 0) return false;
    target[n] = '\0';
    return std::strstr(target, pattern) != nullptr;
}

} // namespace

/// How many of `n` bytes to a matching file may be written (0: fail or stall now).
size_t allowance(const char* target, size_t n) {
    const char* after_text = std::getenv("VGIC_FAULT_AFTER");
    const unsigned long long after = after_text != nullptr ? std::strtoull(after_text, nullptr, 10) : 0;
    if (g_written < after) return n < after - g_written ? n : static_cast<size_t>(after - g_written);
    const char* mode = std::getenv("VGIC_FAULT_MODE");
    if (mode != nullptr && std::strcmp(mode, "stall") == 0) {
        const char msg[] = "vgic-fault: stalled writing ";
        g_real_write(2, msg, sizeof msg - 1);
        g_real_write(2, target, std::strlen(target));
        g_real_write(2, "\n", 1);
        for (;;) pause();  // until a signal's handler ends the process
    }
    return 0;
}

extern "C" ssize_t write(int fd, const void* buf, size_t n) {
    if (g_real_write == nullptr) init();
    char target[4096];
    if (n == 0 || !matches(fd, target, sizeof target)) return g_real_write(fd, buf, n);
    const size_t allowed = allowance(target, n);
    if (allowed == 0) {
        errno = ENOSPC;
        return -1;
    }
    const ssize_t w = g_real_write(fd, buf, allowed);
    if (w > 0) g_written += static_cast<unsigned long long>(w);
    return w;
}

// libstdc++'s file streams write large blocks with writev: the same rule, by the first pieces.
extern "C" ssize_t writev(int fd, const struct iovec* iov, int count) {
    using WritevFn = ssize_t (*)(int, const struct iovec*, int);
    static const WritevFn real = reinterpret_cast<WritevFn>(dlsym(RTLD_NEXT, "writev"));
    if (g_real_write == nullptr) init();
    size_t total = 0;
    for (int i = 0; i < count; ++i) total += iov[i].iov_len;
    char target[4096];
    if (total == 0 || !matches(fd, target, sizeof target)) return real(fd, iov, count);
    const size_t allowed = allowance(target, total);
    if (allowed == 0) {
        errno = ENOSPC;
        return -1;
    }
    // Write what is allowed as one write of the first non-empty piece (or part of it): a
    // short write, which callers continue.
    int k = 0;
    while (iov[k].iov_len == 0) ++k;  // total > 0: there is one
    const size_t first = iov[k].iov_len < allowed ? iov[k].iov_len : allowed;
    const ssize_t w = g_real_write(fd, iov[k].iov_base, first);
    if (w > 0) g_written += static_cast<unsigned long long>(w);
    return w;
}
