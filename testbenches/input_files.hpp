// SPDX-License-Identifier: Apache-2.0
// Hostile input files for the tests of the file readers (D06, docs/RELIABILITY.md): a scratch
// directory, a FIFO with a writer thread (once or without end), a UNIX socket, a file of a
// given size made at run time (big inputs are never committed), an environment variable set
// for one scope, and a call on a thread with a small stack (deep nesting, item 2). Header-only, POSIX; shared by the test suites that load files
// (testbenches/tlm, run, platform) as "../input_files.hpp".
#pragma once

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace vgic::testing {

/// A scratch directory, removed with everything in it at the end of the scope.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& tag) {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("vgic-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }
    /// Writes `text` to `name`; returns the path.
    std::string write(const std::string& name, const std::string& text) const {
        const std::string p = *this / name;
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
    /// A file of exactly `bytes` bytes: `head`, then comment lines ("# ...\n") and '#' to fill.
    std::string write_sized(const std::string& name, const std::string& head, std::size_t bytes) const {
        std::string text = head;
        const std::string line = "# filler to make the file as large as the test needs it...........\n";
        while (text.size() + line.size() <= bytes) text += line;
        if (text.size() < bytes) text += "#" + std::string(bytes - text.size() - 1, '.');
        return write(name, text.substr(0, bytes));
    }
    /// A UNIX socket bound at `name` (kept open until the end of the scope).
    std::string socket(const std::string& name) {
        const std::string p = *this / name;
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (p.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long: " + p);
        std::strcpy(addr.sun_path, p.c_str());
        socket_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (socket_ < 0 || ::bind(socket_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("cannot bind a socket at " + p + ": " + std::strerror(errno));
        return p;
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    int socket_ = -1;
};

/// A FIFO at `path` and a thread writing into it: `text` once, or (endless) `text` over and
/// over until the reader closes its end. The thread waits at most a few seconds for a reader,
/// so a loader that never opens the FIFO fails its test instead of hanging it; written()
/// says how many bytes went in.
class FifoWriter {
public:
    FifoWriter(const std::string& path, std::string text, bool endless) {
        ::signal(SIGPIPE, SIG_IGN);  // the reader closing early is the point of the test
        if (::mkfifo(path.c_str(), 0600) != 0)
            throw std::runtime_error("mkfifo " + path + ": " + std::strerror(errno));
        thread_ = std::thread([this, path, text = std::move(text), endless] {
            // Non-blocking open: ENXIO while no reader has it open; then blocking writes.
            int fd = -1;
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while ((fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 &&
                   std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            if (fd < 0) return;
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            do {
                std::size_t done = 0;
                while (done < text.size()) {
                    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
                    if (n < 0 && errno == EINTR) continue;
                    if (n <= 0) {
                        ::close(fd);
                        return;  // EPIPE: the reader is gone
                    }
                    done += static_cast<std::size_t>(n);
                    written_ += static_cast<std::size_t>(n);
                }
            } while (endless);
            ::close(fd);
        });
    }
    ~FifoWriter() {
        if (thread_.joinable()) thread_.join();
    }
    FifoWriter(const FifoWriter&) = delete;
    FifoWriter& operator=(const FifoWriter&) = delete;
    /// Waits for the writer to end (the reader closed, or `text` was written once).
    std::size_t finish() {
        if (thread_.joinable()) thread_.join();
        return written_;
    }

private:
    std::thread thread_;
    std::atomic<std::size_t> written_{0};
};

/// Sets an environment variable for one scope (restores what was there).
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

/// Runs `f` on a new thread whose stack is `bytes` (a SystemC thread's is of this order, far
/// below the main thread's 8 MiB) and rethrows what it threw. A recursion that outgrows the
/// stack kills the process (the test fails with a signal).
inline void run_on_small_stack(const std::function<void()>& f, std::size_t bytes = 128 * 1024) {
    struct Call {
        const std::function<void()>* f;
        std::exception_ptr error;
    } call{&f, nullptr};
    pthread_attr_t attr;
    ::pthread_attr_init(&attr);
    ::pthread_attr_setstacksize(&attr, bytes);
    pthread_t thread;
    const int rc = ::pthread_create(
        &thread, &attr,
        [](void* p) -> void* {
            auto* c = static_cast<Call*>(p);
            try {
                (*c->f)();
            } catch (...) {
                c->error = std::current_exception();
            }
            return nullptr;
        },
        &call);
    ::pthread_attr_destroy(&attr);
    if (rc != 0) throw std::runtime_error(std::string("pthread_create: ") + std::strerror(rc));
    ::pthread_join(thread, nullptr);
    if (call.error) std::rethrow_exception(call.error);
}

} // namespace vgic::testing
