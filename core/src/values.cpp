#include "sitevisit/core/values.h"

#include <array>
#include <cstddef>
#include <utility>

namespace sitevisit {

namespace {

// One table per type: value and word, in the enum's order.
template <class E, std::size_t N> using Words = std::array<std::pair<E, const char*>, N>;

constexpr Words<VisitStatus, 3> kVisitStatusWords{{{VisitStatus::Draft, "draft"},
                                                   {VisitStatus::Submitted, "submitted"},
                                                   {VisitStatus::Reviewed, "reviewed"}}};
constexpr Words<VisitKind, 4> kVisitKindWords{
    {{VisitKind::Monitoring, "monitoring"},
     {VisitKind::Targeted, "targeted"},
     {VisitKind::ProgressMonitoring, "progress_monitoring"},
     {VisitKind::Walkthrough, "walkthrough"}}};
constexpr Words<EvidenceKind, 4> kEvidenceKindWords{{{EvidenceKind::Document, "document"},
                                                     {EvidenceKind::Photo, "photo"},
                                                     {EvidenceKind::Data, "data"},
                                                     {EvidenceKind::Other, "other"}}};
constexpr Words<ReviewDecision, 3> kReviewDecisionWords{
    {{ReviewDecision::Accepted, "accepted"},
     {ReviewDecision::NeedsMore, "needs_more"},
     {ReviewDecision::NotRelevant, "not_relevant"}}};
constexpr Words<ConflictStatus, 2> kConflictStatusWords{
    {{ConflictStatus::Open, "open"}, {ConflictStatus::Resolved, "resolved"}}};
constexpr Words<OutboxState, 2> kOutboxStateWords{
    {{OutboxState::Pending, "pending"}, {OutboxState::Rejected, "rejected"}}};
constexpr Words<BlobDirection, 2> kBlobDirectionWords{
    {{BlobDirection::Up, "up"}, {BlobDirection::Down, "down"}}};
constexpr Words<BlobState, 3> kBlobStateWords{
    {{BlobState::Pending, "pending"}, {BlobState::Done, "done"}, {BlobState::Failed, "failed"}}};

constexpr Words<NextStepStatus, 5> kNextStepStatusWords{
    {{NextStepStatus::Open, "open"},
     {NextStepStatus::InProgress, "in_progress"},
     {NextStepStatus::Done, "done"},
     {NextStepStatus::Verified, "verified"},
     {NextStepStatus::Returned, "returned"}}};
constexpr Words<InitiativeStatus, 4> kInitiativeStatusWords{
    {{InitiativeStatus::NotStarted, "not_started"},
     {InitiativeStatus::InProgress, "in_progress"},
     {InitiativeStatus::Completed, "completed"},
     {InitiativeStatus::OnHold, "on_hold"}}};
constexpr Words<Direction, 2> kDirectionWords{
    {{Direction::Higher, "higher"}, {Direction::Lower, "lower"}}};

template <class E, std::size_t N> const char* word(const Words<E, N>& words, E value) {
    for (const auto& [v, w] : words)
        if (v == value) return w;
    return "";
}

template <class E, std::size_t N>
std::optional<E> parse(const Words<E, N>& words, std::string_view text) {
    for (const auto& [v, w] : words)
        if (text == w) return v;
    return std::nullopt;
}

} // namespace

// clang-format off
const char* to_string(VisitStatus v) { return word(kVisitStatusWords, v); }
const char* to_string(VisitKind v) { return word(kVisitKindWords, v); }
const char* to_string(EvidenceKind v) { return word(kEvidenceKindWords, v); }
const char* to_string(ReviewDecision v) { return word(kReviewDecisionWords, v); }
const char* to_string(ConflictStatus v) { return word(kConflictStatusWords, v); }
const char* to_string(OutboxState v) { return word(kOutboxStateWords, v); }
const char* to_string(BlobDirection v) { return word(kBlobDirectionWords, v); }
const char* to_string(BlobState v) { return word(kBlobStateWords, v); }
const char* to_string(NextStepStatus v) { return word(kNextStepStatusWords, v); }
const char* to_string(InitiativeStatus v) { return word(kInitiativeStatusWords, v); }
const char* to_string(Direction v) { return word(kDirectionWords, v); }

std::optional<VisitStatus> parse_visit_status(std::string_view t) { return parse(kVisitStatusWords, t); }
std::optional<VisitKind> parse_visit_kind(std::string_view t) { return parse(kVisitKindWords, t); }
std::optional<EvidenceKind> parse_evidence_kind(std::string_view t) { return parse(kEvidenceKindWords, t); }
std::optional<ReviewDecision> parse_review_decision(std::string_view t) { return parse(kReviewDecisionWords, t); }
std::optional<ConflictStatus> parse_conflict_status(std::string_view t) { return parse(kConflictStatusWords, t); }
std::optional<OutboxState> parse_outbox_state(std::string_view t) { return parse(kOutboxStateWords, t); }
std::optional<BlobDirection> parse_blob_direction(std::string_view t) { return parse(kBlobDirectionWords, t); }
std::optional<BlobState> parse_blob_state(std::string_view t) { return parse(kBlobStateWords, t); }
std::optional<NextStepStatus> parse_next_step_status(std::string_view t) { return parse(kNextStepStatusWords, t); }
std::optional<InitiativeStatus> parse_initiative_status(std::string_view t) { return parse(kInitiativeStatusWords, t); }
std::optional<Direction> parse_direction(std::string_view t) { return parse(kDirectionWords, t); }
// clang-format on

bool next_step_move_allowed(NextStepStatus from, NextStepStatus to) {
    using S = NextStepStatus;
    switch (from) {
    case S::Open:
        return to == S::InProgress || to == S::Done;
    case S::InProgress:
        return to == S::Done;
    case S::Done:
        return to == S::Verified || to == S::Returned;
    case S::Returned:
        return to == S::InProgress || to == S::Done;
    case S::Verified:
        return false;
    }
    return false;
}

} // namespace sitevisit
