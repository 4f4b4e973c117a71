#pragma once

// What a person may do, asked in the app's words ("may this user upload evidence here?") and
// answered by decide(): view models, the CLI and the server share the one rule instead of
// comparing roles.

#include "sitevisit/core/permissions.h"
#include "sitevisit/core/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sitevisit {

class Store;

enum class Action {
    UploadEvidence,  // a new evidence row
    EditEvidence,    // change or delete evidence that exists (its uploader, a receiver, admin)
    ReviewEvidence,  // a review row: accepted, needs more, not relevant
    StartVisit,      // a new visit, its writer on the team
    EditVisit,       // rate indicators, write notes, attach files: the visit's observations
    SubmitVisit,     // move a visit's status forward
    WriteReflection, // the school's yearly reflection on its plan
    RecordReading,   // a benchmark reading
    RecordMeeting,   // a monitoring meeting of the school (its principal, a receiver, admin)
    WritePlan,       // write the school's plan, its objectives, initiatives and benchmarks
                     // (the school's principal, its receiver, an admin)
    ResolveConflict, // settle a conflict record (as a write to the entity in conflict)
    Comment,         // a comment on a visit, observation, benchmark, evidence or next step
    MakeNextStep,    // a new next step (open)
    EditNextStep,    // change a step's title, description, owner, due date or links; delete it
    WorkNextStep,    // mark a step in progress or done (its owner, the school's principal)
    VerifyNextStep,  // verify a done step or return it with a note (never its owner)
    ReviewVisit,     // mark a submitted visit reviewed, with a comment (a regional director of
                     // its region or an admin, never its team)
    MakeReport,      // the visit report: its team and admins always, others who read the
                     // visit once it is submitted (a read, not a write)
};
const char* to_string(Action action);

// Where the question is asked, and the row it is about.
struct Target {
    // No place: anywhere in the user's own scope ("may this person review evidence at all?").
    std::optional<Place> place;
    RowState state;

    static Target anywhere() { return {}; }
    static Target at(Place place) { return {std::move(place), {}}; }
};

// The one answer: may `user` do `action` on `target`?
Decision can(const User& user, Action action, const Target& target = Target::anywhere());

// Targets built from rows on the device.
// A school (its district and region from the store); "" means anywhere in the user's scope.
Result<Target> school_target(const Store& store, std::string_view school);
// A visit: its school, status and team (for EditVisit, SubmitVisit, Comment, MakeReport).
Result<Target> visit_target(const Store& store, std::string_view visit);
// Evidence that exists: its school and uploader (for EditEvidence).
Result<Target> evidence_target(const Store& store, std::string_view evidence);
// A conflict record: its school and the entity in conflict, with its visit where it has one.
Result<Target> conflict_target(const Store& store, std::string_view conflict);

// A next step: its school, owner and status, and its visit's status and team when it has one.
// For WorkNextStep and VerifyNextStep set `state.step_to` to the status asked about (can()
// otherwise asks about done and verified).
Result<Target> next_step_target(const Store& store, std::string_view step);

// Whether `user_id` is one of `team` (a visit's team: a list of user ids).
bool on_team(const std::vector<std::string>& team, std::string_view user_id);

// The role as a person reads it ("Assistance Lead"); to_string(Role) is the stored word.
const char* role_label(Role role);

} // namespace sitevisit
