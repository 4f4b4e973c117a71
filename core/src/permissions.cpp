#include "sitevisit/core/permissions.h"

#include "sitevisit/core/values.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

namespace sitevisit {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
    return !x.empty() && std::find(v.begin(), v.end(), x) != v.end();
}

Decision allow() {
    return {true, {}};
}
Decision deny(std::string reason) {
    return {false, std::move(reason)};
}

const char* role_words(Role r) {
    switch (r) {
    case Role::Admin:
        return "an admin";
    case Role::RegionalDirector:
        return "a regional director";
    case Role::AssistanceLead:
        return "an assistance lead";
    case Role::Principal:
        return "a principal";
    case Role::Receiver:
        return "a receiver";
    case Role::DistrictLeader:
        return "a district leader";
    }
    return "this role";
}

// Which entities each role may write (inside its scope), per DOMAIN.md's roles table.
bool role_writes(Role role, EntityKind entity) {
    using K = EntityKind;
    auto one_of = [entity](std::initializer_list<K> kinds) {
        return std::find(kinds.begin(), kinds.end(), entity) != kinds.end();
    };
    switch (role) {
    case Role::Admin:
        return true;
    case Role::RegionalDirector:
        return entity == K::Comment;
    case Role::AssistanceLead:
        // Leads attach photos and documents to what they observe, so they write evidence too,
        // and review the evidence of their caseload's schools (not every school has a receiver).
        return one_of(
            {K::Visit, K::Observation, K::Comment, K::Evidence, K::Review, K::Rating, K::Rater});
    case Role::Principal:
        // A principal writes their own school's plan (in_scope keeps it to their school).
        return one_of({K::Plan, K::Objective, K::Initiative, K::Benchmark, K::PlanRevision,
                       K::Evidence, K::Reading, K::Reflection, K::Comment, K::MonitoringMeeting});
    case Role::Receiver:
        // A receiver runs the school: the plan, and what the principal records as well.
        return one_of({K::Plan, K::Objective, K::Initiative, K::Benchmark, K::PlanRevision,
                       K::Review, K::Comment, K::Reading, K::Evidence, K::Reflection,
                       K::MonitoringMeeting});
    case Role::DistrictLeader:
        // Reads every school of the district; says what they see, and works the next steps
        // they own (decide_next_step). The district's own plan is theirs (district_writes).
        return entity == K::Comment;
    }
    return false;
}

// What a role writes at the district level, beyond role_writes: a district leader owns the
// district's plan, its benchmarks and their readings, and the reflection on it.
bool district_writes(Role role, EntityKind entity) {
    using K = EntityKind;
    if (role != Role::DistrictLeader) return false;
    return entity == K::Plan || entity == K::Objective || entity == K::Initiative ||
           entity == K::Benchmark || entity == K::PlanRevision || entity == K::Reading ||
           entity == K::Reflection;
}

// Next steps: made by leads, receivers, principals and admins; worked by their owner and the
// school's principal; verified or returned by leads, receivers and admins, never by the owner.
Decision decide_next_step(const User& user, bool write, const Place& place, const RowState& state) {
    const bool admin = user.role == Role::Admin;
    if (state.visit_status && parse_visit_status(*state.visit_status) == VisitStatus::Draft &&
        !contains(state.visit_team, user.id) && !admin)
        return deny("a next step of a draft visit is seen only by the visit's team");
    if (!write) return allow();
    if (state.step_from == NextStepStatus::Verified)
        return deny("the next step is verified; it can no longer change");
    // A district leader makes and reviews the district's own next steps.
    const bool district_leader = user.role == Role::DistrictLeader && place.district_level();
    const bool maker = admin || user.role == Role::AssistanceLead || user.role == Role::Receiver ||
                       user.role == Role::Principal || district_leader;
    if (state.step_to && state.step_from && state.step_to != state.step_from) {
        const NextStepStatus to = *state.step_to;
        if (is_review_move(to)) {
            if (!admin && user.role != Role::AssistanceLead && user.role != Role::Receiver &&
                !district_leader)
                return deny(std::string(role_words(user.role)) +
                            " may not verify or return next steps; the school's Assistance "
                            "Lead, its receiver or an admin does");
            if (!state.step_owner.empty() && state.step_owner == user.id)
                return deny("nobody verifies or returns a next step they own; a colleague does");
        } else if (user.id != state.step_owner && user.role != Role::Principal && !admin) {
            return deny(
                std::string("only the step's owner or the school's principal may mark it ") +
                (to == NextStepStatus::Done ? "done" : "in progress"));
        }
    }
    if ((state.step_details || !state.step_from) && !maker)
        return deny(std::string(role_words(user.role)) + " may not make or change next steps");
    return allow();
}

// A regional director assigns Assistance Leads' caseloads inside the director's own region:
// each district added or taken away is of that region, and the lead keeps 1 to 3 districts.
Decision decide_caseload(const User& director, const RowState::CaseloadChange& c) {
    if (!c.districts_only)
        return deny("a regional director changes only the districts of a lead's caseload; an "
                    "admin changes the rest of a person's record");
    if (c.role != "assistance_lead")
        return deny("a regional director assigns the caseloads of Assistance Leads only");
    if (!c.active)
        return deny("this lead's account is revoked; an admin restores it before a caseload "
                    "changes");
    for (const auto& d : c.moved) {
        if (d.region.empty() && !d.added) continue; // a district no longer in the directory
        if (d.region.empty())
            return deny("district " + d.id + " is not a district of the state's directory");
        if (director.region.empty() || d.region != director.region)
            return deny((d.name.empty() ? d.id : d.name) +
                        " is outside your region; its regional director or an admin assigns it");
    }
    if (c.districts < 1 || c.districts > 3)
        return deny("a caseload has 1 to 3 districts; to take a lead off every district, ask an "
                    "admin to change their record");
    return allow();
}

} // namespace

bool kept_at_district(EntityKind entity) {
    using K = EntityKind;
    switch (entity) {
    case K::Plan:
    case K::Objective:
    case K::Initiative:
    case K::Benchmark:
    case K::Reading:
    case K::Reflection:
    case K::PlanRevision:
    case K::NextStep:
    case K::Comment:
    case K::Conflict:
        return true;
    default:
        return false;
    }
}

std::optional<Role> parse_role(std::string_view t) {
    if (t == "admin") return Role::Admin;
    if (t == "regional_director") return Role::RegionalDirector;
    if (t == "assistance_lead") return Role::AssistanceLead;
    if (t == "principal") return Role::Principal;
    if (t == "receiver") return Role::Receiver;
    if (t == "district_leader") return Role::DistrictLeader;
    return std::nullopt;
}

const char* to_string(Role r) {
    switch (r) {
    case Role::Admin:
        return "admin";
    case Role::RegionalDirector:
        return "regional_director";
    case Role::AssistanceLead:
        return "assistance_lead";
    case Role::Principal:
        return "principal";
    case Role::Receiver:
        return "receiver";
    case Role::DistrictLeader:
        return "district_leader";
    }
    return "principal";
}

Result<User> User::from_fields(const std::string& id, const Json& f) {
    User u;
    u.id = id;
    if (!f.is_object()) return invalid("user fields must be an object");
    u.email = f.value("email", "");
    u.name = f.value("name", "");
    auto role = parse_role(f.value("role", ""));
    if (!role) return invalid("user " + id + " has no valid role", "role");
    u.role = *role;
    if (f.contains("region") && f["region"].is_string()) u.region = f["region"].get<std::string>();
    if (f.contains("districts") && f["districts"].is_array())
        u.districts = f["districts"].get<std::vector<std::string>>();
    if (f.contains("schools") && f["schools"].is_array())
        u.schools = f["schools"].get<std::vector<std::string>>();
    u.active = !f.contains("active") || !f["active"].is_boolean() || f["active"].get<bool>();
    return u;
}

Json User::to_fields() const {
    Json f{{"email", email}, {"name", name}, {"role", to_string(role)}, {"active", active}};
    f["region"] = region.empty() ? Json(nullptr) : Json(region);
    f["districts"] = districts;
    f["schools"] = schools;
    return f;
}

bool in_scope(const User& u, const Place& p) {
    switch (u.role) {
    case Role::Admin:
        return true;
    case Role::RegionalDirector:
        return !u.region.empty() && p.region == u.region;
    case Role::AssistanceLead:
        return contains(u.districts, p.district);
    case Role::Principal:
        return !p.school.empty() && contains(u.schools, p.school);
    case Role::Receiver:
        return (!p.school.empty() && contains(u.schools, p.school)) ||
               contains(u.districts, p.district);
    case Role::DistrictLeader:
        return contains(u.districts, p.district);
    }
    return false;
}

Decision decide(const User& user, Access access, const EntitySpec& entity, const Place& place,
                const RowState& state) {
    if (!user.active) return deny("the account of " + user.email + " is revoked");
    const bool write = access == Access::Write;
    const std::string& e = entity.name;

    // Reference data and the directory of people: everyone reads, admins write.
    if (entity.scope == ScopeKind::Global) {
        if (!write || user.role == Role::Admin) return allow();
        if (entity.is(EntityKind::User) && user.role == Role::RegionalDirector && state.caseload)
            return decide_caseload(user, *state.caseload);
        return deny("only an admin may change " + e + " records");
    }
    // Regions and districts are names and codes: everyone reads, admins write.
    if (entity.scope == ScopeKind::Region || entity.scope == ScopeKind::District) {
        if (!write || user.role == Role::Admin) return allow();
        return deny("only an admin may change " + e + " records");
    }

    if (!in_scope(user, place))
        return deny(place.district_level()
                        ? "district " + place.district + " is outside the scope of " + user.email
                        : "school " + place.school + " is outside the scope of " + user.email);
    if (place.district_level() && !kept_at_district(entity.kind))
        return deny("a district keeps its own plan, benchmarks, readings, reflections, next "
                    "steps and comments; " +
                    e + " records belong to one of its schools");

    if (entity.is(EntityKind::School)) {
        if (!write || user.role == Role::Admin) return allow();
        return deny("only an admin may change school records");
    }

    // Conflict records follow the entity whose field is in conflict.
    if (entity.is(EntityKind::Conflict)) {
        if (state.conflicted_entity.empty())
            return write ? deny("conflict without an entity") : allow();
        EntitySpec conflicted{state.conflicted_entity, ScopeKind::School};
        conflicted.kind = entity_kind(state.conflicted_entity);
        RowState inner = state;
        inner.conflicted_entity.clear();
        return decide(user, access, conflicted, place, inner);
    }

    if (entity.is(EntityKind::NextStep)) return decide_next_step(user, write, place, state);

    // Visits, their observations and comments on them: a draft is its team's alone.
    if (state.visit_status) {
        const bool on_team = contains(state.visit_team, user.id);
        const bool draft = parse_visit_status(*state.visit_status) == VisitStatus::Draft;
        if (draft && !on_team && user.role != Role::Admin)
            return deny("a draft visit is seen only by its team");
        if (state.rater && (entity.is(EntityKind::Rating) || entity.is(EntityKind::Rater))) {
            const bool own = *state.rater == user.id;
            if (!write && !own && draft && !state.rater_done && entity.is(EntityKind::Rating))
                return deny("a rater's ratings are withheld from the other raters until that "
                            "rater marks them done");
            if (write && !own) return deny("each rater records their own ratings");
            if (write && !on_team) return deny("only the visit's team rates it");
            if (write && draft && state.rater_done)
                return deny("your ratings of this visit are marked done; they can no longer "
                            "change");
        }
        if (!write) return allow();
        if (entity.is(EntityKind::Visit) && state.marks_reviewed) {
            if (on_team)
                return deny("a visit is marked reviewed by a regional director or an admin, "
                            "never by its own team");
            if (user.role == Role::RegionalDirector || user.role == Role::Admin) return allow();
            return deny("only a regional director or an admin marks a visit reviewed");
        }
        if (entity.is(EntityKind::Comment))
            return role_writes(user.role, entity.kind)
                       ? allow()
                       : deny(std::string(role_words(user.role)) + " may not comment");
        if (user.role != Role::AssistanceLead && user.role != Role::Admin)
            return deny(std::string(role_words(user.role)) +
                        " may not change visits or observations");
        if (!on_team && user.role != Role::Admin)
            return deny("only the visit's team may change it");
        if (!draft && !(entity.is(EntityKind::Visit) && state.status_change_only))
            return deny("the visit is " + *state.visit_status +
                        "; its ratings can no longer change");
        return allow();
    }

    const bool uploader = state.evidence_uploader && !state.evidence_uploader->empty() &&
                          *state.evidence_uploader == user.id;
    // Evidence of a draft visit's observations, and what is said about it, is the visit's
    // team's and the uploader's until the visit is submitted.
    auto draft_evidence = [&]() -> std::optional<Decision> {
        if (user.role == Role::Admin || uploader) return std::nullopt;
        for (const auto& team : state.draft_teams)
            if (!contains(team, user.id))
                return deny("evidence of a draft visit is seen only by the visit's team and "
                            "its uploader");
        return std::nullopt;
    };

    if (entity.is(EntityKind::Comment))
        if (auto hidden = draft_evidence()) return *hidden;

    if (entity.is(EntityKind::Evidence)) {
        if (!write) return draft_evidence().value_or(allow());
        if (state.evidence_uploader) {
            if (uploader || user.role == Role::Admin || user.role == Role::Receiver) return allow();
            return deny("only the evidence's uploader, a receiver of the school or an admin may "
                        "change or delete "
                        "this evidence");
        }
    }

    if (!write) return allow();
    if (role_writes(user.role, entity.kind)) return allow();
    if (place.district_level() && district_writes(user.role, entity.kind)) return allow();
    if (user.role == Role::DistrictLeader && district_writes(user.role, entity.kind))
        return deny("a district leader writes the district's own plan, not a school's; the "
                    "school's principal or receiver does");
    return deny(std::string(role_words(user.role)) + " may not change " + e + " records");
}

} // namespace sitevisit
