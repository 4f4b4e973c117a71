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

const char* to_string(VisitStatus v);
const char* to_string(VisitKind v);
const char* to_string(EvidenceKind v);
const char* to_string(ReviewDecision v);
const char* to_string(ConflictStatus v);
const char* to_string(OutboxState v);
const char* to_string(BlobDirection v);
const char* to_string(BlobState v);

std::optional<VisitStatus> parse_visit_status(std::string_view text);
std::optional<VisitKind> parse_visit_kind(std::string_view text);
std::optional<EvidenceKind> parse_evidence_kind(std::string_view text);
std::optional<ReviewDecision> parse_review_decision(std::string_view text);
std::optional<ConflictStatus> parse_conflict_status(std::string_view text);
std::optional<OutboxState> parse_outbox_state(std::string_view text);
std::optional<BlobDirection> parse_blob_direction(std::string_view text);
std::optional<BlobState> parse_blob_state(std::string_view text);

// Every value of each, in order (for lists on the screen and for tests).
inline constexpr VisitStatus kVisitStatuses[] = {VisitStatus::Draft, VisitStatus::Submitted,
                                                 VisitStatus::Reviewed};
inline constexpr VisitKind kVisitKinds[] = {VisitKind::Monitoring, VisitKind::Targeted,
                                            VisitKind::ProgressMonitoring, VisitKind::Walkthrough};
inline constexpr EvidenceKind kEvidenceKinds[] = {EvidenceKind::Document, EvidenceKind::Photo,
                                                  EvidenceKind::Data, EvidenceKind::Other};
inline constexpr ReviewDecision kReviewDecisions[] = {
    ReviewDecision::Accepted, ReviewDecision::NeedsMore, ReviewDecision::NotRelevant};
inline constexpr ConflictStatus kConflictStatuses[] = {ConflictStatus::Open,
                                                       ConflictStatus::Resolved};

} // namespace sitevisit
