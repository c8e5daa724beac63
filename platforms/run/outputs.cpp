// SPDX-License-Identifier: Apache-2.0
#include "run/outputs.hpp"

#include "run/sha256.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <ostream>

namespace vgic::run {

namespace fs = std::filesystem;

const std::vector<std::string>& run_output_names() {
    // report.json first: removed first, so that an interrupted removal never leaves a report
    // whose files are gone. Every file report.cpp and the platform write, and the logs of
    // the plotters that older versions left behind.
    static const std::vector<std::string> names = {"report.json", "latency.csv",     "trace.json",  "waves.vcd",
                                                   "waves.gtkw",  "latency.gp",      "latency.svg", "latency_plot.py",
                                                   "latency.png", "latency.gp.log", "latency_plot.log"};
    return names;
}

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

/// Holds SIGINT and SIGTERM for its lifetime (delivered when it ends): the renames of a
/// commit are not cut in half by vgic-sim's handler, whose second signal _exit()s.
class HoldStopSignals {
public:
    HoldStopSignals() {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGINT);
        sigaddset(&s, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &s, &old_);
    }
    ~HoldStopSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
    HoldStopSignals(const HoldStopSignals&) = delete;
    HoldStopSignals& operator=(const HoldStopSignals&) = delete;

private:
    sigset_t old_;
};

} // namespace

OutputDir::OutputDir(const std::string& dir) : dir_(dir.empty() ? std::string(".") : dir) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw OutputError(dir_, "cannot create the directory", ec.value());
    // Creating a directory proves little (it may exist read-only, on a read-only or full
    // file system, or be something /proc made up): create and remove a file in it.
    const std::string probe = temp_path("probe." + std::to_string(::getpid()));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) throw OutputError(dir_, "cannot create a file in it", errno);
    ::close(fd);
    if (::unlink(probe.c_str()) != 0) throw OutputError(dir_, "cannot remove a file from it", errno);
}

OutputDir::~OutputDir() { discard(); }

std::string OutputDir::path(const std::string& name) const { return (fs::path(dir_) / name).string(); }

std::string OutputDir::temp_path(const std::string& name) const {
    return (fs::path(dir_) / (std::string(kTempPrefix) + name)).string();
}

void OutputDir::remove_previous(const std::vector<std::string>& keep) {
    auto remove = [&](const std::string& p) {
        if (std::find(keep.begin(), keep.end(), p) != keep.end()) return;
        // unlink, not a recursive removal: a link is removed, never followed; a directory in
        // the way is reported.
        if (::unlink(p.c_str()) != 0 && errno != ENOENT)
            throw OutputError(p, "cannot remove the earlier run's file", errno);
    };
    for (const std::string& name : run_output_names()) remove(path(name));
    DIR* d = ::opendir(dir_.c_str());
    if (d == nullptr) throw OutputError(dir_, "cannot list it", errno);
    std::vector<std::string> temporaries;
    while (const dirent* e = ::readdir(d))
        if (starts_with(e->d_name, kTempPrefix)) temporaries.push_back(path(e->d_name));
    ::closedir(d);
    for (const std::string& p : temporaries) remove(p);
}

void OutputDir::write(const std::string& name, const std::function<void(std::ostream&)>& writer) {
    const std::string tmp = temp_path(name);
    tlm::OutputFile file(tmp, tlm::OutputFile::Create::Exclusive, path(name));
    temporaries_.push_back(tmp);  // only once it is ours: a file that was there stays
    std::ostream os(&file);
    writer(os);
    os.flush();
    file.close();
    file.check();
    if (!os) throw OutputError(path(name), "the stream writing it failed");
    entries_.push_back({name, false});
}

void OutputDir::track(const std::string& name) {
    const std::string tmp = temp_path(name);
    if (std::find(temporaries_.begin(), temporaries_.end(), tmp) == temporaries_.end()) temporaries_.push_back(tmp);
}

void OutputDir::adopt(const std::string& name) {
    track(name);
    entries_.push_back({name, false});
}

void OutputDir::adopt_in_place(const std::string& name) { entries_.push_back({name, true}); }

bool OutputDir::has(const std::string& name) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
}

std::vector<OutputFileInfo> OutputDir::describe() const {
    std::vector<OutputFileInfo> out;
    std::unique_ptr<char[]> buf(new char[1 << 16]);
    for (const Entry& e : entries_) {
        const std::string p = e.in_place ? path(e.name) : temp_path(e.name);
        const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw OutputError(path(e.name), "cannot read it back", errno);
        Sha256 h;
        OutputFileInfo info;
        info.name = e.name;
        for (;;) {
            const ssize_t n = ::read(fd, buf.get(), 1 << 16);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                const int err = errno;
                ::close(fd);
                throw OutputError(path(e.name), "cannot read it back", err);
            }
            if (n == 0) break;
            h.update(buf.get(), static_cast<std::size_t>(n));
            info.bytes += static_cast<std::uint64_t>(n);
        }
        ::close(fd);
        info.sha256 = h.hex();
        out.push_back(std::move(info));
    }
    return out;
}

void OutputDir::commit(const std::function<void(std::ostream&, const std::vector<OutputFileInfo>&)>& report_writer) {
    const std::vector<OutputFileInfo> files = describe();
    write("report.json", [&](std::ostream& os) { report_writer(os, files); });
    HoldStopSignals hold;
    std::vector<std::string> renamed;
    for (const Entry& e : entries_) {  // report.json is the last entry: renamed last
        if (e.in_place) continue;
        const std::string tmp = temp_path(e.name), final_path = path(e.name);
        if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
            const int err = errno;
            // Nothing of this run stays: the files already renamed go with the temporaries.
            for (const std::string& p : renamed) ::unlink(p.c_str());
            discard();
            throw OutputError(final_path, "cannot rename " + tmp + " to it", err);
        }
        renamed.push_back(final_path);
        temporaries_.erase(std::remove(temporaries_.begin(), temporaries_.end(), tmp), temporaries_.end());
    }
}

void OutputDir::discard() noexcept {
    for (const std::string& p : temporaries_) ::unlink(p.c_str());
    temporaries_.clear();
}

std::vector<std::string> OutputDir::paths() const {
    std::vector<std::string> out;
    for (const Entry& e : entries_) out.push_back(path(e.name));
    return out;
}

} // namespace vgic::run
