// SPDX-License-Identifier: Apache-2.0
// Snapshot documents (docs/MODEL.md "Snapshots"): the model's plain State structs to and from
// JSON. The model classes own every rule about which states are valid (check_state); this
// file owns the document: its layout, types, the configuration comparison and the paths.
#include "vgic/model/snapshot.hpp"

#include "vgic/model/gic.hpp"
#include "vgic/model/state.hpp"
#include "vgic/model/vm_gic.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace vgic {

namespace {

using Json = nlohmann::ordered_json;  // members stay in the order written
using gicv2::kNumPrivate;
using gicv2::kNumSgis;

[[noreturn]] void fail(const std::string& what) { throw SnapshotError("snapshot: " + what); }

/// Format version 1 describes GICv2 state only (GICH_LRn as 32-bit values, ITARGETSR
/// routing) and is still what a GICv2 model writes, byte for byte. Version 2 adds
/// `config.version` and, for GICv3 content, `config.v3`, IROUTER and 1-of-N choices,
/// redistributors, ICH_AP0R/AP1R and 64-bit list registers; a GICv3 model writes it.
unsigned document_version(const GicConfig& c) { return c.is_v3() ? kSnapshotVersionGicv3 : kSnapshotVersionGicv2; }

/// What the header says about the rest of the document.
struct DocKind {
    unsigned version = kSnapshotVersionGicv2;
};

[[noreturn]] void fail_at(const std::string& path, const std::string& what) {
    fail((path.empty() ? std::string("/") : path) + ": " + what);
}

/// A JSON value as it appears in the document, shortened for messages.
std::string shown(const Json& j) {
    std::string s = j.dump();
    if (s.size() > 48) s = s.substr(0, 45) + "...";
    return s;
}

std::string quoted(const std::string& s) { return Json(s).dump(); }

// ---- writing ------------------------------------------------------------------------------------

Json hex(std::uint64_t value, unsigned digits) { return hex_string(value, digits); }

void emit_compact(const Json& j, std::string& out) {
    if (!j.is_structured()) {
        out += j.dump();
        return;
    }
    const bool object = j.is_object();
    out += object ? '{' : '[';
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        if (object) out += quoted(it.key()) + ": ";
        emit_compact(*it, out);
    }
    out += object ? '}' : ']';
}

/// Objects and arrays whose members are all scalars (one interrupt, one register array)
/// take one line; everything else one line per member.
void emit(const Json& j, unsigned indent, std::string& out) {
    const bool flat = std::none_of(j.begin(), j.end(), [](const Json& m) { return m.is_structured(); });
    if (!j.is_structured() || j.empty() || flat) {
        emit_compact(j, out);
        return;
    }
    const bool object = j.is_object();
    const std::string pad(indent + 2, ' ');
    out += object ? "{\n" : "[\n";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ",\n";
        first = false;
        out += pad;
        if (object) out += quoted(it.key()) + ": ";
        emit(*it, indent + 2, out);
    }
    out += '\n' + std::string(indent, ' ') + (object ? '}' : ']');
}

const char* policy_name(BadAccessPolicy p) { return p == BadAccessPolicy::Error ? "error" : "raz_wi"; }

const char* vm_choice_name(bool kvm) { return kvm ? "kvm" : "architectural"; }

/// `vm`: a vm-mode document, which records GicConfig.vm (the member that matters for its GIC
/// version: targets with GICv2, waker with GICv3); hw mode ignores GicConfig.vm.
Json config_json(const GicConfig& c, bool vm) {
    Json j;
    if (c.is_v3()) j["version"] = "v3";  // version 2 documents only (GICv2 ones stay version 1)
    j["num_cpus"] = c.num_cpus;
    j["num_spis"] = c.num_spis;
    j["priority_bits"] = c.priority_bits;
    Json ids;
    ids["gicd_iidr"] = hex(c.ids.gicd_iidr, 8);
    ids["gicc_iidr"] = hex(c.ids.gicc_iidr, 8);
    ids["gicd_pidr"] = Json::array();
    for (std::uint8_t b : c.ids.gicd_pidr) ids["gicd_pidr"].push_back(hex(b, 2));
    ids["gicd_cidr"] = Json::array();
    for (std::uint8_t b : c.ids.gicd_cidr) ids["gicd_cidr"].push_back(hex(b, 2));
    j["ids"] = ids;
    j["bad_access"] = policy_name(c.bad_access);
    Json virt;
    virt["enabled"] = c.virt.enabled;
    virt["num_list_regs"] = c.virt.num_list_regs;
    virt["priority_bits"] = c.virt.priority_bits;
    virt["preemption_bits"] = c.virt.preemption_bits;
    virt["maintenance_intid"] = c.virt.maintenance_intid;
    virt["gicv_iidr"] = hex(c.virt.gicv_iidr, 8);
    j["virt"] = virt;
    if (c.is_v3()) {
        Json v3;
        v3["cpus_per_cluster"] = c.v3.cpus_per_cluster;
        Json v3ids;
        v3ids["gicd_iidr"] = hex(c.v3.ids.gicd_iidr, 8);
        v3ids["gicr_iidr"] = hex(c.v3.ids.gicr_iidr, 8);
        v3ids["pidr"] = Json::array();
        for (std::uint8_t b : c.v3.ids.pidr) v3ids["pidr"].push_back(hex(b, 2));
        v3ids["cidr"] = Json::array();
        for (std::uint8_t b : c.v3.ids.cidr) v3ids["cidr"].push_back(hex(b, 2));
        v3["ids"] = v3ids;
        j["v3"] = v3;
    }
    if (vm) {
        Json v;
        if (c.is_v3()) v["waker"] = vm_choice_name(c.vm.waker == VmWaker::Kvm);
        else v["targets"] = vm_choice_name(c.vm.targets == VmTargets::Kvm);
        j["vm"] = v;
    }
    return j;
}

Json irq_json(const Distributor::IrqState& s, std::uint32_t intid, bool vm, bool v3) {
    Json j;
    j["intid"] = intid;
    j["group"] = s.group1 ? 1 : 0;
    j["priority"] = hex(s.priority, 2);
    j["enabled"] = s.enabled;
    if (intid < kNumSgis) {
        j["sgi_sources"] = hex(s.sgi_sources, 2);
    } else {
        j["trigger"] = s.edge ? "edge" : "level";
        j["line"] = s.line;
        j["pending_latch"] = s.latch;
    }
    j["active"] = s.active;
    if (intid >= kNumPrivate) {
        if (v3) {
            j["irouter"] = hex(s.irouter, 16);
            j["chosen"] = s.chosen == Distributor::kNoCpu ? Json(nullptr) : Json(s.chosen);
        } else {
            j["targets"] = hex(s.targets, 2);
        }
    }
    if (vm) {
        j["parked"] = s.parked;
        if (intid >= kNumPrivate) j["owner"] = s.owner;
        if (intid < kNumSgis) {
            if (!v3) j["active_source"] = s.active_source;  // GICv3 SGIs have no source
        }
        else {
            j["hw_physical_id"] = s.hw_pintid;
            j["lr_pending"] = s.lr_pending;
        }
    }
    return j;
}

Json distributor_json(const Distributor::State& d, const GicConfig& c, bool vm) {
    const bool v3 = c.is_v3();
    Json j;
    j["ctlr"] = hex(d.ctlr, 8);
    if (v3) {
        Json rd = Json::array();
        for (const Distributor::RedistributorState& r : d.redistributors) {
            Json one;
            one["ctlr"] = hex(r.ctlr, 8);
            one["waker"] = hex(r.waker, 8);
            rd.push_back(one);
        }
        j["redistributors"] = rd;
        j["irm_next"] = d.irm_next;
    }
    Json priv = Json::array();
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
        Json bank = Json::array();
        for (std::uint32_t intid = 0; intid < kNumPrivate; ++intid)
            bank.push_back(irq_json(d.private_irqs[cpu * kNumPrivate + intid], intid, vm, v3));
        priv.push_back(bank);
    }
    j["private"] = priv;
    Json spis = Json::array();
    for (std::uint32_t k = 0; k < c.num_spis; ++k) spis.push_back(irq_json(d.spis[k], kNumPrivate + k, vm, v3));
    j["spis"] = spis;
    return j;
}

Json diagnostics_json(std::uint64_t bad, std::uint64_t guest) {
    Json j;
    j["bad_access_count"] = bad;
    j["guest_error_count"] = guest;
    return j;
}

Json gicc_json(const CpuInterface::State& s) {
    Json j;
    j["ctlr"] = hex(s.ctlr, 8);
    j["pmr"] = hex(s.pmr, 2);
    j["bpr"] = s.bpr;
    j["abpr"] = s.abpr;
    j["apr"] = Json::array();
    j["nsapr"] = Json::array();
    for (unsigned n = 0; n < 4; ++n) {
        j["apr"].push_back(hex(s.apr[0][n], 8));
        j["nsapr"].push_back(hex(s.apr[1][n], 8));
    }
    return j;
}

Json gich_json(const VcpuInterfaceState& s, bool v3) {
    Json j;
    j["hcr"] = hex(s.hcr, 8);
    j["vmcr"] = hex(s.vmcr, 8);
    if (v3) {  // ICH_AP0R<n>_EL2 / ICH_AP1R<n>_EL2 instead of GICH_APR
        j["ap0r"] = Json::array();
        j["ap1r"] = Json::array();
        for (unsigned n = 0; n < 4; ++n) {
            j["ap0r"].push_back(hex(s.ap0r[n], 8));
            j["ap1r"].push_back(hex(s.ap1r[n], 8));
        }
    } else {
        j["apr"] = hex(s.apr, 8);
    }
    j["lrs"] = Json::array();
    for (std::uint64_t lr : s.lrs)  // GICv2: 32 bits; GICv3 ICH_LR<n>_EL2: 64 bits
        j["lrs"].push_back(v3 ? hex(lr, 16) : hex(static_cast<std::uint32_t>(lr), 8));
    return j;
}

Json engine_stats_json(const LrEngineStats& s) {
    Json j;
    j["flushes"] = s.flushes;
    j["syncs"] = s.syncs;
    j["lr_writes"] = s.lr_writes;
    j["lr_reads"] = s.lr_reads;
    j["overflows"] = s.overflows;
    j["evictions"] = s.evictions;
    j["kicks"] = s.kicks;
    j["maintenance_kicks"] = s.maintenance_kicks;
    j["eoicount_deactivations"] = s.eoicount_deactivations;
    j["trap_syncs"] = s.trap_syncs;
    return j;
}

Json header_json(const char* mode, const GicConfig& c) {
    Json j;
    j["format"] = kSnapshotFormat;
    j["version"] = document_version(c);
    j["mode"] = mode;
    j["config"] = config_json(c, std::string(mode) == "vm");
    return j;
}

std::string render(const Json& doc) {
    std::string out;
    emit(doc, 0, out);
    out += '\n';
    return out;
}

// ---- reading ------------------------------------------------------------------------------------

bool parse_hex(const std::string& s, std::uint64_t& value) {
    if (s.size() < 3 || s.size() > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
    value = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
        const char ch = s[i];
        unsigned digit;
        if (ch >= '0' && ch <= '9') digit = static_cast<unsigned>(ch - '0');
        else if (ch >= 'a' && ch <= 'f') digit = static_cast<unsigned>(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') digit = static_cast<unsigned>(ch - 'A' + 10);
        else return false;
        value = (value << 4) | digit;
    }
    return true;
}

/// Reads a non-negative JSON integer or a "0x" hex string into `value`; false if `j` is neither.
bool read_uint(const Json& j, std::uint64_t& value) {
    if (j.is_number_unsigned()) {
        value = j.get<std::uint64_t>();
        return true;
    }
    return j.is_string() && parse_hex(j.get_ref<const std::string&>(), value);
}

/// A non-negative JSON integer or a "0x" hex string, at most `max`.
std::uint64_t as_uint(const Json& j, const std::string& path, std::uint64_t max) {
    std::uint64_t value = 0;
    if (!read_uint(j, value) || value > max)
        fail_at(path, "expected an integer 0.." + std::to_string(max) + ", got " + shown(j));
    return value;
}

/// One JSON object of the document, read field by field; done() refuses fields nobody read.
class Obj {
public:
    Obj(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j_.is_object()) fail_at(path_, "expected an object, got " + shown(j_));
    }

    std::string at(const std::string& key) const { return path_ + "/" + key; }
    bool has(const char* key) const { return j_.find(key) != j_.end(); }

    const Json& get(const char* key) {
        const auto it = j_.find(key);
        if (it == j_.end()) fail_at(path_, std::string("missing field '") + key + "'");
        used_.emplace_back(key);
        return *it;
    }
    std::uint64_t num(const char* key, std::uint64_t max) { return as_uint(get(key), at(key), max); }
    template <class T>
    T num_as(const char* key) {
        return static_cast<T>(num(key, std::numeric_limits<T>::max()));
    }
    bool flag(const char* key) {
        const Json& j = get(key);
        if (!j.is_boolean()) fail_at(at(key), "expected true or false, got " + shown(j));
        return j.get<bool>();
    }
    /// One of `choices` (index returned).
    unsigned choice(const char* key, std::initializer_list<const char*> choices) {
        const Json& j = get(key);
        unsigned index = 0;
        std::string names;
        for (const char* c : choices) {
            if (j.is_string() && j.get_ref<const std::string&>() == c) return index;
            names += (index == 0 ? "" : index + 1 == choices.size() ? " or " : ", ") + quoted(c);
            ++index;
        }
        fail_at(at(key), "expected " + names + ", got " + shown(j));
    }
    /// The field must be the number `expected` (an index repeated for readers).
    void expect(const char* key, std::uint64_t expected) {
        const Json& j = get(key);
        if (!j.is_number_unsigned() || j.get<std::uint64_t>() != expected)
            fail_at(at(key), "expected " + std::to_string(expected) + ", got " + shown(j));
    }
    Obj obj(const char* key) { return Obj(get(key), at(key)); }
    /// A CPU number below `none`, or null for `none` (no CPU).
    std::uint16_t cpu_or_null(const char* key, std::uint16_t none) {
        const Json& j = get(key);
        if (j.is_null()) return none;
        std::uint64_t value = 0;
        if (!read_uint(j, value) || value >= none)
            fail_at(at(key), "expected null or an integer 0.." + std::to_string(none - 1) + ", got " + shown(j));
        return static_cast<std::uint16_t>(value);
    }
    /// An array of exactly `size` entries; `why` names where the size comes from.
    const Json& array(const char* key, std::size_t size, const std::string& why) {
        const Json& j = any_array(key);
        if (j.size() != size)
            fail_at(at(key), "expected " + std::to_string(size) + " entries (" + why + "), got " +
                                 std::to_string(j.size()));
        return j;
    }
    const Json& any_array(const char* key) {
        const Json& j = get(key);
        if (!j.is_array()) fail_at(at(key), "expected an array, got " + shown(j));
        return j;
    }
    void done() const {
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (std::find(used_.begin(), used_.end(), it.key()) == used_.end())
                fail_at(path_, "unknown field " + quoted(it.key()));
    }

private:
    const Json& j_;
    std::string path_;
    std::vector<std::string> used_;
};

/// "JSON syntax error at byte N (line L, column C): detail" from nlohmann's parse_error text,
/// e.g. "[json.exception.parse_error.101] parse error at line 3, column 5: <detail>".
std::string syntax_error(std::size_t byte, const std::string& what) {
    std::string where, detail = what;
    const std::size_t at = what.find("parse error at ");
    if (at != std::string::npos) {
        const std::size_t colon = what.find(": ", at);
        if (colon != std::string::npos) {
            where = " (" + what.substr(at + 15, colon - at - 15) + ")";
            detail = what.substr(colon + 2);
        }
    }
    return "JSON syntax error at byte " + std::to_string(byte) + where + ": " + detail;
}

/// The nesting bound, on the raw text: arrays and objects opened outside strings. Run before
/// any parser, whose tree (and whatever walks it recursively) could otherwise be as deep as
/// the document. `byte`, `line` and `column` are 1-based, as in the syntax error messages.
void check_depth(std::string_view text) {
    unsigned depth = 0;
    bool in_string = false, escaped = false;
    std::size_t line = 1, column = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        ++column;
        if (c == '\n') {
            ++line;
            column = 0;
        }
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kSnapshotMaxDepth)
                fail("nesting deeper than " + std::to_string(kSnapshotMaxDepth) + " levels at byte " +
                     std::to_string(i + 1) + " (line " + std::to_string(line) + ", column " + std::to_string(column) +
                     "): a snapshot document nests at most " + std::to_string(kSnapshotMaxDepth) +
                     " arrays and objects");
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
}

/// Printable form of a member name for a message or a path: bytes outside printable ASCII
/// as \xNN, at most 48 characters.
std::string printable(const std::string& s) {
    std::string out;
    for (const char ch : s) {
        const auto b = static_cast<unsigned char>(ch);
        if (b >= 0x20 && b < 0x7F) {
            out += ch;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", b);
            out += buf;
        }
        if (out.size() > 48) return out.substr(0, 45) + "...";
    }
    return out;
}

/// A pass over the document's events without building it: syntax errors and duplicate
/// members, with the JSON-pointer path of the object that repeats one.
class DocumentChecker : public nlohmann::json_sax<nlohmann::json> {
public:
    std::string error;  // empty: the document is fine

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        stack_.push_back(Level{true, 0, {}, {}});
        return true;
    }
    bool key(string_t& name) override {
        Level& level = stack_.back();
        if (!level.keys.insert(name).second) {
            error = path() + ": member \"" + printable(name) +
                    "\" appears twice (each member may appear once: a reader would keep only one of them)";
            return false;
        }
        level.key = name;
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override {
        stack_.push_back(Level{false, 0, {}, {}});
        return true;
    }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
        error = syntax_error(position, e.what());
        return false;
    }

private:
    struct Level {
        bool object;
        std::size_t index;            // arrays: the element being read
        std::string key;              // objects: the member being read
        std::set<std::string> keys;   // objects: the members seen
    };
    bool value() {
        if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
        return true;
    }
    bool close() {
        stack_.pop_back();
        return value();
    }
    /// The path of the innermost open container ("" for the document itself).
    std::string path() const {
        std::string p;
        for (std::size_t i = 0; i + 1 < stack_.size(); ++i)
            p += "/" + (stack_[i].object ? printable(stack_[i].key) : std::to_string(stack_[i].index));
        return p.empty() ? "/" : p;
    }
    std::vector<Level> stack_;
};

Json parse_document(std::string_view text) {
    check_snapshot_document(text);
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
        fail(syntax_error(e.byte, e.what()));  // not reached: check_snapshot_document parsed it
    } catch (const Json::exception& e) {
        fail(std::string("JSON error: ") + e.what());
    }
}

/// Checks format, version and mode (a mode other than `mode` is a configuration difference).
DocKind read_header(const Json& doc, Obj& top, const char* mode) {
    // Format first: a document that is not a snapshot gets no messages about snapshot fields.
    if (!doc.contains("format")) fail("not a vgic snapshot: no \"format\" member");
    const Json& doc_format = top.get("format");
    if (!doc_format.is_string() || doc_format.get_ref<const std::string&>() != kSnapshotFormat)
        fail("not a vgic snapshot: /format is " + shown(doc_format) + ", expected " + quoted(kSnapshotFormat));
    const Json& version = top.get("version");
    if (!version.is_number_unsigned()) fail_at("/version", "expected an integer, got " + shown(version));
    const std::uint64_t v = version.get<std::uint64_t>();
    if (v != kSnapshotVersionGicv2 && v != kSnapshotVersionGicv3)
        fail(std::string("format '") + kSnapshotFormat + "' version " + shown(version) +
             " not supported (this build reads versions " + std::to_string(kSnapshotVersionGicv2) + " and " +
             std::to_string(kSnapshotVersionGicv3) + ")");
    DocKind kind;
    kind.version = static_cast<unsigned>(v);
    const unsigned doc_mode = top.choice("mode", {"hw", "vm"});
    const char* doc_mode_name = doc_mode == 0 ? "hw" : "vm";
    if (std::string(doc_mode_name) != mode)
        fail(std::string("configuration differs: mode is '") + doc_mode_name + "' in the document, '" + mode +
             "' in this GIC");
    return kind;
}

/// Reads the document's configuration and refuses the first field that differs from `mine`.
/// `vm`: a vm-mode document (config.vm, see config_json).
void compare_config(Obj config, const GicConfig& mine, const DocKind& kind, bool vm) {
    const auto differs = [](const std::string& field, const std::string& doc, const std::string& here) {
        fail("configuration differs: " + field + " is " + doc + " in the document, " + here + " in this GIC");
    };
    const auto number = [&](Obj& o, const char* key, const std::string& field, std::uint64_t here) {
        const std::uint64_t v = o.num(key, std::numeric_limits<std::uint32_t>::max());
        if (v != here) differs(field, std::to_string(v), std::to_string(here));
    };
    const auto id = [&](const Json& j, const std::string& path, const std::string& field, std::uint64_t here,
                        std::uint64_t max, unsigned digits) {
        const std::uint64_t v = as_uint(j, path, max);
        if (v != here) differs(field, hex_string(v, digits), hex_string(here, digits));
    };
    // The GIC version first: nothing else compares meaningfully across it.
    bool doc_v3 = false;
    if (kind.version == kSnapshotVersionGicv2) {
        if (config.has("version"))
            fail_at(config.at("version"), "format version 1 has no config.version (it holds GICv2 state only; a "
                                          "document with config.version is version 2)");
    } else {
        doc_v3 = config.choice("version", {"v2", "v3"}) == 1;
    }
    if (doc_v3 != mine.is_v3()) differs("version", doc_v3 ? "v3" : "v2", mine.is_v3() ? "v3" : "v2");
    number(config, "num_cpus", "num_cpus", mine.num_cpus);
    number(config, "num_spis", "num_spis", mine.num_spis);
    number(config, "priority_bits", "priority_bits", mine.priority_bits);
    {
        Obj ids = config.obj("ids");
        id(ids.get("gicd_iidr"), ids.at("gicd_iidr"), "ids.gicd_iidr", mine.ids.gicd_iidr, 0xFFFFFFFFu, 8);
        id(ids.get("gicc_iidr"), ids.at("gicc_iidr"), "ids.gicc_iidr", mine.ids.gicc_iidr, 0xFFFFFFFFu, 8);
        const Json& pidr = ids.array("gicd_pidr", 8, "PIDR4-7, PIDR0-3");
        for (unsigned i = 0; i < 8; ++i)
            id(pidr[i], ids.at("gicd_pidr/" + std::to_string(i)), "ids.gicd_pidr[" + std::to_string(i) + "]",
               mine.ids.gicd_pidr[i], 0xFF, 2);
        const Json& cidr = ids.array("gicd_cidr", 4, "CIDR0-3");
        for (unsigned i = 0; i < 4; ++i)
            id(cidr[i], ids.at("gicd_cidr/" + std::to_string(i)), "ids.gicd_cidr[" + std::to_string(i) + "]",
               mine.ids.gicd_cidr[i], 0xFF, 2);
        ids.done();
    }
    const BadAccessPolicy policy = config.choice("bad_access", {"raz_wi", "error"}) == 0 ? BadAccessPolicy::RazWi
                                                                                         : BadAccessPolicy::Error;
    if (policy != mine.bad_access) differs("bad_access", policy_name(policy), policy_name(mine.bad_access));
    {
        Obj virt = config.obj("virt");
        const bool enabled = virt.flag("enabled");
        if (enabled != mine.virt.enabled)
            differs("virt.enabled", enabled ? "true" : "false", mine.virt.enabled ? "true" : "false");
        number(virt, "num_list_regs", "virt.num_list_regs", mine.virt.num_list_regs);
        number(virt, "priority_bits", "virt.priority_bits", mine.virt.priority_bits);
        number(virt, "preemption_bits", "virt.preemption_bits", mine.virt.preemption_bits);
        number(virt, "maintenance_intid", "virt.maintenance_intid", mine.virt.maintenance_intid);
        id(virt.get("gicv_iidr"), virt.at("gicv_iidr"), "virt.gicv_iidr", mine.virt.gicv_iidr, 0xFFFFFFFFu, 8);
        virt.done();
    }
    if (doc_v3) {
        Obj v3 = config.obj("v3");
        number(v3, "cpus_per_cluster", "v3.cpus_per_cluster", mine.v3.cpus_per_cluster);
        Obj ids = v3.obj("ids");
        id(ids.get("gicd_iidr"), ids.at("gicd_iidr"), "v3.ids.gicd_iidr", mine.v3.ids.gicd_iidr, 0xFFFFFFFFu, 8);
        id(ids.get("gicr_iidr"), ids.at("gicr_iidr"), "v3.ids.gicr_iidr", mine.v3.ids.gicr_iidr, 0xFFFFFFFFu, 8);
        const Json& pidr = ids.array("pidr", 8, "PIDR4-7, PIDR0-3");
        for (unsigned i = 0; i < 8; ++i)
            id(pidr[i], ids.at("pidr/" + std::to_string(i)), "v3.ids.pidr[" + std::to_string(i) + "]",
               mine.v3.ids.pidr[i], 0xFF, 2);
        const Json& cidr = ids.array("cidr", 4, "CIDR0-3");
        for (unsigned i = 0; i < 4; ++i)
            id(cidr[i], ids.at("cidr/" + std::to_string(i)), "v3.ids.cidr[" + std::to_string(i) + "]",
               mine.v3.ids.cidr[i], 0xFF, 2);
        ids.done();
        v3.done();
    }
    if (vm) {
        // A vm document without config.vm was written before GicConfig.vm existed, when vm
        // mode always followed the architecture: it reads as "architectural".
        const char* field = doc_v3 ? "waker" : "targets";
        bool doc_kvm = false;
        if (config.has("vm")) {
            Obj o = config.obj("vm");
            doc_kvm = o.choice(field, {"architectural", "kvm"}) == 1;
            o.done();
        }
        const bool kvm = doc_v3 ? mine.vm.waker == VmWaker::Kvm : mine.vm.targets == VmTargets::Kvm;
        if (doc_kvm != kvm)
            differs(std::string("vm.") + field,
                    std::string(vm_choice_name(doc_kvm)) + (config.has("vm") ? "" : " (no config.vm: an older document)"),
                    vm_choice_name(kvm));
    }
    config.done();
}

Distributor::IrqState read_irq(const Json& j, const std::string& path, std::uint32_t intid, bool vm, bool v3) {
    Obj o(j, path);
    Distributor::IrqState s;
    o.expect("intid", intid);
    s.group1 = o.num("group", 1) != 0;
    s.priority = o.num_as<std::uint8_t>("priority");
    s.enabled = o.flag("enabled");
    if (intid < kNumSgis) {
        s.edge = true;  // IHI 0048B 4.3.13: SGIs are always edge-triggered
        s.sgi_sources = o.num_as<std::uint8_t>("sgi_sources");
    } else {
        s.edge = o.choice("trigger", {"level", "edge"}) == 1;
        s.line = o.flag("line");
        s.latch = o.flag("pending_latch");
    }
    s.active = o.flag("active");
    if (intid >= kNumPrivate) {
        if (v3) {
            s.irouter = o.num_as<std::uint64_t>("irouter");
            s.chosen = o.cpu_or_null("chosen", Distributor::kNoCpu);
        } else {
            s.targets = o.num_as<std::uint8_t>("targets");
        }
    }
    if (vm) {
        s.parked = o.flag("parked");
        if (intid >= kNumPrivate) s.owner = v3 ? o.num_as<std::uint16_t>("owner") : o.num_as<std::uint8_t>("owner");
        if (intid < kNumSgis) {
            if (!v3) s.active_source = o.num_as<std::uint8_t>("active_source");
        }
        else {
            s.hw_pintid = o.num_as<std::uint16_t>("hw_physical_id");
            s.lr_pending = o.flag("lr_pending");
        }
    }
    o.done();
    return s;
}

Distributor::State read_distributor(Obj o, const GicConfig& c, bool vm) {
    const bool v3 = c.is_v3();
    Distributor::State d;
    d.ctlr = o.num_as<std::uint32_t>("ctlr");
    if (v3) {
        const Json& rd = o.array("redistributors", c.num_cpus, "config.num_cpus");
        for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
            Obj r(rd[cpu], o.at("redistributors/" + std::to_string(cpu)));
            Distributor::RedistributorState rs;
            rs.ctlr = r.num_as<std::uint32_t>("ctlr");
            rs.waker = r.num_as<std::uint32_t>("waker");
            r.done();
            d.redistributors.push_back(rs);
        }
        d.irm_next = o.num_as<std::uint16_t>("irm_next");
    }
    const Json& priv = o.array("private", c.num_cpus, "config.num_cpus");
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
        const std::string at = o.at("private/" + std::to_string(cpu));
        const Json& bank = priv[cpu];
        if (!bank.is_array() || bank.size() != kNumPrivate)
            fail_at(at, "expected an array of the 32 SGIs and PPIs, got " + shown(bank));
        for (std::uint32_t intid = 0; intid < kNumPrivate; ++intid)
            d.private_irqs.push_back(read_irq(bank[intid], at + "/" + std::to_string(intid), intid, vm, v3));
    }
    const Json& spis = o.array("spis", c.num_spis, "config.num_spis");
    for (std::uint32_t k = 0; k < c.num_spis; ++k)
        d.spis.push_back(read_irq(spis[k], o.at("spis/" + std::to_string(k)), kNumPrivate + k, vm, v3));
    o.done();
    return d;
}

void read_diagnostics(Obj o, std::uint64_t& bad, std::uint64_t& guest) {
    bad = o.num_as<std::uint64_t>("bad_access_count");
    guest = o.num_as<std::uint64_t>("guest_error_count");
    o.done();
}

CpuInterface::State read_gicc(Obj o) {
    CpuInterface::State s;
    s.ctlr = o.num_as<std::uint32_t>("ctlr");
    s.pmr = o.num_as<std::uint8_t>("pmr");
    s.bpr = static_cast<std::uint8_t>(o.num("bpr", 7));
    s.abpr = static_cast<std::uint8_t>(o.num("abpr", 7));
    const char* names[2] = {"apr", "nsapr"};
    for (unsigned g = 0; g < 2; ++g) {
        const Json& words = o.array(names[g], 4, std::string("GICC_") + (g == 0 ? "APR0-3" : "NSAPR0-3"));
        for (unsigned n = 0; n < 4; ++n)
            s.apr[g][n] = static_cast<std::uint32_t>(
                as_uint(words[n], o.at(std::string(names[g]) + "/" + std::to_string(n)), 0xFFFFFFFFu));
    }
    o.done();
    return s;
}

VcpuInterfaceState read_gich(Obj o, const GicConfig& c) {
    VcpuInterfaceState s;
    s.hcr = o.num_as<std::uint32_t>("hcr");
    s.vmcr = o.num_as<std::uint32_t>("vmcr");
    const bool v3 = c.is_v3();
    if (v3) {
        const char* names[2] = {"ap0r", "ap1r"};
        for (unsigned g = 0; g < 2; ++g) {
            const Json& words = o.array(names[g], 4, std::string("ICH_") + (g == 0 ? "AP0R0-3" : "AP1R0-3") + "_EL2");
            for (unsigned n = 0; n < 4; ++n)
                (g == 0 ? s.ap0r : s.ap1r)[n] = static_cast<std::uint32_t>(
                    as_uint(words[n], o.at(std::string(names[g]) + "/" + std::to_string(n)), 0xFFFFFFFFu));
        }
    } else {
        s.apr = o.num_as<std::uint32_t>("apr");
    }
    const Json& lrs = o.array("lrs", c.virt.num_list_regs, "config.virt.num_list_regs");
    const std::uint64_t lr_max = v3 ? std::numeric_limits<std::uint64_t>::max() : 0xFFFFFFFFu;
    for (std::size_t i = 0; i < lrs.size(); ++i)
        s.lrs.push_back(as_uint(lrs[i], o.at("lrs/" + std::to_string(i)), lr_max));
    o.done();
    return s;
}

LrEngineStats read_engine_stats(Obj o) {
    LrEngineStats s;
    s.flushes = o.num_as<std::uint64_t>("flushes");
    s.syncs = o.num_as<std::uint64_t>("syncs");
    s.lr_writes = o.num_as<std::uint64_t>("lr_writes");
    s.lr_reads = o.num_as<std::uint64_t>("lr_reads");
    s.overflows = o.num_as<std::uint64_t>("overflows");
    s.evictions = o.num_as<std::uint64_t>("evictions");
    s.kicks = o.num_as<std::uint64_t>("kicks");
    s.maintenance_kicks = o.num_as<std::uint64_t>("maintenance_kicks");
    s.eoicount_deactivations = o.num_as<std::uint64_t>("eoicount_deactivations");
    s.trap_syncs = o.num_as<std::uint64_t>("trap_syncs");
    o.done();
    return s;
}

} // namespace

// ---- every document -----------------------------------------------------------------------------

void check_snapshot_document(std::string_view text) {
    check_depth(text);
    DocumentChecker checker;
    if (!nlohmann::json::sax_parse(text.begin(), text.end(), &checker) || !checker.error.empty())
        fail(checker.error.empty() ? std::string("JSON syntax error") : checker.error);
}

// ---- hw mode ------------------------------------------------------------------------------------

std::string save_snapshot(const Gic& gic) {
    const GicConfig& c = gic.config();
    const Gic::State st = gic.export_state();
    Json doc = header_json("hw", c);
    doc["diagnostics"] = diagnostics_json(st.bad_access_count, st.guest_error_count);
    doc["distributor"] = distributor_json(st.distributor, c, false);
    Json cpus = Json::array();
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
        Json j;
        j["cpu"] = cpu;
        j["gicc"] = gicc_json(st.cpus[cpu]);
        if (c.virt.enabled) j["gich"] = gich_json(st.virtual_interfaces[cpu], c.is_v3());
        cpus.push_back(j);
    }
    doc["cpus"] = cpus;
    return render(doc);
}

void restore_snapshot(Gic& gic, std::string_view text) {
    const GicConfig& c = gic.config();
    const Json doc = parse_document(text);
    if (!doc.is_object()) fail("not a vgic snapshot: expected a JSON object, got " + shown(doc));
    Obj top(doc, "");
    const DocKind kind = read_header(doc, top, "hw");
    compare_config(top.obj("config"), c, kind, false);
    Gic::State st;
    read_diagnostics(top.obj("diagnostics"), st.bad_access_count, st.guest_error_count);
    st.distributor = read_distributor(top.obj("distributor"), c, false);
    const Json& cpus = top.array("cpus", c.num_cpus, "config.num_cpus");
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
        Obj o(cpus[cpu], "/cpus/" + std::to_string(cpu));
        o.expect("cpu", cpu);
        st.cpus.push_back(read_gicc(o.obj("gicc")));
        if (c.virt.enabled) st.virtual_interfaces.push_back(read_gich(o.obj("gich"), c));
        o.done();
    }
    top.done();
    if (StateCheck p = gic.check_state(st)) fail_at(p->where, p->what);
    gic.import_state(st);
}

// ---- vm mode ------------------------------------------------------------------------------------

std::string save_snapshot(const VmGic& vm) {
    const GicConfig& c = vm.config();
    const VmGic::State st = vm.export_state();
    Json doc = header_json("vm", c);
    doc["diagnostics"] = diagnostics_json(st.bad_access_count, st.guest_error_count);
    doc["distributor"] = distributor_json(st.distributor, c, true);
    Json vcpus = Json::array();
    for (unsigned v = 0; v < c.num_cpus; ++v) {
        const VmGic::VcpuState& vs = st.vcpus[v];
        Json j;
        j["vcpu"] = v;
        j["running"] = vs.running;
        j["kick_pending"] = vs.kick_pending;
        j["loaded_lrs"] = hex(vs.loaded_lrs, 16);
        j["gich"] = gich_json(vs.gich, c.is_v3());
        vcpus.push_back(j);
    }
    doc["vcpus"] = vcpus;
    doc["engine_stats"] = engine_stats_json(st.stats);
    return render(doc);
}

void restore_snapshot(VmGic& vm, std::string_view text) {
    const GicConfig& c = vm.config();
    const Json doc = parse_document(text);
    if (!doc.is_object()) fail("not a vgic snapshot: expected a JSON object, got " + shown(doc));
    Obj top(doc, "");
    const DocKind kind = read_header(doc, top, "vm");
    compare_config(top.obj("config"), c, kind, true);
    VmGic::State st;
    read_diagnostics(top.obj("diagnostics"), st.bad_access_count, st.guest_error_count);
    st.distributor = read_distributor(top.obj("distributor"), c, true);
    const Json& vcpus = top.array("vcpus", c.num_cpus, "config.num_cpus");
    for (unsigned v = 0; v < c.num_cpus; ++v) {
        Obj o(vcpus[v], "/vcpus/" + std::to_string(v));
        VmGic::VcpuState vs;
        o.expect("vcpu", v);
        vs.running = o.flag("running");
        vs.kick_pending = o.flag("kick_pending");
        vs.loaded_lrs = o.num_as<std::uint64_t>("loaded_lrs");
        vs.gich = read_gich(o.obj("gich"), c);
        o.done();
        st.vcpus.push_back(std::move(vs));
    }
    st.stats = read_engine_stats(top.obj("engine_stats"));
    top.done();
    if (StateCheck p = vm.check_state(st)) fail_at(p->where, p->what);
    vm.import_state(st);
}

} // namespace vgic
