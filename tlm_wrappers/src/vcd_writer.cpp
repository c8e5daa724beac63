// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/vcd_writer.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <stdexcept>

namespace vgic::tlm {

namespace {

/// The identifier of the n-th variable: the printable characters '!' to '~' but '#' and '$'
/// as digits of a base-92 number (1 character for 92 variables, 2 for 8,464), as compact as
/// most VCD writers; '#' and '$' are left out because simple readers take a token starting
/// with them for a time stamp or a keyword.
std::string identifier(std::size_t n) {
    static const std::string digits = [] {
        std::string d;
        for (char c = '!'; c <= '~'; ++c)
            if (c != '#' && c != '$') d += c;
        return d;
    }();
    std::string s;
    do {
        s += digits[n % digits.size()];
        n /= digits.size();
    } while (n != 0);
    return s;
}

std::uint64_t mask(unsigned width) { return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1; }

} // namespace

VcdWriter::VcdWriter(const std::string& path, OutputFile::Create how, const std::string& name, std::string top_scope)
    : file_(path, how, name), top_(std::move(top_scope)) {}

VcdWriter::Id VcdWriter::add(const std::string& name, unsigned width, std::uint64_t initial) {
    if (started_ || !dirty_.empty() || now_ != 0)
        throw std::logic_error("VcdWriter::add('" + name + "') after the first value change");
    if (width == 0 || width > 64) throw std::logic_error("VcdWriter::add('" + name + "'): width must be 1..64");
    if (name.empty() || name.find(' ') != std::string::npos)
        throw std::logic_error("VcdWriter::add: a variable name must be non-empty and without spaces: '" + name + "'");
    Var v;
    const auto dot = name.rfind('.');
    v.scope = dot == std::string::npos ? std::string() : name.substr(0, dot);
    v.leaf = dot == std::string::npos ? name : name.substr(dot + 1);
    v.code = identifier(vars_.size());
    v.width = width;
    v.current = v.written = initial & mask(width);
    vars_.push_back(std::move(v));
    return vars_.size() - 1;
}

void VcdWriter::change(Id id, std::uint64_t time, std::uint64_t value) {
    if (closed_ || failed()) return;
    if (id >= vars_.size()) throw std::logic_error("VcdWriter::change: no variable " + std::to_string(id));
    if (time < now_)
        throw std::logic_error("VcdWriter::change: time " + std::to_string(time) + " before " + std::to_string(now_));
    if (time > now_) {
        commit();
        now_ = time;
    }
    Var& v = vars_[id];
    v.current = value & mask(v.width);
    if (!v.dirty) {
        v.dirty = true;
        dirty_.push_back(id);
    }
}

void VcdWriter::write_value(const Var& v) {
    // "1!" for a 1-bit variable; "b101 !" (no leading zeros) for a vector.
    char line[80];
    std::size_t n = 0;
    if (v.width == 1) {
        line[n++] = v.current != 0 ? '1' : '0';
    } else {
        line[n++] = 'b';
        int top = 63;
        while (top > 0 && ((v.current >> top) & 1) == 0) --top;
        for (int b = top; b >= 0; --b) line[n++] = ((v.current >> b) & 1) != 0 ? '1' : '0';
        line[n++] = ' ';
    }
    file_.write(line, n);
    file_.write(v.code);
    file_.write("\n", 1);
}

namespace {

/// A scope of the header: its variables in the order they were added, then its sub-scopes
/// sorted by name (as SystemC 2.3.4 printed them).
struct Scope {
    std::string name;
    std::vector<std::size_t> vars;
    std::map<std::string, std::unique_ptr<Scope>> children;
    Scope* child(const std::string& n) {
        auto& c = children[n];
        if (c == nullptr) {
            c = std::make_unique<Scope>();
            c->name = n;
        }
        return c.get();
    }
};

} // namespace

void VcdWriter::write_header() {
    file_.write("$version\n vgic-tlm VcdWriter\n$end\n\n$timescale\n 1 ps\n$end\n\n");
    Scope top;
    top.name = top_;
    for (std::size_t i = 0; i < vars_.size(); ++i) {
        Scope* s = &top;
        const std::string& path = vars_[i].scope;
        for (std::size_t start = 0; !path.empty();) {
            const auto dot = path.find('.', start);
            s = s->child(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        s->vars.push_back(i);
    }
    // Recursion depth is the number of dots in a name: a handful.
    const auto print = [this](const Scope& s, const auto& self) -> void {
        file_.write("$scope module " + s.name + " $end\n");
        for (const std::size_t i : s.vars) {
            const Var& v = vars_[i];
            std::string line = "$var wire " + std::to_string(v.width) + " " + v.code + " " + v.leaf;
            if (v.width > 1) line += " [" + std::to_string(v.width - 1) + ":0]";  // as SystemC: GTKWave appends it
            file_.write(line + " $end\n");
        }
        for (const auto& c : s.children) self(*c.second, self);
        file_.write("$upscope $end\n");
    };
    print(top, print);
    file_.write("$enddefinitions $end\n\n");
}

void VcdWriter::commit() {
    if (failed()) return;
    if (!started_) {
        // The first time step (time 0) is the initial dump: every variable's value at its end.
        write_header();
        file_.write("$dumpvars\n");
        for (Var& v : vars_) {
            write_value(v);
            v.written = v.current;
            v.dirty = false;
        }
        file_.write("$end\n");
        dirty_.clear();
        started_ = true;
        last_written_time_ = now_;
        return;
    }
    std::sort(dirty_.begin(), dirty_.end());  // declaration order, whatever order they changed in
    bool stamped = false;
    for (const Id id : dirty_) {
        Var& v = vars_[id];
        v.dirty = false;
        if (v.current == v.written) continue;  // back to its value within the step: no change
        if (!stamped) {
            char stamp[24] = {'#'};
            const auto end = std::to_chars(stamp + 1, stamp + sizeof stamp - 1, now_).ptr;
            *end = '\n';
            file_.write(stamp, static_cast<std::size_t>(end + 1 - stamp));
            stamped = true;
            last_written_time_ = now_;
        }
        write_value(v);
        v.written = v.current;
    }
    dirty_.clear();
}

bool VcdWriter::close(std::uint64_t end) {
    if (closed_) return !failed();
    commit();
    if (end > last_written_time_ && !failed()) {
        char stamp[24] = {'#'};
        const auto e = std::to_chars(stamp + 1, stamp + sizeof stamp - 1, end).ptr;
        *e = '\n';
        file_.write(stamp, static_cast<std::size_t>(e + 1 - stamp));
    }
    closed_ = true;
    return file_.close();
}

} // namespace vgic::tlm
