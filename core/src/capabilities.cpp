#include "sitevisit/core/capabilities.h"

#include "sitevisit/core/domain.h"
#include "sitevisit/core/store.h"

#include <algorithm>

namespace sitevisit {

namespace {

// A place inside the user's own scope: their first school, district or their region. Without
// a school of their own it stands for any school of their district or region (never for the
// district's own rows, which a school's work such as evidence is not kept at).
Place home_place(const User& u) {
    return Place{u.schools.empty() ? std::string("(a school in scope)") : u.schools.front(),
                 u.districts.empty() ? std::string() : u.districts.front(), u.region};
}

Error not_here(std::string_view entity, std::string_view id) {
    return Error{ErrorCode::NotFound,
                 std::string(entity) + " " + std::string(id) + " is not on this device"};
}

// A visit's status and team; a visit written before status existed is a draft.
void fill_visit(RowState& state, const domain::Visit& v) {
    state.visit_status = v.status.empty() ? std::string("draft") : v.status;
    state.visit_team = v.team;
}

Result<domain::Visit> load_visit(const Store& store, std::string_view id) {
    auto row = store.get("visit", id);
    if (!row) return row.error();
    if (!*row) return not_here("visit", id);
    if ((*row)->deleted)
        return Error{ErrorCode::Conflict, "visit " + std::string(id) + " was deleted"};
    return domain::from_row<domain::Visit>(**row);
}

} // namespace

const char* to_string(Action a) {
    switch (a) {
    case Action::UploadEvidence:
        return "upload evidence";
    case Action::EditEvidence:
        return "change evidence";
    case Action::ReviewEvidence:
        return "review evidence";
    case Action::StartVisit:
        return "start a visit";
    case Action::EditVisit:
        return "change a visit";
    case Action::SubmitVisit:
        return "submit a visit";
    case Action::WriteReflection:
        return "write a reflection";
    case Action::RecordReading:
        return "record a reading";
    case Action::RecordMeeting:
        return "record a monitoring meeting";
    case Action::WritePlan:
        return "write the plan";
    case Action::ResolveConflict:
        return "resolve a conflict";
    case Action::Comment:
        return "comment";
    case Action::MakeNextStep:
        return "make a next step";
    case Action::EditNextStep:
        return "change a next step";
    case Action::WorkNextStep:
        return "mark a next step done";
    case Action::VerifyNextStep:
        return "verify a next step";
    case Action::ReviewVisit:
        return "mark a visit reviewed";
    case Action::MakeReport:
        return "make a visit report";
    }
    return "act";
}

Decision can(const User& user, Action action, const Target& target) {
    const Place place = target.place ? *target.place : home_place(user);
    RowState state = target.state;
    // Asked before there is a visit row: a draft with the asker on its team, as a new one is.
    auto as_new_visit = [&] {
        if (state.visit_status) return;
        state.visit_status = "draft";
        state.visit_team = {user.id};
    };
    const char* entity = "comment";
    Access access = Access::Write;
    switch (action) {
    case Action::UploadEvidence:
        entity = "evidence";
        state.evidence_uploader.reset(); // a new row: nobody uploaded it yet
        break;
    case Action::EditEvidence:
        entity = "evidence";
        if (!state.evidence_uploader) state.evidence_uploader = std::string();
        break;
    case Action::ReviewEvidence:
        entity = "review";
        break;
    case Action::StartVisit:
        entity = "visit";
        state.visit_status = "draft";
        state.visit_team = {user.id};
        state.status_change_only = false;
        break;
    case Action::EditVisit:
        entity = "observation";
        as_new_visit();
        break;
    case Action::SubmitVisit:
        entity = "visit";
        as_new_visit();
        state.status_change_only = true;
        break;
    case Action::WriteReflection:
        entity = "reflection";
        break;
    case Action::RecordReading:
        entity = "reading";
        break;
    case Action::RecordMeeting:
        entity = "monitoring_meeting";
        break;
    case Action::WritePlan:
        entity = "plan";
        break;
    case Action::ResolveConflict:
        entity = "conflict";
        break;
    case Action::Comment:
        entity = "comment";
        break;
    case Action::MakeNextStep:
        entity = "next_step";
        state.step_from.reset();
        state.step_to = NextStepStatus::Open;
        break;
    case Action::EditNextStep:
        entity = "next_step";
        if (!state.step_from) state.step_from = NextStepStatus::Open;
        state.step_to = state.step_from;
        state.step_details = true;
        break;
    case Action::WorkNextStep:
    case Action::VerifyNextStep: {
        entity = "next_step";
        const bool verify = action == Action::VerifyNextStep;
        if (!state.step_to || is_review_move(*state.step_to) != verify)
            state.step_to = verify ? NextStepStatus::Verified : NextStepStatus::Done;
        if (!state.step_from)
            state.step_from = verify ? NextStepStatus::Done : NextStepStatus::Open;
        if (!next_step_move_allowed(*state.step_from, *state.step_to))
            return {false, std::string("a next step that is ") + to_string(*state.step_from) +
                               " cannot move to " + to_string(*state.step_to)};
        state.step_details = false;
        break;
    }
    case Action::ReviewVisit:
        entity = "visit";
        if (!state.visit_status) state.visit_status = "submitted";
        state.marks_reviewed = true;
        break;
    case Action::MakeReport:
        // Whoever may read the visit: a draft is its team's (and admins'), a submitted visit
        // everyone's in the school's scope.
        entity = "visit";
        access = Access::Read;
        break;
    }
    return decide(user, access, *find_entity(entity), place, state);
}

Result<Target> school_target(const Store& store, std::string_view school) {
    if (school.empty()) return Target::anywhere();
    auto place = store.place_of_school(school);
    if (!place) return place.error();
    return Target::at(*place);
}

Result<Target> visit_target(const Store& store, std::string_view visit) {
    auto v = load_visit(store, visit);
    if (!v) return v.error();
    auto place = store.place_of_school(v->school);
    if (!place) return place.error();
    Target t = Target::at(*place);
    fill_visit(t.state, *v);
    return t;
}

Result<Target> evidence_target(const Store& store, std::string_view evidence) {
    auto row = store.get("evidence", evidence);
    if (!row) return row.error();
    if (!*row) return not_here("evidence", evidence);
    auto e = domain::from_row<domain::Evidence>(**row);
    if (!e) return e.error();
    auto place = store.place_of_school(e->school);
    if (!place) return place.error();
    Target t = Target::at(*place);
    t.state.evidence_uploader = e->uploaded_by;
    return t;
}

Result<Target> conflict_target(const Store& store, std::string_view conflict) {
    auto row = store.get("conflict", conflict);
    if (!row) return row.error();
    if (!*row) return not_here("conflict", conflict);
    auto c = domain::from_row<domain::Conflict>(**row);
    if (!c) return c.error();
    auto place = store.place_of_school(c->school);
    if (!place) return place.error();
    Target t = Target::at(*place);
    t.state.conflicted_entity = c->entity;
    // A conflict on a visit or its observations follows that visit's draft rule.
    std::string visit_id;
    if (const EntityKind kind = entity_kind(c->entity); kind == EntityKind::Visit) {
        visit_id = c->row;
    } else if (kind == EntityKind::Observation) {
        if (auto o = store.get("observation", c->row); o && *o)
            visit_id = (*o)->fields.value("visit", "");
    }
    if (!visit_id.empty())
        if (auto v = load_visit(store, visit_id)) fill_visit(t.state, *v);
    return t;
}

Result<Target> next_step_target(const Store& store, std::string_view step) {
    auto row = store.get("next_step", step);
    if (!row) return row.error();
    if (!*row) return not_here("next step", step);
    auto s = domain::from_row<domain::NextStep>(**row);
    if (!s) return s.error();
    auto place = store.place_of_school(s->school);
    if (!place) return place.error();
    Target t = Target::at(*place);
    t.state.step_owner = s->owner;
    t.state.step_from = parse_next_step_status(s->status.empty() ? "open" : s->status);
    if (s->visit)
        if (auto v = load_visit(store, *s->visit)) fill_visit(t.state, *v);
    return t;
}

bool on_team(const std::vector<std::string>& team, std::string_view user_id) {
    return !user_id.empty() && std::find(team.begin(), team.end(), user_id) != team.end();
}

const char* role_label(Role role) {
    switch (role) {
    case Role::Admin:
        return "Admin";
    case Role::RegionalDirector:
        return "Regional director";
    case Role::AssistanceLead:
        return "Assistance Lead";
    case Role::Principal:
        return "Principal";
    case Role::Receiver:
        return "Receiver";
    case Role::DistrictLeader:
        return "District leader";
    }
    return "";
}

} // namespace sitevisit
