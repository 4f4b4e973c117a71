#pragma once

#include "sitevisit/core/entities.h"
#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"
#include "sitevisit/core/values.h"

#include <optional>
#include <string>
#include <vector>

namespace sitevisit {

// A district leader (a superintendent or designee) reads every school of their one district;
// data schema 4 added the role.
enum class Role { Admin, RegionalDirector, AssistanceLead, Principal, Receiver, DistrictLeader };
std::optional<Role> parse_role(std::string_view text);
const char* to_string(Role role);

// A person and the part of the state they work in.
struct User {
    std::string id;
    std::string email;
    std::string name;
    Role role = Role::Principal;
    std::string region;                 // regional director
    std::vector<std::string> districts; // assistance lead caseload; receiver of a district;
                                        // a district leader's one district
    std::vector<std::string> schools;   // principal's school; receiver's schools
    bool active = true;

    // From a `user` row's fields (plus its id).
    static Result<User> from_fields(const std::string& id, const Json& fields);
    Json to_fields() const;
};

// Where a row lives: its school and that school's district and region (the parts that apply).
// A district's own rows (its district plan, benchmarks and next steps; data schema 6) live at
// the district: their scope key is the district's id, and `school` is empty here.
struct Place {
    std::string school;
    std::string district;
    std::string region;
    bool district_level() const { return school.empty() && !district.empty(); }
};

// The entities a district keeps of its own, at the district rather than at one of its schools:
// a district plan and its parts, readings, the reflection on it, next steps, comments, and the
// conflict records of any of these. Everything else (visits, evidence, meetings, ratings)
// happens at a school.
bool kept_at_district(EntityKind entity);
// The data schema that added district-level rows: older devices are not sent them.
constexpr int kDistrictLevelSchema = 6;

// What about the row, beyond its place, decides access.
struct RowState {
    // For visits, their observations, and comments on either: the visit's status and team.
    std::optional<std::string> visit_status;
    std::vector<std::string> visit_team;
    // A write to a visit that is not a draft which only moves its status forward.
    bool status_change_only = false;
    // A write that marks a submitted visit reviewed (its status, review comment and reviewer
    // only): a regional director's of the visit's region or an admin's, never its team's.
    bool marks_reviewed = false;
    // For conflict records: the entity whose field is in conflict.
    std::string conflicted_entity;
    // For evidence that exists already: who uploaded it (`uploaded_by`; empty if unknown).
    // Changing or deleting evidence is its uploader's, a receiver's of the school or an admin's.
    std::optional<std::string> evidence_uploader;
    // For evidence linked to observations of visits still in draft: each such visit's team.
    // Until the visit is submitted such evidence is read only by that team and its uploader.
    // A comment on evidence carries its evidence's uploader and draft teams: it is read and
    // written by those who may read the evidence.
    std::vector<std::vector<std::string>> draft_teams;
    // For next steps (a step linked to a draft visit also fills visit_status and visit_team):
    // its owner, its status before the write (none: a new step), its status after the write,
    // and whether the write changes more than the status and return note (or deletes it).
    std::string step_owner;
    std::optional<NextStepStatus> step_from;
    std::optional<NextStepStatus> step_to;
    bool step_details = false;
    // For a team visit's ratings (also fills visit_status and visit_team): whose rating it is
    // (a `rating`'s rater, a `rater` row's person) and whether that person marked their ratings
    // done. Until then a rating is withheld from everyone but its rater; after, it is final.
    std::optional<std::string> rater;
    bool rater_done = false;
    // For a change to someone's `user` record by a regional director: a caseload assignment.
    // Directors assign Assistance Leads' caseloads (1 to 3 districts) inside their own region.
    struct CaseloadChange {
        bool districts_only = false; // the write changes nothing but `districts`
        std::string role;            // the person's role as stored
        bool active = true;          // the person's account, as stored
        std::size_t districts = 0;   // how many districts the person has after the write
        struct District {
            std::string id, name, region; // name and region empty: no such district
            bool added = false;           // added to the caseload (else taken away)
        };
        std::vector<District> moved; // the districts added or taken away
    };
    std::optional<CaseloadChange> caseload;
};

enum class Access { Read, Write };

struct Decision {
    bool allowed = false;
    std::string reason; // why not, in words a person can act on
    explicit operator bool() const { return allowed; }
};

// The one permission rule, used by the device store, the server and the app alike: may this
// user read or write this entity at this place, in this state?
Decision decide(const User& user, Access access, const EntitySpec& entity, const Place& place,
                const RowState& state = {});

// Whether the place is inside the user's scope at all (ignoring entity and state).
bool in_scope(const User& user, const Place& place);

} // namespace sitevisit
