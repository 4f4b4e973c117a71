#include "sitevisit/core/write_plan.h"

#include "sitevisit/core/calibration.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/core/values.h"

#include <algorithm>
#include <iterator>
#include <set>

namespace sitevisit {

Result<Place>
place_of_key(std::string_view key,
             const std::function<std::optional<Row>(const EntitySpec&, std::string_view)>& row,
             const char* missing) {
    auto s = row(*find_entity("school"), key);
    if (s && !s->deleted) {
        Place p{s->id, s->fields.value("district", ""), ""};
        if (auto d = row(*find_entity("district"), p.district))
            p.region = d->fields.value("region", "");
        return p;
    }
    if (auto d = row(*find_entity("district"), key); d && !d->deleted)
        return Place{"", d->id, d->fields.value("region", "")};
    return Error{ErrorCode::NotFound, "school " + std::string(key) + " " + missing};
}

namespace {

int status_rank(const std::string& s) {
    const auto status = parse_visit_status(s);
    return status ? static_cast<int>(*status) : -1; // draft < submitted < reviewed
}

// Fields that name their author: set to the writer, never someone else.
const char* author_field(EntityKind entity) {
    switch (entity) {
    case EntityKind::Reading:
        return "recorded_by";
    case EntityKind::Review:
        return "reviewer";
    case EntityKind::Comment:
        return "author";
    case EntityKind::Evidence:
        return "uploaded_by";
    case EntityKind::Rating:
        return "rater";
    case EntityKind::Rater:
        return "user";
    case EntityKind::MonitoringMeeting:
        return "recorded_by";
    case EntityKind::PlanRevision:
        return "by";
    default:
        return nullptr;
    }
}

VisitContext context_of(const Json& visit_fields) {
    VisitContext v;
    v.status = visit_fields.value("status", "draft");
    v.rubric = visit_fields.value("rubric", "");
    if (visit_fields.contains("team") && visit_fields["team"].is_array())
        for (const auto& m : visit_fields["team"])
            if (m.is_string()) v.team.push_back(m.get<std::string>());
    return v;
}

void fill(RowState& state, const VisitContext& v) {
    state.visit_status = v.status;
    state.visit_team = v.team;
}

// The visit a row hangs off: for visits themselves, observations, and what comments and
// conflicts point at.
std::optional<VisitContext> owning_visit(RowReader& rows, const std::string& entity,
                                         const std::string& id) {
    const EntityKind kind = entity_kind(entity);
    if (kind == EntityKind::Visit) return rows.visit(id);
    if (kind == EntityKind::Observation) {
        auto obs = rows.row(*find_entity("observation"), id);
        if (!obs || !obs->fields.contains("visit")) return std::nullopt;
        return rows.visit(obs->fields["visit"].get<std::string>());
    }
    if (kind == EntityKind::Rating || kind == EntityKind::Rater) {
        auto r = rows.row(*find_entity(entity), id);
        if (!r || !r->fields.contains("visit") || !r->fields["visit"].is_string())
            return std::nullopt;
        return rows.visit(r->fields["visit"].get<std::string>());
    }
    if (kind == EntityKind::NextStep) {
        auto step = rows.row(*find_entity("next_step"), id);
        if (!step || !step->fields.contains("visit") || !step->fields["visit"].is_string())
            return std::nullopt;
        return rows.visit(step->fields["visit"].get<std::string>());
    }
    return std::nullopt;
}

std::optional<NextStepStatus> step_status(const Json& fields) {
    return parse_next_step_status(fields.value("status", "open"));
}

// What decide() needs of a next step: owner, the move, and whether more than status changes.
void fill_step(RowState& state, const std::optional<Row>& existing, const Json& changed,
               const Json& merged) {
    const Json& owner_from = existing ? existing->fields : merged;
    state.step_owner = owner_from.value("owner", "");
    if (existing) state.step_from = step_status(existing->fields);
    state.step_to = step_status(merged);
    for (auto it = changed.begin(); it != changed.end(); ++it)
        if (it.key() != "status" && it.key() != "return_note") state.step_details = true;
}

std::string uploader_of(const Row& evidence) {
    const Json& f = evidence.fields;
    return f.contains("uploaded_by") && f["uploaded_by"].is_string()
               ? f["uploaded_by"].get<std::string>()
               : std::string();
}

// A comment on evidence is written by those who may read the evidence: its uploader, and while
// it belongs to a draft visit's observations, that visit's team.
void fill_commented_evidence(RowReader& rows, RowState& state, const Json& comment) {
    if (comment.value("target_entity", "") != "evidence") return;
    auto evidence = rows.row(*find_entity("evidence"), comment.value("target", ""));
    if (!evidence) return;
    state.evidence_uploader = uploader_of(*evidence);
    std::set<std::string> visits;
    for (const auto& o : evidence->fields.value("observations", Json::array())) {
        if (!o.is_string()) continue;
        auto obs = rows.row(*find_entity("observation"), o.get<std::string>());
        const std::string visit = obs ? obs->fields.value("visit", "") : std::string();
        if (visit.empty() || !visits.insert(visit).second) continue;
        if (auto v = rows.visit(visit); v && !v->deleted && v->status == "draft")
            state.draft_teams.push_back(v->team);
    }
}

Error unknown_entity(std::string_view entity) {
    return Error{ErrorCode::NotFound, "unknown entity \"" + std::string(entity.substr(0, 60)) +
                                          "\" (known: " + known_entities_text() + ")"};
}

// What decide() needs of a regional director's change to a person's record.
RowState::CaseloadChange caseload_change(RowReader& rows, const Row& person, const Json& changed,
                                         const Json& merged) {
    RowState::CaseloadChange c;
    c.districts_only = changed.size() == 1 && changed.contains("districts");
    c.role = person.fields.value("role", "");
    c.active = !person.fields.contains("active") || person.fields["active"] != false;
    auto ids = [](const Json& f) {
        std::set<std::string> out;
        if (f.contains("districts") && f["districts"].is_array())
            for (const auto& d : f["districts"])
                if (d.is_string()) out.insert(d.get<std::string>());
        return out;
    };
    const std::set<std::string> before = ids(person.fields), after = ids(merged);
    c.districts = after.size();
    std::vector<std::string> moved;
    std::set_symmetric_difference(before.begin(), before.end(), after.begin(), after.end(),
                                  std::back_inserter(moved));
    for (const auto& id : moved) {
        RowState::CaseloadChange::District d{id, "", "", after.count(id) > 0};
        if (auto row = rows.row(*find_entity("district"), id); row && !row->deleted) {
            d.name = row->fields.value("name", "");
            d.region = row->fields.value("region", "");
        }
        c.moved.push_back(std::move(d));
    }
    return c;
}

} // namespace

std::optional<VisitContext> RowReader::visit(std::string_view id) {
    auto r = row(*find_entity("visit"), id);
    if (!r) return std::nullopt;
    VisitContext v = context_of(r->fields);
    v.deleted = r->deleted;
    return v;
}

void fill_rater_state(RowReader& rows, RowState& state, EntityKind kind, const Json& fields) {
    const char* person = kind == EntityKind::Rating ? "rater" : "user";
    if (!fields.contains(person) || !fields[person].is_string()) return;
    state.rater = fields[person].get<std::string>();
    auto id = team_row_id("rater", Json{{"visit", fields.value("visit", "")}}, *state.rater);
    if (!id) return;
    auto rater = rows.row(*find_entity("rater"), *id);
    state.rater_done = rater && !rater->deleted && rater->fields.value("done", false) == true;
}

Result<WritePlan> plan_write(const Validator& validator, RowReader& rows, const User& actor,
                             const WriteRequest& request, const std::string& now_utc) {
    return plan_write_of(validator, rows, actor,
                         WriteView{request.entity, request.id, request.school, request.fields},
                         now_utc);
}

Result<WritePlan> plan_write_of(const Validator& validator, RowReader& rows, const User& actor,
                                const WriteView& req, const std::string& now_utc) {
    WritePlan plan;
    plan.spec = find_entity(req.entity);
    if (!plan.spec) return unknown_entity(req.entity);
    const EntitySpec& spec = *plan.spec;
    plan.id = req.id;
    if (auto st = check_row_id(spec, plan.id); !st) return st.error();
    if (auto st = validator.check_fields(spec, req.fields); !st) return st.error();

    plan.existing = rows.row(spec, plan.id);
    const std::optional<Row>& existing = plan.existing;
    if (existing && existing->deleted)
        return Error{ErrorCode::Conflict, spec.name + " " + plan.id + " was deleted"};
    if (existing && spec.append_only)
        return Error{ErrorCode::Conflict,
                     spec.name +
                         " records are kept as history and cannot be edited; add a new one"};

    Json& changed = plan.changed;
    for (auto it = req.fields.begin(); it != req.fields.end(); ++it) {
        const FieldSpec* f = spec.field(it.key());
        const Json* old = nullptr; // the stored value, if any
        if (existing)
            if (auto stored = existing->fields.find(it.key()); stored != existing->fields.end())
                old = &*stored;
        if (existing && (old ? *old == it.value() : it.value().is_null())) continue;
        if (!existing && it.value().is_null()) continue;
        if (existing && f->immutable && old && !old->is_null())
            return invalid(f->name + " cannot change once set", f->name);
        changed[it.key()] = it.value();
    }
    if (existing && changed.empty()) {
        plan.school = existing->school;
        return plan;
    }
    if (existing && spec.kind == EntityKind::Visit && changed.contains("status") &&
        changed["status"].is_null())
        return invalid("a visit's status cannot be cleared", "status");
    if (existing && spec.kind == EntityKind::NextStep && changed.contains("status")) {
        if (changed["status"].is_null())
            return invalid("a next step's status cannot be cleared", "status");
        const std::string from = existing->fields.value("status", "open");
        const std::string to = changed["status"].get<std::string>();
        if (!next_step_move_allowed(*parse_next_step_status(from), *parse_next_step_status(to)))
            return Error{ErrorCode::Conflict,
                         from == "verified"
                             ? std::string("the next step is verified; it can no longer change")
                             : "a next step that is " + from + " cannot move to " + to,
                         "status"};
    }
    // A plan goes from draft to submitted, never back: a submitted plan's changes are recorded.
    if (existing && spec.kind == EntityKind::Plan && changed.contains("status")) {
        const std::string from = existing->fields.value("status", "");
        if (changed["status"].is_null() || (from != "draft" && changed["status"] == "draft"))
            return Error{ErrorCode::Conflict,
                         "a submitted plan stays submitted; its changes are recorded as it changes",
                         "status"};
    }
    // A submitted reflection is the school's account of the year: it no longer changes.
    if (existing && spec.kind == EntityKind::Reflection &&
        existing->fields.value("status", "") == "submitted")
        return Error{ErrorCode::Conflict, "the reflection on " +
                                              existing->fields.value("year", "") +
                                              " is submitted; it can no longer change"};

    // Conflict records are made by the server; a device may only resolve one.
    if (spec.kind == EntityKind::Conflict && actor.role != Role::Admin) {
        if (!existing)
            return Error{ErrorCode::Forbidden,
                         "conflict records are made by the server, not by devices"};
        for (auto it = changed.begin(); it != changed.end(); ++it)
            if (it.key() != "status" && it.key() != "resolution" && it.key() != "resolved_by")
                return invalid("only a conflict's status, resolution and resolved_by can change",
                               it.key());
        if (existing->fields.value("status", "open") == "resolved")
            return Error{ErrorCode::Conflict, "the conflict is resolved already"};
        if (changed.contains("status") && changed["status"] != "resolved")
            return invalid("a conflict can only move to resolved", "status");
        changed["status"] = "resolved";
        if (!changed.contains("resolved_by")) changed["resolved_by"] = actor.id;
        if (changed["resolved_by"] != actor.id)
            return invalid("resolved_by must be the writer (" + actor.id + ")", "resolved_by");
    }

    // Defaults and authorship for new rows.
    if (!existing) {
        const std::size_t brought = changed.size();
        if (const char* author = author_field(spec.kind)) {
            if (!changed.contains(author)) changed[author] = actor.id;
            if (changed[author] != actor.id)
                return invalid(std::string(author) + " must be the writer (" + actor.id + ")",
                               author);
        }
        if (spec.kind == EntityKind::Visit) {
            if (!changed.contains("status")) changed["status"] = "draft";
            if (!changed.contains("team")) changed["team"] = Json::array({actor.id});
        }
        if (spec.kind == EntityKind::Conflict && !changed.contains("status"))
            changed["status"] = "open";
        if (spec.kind == EntityKind::NextStep) {
            if (!changed.contains("status")) changed["status"] = "open";
            if (changed["status"] != "open")
                return invalid("a new next step starts open, not " +
                                   changed["status"].get<std::string>(),
                               "status");
        }
        if ((spec.kind == EntityKind::Comment || spec.kind == EntityKind::Review ||
             spec.kind == EntityKind::PlanRevision) &&
            !changed.contains("at"))
            changed["at"] = now_utc;
        // What the writer brought was checked above; what was added here is checked now.
        if (changed.size() != brought)
            if (auto st = validator.check_fields(spec, changed); !st) return st.error();
    }

    // The whole row after this write. A new row's is what it brings: `changed` itself, not a
    // copy (a push brings mostly new rows).
    Json edited;
    if (existing) {
        edited = existing->fields;
        for (auto it = changed.begin(); it != changed.end(); ++it)
            edited[it.key()] = it.value();
    }
    Json& merged = existing ? edited : changed;

    // The row's school: its own, its parent's, or the one asked for.
    std::string& school = plan.school;
    const Row* parent = nullptr;
    std::optional<Row> parent_read; // the parent, when the reader lends none
    if (existing) {
        school = existing->school;
    } else if (!spec.parent_field.empty() || spec.kind == EntityKind::Comment) {
        std::string parent_entity = spec.parent_entity;
        std::string parent_field = spec.parent_field;
        if (spec.kind == EntityKind::Comment) {
            if (!merged.contains("target_entity") || !merged["target_entity"].is_string())
                return invalid("comment needs target_entity", "target_entity");
            parent_entity = merged["target_entity"].get<std::string>();
            parent_field = "target";
        }
        if (!merged.contains(parent_field) || !merged[parent_field].is_string())
            return invalid(spec.name + " needs " + parent_field, parent_field);
        if (!find_entity(parent_entity))
            return invalid(spec.name + " cannot hang off \"" + parent_entity + "\"");
        const std::string parent_id = merged[parent_field].get<std::string>();
        const EntitySpec& parent_spec = *find_entity(parent_entity);
        if (const std::optional<Row>* kept = rows.kept_row(parent_spec, parent_id))
            parent = *kept ? &**kept : nullptr;
        else if ((parent_read = rows.row(parent_spec, parent_id)))
            parent = &*parent_read;
        if (!parent)
            return Error{ErrorCode::NotFound,
                         parent_entity + " " + parent_id + " is not " + rows.where(), parent_field};
        if (parent->deleted)
            return Error{ErrorCode::Conflict, parent_entity + " " + parent_id + " was deleted",
                         parent_field};
        school = parent->school;
    } else if (spec.kind == EntityKind::School || spec.scope == ScopeKind::District ||
               spec.scope == ScopeKind::Region) {
        school = plan.id;
    } else if (spec.scope == ScopeKind::School) {
        school = req.school;
        if (school.empty()) return invalid(spec.name + " needs the school it belongs to", "school");
        if (!is_uuid(school))
            return invalid("school must be a school id (UUID), got \"" + school.substr(0, 60) +
                               "\"",
                           "school");
    }
    if (!req.school.empty() && req.school != school)
        return invalid(spec.name + " belongs to school " + school + ", not " + req.school,
                       "school");

    // A team visit's rows have the ids their fields make: one row per rater and indicator.
    if (!existing && (spec.kind == EntityKind::Rating || spec.kind == EntityKind::Rater)) {
        const auto id = team_row_id(spec.name, merged, actor.id);
        if (id && *id != plan.id)
            return invalid(
                spec.name + " " + plan.id + " should have the id " + *id + ", which its visit, " +
                    (spec.kind == EntityKind::Rating ? "indicator and rater" : "and person") +
                    " make (leave the id out and it is made)",
                "id");
    }

    std::optional<VisitContext> observed_visit;
    if (spec.kind == EntityKind::Observation || spec.kind == EntityKind::Rating) {
        if (parent)
            observed_visit = context_of(parent->fields);
        else if (merged.contains("visit"))
            observed_visit = rows.visit(merged["visit"].get<std::string>());
        if (observed_visit && observed_visit->deleted)
            return Error{ErrorCode::Conflict,
                         "visit " + merged.value("visit", "") + " was deleted"};
        if (observed_visit) merged["rubric_of_visit"] = observed_visit->rubric;
    }
    if (auto st = validator.check_row(spec, merged); !st) return st.error();
    merged.erase("rubric_of_visit");

    // Where the row lives, and the state that decides who may touch it.
    Place place;
    switch (spec.scope) {
    case ScopeKind::Global:
        break;
    case ScopeKind::Region:
        place.region = plan.id;
        break;
    case ScopeKind::District:
        place = Place{"", plan.id, merged.value("region", "")};
        break;
    case ScopeKind::School:
        if (spec.kind == EntityKind::School) {
            place.school = plan.id;
            place.district = merged.value("district", "");
            if (auto d = rows.row(*find_entity("district"), place.district))
                place.region = d->fields.value("region", "");
        } else {
            auto p = rows.place_of_school(school);
            if (!p) return p.error();
            place = std::move(*p);
        }
        break;
    }
    // A plan kept at a district is the district's own plan.
    if (place.district_level() && spec.kind == EntityKind::Plan &&
        merged.value("kind", "") != "district")
        return invalid("a plan kept at a district is a district plan (kind \"district\"), got \"" +
                           merged.value("kind", "") + "\"",
                       "kind");
    RowState state;
    if (spec.kind == EntityKind::Visit) {
        fill(state, context_of(existing ? existing->fields : merged));
        if (existing && changed.contains("status")) {
            const std::string from_text = existing->fields.value("status", "draft");
            int from = status_rank(from_text);
            int to = status_rank(changed["status"].get<std::string>());
            if (to < from)
                return Error{ErrorCode::Conflict, "a " + from_text + " visit cannot go back to " +
                                                      changed["status"].get<std::string>()};
            if (to > from + 1)
                return Error{ErrorCode::Conflict, "a visit is submitted before it is reviewed"};
        }
        state.status_change_only = existing && changed.size() == 1 && changed.contains("status");
        if (existing && changed.contains("status") && changed["status"] == "reviewed") {
            // Marked reviewed: by the writer, with what the review found, and nothing else.
            if (!changed.contains("reviewed_by")) changed["reviewed_by"] = actor.id;
            if (changed["reviewed_by"] != actor.id)
                return invalid("reviewed_by must be the writer (" + actor.id + ")", "reviewed_by");
            merged["reviewed_by"] = actor.id;
            const std::string comment = merged.value("review_comment", "");
            if (comment.find_first_not_of(" \t\r\n") == std::string::npos)
                return invalid("a visit is marked reviewed with a comment saying what the review "
                               "found",
                               "review_comment");
            state.marks_reviewed = true;
            for (auto it = changed.begin(); it != changed.end(); ++it)
                if (it.key() != "status" && it.key() != "reviewed_by" &&
                    it.key() != "review_comment")
                    state.marks_reviewed = false;
        }
    } else if (spec.kind == EntityKind::Observation) {
        if (observed_visit) fill(state, *observed_visit);
    } else if (spec.kind == EntityKind::Rating || spec.kind == EntityKind::Rater) {
        if (parent)
            fill(state, context_of(parent->fields));
        else if (merged.contains("visit") && merged["visit"].is_string())
            if (auto v = rows.visit(merged["visit"].get<std::string>())) fill(state, *v);
        // Done (as stored before this write) is final: the rater may have seen the others'
        // ratings since.
        fill_rater_state(rows, state, spec.kind, merged);
    } else if (spec.kind == EntityKind::Comment) {
        if (auto v =
                owning_visit(rows, merged.value("target_entity", ""), merged.value("target", "")))
            fill(state, *v);
        fill_commented_evidence(rows, state, merged);
    } else if (spec.kind == EntityKind::Conflict) {
        state.conflicted_entity = merged.value("entity", "");
        if (auto v = owning_visit(rows, state.conflicted_entity, merged.value("row", "")))
            fill(state, *v);
    } else if (spec.kind == EntityKind::Evidence && existing) {
        state.evidence_uploader = uploader_of(*existing);
    } else if (spec.kind == EntityKind::NextStep) {
        if (merged.contains("visit") && merged["visit"].is_string())
            if (auto v = rows.visit(merged["visit"].get<std::string>())) fill(state, *v);
        fill_step(state, existing, changed, merged);
    } else if (spec.kind == EntityKind::User && existing && actor.role == Role::RegionalDirector) {
        state.caseload = caseload_change(rows, *existing, changed, merged);
    }
    if (auto d = decide(actor, Access::Write, spec, place, state); !d)
        return Error{ErrorCode::Forbidden, d.reason};

    if (spec.kind == EntityKind::NextStep) {
        // The owner is a person who can see the school; the links are rows of this school.
        if (changed.contains("owner")) {
            const std::string owner_id = changed["owner"].get<std::string>();
            auto owner_row = rows.row(*find_entity("user"), owner_id);
            if (!owner_row || owner_row->deleted)
                return invalid("owner " + owner_id + " is not a person " + rows.where(), "owner");
            auto owner = User::from_fields(owner_row->id, owner_row->fields);
            if (!owner) return invalid("owner " + owner_id + " has no valid role", "owner");
            if (!owner->active || !in_scope(*owner, place))
                return invalid("owner " + owner->name +
                                   " cannot see this school; choose someone "
                                   "who works with it",
                               "owner");
        }
        for (const auto& [field, entity] :
             {std::pair{"visit", "visit"}, std::pair{"benchmark", "benchmark"}}) {
            if (!changed.contains(field) || !changed[field].is_string()) continue;
            const std::string id = changed[field].get<std::string>();
            auto linked = rows.row(*find_entity(entity), id);
            if (!linked || linked->deleted || linked->school != school)
                return invalid(std::string(field) + " names " + entity + " " + id +
                                   ", which is not a " + entity + " of this school",
                               field);
        }
    }

    // Evidence and monitoring meetings may link only rows of their own school.
    if (spec.kind == EntityKind::Evidence || spec.kind == EntityKind::MonitoringMeeting) {
        for (const auto& [field, entity] :
             {std::pair{"benchmarks", "benchmark"}, std::pair{"observations", "observation"},
              std::pair{"next_steps", "next_step"}}) {
            if (!changed.contains(field) || !changed[field].is_array()) continue;
            for (const auto& id : changed[field]) {
                auto linked = rows.row(*find_entity(entity), id.get<std::string>());
                if (!linked || linked->deleted || linked->school != school)
                    return invalid(std::string(field) + " names " + entity + " " +
                                       id.get<std::string>() + ", which is not a " + entity +
                                       " of this school",
                                   field);
            }
        }
    }
    // A reading is of something measured, and a meeting something held: not of the future.
    if ((spec.kind == EntityKind::Reading || spec.kind == EntityKind::MonitoringMeeting) &&
        changed.contains("date") && now_utc.size() >= 10 &&
        changed["date"].get<std::string>() > now_utc.substr(0, 10)) {
        if (*parse_date_days(changed["date"].get<std::string>()) >
            *parse_date_days(now_utc.substr(0, 10)) + 1)
            return invalid("date " + changed["date"].get<std::string>() + " is in the future",
                           "date");
    }
    return plan;
}

Result<WritePlan> plan_delete(RowReader& rows, const User& actor, std::string_view entity,
                              std::string_view id) {
    WritePlan plan;
    plan.spec = find_entity(entity);
    if (!plan.spec) return unknown_entity(entity);
    const EntitySpec& spec = *plan.spec;
    plan.id = std::string(id);
    plan.is_delete = true;
    if (auto st = check_row_id(spec, id); !st) return st.error();
    if (spec.append_only)
        return Error{ErrorCode::Conflict,
                     spec.name + " records are kept as history and cannot be deleted"};
    if (spec.kind == EntityKind::Conflict && actor.role != Role::Admin)
        return Error{ErrorCode::Forbidden,
                     "conflict records keep both values; resolve one instead of deleting it"};
    plan.existing = rows.row(spec, id);
    if (!plan.existing)
        return Error{ErrorCode::NotFound, spec.name + " " + plan.id + " is not " + rows.where()};
    const Row& existing = *plan.existing;
    plan.school = existing.school;
    if (existing.deleted) return plan; // already gone; the caller queues nothing
    if (spec.kind == EntityKind::Reflection && existing.fields.value("status", "") == "submitted")
        return Error{ErrorCode::Conflict, "the reflection on " + existing.fields.value("year", "") +
                                              " is submitted; it is kept"};
    if (spec.kind == EntityKind::Plan && existing.fields.value("status", "") != "draft" &&
        actor.role != Role::Admin)
        return Error{ErrorCode::Conflict,
                     "a submitted plan is kept, with its history; change it, or renew it for the "
                     "next year"};

    Place place;
    if (spec.scope == ScopeKind::School) {
        if (spec.kind == EntityKind::School) {
            place.school = plan.id;
            place.district = existing.fields.value("district", "");
            if (auto d = rows.row(*find_entity("district"), place.district))
                place.region = d->fields.value("region", "");
        } else {
            auto p = rows.place_of_school(existing.school);
            if (!p) return p.error();
            place = *p;
        }
    } else if (spec.scope == ScopeKind::District) {
        place = Place{"", plan.id, existing.fields.value("region", "")};
    } else if (spec.scope == ScopeKind::Region) {
        place.region = plan.id;
    }
    RowState state;
    if (auto v = owning_visit(rows, spec.name, plan.id)) fill(state, *v);
    if (spec.kind == EntityKind::Comment)
        if (auto v = owning_visit(rows, existing.fields.value("target_entity", ""),
                                  existing.fields.value("target", "")))
            fill(state, *v);
    if (spec.kind == EntityKind::Conflict) {
        state.conflicted_entity = existing.fields.value("entity", "");
        if (auto v = owning_visit(rows, state.conflicted_entity, existing.fields.value("row", "")))
            fill(state, *v);
    }
    if (spec.kind == EntityKind::Evidence) state.evidence_uploader = uploader_of(existing);
    if (spec.kind == EntityKind::Rating || spec.kind == EntityKind::Rater)
        fill_rater_state(rows, state, spec.kind, existing.fields);
    if (spec.kind == EntityKind::NextStep) {
        state.step_owner = existing.fields.value("owner", "");
        state.step_from = step_status(existing.fields);
        state.step_details = true; // deleting is more than a move
    }
    if (auto d = decide(actor, Access::Write, spec, place, state); !d)
        return Error{ErrorCode::Forbidden, d.reason};
    return plan;
}

std::optional<WriteRequest> plan_revision_for(RowReader& rows, const WritePlan& plan) {
    if (!plan.spec || plan.no_op()) return std::nullopt;
    const EntitySpec& spec = *plan.spec;
    const EntityKind kind = spec.kind;
    if (kind != EntityKind::Plan && kind != EntityKind::Objective &&
        kind != EntityKind::Initiative && kind != EntityKind::Benchmark)
        return std::nullopt;
    const Json& before = plan.existing ? plan.existing->fields : Json::object();
    auto field = [&](const char* name) -> std::string {
        if (plan.changed.contains(name) && plan.changed[name].is_string())
            return plan.changed[name].get<std::string>();
        return before.value(name, "");
    };
    std::string action = plan.is_delete ? "deleted" : plan.existing ? "changed" : "created";
    std::string plan_id;
    std::string status; // the plan's status before this write
    if (kind == EntityKind::Plan) {
        // A new plan is a draft, or made whole; a deleted plan takes its history with it.
        if (!plan.existing || plan.is_delete) return std::nullopt;
        plan_id = plan.id;
        status = before.value("status", "");
        if (status == "draft" && plan.changed.value("status", "") == "submitted")
            action = "submitted";
    } else {
        // Up the plan's tree: a benchmark's initiative, an initiative's objective, an
        // objective's plan.
        std::string entity = spec.name, id = field(spec.parent_field.c_str());
        std::string parent = spec.parent_entity;
        for (int depth = 0; depth < 3 && parent != "plan"; ++depth) {
            auto row = rows.row(*find_entity(parent), id);
            if (!row) return std::nullopt;
            const EntitySpec& up = *find_entity(parent);
            id = row->fields.value(up.parent_field, "");
            parent = up.parent_entity;
        }
        if (parent != "plan") return std::nullopt;
        auto p = rows.row(*find_entity("plan"), id);
        if (!p || p->deleted) return std::nullopt;
        plan_id = id;
        status = p->fields.value("status", "");
    }
    if (status == "draft" && action != "submitted") return std::nullopt;
    Json changes = plan.is_delete ? before : plan.changed;
    if (action == "submitted") changes = Json::object();
    return WriteRequest{"plan_revision", "", "",
                        Json{{"plan", plan_id},
                             {"entity", spec.name},
                             {"row", plan.id},
                             {"action", action},
                             {"changes", changes}}};
}

} // namespace sitevisit
