#include "sitevisit/core/calibration.h"

#include "sitevisit/core/uuid.h"

#include <cstdlib>
#include <map>
#include <set>

namespace sitevisit {

std::optional<std::string> team_row_id(std::string_view entity, const Json& fields,
                                       const std::string& writer) {
    auto text = [&](const char* name, const std::string& fallback = {}) -> std::string {
        auto it = fields.find(name);
        return it != fields.end() && it->is_string() ? it->get<std::string>() : fallback;
    };
    const std::string visit = text("visit");
    if (visit.empty()) return std::nullopt;
    if (entity == "rating") {
        const std::string indicator = text("indicator"), rater = text("rater", writer);
        if (indicator.empty() || rater.empty()) return std::nullopt;
        return derived_uuid("rating\n" + visit + "\n" + indicator + "\n" + rater);
    }
    if (entity == "rater") {
        const std::string user = text("user", writer);
        if (user.empty()) return std::nullopt;
        return derived_uuid("rater\n" + visit + "\n" + user);
    }
    return std::nullopt;
}

Json PairCalibration::to_json() const {
    Json j = figures.to_json();
    j["raters"] = Json::array({first, second});
    j["visits"] = visits;
    j["from"] = from;
    j["to"] = to;
    return j;
}

std::vector<PairCalibration> calibrate_pairs(const std::vector<VisitRating>& ratings, int levels) {
    // rater -> (visit, indicator) -> level, the last one given
    std::map<std::string, std::map<std::pair<std::string, std::string>, int>> by_rater;
    std::map<std::string, std::string> date_of;
    for (const auto& r : ratings) {
        if (r.rating.level < 0 || r.rating.level >= levels) continue;
        by_rater[r.rating.rater][{r.visit, r.rating.indicator}] = r.rating.level;
        date_of[r.visit] = r.date;
    }
    std::vector<PairCalibration> out;
    for (auto a = by_rater.begin(); a != by_rater.end(); ++a)
        for (auto b = std::next(a); b != by_rater.end(); ++b) {
            PairCalibration line{a->first, b->first};
            std::vector<RaterRating> both;
            std::set<std::string> visits;
            for (const auto& [key, level] : a->second) {
                auto other = b->second.find(key);
                if (other == b->second.end()) continue;
                const std::string indicator = key.first + "\n" + key.second;
                both.push_back({a->first, indicator, level});
                both.push_back({b->first, indicator, other->second});
                visits.insert(key.first);
            }
            if (both.empty()) continue;
            line.figures = calibrate(both, levels);
            line.visits = static_cast<int>(visits.size());
            for (const auto& v : visits) {
                const std::string& d = date_of[v];
                if (line.from.empty() || d < line.from) line.from = d;
                if (d > line.to) line.to = d;
            }
            out.push_back(std::move(line));
        }
    return out;
}

Calibration calibrate(const std::vector<RaterRating>& ratings, int levels) {
    Calibration out;
    // indicator -> rater -> level (ordered, so each pair is taken in rater-id order)
    std::map<std::string, std::map<std::string, int>> by_indicator;
    std::set<std::string> raters;
    for (const auto& r : ratings) {
        if (r.level < 0 || r.level >= levels) continue;
        by_indicator[r.indicator][r.rater] = r.level;
        raters.insert(r.rater);
    }
    out.raters.assign(raters.begin(), raters.end());

    // observed[i][j]: pairs where the first rater gave i and the second j.
    std::vector<std::vector<double>> observed(levels, std::vector<double>(levels, 0.0));
    int exact = 0, adjacent = 0;
    for (const auto& [indicator, levels_of] : by_indicator)
        for (auto a = levels_of.begin(); a != levels_of.end(); ++a)
            for (auto b = std::next(a); b != levels_of.end(); ++b) {
                ++out.pairs;
                observed[a->second][b->second] += 1.0;
                const int gap = std::abs(a->second - b->second);
                if (gap == 0) ++exact;
                if (gap <= 1) ++adjacent;
            }
    if (out.pairs == 0) return out;
    const double n = out.pairs;
    out.exact = exact / n;
    out.adjacent = adjacent / n;

    // kappa = 1 - sum(w * observed) / sum(w * expected), w = (i - j)^2 / (levels - 1)^2, the
    // expected share of (i, j) being the first raters' share at i times the second's at j.
    std::vector<double> first(levels, 0.0), second(levels, 0.0);
    for (int i = 0; i < levels; ++i)
        for (int j = 0; j < levels; ++j) {
            observed[i][j] /= n;
            first[i] += observed[i][j];
            second[j] += observed[i][j];
        }
    const double scale = levels > 1 ? double(levels - 1) * double(levels - 1) : 1.0;
    double disagreement = 0.0, expected = 0.0;
    for (int i = 0; i < levels; ++i)
        for (int j = 0; j < levels; ++j) {
            const double w = double(i - j) * double(i - j) / scale;
            disagreement += w * observed[i][j];
            expected += w * first[i] * second[j];
        }
    if (expected > 1e-12) out.kappa = 1.0 - disagreement / expected;
    return out;
}

Json Calibration::to_json() const {
    auto figure = [](const std::optional<double>& x) { return x ? Json(*x) : Json(nullptr); };
    return Json{{"raters", raters},
                {"pairs", pairs},
                {"exact", figure(exact)},
                {"adjacent", figure(adjacent)},
                {"kappa", figure(kappa)}};
}

} // namespace sitevisit
