#pragma once

// How alike the raters of a team visit rate: each indicator two raters both rated is a pair of
// ratings; the figures are over every such pair (with three or more raters, every pair of
// raters is pooled).

#include "sitevisit/core/json.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sitevisit {

// One rater's level on one indicator (levels 0 to levels-1).
struct RaterRating {
    std::string rater;
    std::string indicator;
    int level = 0;
};

struct Calibration {
    std::vector<std::string> raters; // everyone with a rating, sorted
    int pairs = 0;
    // Fractions from 0 to 1; none when there is no pair.
    std::optional<double> exact;    // the same level
    std::optional<double> adjacent; // within one level
    // Cohen's kappa with quadratic weights, from -1 to 1. Each pair counts as (the rating of
    // the rater whose id sorts first, the other's). None where it is undefined: no pair, or
    // ratings that leave no disagreement to expect by chance (all at one level).
    std::optional<double> kappa;

    // {"raters": [...], "pairs": N, "exact": x|null, "adjacent": x|null, "kappa": x|null}
    Json to_json() const;
};

// The id of a team visit's row, made from what it is about, so that a person's two devices
// write one row: a rating's from its visit, indicator and rater; a rater row's from its visit
// and person. `writer` stands in for the rater or person when the fields do not name one.
// None for other entities, or when a field it is made from is missing.
std::optional<std::string> team_row_id(std::string_view entity, const Json& fields,
                                       const std::string& writer);

// A rater who rated one indicator twice counts with the last of those ratings. Levels outside
// 0..levels-1 are left out.
Calibration calibrate(const std::vector<RaterRating>& ratings, int levels = 4);

// Calibration per pair of raters over time: every visit where both rated.
struct VisitRating {
    std::string visit;
    std::string date; // the visit's start date
    RaterRating rating;
};

struct PairCalibration {
    std::string first, second; // rater ids, first < second
    int visits = 0;            // visits where the two rated at least one indicator alike
    std::string from, to;      // the earliest and latest of those visits' dates
    Calibration figures;       // pooled over those visits' pairs of ratings

    // {"raters": [first, second], "visits", "from", "to", "pairs", "exact", "adjacent", "kappa"}
    Json to_json() const;
};

// One line per pair of raters with at least one pair of ratings, sorted by rater ids. Ratings
// pair only within a visit (the same indicator at two visits is two questions).
std::vector<PairCalibration> calibrate_pairs(const std::vector<VisitRating>& ratings,
                                             int levels = 4);

} // namespace sitevisit
