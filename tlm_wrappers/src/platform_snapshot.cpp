// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/snapshot.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace vgic::tlm {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw SnapshotError("snapshot: " + where + ": " + what);
}

std::uint64_t u64(const json& obj, const char* key, const std::string& where) {
    const auto it = obj.find(key);
    if (it == obj.end()) fail(where + "/" + key, "missing");
    if (!it->is_number_unsigned()) fail(where + "/" + key, "expected an unsigned integer, got " + it->dump());
    return it->get<std::uint64_t>();
}

std::uint64_t ctl_value(const json& obj, const char* key, const std::string& where) {
    const std::uint64_t v = u64(obj, key, where);
    if (v & ~(timer_regs::CTL_ENABLE::mask | timer_regs::CTL_IMASK::mask))
        fail(where + "/" + key, "expected ENABLE/IMASK bits only (0..3), got " + std::to_string(v));
    return v;
}

} // namespace

std::string save_snapshot(VgicBase& gic, const VirtualTimerBase* timer) {
    json doc;
    doc["format"] = kPlatformSnapshotFormat;
    doc["version"] = kPlatformSnapshotVersion;
    doc["model"] = json::parse(gic.hw_model() ? vgic::save_snapshot(*gic.hw_model()) : vgic::save_snapshot(*gic.vm_model()));
    if (timer == nullptr) {
        doc["timers"] = nullptr;
    } else {
        const std::uint64_t cntpct = timer->counter(sc_core::sc_time_stamp());
        json t;
        const TimerConfig& c = timer->timer(0).config();
        t["frequency_hz"] = c.frequency_hz;
        t["virtual_intid"] = c.virtual_intid;
        t["physical_intid"] = c.physical_intid;
        json cpus = json::array();
        for (unsigned i = 0; i < gic.num_cpus(); ++i) {
            const GenericTimer& g = timer->timer(i);
            const GenericTimer::State& s = g.state();
            cpus.push_back({{"cntp_ctl", s.ctl[GenericTimer::Physical]},
                            {"cntp_cval", s.cval[GenericTimer::Physical]},
                            {"cntv_ctl", s.ctl[GenericTimer::Virtual]},
                            {"cntv_cval", s.cval[GenericTimer::Virtual]},
                            {"cntvoff", s.cntvoff},
                            {"cntvct", g.virtual_count(cntpct)}});
        }
        t["cpus"] = std::move(cpus);
        doc["timers"] = std::move(t);
    }
    return doc.dump(2);
}

void restore_snapshot(VgicBase& gic, VirtualTimerBase* timer, std::string_view text) {
    // On the text, before a tree exists: the nesting bound (a SystemC thread's stack is small),
    // syntax, and duplicate members (a tree would silently keep the last of them).
    vgic::check_snapshot_document(text);
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        fail("document", std::string("JSON syntax error at byte ") + std::to_string(e.byte) + ": " + e.what());
    }
    if (!doc.is_object()) fail("document", "expected a JSON object");
    const auto fmt = doc.find("format");
    if (fmt == doc.end() || !fmt->is_string() || fmt->get<std::string>() != kPlatformSnapshotFormat)
        fail("/format", std::string("expected \"") + kPlatformSnapshotFormat + "\"");
    const auto ver = doc.find("version");
    if (ver == doc.end() || !ver->is_number_unsigned() || ver->get<std::uint64_t>() != kPlatformSnapshotVersion)
        fail("/version", "version " + (ver == doc.end() ? std::string("missing") : ver->dump()) +
                             " not supported (this build reads version " + std::to_string(kPlatformSnapshotVersion) + ")");
    const auto model = doc.find("model");
    if (model == doc.end() || !model->is_object()) fail("/model", "expected the model snapshot object");
    const auto timers = doc.find("timers");
    if (timers == doc.end()) fail("/timers", "missing (null for a platform without timers)");

    // Check the timer section completely before touching anything.
    std::vector<GenericTimer::State> states;
    std::vector<std::uint64_t> cntvcts;
    if (timers->is_null()) {
        if (timer != nullptr) fail("/timers", "the document has no timers but this platform has");
    } else {
        if (timer == nullptr) fail("/timers", "the document has timers but this platform has none");
        if (!timers->is_object()) fail("/timers", "expected an object or null");
        const TimerConfig& c = timer->timer(0).config();
        if (u64(*timers, "frequency_hz", "/timers") != c.frequency_hz)
            fail("/timers/frequency_hz", "configuration differs: " + timers->at("frequency_hz").dump() +
                                             " in the document, " + std::to_string(c.frequency_hz) + " here");
        if (u64(*timers, "virtual_intid", "/timers") != c.virtual_intid ||
            u64(*timers, "physical_intid", "/timers") != c.physical_intid)
            fail("/timers", "configuration differs: timer PPIs");
        const auto cpus = timers->find("cpus");
        if (cpus == timers->end() || !cpus->is_array()) fail("/timers/cpus", "expected an array");
        if (cpus->size() != gic.num_cpus())
            fail("/timers/cpus", "configuration differs: " + std::to_string(cpus->size()) + " timers in the document, " +
                                     std::to_string(gic.num_cpus()) + " CPUs here");
        for (std::size_t i = 0; i < cpus->size(); ++i) {
            const json& e = (*cpus)[i];
            const std::string where = "/timers/cpus/" + std::to_string(i);
            if (!e.is_object()) fail(where, "expected an object");
            GenericTimer::State s;
            s.ctl[GenericTimer::Physical] = ctl_value(e, "cntp_ctl", where);
            s.cval[GenericTimer::Physical] = u64(e, "cntp_cval", where);
            s.ctl[GenericTimer::Virtual] = ctl_value(e, "cntv_ctl", where);
            s.cval[GenericTimer::Virtual] = u64(e, "cntv_cval", where);
            s.cntvoff = u64(e, "cntvoff", where);
            cntvcts.push_back(u64(e, "cntvct", where));
            states.push_back(s);
        }
    }
    // The model refuses (and changes nothing) on any problem of its own part.
    const std::string model_text = model->dump();
    struct Restoring {  // line changes reported by the restore apply at once
        explicit Restoring(VgicBase& g) : gic(g) { gic.restoring_ = true; }
        ~Restoring() { gic.restoring_ = false; }
        VgicBase& gic;
    } restoring(gic);
    if (gic.hw_model() != nullptr) vgic::restore_snapshot(*gic.hw_model(), model_text);
    else vgic::restore_snapshot(*gic.vm_model(), model_text);
    // Nothing can fail from here on.
    if (timer != nullptr) {
        const std::uint64_t cntpct = timer->counter(sc_core::sc_time_stamp());
        for (unsigned i = 0; i < states.size(); ++i) {
            states[i].cntvoff = cntpct - cntvcts[i];  // CNTVCT continues where it was saved
            timer->load_state(i, states[i]);
        }
    }
    for (unsigned i = 0; i < gic.num_cpus(); ++i) gic.cpu_if(i).update_lr_count();
}

} // namespace vgic::tlm
