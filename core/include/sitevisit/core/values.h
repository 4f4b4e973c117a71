#pragma once

// The statuses, kinds and decisions rows carry, as types. The words are what storage and the
// wire hold (and what entities.cpp lists as each field's enum values); to_string() and parse_*()
// here are the one place that maps between them.

#include <optional>
#include <string_view>

namespace sitevisit {

enum class VisitStatus { Draft, Submitted, Reviewed };
enum class VisitKind { Monitoring, Targeted, ProgressMonitoring, Walkthrough };
enum class EvidenceKind { Document, Photo, Data, Other };
enum class ReviewDecision { Accepted, NeedsMore, NotRelevant };
enum class ConflictStatus { Open, Resolved };
enum class OutboxState { Pending, Rejected };
enum class BlobDirection { Up, Down };
enum class BlobState { Pending, Done, Failed };
enum class NextStepStatus { Open, InProgress, Done, Verified, Returned };
enum class InitiativeStatus { NotStarted, InProgress, Completed, OnHold };
enum class Direction { Higher, Lower }; // which way a benchmark's measure is better

const char* to_string(VisitStatus v);
const char* to_string(VisitKind v);
const char* to_string(EvidenceKind v);
const char* to_string(ReviewDecision v);
const char* to_string(ConflictStatus v);
const char* to_string(OutboxState v);
const char* to_string(BlobDirection v);
const char* to_string(BlobState v);
const char* to_string(NextStepStatus v);
const char* to_string(InitiativeStatus v);
const char* to_string(Direction v);

std::optional<VisitStatus> parse_visit_status(std::string_view text);
std::optional<VisitKind> parse_visit_kind(std::string_view text);
std::optional<EvidenceKind> parse_evidence_kind(std::string_view text);
std::optional<ReviewDecision> parse_review_decision(std::string_view text);
std::optional<ConflictStatus> parse_conflict_status(std::string_view text);
std::optional<OutboxState> parse_outbox_state(std::string_view text);
std::optional<BlobDirection> parse_blob_direction(std::string_view text);
std::optional<BlobState> parse_blob_state(std::string_view text);
std::optional<NextStepStatus> parse_next_step_status(std::string_view text);
std::optional<InitiativeStatus> parse_initiative_status(std::string_view text);
std::optional<Direction> parse_direction(std::string_view text);

// A next step's moves: open -> in_progress | done; in_progress -> done; done -> verified |
// returned; returned -> in_progress | done; verified is final.
bool next_step_move_allowed(NextStepStatus from, NextStepStatus to);
// The working moves (the owner's and the principal's) as against verifying and returning.
inline bool is_review_move(NextStepStatus to) {
    return to == NextStepStatus::Verified || to == NextStepStatus::Returned;
}

// Every value of each, in order (for lists on the screen and for tests).
inline constexpr VisitStatus kVisitStatuses[] = {VisitStatus::Draft, VisitStatus::Submitted,
                                                 VisitStatus::Reviewed};
inline constexpr VisitKind kVisitKinds[] = {VisitKind::Monitoring, VisitKind::Targeted,
                                            VisitKind::ProgressMonitoring, VisitKind::Walkthrough};
inline constexpr EvidenceKind kEvidenceKinds[] = {EvidenceKind::Document, EvidenceKind::Photo,
                                                  EvidenceKind::Data, EvidenceKind::Other};
inline constexpr ReviewDecision kReviewDecisions[] = {
    ReviewDecision::Accepted, ReviewDecision::NeedsMore, ReviewDecision::NotRelevant};
inline constexpr NextStepStatus kNextStepStatuses[] = {
    NextStepStatus::Open, NextStepStatus::InProgress, NextStepStatus::Done,
    NextStepStatus::Verified, NextStepStatus::Returned};
inline constexpr ConflictStatus kConflictStatuses[] = {ConflictStatus::Open,
                                                       ConflictStatus::Resolved};

} // namespace sitevisit
