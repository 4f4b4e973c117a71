// The pull: the change log from a cursor, kept to what the caller may read, in pages bounded
// by count, scan work and encoded bytes; a change of the caller's scope is followed first.

#include "service_common.h"
#include "sitevisit/server/metrics.h"

#include <algorithm>
#include <map>

namespace sitevisit::server {

using detail::kServerDevice;
using detail::system_admin;

Result<std::vector<std::string>> Service::follow_scope(const Caller& caller, std::int64_t since,
                                                       std::vector<std::string>& purge) {
    auto tx = store_.begin(false);
    if (!tx) return tx.error();
    // A cursor past the end of the log was not handed out by this store (a restore from
    // backup, or a confused device): it must start again from 0.
    if (const std::int64_t last = (*tx)->last_seq(); since > last)
        return Error{ErrorCode::Conflict,
                     "the cursor " + std::to_string(since) +
                         " is ahead of this server's log (which ends at " + std::to_string(last) +
                         "); pull again from 0",
                     "cursor_ahead"};
    std::vector<std::string> scope = scope_schools(**tx, caller.user, true);
    auto served = (*tx)->device_schools(caller.key);
    std::sort(served.begin(), served.end());
    if (served == scope) return scope;

    tx = Result<std::unique_ptr<StoreTx>>(Error{});
    auto w = store_.begin(true);
    if (!w) return w.error();
    StoreTx& t = **w;
    scope = scope_schools(t, caller.user, true);
    served = t.device_schools(caller.key);
    std::sort(served.begin(), served.end());
    if (since > 0) {
        // Schools gained: their current state again, for this device only. Schools lost: a
        // delete of the school row tells the device to purge it.
        for (const auto& school : scope) {
            if (std::binary_search(served.begin(), served.end(), school)) continue;
            for (const auto& r : t.rows_of_school(school)) {
                // Not a district row: every device has those already.
                const EntitySpec* spec = find_entity(r.entity);
                if (!r.deleted && spec && spec->scope == ScopeKind::School)
                    resend(t, r, caller.key);
            }
        }
        for (const auto& school : served) {
            if (std::binary_search(scope.begin(), scope.end(), school)) continue;
            // A plain delete of each of its rows first (a client that knows only SYNC.md
            // removes them one by one), then the delete of the school row, which tells this
            // project's devices to purge everything of it.
            // Only the rows the device could read while the school was in its scope (not
            // another lead's draft): the read rule, for the user as they were.
            // A district's own rows (the key is a district's id, even a deleted district's):
            // all of them, as nothing kept at a district is limited to a visit's team, and
            // whatever the person's role is now.
            const bool district_key = t.row(*find_entity("district"), school).has_value();
            User before = caller.user;
            before.schools.push_back(school);
            if (auto place = t.place_of_school(school)) {
                before.districts.push_back(place->district);
                if (before.role == Role::RegionalDirector) before.region = place->region;
            }
            std::vector<Row> rows;
            for (auto& r : t.rows_of_school(school)) {
                // Not the school row (its delete comes last), nor a district row, whose key is
                // its own id like that of the district's own rows: everyone reads districts.
                const EntitySpec* spec = find_entity(r.entity);
                if (!r.deleted && spec && spec->scope == ScopeKind::School &&
                    !spec->is(EntityKind::School) && (district_key || may_read_row(t, before, r)))
                    rows.push_back(std::move(r));
            }
            std::reverse(rows.begin(), rows.end()); // purge_for deletes in reverse order
            purge_for(t, rows, caller.key);
            // A district's own rows are deleted one by one; there is no school row to delete.
            if (district_key) continue;
            Change c;
            c.op = next_id();
            c.entity = "school";
            c.id = school;
            c.school = school;
            c.kind = ChangeKind::Delete;
            c.hlc = server_hlc();
            c.dseq = 1;
            append(t, c, system_admin().id, kServerDevice, caller.key);
            purge.push_back(school);
        }
    }
    t.set_device_schools(caller.key, scope);
    t.commit();
    return scope;
}

namespace {

// The newest data schema any entity, field or enum value needs: a caller at it or above reads
// every change whole, with no look at its fields.
int newest_schema() {
    static const int newest = [] {
        int n = 1;
        for (const auto& spec : entity_specs()) {
            n = std::max(n, spec.since);
            for (const auto& f : spec.fields) {
                n = std::max(n, f.since);
                for (const auto& v : f.values)
                    n = std::max(n, v.since);
            }
        }
        return n;
    }();
    return newest;
}

// A change's fields, parsed from the stored text the first time they are needed.
const Json& fields_of(LoggedChange& l) {
    if (!l.fields_json.empty()) {
        Json j = Json::parse(l.fields_json, nullptr, false);
        l.change.fields = j.is_discarded() ? Json::object() : std::move(j);
        l.fields_json.clear();
    }
    return l.change.fields;
}

} // namespace

Result<protocol::PullResponse> Service::pull(const Caller& caller, std::int64_t since, int limit,
                                             int schema, bool encoded,
                                             std::vector<std::string>* scope_out) {
    if (since < 0) return invalid("since must be 0 or more");
    if (limit <= 0) limit = options_.default_pull_limit;
    limit = std::min(limit, options_.max_pull_limit);
    return detail::storage_guarded([&]() -> Result<protocol::PullResponse> {
        protocol::PullResponse response;
        response.epoch = store_.epoch().id;
        auto followed = follow_scope(caller, since, response.purge);
        if (!followed) return followed.error();
        const std::vector<std::string>& scope = *followed;
        if (scope_out) *scope_out = scope;

        auto tx = store_.begin(false);
        if (!tx) return tx.error();
        StoreTx& t = **tx;
        std::map<std::string, std::optional<Place>> places;
        std::map<std::string, std::optional<VisitContext>> visits;
        std::int64_t cursor = since;
        const int max_scan = limit * 20; // bound the work of one request; `more` says go on
        int scanned = 0;
        bool stopped = false;
        // The page's encoded size stays under max_pull_bytes (room kept for the envelope).
        const std::int64_t budget =
            std::max<std::int64_t>(1024, options_.max_pull_bytes - 64 * 1024);
        std::int64_t bytes = 0;
        for (const auto& school : response.purge)
            bytes += static_cast<std::int64_t>(school.size()) + 3;
        const bool whole_schema = schema >= newest_schema();
        while (!stopped) {
            auto page =
                encoded ? t.changes_after_wire(cursor, limit) : t.changes_after(cursor, limit);
            for (auto& logged : page) {
                if (static_cast<int>(response.ops.size() + response.encoded_count) >= limit ||
                    scanned >= max_scan) {
                    stopped = true;
                    break;
                }
                ++scanned;
                const std::int64_t before = cursor;
                cursor = logged.change.seq;
                bool trimmed = false; // fields left out for an older schema: encode it again
                // Adds the change unless the page would grow past its byte budget; then the
                // page ends before it and the next pull starts there. The size is the change's
                // encoded size either way: the stored bytes are exactly what to_json() writes.
                auto take = [&](LoggedChange& l) {
                    Change& c = l.change;
                    std::string wire;
                    if (encoded) {
                        if (trimmed || l.wire.empty())
                            wire = l.fields_json.empty()
                                       ? protocol::encode_change(c, c.fields.dump())
                                       : protocol::encode_change(c, l.fields_json);
                        else
                            wire = std::move(l.wire);
                    }
                    const auto size = static_cast<std::int64_t>(
                                          encoded ? wire.size() : c.to_json().dump().size()) +
                                      1;
                    if ((!response.ops.empty() || response.encoded_count > 0) &&
                        bytes + size > budget) {
                        cursor = before;
                        stopped = true;
                        return false;
                    }
                    bytes += size;
                    if (encoded) {
                        if (response.encoded_count++ > 0) response.encoded_ops += ',';
                        response.encoded_ops += wire;
                    } else {
                        response.ops.push_back(std::move(c));
                    }
                    return true;
                };
                // What the caller's data schema cannot read waits for its update, counted: a
                // change of a newer entity or enum value whole, newer fields of an older entity
                // left out (the rest is sent; the update pulls the change again for them).
                auto fit = [&](const EntitySpec& spec, LoggedChange& l) {
                    Change& c = l.change;
                    if (whole_schema) return true;
                    if (c.kind == ChangeKind::Delete ? spec.since <= schema
                                                     : schema_needed(spec, fields_of(l)) <= schema)
                        return true;
                    if (response.held++ == 0) response.held_since = before;
                    if (c.kind == ChangeKind::Delete) return false;
                    auto readable = readable_fields(spec, c.fields, schema);
                    if (!readable || readable->empty()) return false;
                    c.fields = std::move(*readable);
                    trimmed = true;
                    return true;
                };
                if (!logged.for_device.empty()) {
                    if (logged.for_device != caller.key) continue;
                    if (logged.change.kind == ChangeKind::Delete) {
                        // A district's own rows never reached a device of an older schema.
                        if (schema < kDistrictLevelSchema &&
                            t.row(*find_entity("district"), logged.change.school))
                            continue;
                        // This device is told to remove a row it may no longer read (a school
                        // left its scope, or it left a draft visit's team).
                        const EntitySpec* spec = find_entity(logged.change.entity);
                        if (spec && !fit(*spec, logged)) continue;
                        if (!take(logged)) break;
                        continue;
                    }
                    // A replayed row still has to pass the read rule below.
                }
                const EntitySpec* spec = find_entity(logged.change.entity);
                if (!spec) continue;
                if (spec->scope != ScopeKind::School) {
                    if (!fit(*spec, logged)) continue;
                    if (!take(logged)) break;
                    continue;
                }
                const std::string& school = logged.change.school;
                if (!std::binary_search(scope.begin(), scope.end(), school)) continue;
                auto& place = places[school];
                if (!place) {
                    auto p = t.place_of_school(school);
                    place = p ? *p : Place{school, "", ""};
                }
                // A district's own rows wait for a device that knows where to keep them.
                if (place->district_level() && schema < kDistrictLevelSchema) {
                    if (response.held++ == 0) response.held_since = before;
                    continue;
                }
                RowState state;
                if (!logged.visit.empty()) {
                    auto it = visits.find(logged.visit);
                    if (it == visits.end())
                        it = visits.emplace(logged.visit, t.visit(logged.visit)).first;
                    if (it->second) {
                        state.visit_status = it->second->status;
                        state.visit_team = it->second->team;
                    }
                }
                if (spec->name == "conflict") {
                    // A resolution carries only its status: what it is about is in the row.
                    auto stored = t.row(*spec, logged.change.id);
                    state.conflicted_entity = stored ? stored->fields.value("entity", "")
                                                     : fields_of(logged).value("entity", "");
                }
                if (spec->name == "evidence") {
                    // Evidence linked to a draft's observations waits for the visit to be
                    // submitted (publish_visit sends it then), unless this is its team or uploader.
                    auto stored = t.row(*spec, logged.change.id);
                    evidence_state(t, stored ? &*stored : nullptr, &fields_of(logged), state,
                                   &visits);
                }
                if (spec->name == "comment") {
                    // A comment on such evidence waits with it.
                    auto stored = t.row(*spec, logged.change.id);
                    comment_state(t, stored ? &*stored : nullptr, &fields_of(logged), state,
                                  &visits);
                }
                if (spec->is(EntityKind::Rating) || spec->is(EntityKind::Rater)) {
                    // A rating waits for its rater to mark their ratings done (the server sends
                    // it again then), unless this is its rater.
                    auto stored = t.row(*spec, logged.change.id);
                    fill_rater_state(t, state, spec->kind,
                                     stored ? stored->fields : fields_of(logged));
                }
                if (decide(caller.user, Access::Read, *spec, *place, state) && fit(*spec, logged))
                    if (!take(logged)) break;
            }
            if (stopped) break;
            if (static_cast<int>(page.size()) < limit) break; // the end of the log
        }
        const std::int64_t last = t.last_seq();
        response.cursor = cursor;
        response.more = cursor < last;
        if (metrics)
            metrics->pulled(
                static_cast<std::int64_t>(response.ops.size() + response.encoded_count));
        return response;
    });
}

} // namespace sitevisit::server
