#include "sitevisit/core/change.h"

#include "sitevisit/core/hlc.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/core/validation.h"

namespace sitevisit {

const char* to_string(ChangeKind k) {
    return k == ChangeKind::Delete ? "delete" : "upsert";
}

Json Change::to_json() const {
    Json j{{"op", op},
           {"entity", entity},
           {"id", id},
           {"school", school},
           {"kind", to_string(kind)},
           {"fields", fields},
           {"hlc", hlc},
           {"base", base},
           {"dseq", dseq},
           {"schema", schema}};
    if (seq > 0) j["seq"] = seq;
    return j;
}

namespace {

Error envelope(const std::string& message, const std::string& field) {
    return invalid("change " + message, field);
}

bool whole(const Json& j) {
    return j.is_number_integer() || j.is_number_unsigned();
}

} // namespace

namespace {

// Change::from_json, copying the fields from a tree the caller keeps, or taking them out of
// `owned` (the same tree, which the caller gives up).
Result<Change> change_from(const Json& j, Json* owned) {
    if (!j.is_object()) return invalid("a change must be a JSON object");
    Change c;
    auto text = [&](const char* key, std::string& out) -> Status {
        if (!j.contains(key)) return envelope("needs \"" + std::string(key) + "\"", key);
        if (!j[key].is_string()) return envelope("\"" + std::string(key) + "\" must be text", key);
        out = j[key].get<std::string>();
        return ok_status();
    };
    for (auto [key, out] :
         {std::pair{"op", &c.op}, std::pair{"entity", &c.entity}, std::pair{"id", &c.id},
          std::pair{"school", &c.school}, std::pair{"hlc", &c.hlc}})
        if (auto st = text(key, *out); !st) return st.error();
    if (!is_uuid(c.op))
        return envelope("op must be a UUID, got \"" + c.op.substr(0, 60) + "\"", "op");
    const EntitySpec* spec = find_entity(c.entity);
    if (!spec)
        return envelope("names unknown entity \"" + c.entity.substr(0, 60) +
                            "\" (known: " + known_entities_text() + ")",
                        "entity");
    if (auto st = check_row_id(*spec, c.id); !st) return st.error();
    if (c.school.size() > 100) return envelope("school is too long", "school");
    if (!c.school.empty() && spec->scope != ScopeKind::Global && !is_uuid(c.school))
        return envelope("school must be a UUID, got \"" + c.school.substr(0, 60) + "\"", "school");
    if (!Hlc::parse(c.hlc))
        return envelope("hlc must look like 2026-11-22T10:00:00.123Z-0003-<device>, got \"" +
                            c.hlc.substr(0, 60) + "\"",
                        "hlc");

    std::string kind;
    if (auto st = text("kind", kind); !st) return st.error();
    if (kind == "upsert")
        c.kind = ChangeKind::Upsert;
    else if (kind == "delete")
        c.kind = ChangeKind::Delete;
    else
        return envelope("kind must be upsert or delete, got \"" + kind.substr(0, 60) + "\"",
                        "kind");

    if (j.contains("fields") && !j["fields"].is_null()) {
        if (!j["fields"].is_object()) return envelope("fields must be a JSON object", "fields");
        if (owned)
            c.fields = std::move((*owned)["fields"]);
        else
            c.fields = j["fields"];
    }
    if (c.kind == ChangeKind::Upsert && c.fields.empty())
        return envelope("of kind upsert needs at least one field", "fields");

    auto integer = [&](const char* key, std::int64_t min, std::int64_t& out,
                       bool required) -> Status {
        if (!j.contains(key)) {
            if (required) return envelope("needs \"" + std::string(key) + "\"", key);
            return ok_status();
        }
        if (!whole(j[key]) || j[key].get<std::int64_t>() < min)
            return envelope(std::string(key) + " must be a whole number of at least " +
                                std::to_string(min) + ", got " + j[key].dump().substr(0, 40),
                            key);
        out = j[key].get<std::int64_t>();
        return ok_status();
    };
    std::int64_t schema = 0;
    if (auto st = integer("base", 0, c.base, true); !st) return st.error();
    if (auto st = integer("dseq", 1, c.dseq, true); !st) return st.error();
    if (auto st = integer("schema", 1, schema, true); !st) return st.error();
    if (auto st = integer("seq", 1, c.seq, false); !st) return st.error();
    if (schema > 1000000) return envelope("schema is out of range", "schema");
    c.schema = static_cast<int>(schema);
    if (auto st = c.check_envelope(); !st) return st.error();
    return c;
}

} // namespace

Result<Change> Change::from_json(const Json& j) {
    return change_from(j, nullptr);
}

Result<Change> Change::from_json(Json&& j) {
    return change_from(j, &j);
}

Status Change::check_envelope() const {
    if (!is_uuid(op)) return envelope("op must be a UUID, got \"" + op.substr(0, 60) + "\"", "op");
    const EntitySpec* spec = find_entity(entity);
    if (!spec)
        return envelope("names unknown entity \"" + entity.substr(0, 60) +
                            "\" (known: " + known_entities_text() + ")",
                        "entity");
    if (auto st = check_row_id(*spec, id); !st) return st.error();
    if (school.size() > 100) return envelope("school is too long", "school");
    if (!school.empty() && spec->scope != ScopeKind::Global && !is_uuid(school))
        return envelope("school must be a UUID, got \"" + school.substr(0, 60) + "\"", "school");
    if (!Hlc::parse(hlc))
        return envelope("hlc must look like 2026-11-22T10:00:00.123Z-0003-<device>, got \"" +
                            hlc.substr(0, 60) + "\"",
                        "hlc");
    if (!fields.is_object()) return envelope("fields must be a JSON object", "fields");
    if (kind == ChangeKind::Upsert && fields.empty())
        return envelope("of kind upsert needs at least one field", "fields");
    if (base < 0) return envelope("base must be a whole number of at least 0", "base");
    if (dseq < 1) return envelope("dseq must be a whole number of at least 1", "dseq");
    if (schema < 1 || schema > 1000000) return envelope("schema is out of range", "schema");
    if (seq < 0) return envelope("seq must be a whole number of at least 1", "seq");
    return ok_status();
}

} // namespace sitevisit
