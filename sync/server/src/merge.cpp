#include "sitevisit/server/merge.h"

namespace sitevisit::server::merge {

Stamp clamp_stamp(Hlc stamp, std::int64_t now_ms) {
    const std::int64_t bound = now_ms + HlcClock::kMaxAheadMs;
    if (stamp.wall_ms <= bound) return {std::move(stamp), false};
    stamp.wall_ms = bound;
    stamp.counter = 0;
    return {std::move(stamp), true};
}

bool concurrent(const FieldVersion& stored, const Incoming& in) {
    return stored.seq > in.base && stored.device != in.device_key;
}

FieldMerge merge_fields(Json changed, const Json& stored_fields,
                        const std::vector<std::string>& names,
                        const std::vector<FieldVersion>& versions, const Incoming& in) {
    FieldMerge out;
    out.changed = std::move(changed);
    for (std::size_t i = 0; i < names.size() && i < versions.size(); ++i) {
        const FieldVersion& v = versions[i];
        const std::string& name = names[i];
        if (!concurrent(v, in)) continue;
        const auto theirs = Hlc::parse(v.hlc);
        const bool incoming_wins = !theirs || in.stamp > *theirs;
        const Json current = stored_fields.contains(name) ? stored_fields[name] : Json();
        const Json mine = out.changed.contains(name) ? out.changed[name] : Json();
        if (!in.conflict_free) {
            if (incoming_wins)
                out.conflicts.push_back({name, mine, current, in.author, v.author, in.hlc, v.hlc});
            else
                out.conflicts.push_back({name, current, mine, v.author, in.author, v.hlc, in.hlc});
        }
        if (!incoming_wins) {
            out.lost[name] = current;
            out.changed.erase(name);
        }
    }
    return out;
}

std::vector<FieldConflict> delete_conflicts(const Json& stored_fields,
                                            const std::vector<std::string>& names,
                                            const std::vector<FieldVersion>& versions,
                                            const Incoming& in) {
    std::vector<FieldConflict> out;
    if (in.conflict_free) return out;
    for (std::size_t i = 0; i < names.size() && i < versions.size(); ++i) {
        const FieldVersion& v = versions[i];
        if (!concurrent(v, in)) continue;
        const Json current = stored_fields.contains(names[i]) ? stored_fields[names[i]] : Json();
        out.push_back({names[i], nullptr, current, in.author, v.author, in.hlc, v.hlc});
    }
    return out;
}

std::vector<FieldConflict> edit_of_deleted_conflicts(const Json& incoming_fields,
                                                     const Incoming& in,
                                                     const std::string& deleted_hlc) {
    std::vector<FieldConflict> out;
    for (auto it = incoming_fields.begin(); it != incoming_fields.end(); ++it)
        out.push_back({it.key(), nullptr, it.value(), "", in.author, deleted_hlc, in.hlc});
    return out;
}

void apply_fields(Json& row_fields, const Json& changed) {
    for (auto it = changed.begin(); it != changed.end(); ++it) {
        if (it.value().is_null())
            row_fields.erase(it.key());
        else
            row_fields[it.key()] = it.value();
    }
}

Json conflict_fields(const std::string& entity, const std::string& row_id, const FieldConflict& c) {
    return {{"entity", entity},
            {"row", row_id},
            {"field", c.field},
            {"winner_value", c.winner},
            {"loser_value", c.loser},
            {"winner_author", c.winner_author},
            {"loser_author", c.loser_author},
            {"winner_hlc", c.winner_hlc},
            {"loser_hlc", c.loser_hlc},
            {"status", "open"}};
}

Json without_nulls(Json fields) {
    for (auto it = fields.begin(); it != fields.end();)
        it = it.value().is_null() ? fields.erase(it) : std::next(it);
    return fields;
}

Sequence check_dseq(std::int64_t dseq, std::int64_t expected) {
    if (dseq <= expected) return Sequence::Reused;
    if (dseq > expected + 1) return Sequence::Gap;
    return Sequence::Next;
}

protocol::OpResult sequence_refusal(const std::string& op, std::int64_t dseq, std::int64_t expected,
                                    Sequence verdict) {
    if (verdict == Sequence::Reused)
        return {
            op,
            protocol::OpStatus::Rejected,
            0,
            "dseq " + std::to_string(dseq) + " was already used by another change from this device",
            false,
            "dseq_reused"};
    return {op,
            protocol::OpStatus::Rejected,
            0,
            "dseq gap: the server expects change " + std::to_string(expected + 1) +
                " from this device before " + std::to_string(dseq),
            false,
            "dseq_gap"};
}

protocol::OpResult op_reused(const std::string& op) {
    return {
        op,    protocol::OpStatus::Rejected,
        0,     "this op id was already used by another device: give the change an id of its own",
        false, "op_reused"};
}

std::string stored_result(const protocol::OpResult& r) {
    // The bytes a JSON value of these five keys dumps (sorted keys), written directly: one is
    // stored for every change a push takes. An error message cut inside a character keeps a
    // replacement mark instead of failing the push.
    std::string out;
    out.reserve(80 + r.error.size());
    out += "{\"code\":";
    protocol::append_json_string(out, r.code);
    out += ",\"error\":";
    if (r.error.empty())
        out += "\"\"";
    else
        out += Json(r.error).dump(-1, ' ', false, Json::error_handler_t::replace);
    out += ",\"forbidden\":";
    out += r.forbidden ? "true" : "false";
    out += ",\"seq\":";
    protocol::append_json_number(out, r.seq);
    out += ",\"status\":";
    protocol::append_json_string(out, protocol::to_string(r.status));
    out += '}';
    return out;
}

protocol::OpResult replayed_result(const std::string& op, const std::string& stored) {
    const Json j = Json::parse(stored, nullptr, false);
    const bool was_rejected = j.value("status", "") == "rejected";
    return {op,
            was_rejected ? protocol::OpStatus::Rejected : protocol::OpStatus::Duplicate,
            j.value("seq", std::int64_t{0}),
            j.value("error", ""),
            j.value("forbidden", false),
            j.value("code", "")};
}

} // namespace sitevisit::server::merge
