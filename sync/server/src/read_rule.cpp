// What the read rule (core's decide) needs to know about a row on the server: the scope keys
// of a user (schools, and districts whose own rows they read), the visit a row belongs to, and who
// may see draft-linked evidence and the comments on it.

#include "service_common.h"

#include <algorithm>
#include <map>
#include <set>

namespace sitevisit::server {

std::vector<std::string> Service::scope_schools(StoreTx& tx, const User& user,
                                                bool with_districts) {
    std::map<std::string, std::string> region_of_district;
    std::vector<std::string> out;
    for (const auto& d : tx.rows_of_entity("district")) {
        if (d.deleted) continue;
        region_of_district[d.id] = d.fields.value("region", "");
        // A district's own rows (its plan, benchmarks and next steps) have its id as their key.
        if (with_districts && in_scope(user, Place{"", d.id, region_of_district[d.id]}))
            out.push_back(d.id);
    }
    for (const auto& s : tx.rows_of_entity("school")) {
        if (s.deleted) continue;
        Place p{s.id, s.fields.value("district", ""), ""};
        p.region = region_of_district[p.district];
        if (in_scope(user, p)) out.push_back(s.id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string Service::visit_of(StoreTx& tx, const Change& c, const Row* row) {
    auto field = [&](const char* name) -> std::string {
        if (c.fields.contains(name) && c.fields[name].is_string())
            return c.fields[name].get<std::string>();
        if (row && row->fields.contains(name) && row->fields[name].is_string())
            return row->fields[name].get<std::string>();
        return {};
    };
    auto visit_of_observation = [&](const std::string& obs) -> std::string {
        auto r = tx.row(*find_entity("observation"), obs);
        return r ? r->fields.value("visit", "") : std::string();
    };
    auto visit_of_step = [&](const std::string& step) -> std::string {
        auto r = tx.row(*find_entity("next_step"), step);
        return r && r->fields.contains("visit") && r->fields["visit"].is_string()
                   ? r->fields["visit"].get<std::string>()
                   : std::string();
    };
    const EntitySpec* spec = find_entity(c.entity);
    if (!spec) return {};
    if (c.entity == "visit") return c.id;
    // A next step made at a visit is that visit's team's until it is submitted.
    if (spec->is(EntityKind::NextStep)) return field("visit");
    // A child of a visit (an observation) names it in its parent field.
    if (spec->parent_entity == "visit") return field(spec->parent_field.c_str());
    if (c.entity == "comment") {
        const std::string te = field("target_entity");
        if (te == "visit") return field("target");
        if (te == "observation") return visit_of_observation(field("target"));
        if (te == "next_step") return visit_of_step(field("target"));
    }
    if (c.entity == "conflict") {
        const std::string e = field("entity");
        if (e == "visit") return field("row");
        if (e == "observation") return visit_of_observation(field("row"));
    }
    return {};
}

void Service::evidence_state(StoreTx& tx, const Row* row, const Json* fields, RowState& state,
                             std::map<std::string, std::optional<VisitContext>>* visits) {
    std::set<std::string> observations;
    auto take = [&](const Json& f) {
        if (f.is_object() && f.contains("observations") && f["observations"].is_array())
            for (const auto& o : f["observations"])
                if (o.is_string()) observations.insert(o.get<std::string>());
    };
    if (row) {
        take(row->fields);
        state.evidence_uploader =
            row->fields.contains("uploaded_by") && row->fields["uploaded_by"].is_string()
                ? row->fields["uploaded_by"].get<std::string>()
                : std::string();
    }
    if (fields) {
        take(*fields);
        if (!state.evidence_uploader && fields->contains("uploaded_by") &&
            (*fields)["uploaded_by"].is_string())
            state.evidence_uploader = (*fields)["uploaded_by"].get<std::string>();
    }
    std::map<std::string, std::optional<VisitContext>> local;
    auto& cache = visits ? *visits : local;
    std::set<std::string> seen_visits;
    for (const auto& obs : observations) {
        auto o = tx.row(*find_entity("observation"), obs);
        if (!o) continue;
        const std::string visit = o->fields.value("visit", "");
        if (visit.empty() || !seen_visits.insert(visit).second) continue;
        auto it = cache.find(visit);
        if (it == cache.end()) it = cache.emplace(visit, tx.visit(visit)).first;
        if (it->second && !it->second->deleted && it->second->status == "draft")
            state.draft_teams.push_back(it->second->team);
    }
}

void Service::comment_state(StoreTx& tx, const Row* row, const Json* fields, RowState& state,
                            std::map<std::string, std::optional<VisitContext>>* visits) {
    auto field = [&](const char* name) -> std::string {
        if (row && row->fields.contains(name) && row->fields[name].is_string())
            return row->fields[name].get<std::string>();
        if (fields && fields->contains(name) && (*fields)[name].is_string())
            return (*fields)[name].get<std::string>();
        return {};
    };
    if (field("target_entity") != "evidence") return;
    auto evidence = tx.row(*find_entity("evidence"), field("target"));
    if (evidence) evidence_state(tx, &*evidence, nullptr, state, visits);
}

RowState Service::row_state(StoreTx& tx, const EntitySpec& spec, const Row& r) {
    RowState state;
    if (auto v = visit_of(tx, Change{"", r.entity, r.id, r.school}, &r); !v.empty())
        if (auto ctx = tx.visit(v)) {
            state.visit_status = ctx->status;
            state.visit_team = ctx->team;
        }
    if (spec.name == "conflict") state.conflicted_entity = r.fields.value("entity", "");
    if (spec.name == "evidence") evidence_state(tx, &r, nullptr, state);
    if (spec.name == "comment") comment_state(tx, &r, nullptr, state);
    if (spec.is(EntityKind::Rating) || spec.is(EntityKind::Rater))
        fill_rater_state(tx, state, spec.kind, r.fields);
    return state;
}

bool Service::may_read_row(StoreTx& tx, const User& user, const Row& r) {
    const EntitySpec* spec = find_entity(r.entity);
    if (!spec) return false;
    if (spec->scope != ScopeKind::School) return true;
    auto place = tx.place_of_school(r.school);
    if (!place) return false;
    return static_cast<bool>(decide(user, Access::Read, *spec, *place, row_state(tx, *spec, r)));
}

} // namespace sitevisit::server
