#include "cached_tx.h"

#include "sitevisit/protocol/messages.h"

#include <stdexcept>

namespace sitevisit::server::detail {

Json parse_or(std::string_view text, Json fallback) {
    Json j = Json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

Account account_from(std::string id, std::string email, std::string_view fields,
                     std::string password_hash) {
    Account a;
    Json f = parse_or(fields, Json::object());
    auto u = User::from_fields(id, f);
    if (u) a.user = *u;
    a.user.id = std::move(id);
    a.user.email = std::move(email);
    a.password_hash = std::move(password_hash);
    return a;
}

FieldVersion version_in(const Json& versions, const std::string& field) {
    FieldVersion out;
    auto f = versions.find("f");
    if (f == versions.end() || !f->is_object()) return out;
    auto s = f->find(field);
    if (s == f->end() || !s->is_number_integer()) return out;
    out.seq = s->get<std::int64_t>();
    auto v = versions.find("v");
    if (v == versions.end() || !v->is_object()) return out;
    auto e = v->find(std::to_string(out.seq));
    if (e != v->end() && e->is_array() && e->size() == 3) {
        out.hlc = (*e)[0].get<std::string>();
        out.author = (*e)[1].get<std::string>();
        out.device = (*e)[2].get<std::string>();
    }
    return out;
}

void set_versions_in(Json& versions, const std::vector<std::string>& fields,
                     const FieldVersion& version) {
    if (!versions.is_object()) versions = Json::object();
    Json& f = versions["f"];
    Json& v = versions["v"];
    if (!f.is_object()) f = Json::object();
    if (!v.is_object()) v = Json::object();
    for (const auto& field : fields)
        f[field] = version.seq;
    v[std::to_string(version.seq)] = Json::array({version.hlc, version.author, version.device});
    // Entries no field points at any more.
    for (auto it = v.begin(); it != v.end();) {
        bool used = false;
        for (const auto& s : f)
            if (s.is_number_integer() && std::to_string(s.get<std::int64_t>()) == it.key()) {
                used = true;
                break;
            }
        it = used ? std::next(it) : v.erase(it);
    }
}

std::optional<Row> CachedTx::row(const EntitySpec& spec, std::string_view id) {
    if (Cached* c = find(spec.name, id)) return ready(*c);
    Cached loaded = load(spec.name, id);
    std::optional<Row> out = loaded.row;
    if (caches(spec.name)) keep(spec.name, id, std::move(loaded));
    return out;
}

const std::optional<Row>* CachedTx::kept_row(const EntitySpec& spec, std::string_view id) {
    if (Cached* c = find(spec.name, id)) return &ready(*c);
    if (!caches(spec.name)) return nullptr;
    return &keep(spec.name, id, load(spec.name, id)).row;
}

Result<Place> CachedTx::place_of_school(std::string_view school) {
    if (auto it = places_.find(std::string(school)); it != places_.end()) return it->second;
    Result<Place> out = place_of_key(
        school, [this](const EntitySpec& spec, std::string_view id) { return row(spec, id); },
        "does not exist");
    places_.emplace(std::string(school), out);
    return out;
}

std::optional<VisitContext> CachedTx::visit(std::string_view id) {
    if (auto it = visits_.find(std::string(id)); it != visits_.end()) return it->second;
    auto v = RowReader::visit(id);
    visits_.emplace(std::string(id), v);
    return v;
}

std::vector<FieldVersion> CachedTx::field_versions(const std::string& entity, const std::string& id,
                                                   const std::vector<std::string>& fields) {
    Cached& c = entry(entity, id);
    const Json& versions = parsed_versions(c);
    std::vector<FieldVersion> out;
    out.reserve(fields.size());
    for (const auto& f : fields)
        out.push_back(version_in(versions, f));
    return out;
}

void CachedTx::put_row(Row r) {
    Cached& c = hold(std::move(r));
    c.fields_text.clear();
    c.fields_pending = false;
}

void CachedTx::put_row(Row r, std::string fields_json) {
    Cached& c = hold(std::move(r));
    c.row->fields = Json::object();
    c.fields_text = std::move(fields_json);
    c.fields_pending = true;
}

const std::optional<Row>& CachedTx::ready(Cached& c) {
    if (c.fields_pending) {
        c.row->fields = parse_or(c.fields_text, Json::object());
        c.fields_pending = false;
    }
    return c.row;
}

CachedTx::Cached& CachedTx::hold(Row r) {
    writer_only();
    Cached* c = find(r.entity, r.id);
    if (!c) c = &keep(r.entity, r.id, Cached{}); // versions unknown: kept as stored
    if (r.entity == "school" || r.entity == "district") places_.clear();
    if (r.entity == "visit") visits_.erase(r.id);
    c->row = std::move(r);
    mark_dirty(*c);
    return *c;
}

namespace {

// The versions text of fields all set by one change, as set_versions_in leaves it on an empty
// value.
std::string first_versions_text(const std::vector<std::string>& fields,
                                const FieldVersion& version) {
    const std::string seq = std::to_string(version.seq);
    std::string out = "{\"f\":{";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out.push_back(',');
        protocol::append_json_string(out, fields[i]);
        out.push_back(':');
        out += seq;
    }
    out += "},\"v\":{\"";
    out += seq;
    out += "\":[";
    protocol::append_json_string(out, version.hlc);
    out.push_back(',');
    protocol::append_json_string(out, version.author);
    out.push_back(',');
    protocol::append_json_string(out, version.device);
    out += "]}}";
    return out;
}

} // namespace

void CachedTx::set_field_versions(const std::string& entity, const std::string& id,
                                  const std::vector<std::string>& fields,
                                  const FieldVersion& version) {
    writer_only();
    Cached& c = entry(entity, id);
    if (!c.versions && !c.versions_dirty && c.versions_text == "{}" && !fields.empty()) {
        // A new row's first change (most of what a push brings): its versions written as text
        // at once, with no JSON value to build, encode at the flush and free.
        c.versions_text = first_versions_text(fields, version);
        mark_dirty(c);
        return;
    }
    set_versions_in(parsed_versions(c), fields, version);
    c.versions_dirty = true;
    mark_dirty(c);
}

void CachedTx::keep_stored(std::string_view entity, std::string_view id, Stored stored) {
    if (find(entity, id)) return;
    Cached c;
    c.versions_known = true;
    c.row = std::move(stored.row);
    c.versions_text = std::move(stored.versions);
    keep(entity, id, std::move(c));
}

void CachedTx::flush_rows() {
    if (dirty_.empty()) return;
    std::vector<RowWrite> writes;
    writes.reserve(dirty_.size());
    for (Cached* kept : dirty_) {
        Cached& c = *kept;
        c.dirty = false;
        if (!c.row) continue; // versions of a row never written: nothing to keep
        if (c.versions_dirty) {
            c.versions_text = c.versions->dump();
            c.versions_dirty = false;
        }
        writes.push_back(RowWrite{&*c.row, c.versions_known ? &c.versions_text : nullptr,
                                  c.fields_text.empty() ? nullptr : &c.fields_text});
    }
    dirty_.clear();
    store_rows(writes);
}

std::shared_ptr<void> CachedTx::take_kept() {
    flush_rows();
    struct Kept {
        std::unordered_map<std::string, Cached> rows;
        std::unordered_map<std::string, Result<Place>> places;
        std::unordered_map<std::string, std::optional<VisitContext>> visits;
    };
    auto kept =
        std::make_shared<Kept>(Kept{std::move(cache_), std::move(places_), std::move(visits_)});
    forget_rows();
    return kept;
}

void CachedTx::forget_rows() {
    cache_.clear();
    dirty_.clear();
    places_.clear();
    visits_.clear();
}

void CachedTx::writer_only() const {
    if (!write_) throw std::logic_error("a read transaction cannot write");
}

std::string CachedTx::key(std::string_view entity, std::string_view id) {
    std::string k;
    k.reserve(entity.size() + id.size() + 1);
    k.append(entity).push_back('\n');
    k.append(id);
    return k;
}

bool CachedTx::caches(std::string_view entity) const {
    return write_ || entity == "school" || entity == "district" || entity == "region" ||
           entity == "visit";
}

CachedTx::Cached* CachedTx::find(std::string_view entity, std::string_view id) {
    // Looked up by a key made in a buffer kept for it: no string made for each look-up.
    probe_.clear();
    probe_.append(entity).push_back('\n');
    probe_.append(id);
    auto it = cache_.find(probe_);
    return it == cache_.end() ? nullptr : &it->second;
}

CachedTx::Cached CachedTx::load(std::string_view entity, std::string_view id) {
    Stored s = load_row(entity, id);
    Cached c;
    c.versions_known = true;
    c.row = std::move(s.row);
    c.versions_text = std::move(s.versions);
    return c;
}

CachedTx::Cached& CachedTx::keep(std::string_view entity, std::string_view id, Cached c) {
    return cache_.insert_or_assign(key(entity, id), std::move(c)).first->second;
}

CachedTx::Cached& CachedTx::entry(std::string_view entity, std::string_view id) {
    if (Cached* c = find(entity, id)) {
        if (!c->versions_known) { // written before it was read: its stored versions now
            Cached stored = load(entity, id);
            c->versions_text = std::move(stored.versions_text);
            c->versions_known = true;
        }
        return *c;
    }
    return keep(entity, id, load(entity, id));
}

Json& CachedTx::parsed_versions(Cached& c) {
    if (!c.versions) c.versions = parse_or(c.versions_text, Json::object());
    return *c.versions;
}

void CachedTx::mark_dirty(Cached& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirty_.push_back(&c);
}

} // namespace sitevisit::server::detail
