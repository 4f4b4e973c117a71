#pragma once

// core's typed values as QML sees them: `Values.Draft`, `Values.NeedsMore` ... so pages compare
// enum values, never the words storage uses. Each mirrors an enum of sitevisit/core/values.h;
// the static_asserts below keep the numbers the same.

#include "sitevisit/core/values.h"

#include <QObject>
#include <QQmlEngine>

namespace sitevisit::app {
namespace Values {
Q_NAMESPACE
QML_ELEMENT

enum class VisitStatus { Draft, Submitted, Reviewed };
Q_ENUM_NS(VisitStatus)
enum class VisitKind { Monitoring, Targeted, ProgressMonitoring, Walkthrough };
Q_ENUM_NS(VisitKind)
enum class EvidenceKind { Document, Photo, Data, Other };
Q_ENUM_NS(EvidenceKind)
enum class ReviewDecision { Accepted, NeedsMore, NotRelevant };
Q_ENUM_NS(ReviewDecision)
enum class ConflictStatus { Open, Resolved };
Q_ENUM_NS(ConflictStatus)

} // namespace Values

namespace values_check {
template <class A, class B> constexpr bool same(A a, B b) {
    return static_cast<int>(a) == static_cast<int>(b);
}
static_assert(same(Values::VisitStatus::Draft, sitevisit::VisitStatus::Draft) &&
              same(Values::VisitStatus::Submitted, sitevisit::VisitStatus::Submitted) &&
              same(Values::VisitStatus::Reviewed, sitevisit::VisitStatus::Reviewed));
static_assert(same(Values::VisitKind::Monitoring, sitevisit::VisitKind::Monitoring) &&
              same(Values::VisitKind::Targeted, sitevisit::VisitKind::Targeted) &&
              same(Values::VisitKind::ProgressMonitoring,
                   sitevisit::VisitKind::ProgressMonitoring) &&
              same(Values::VisitKind::Walkthrough, sitevisit::VisitKind::Walkthrough));
static_assert(same(Values::EvidenceKind::Document, sitevisit::EvidenceKind::Document) &&
              same(Values::EvidenceKind::Photo, sitevisit::EvidenceKind::Photo) &&
              same(Values::EvidenceKind::Data, sitevisit::EvidenceKind::Data) &&
              same(Values::EvidenceKind::Other, sitevisit::EvidenceKind::Other));
static_assert(same(Values::ReviewDecision::Accepted, sitevisit::ReviewDecision::Accepted) &&
              same(Values::ReviewDecision::NeedsMore, sitevisit::ReviewDecision::NeedsMore) &&
              same(Values::ReviewDecision::NotRelevant, sitevisit::ReviewDecision::NotRelevant));
static_assert(same(Values::ConflictStatus::Open, sitevisit::ConflictStatus::Open) &&
              same(Values::ConflictStatus::Resolved, sitevisit::ConflictStatus::Resolved));
} // namespace values_check

} // namespace sitevisit::app
