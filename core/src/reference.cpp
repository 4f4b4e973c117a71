#include "sitevisit/core/reference.h"

#include "sitevisit/assets.h"

#include <fstream>
#include <set>
#include <sstream>

namespace sitevisit {

namespace {

Error bad_ref(const std::string& what) {
    return invalid("reference data: " + what);
}

bool get_string(const Json& j, const char* key, std::string& out) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return false;
    out = j[key].get<std::string>();
    return !out.empty();
}

bool get_int(const Json& j, const char* key, int& out) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return false;
    out = j[key].get<int>();
    return true;
}

} // namespace

Result<Reference> Reference::from_json(const Json& doc) {
    Reference r;
    if (!doc.is_object()) return bad_ref("the document must be a JSON object");
    int format = 0;
    if (!get_int(doc, "format", format) || format != 1)
        return bad_ref("\"format\" must be 1 (this build reads format 1)");
    if (!get_string(doc, "version", r.version_)) return bad_ref("\"version\" is missing");

    if (!doc.contains("practices") || !doc["practices"].is_array() || doc["practices"].empty())
        return bad_ref("\"practices\" must be a non-empty list");
    for (const auto& p : doc["practices"]) {
        Practice practice;
        if (!get_int(p, "number", practice.number) || !get_string(p, "name", practice.name))
            return bad_ref("every practice needs a number and a name");
        if (practice.number != static_cast<int>(r.practices_.size()) + 1)
            return bad_ref("practices must be numbered 1, 2, 3, ... in order");
        r.practices_.push_back(practice);
    }

    if (!doc.contains("continuum") || !doc["continuum"].is_array() || doc["continuum"].size() < 2)
        return bad_ref("\"continuum\" must list at least two levels");
    for (const auto& c : doc["continuum"]) {
        ContinuumLevel level;
        if (!get_int(c, "rating", level.rating) || !get_string(c, "label", level.label))
            return bad_ref("every continuum level needs a rating and a label");
        if (level.rating != static_cast<int>(r.continuum_.size()))
            return bad_ref("continuum ratings must be 0, 1, 2, ... in order");
        r.continuum_.push_back(level);
    }

    if (!doc.contains("sources") || !doc["sources"].is_array())
        return bad_ref("\"sources\" must be a list");
    for (const auto& s : doc["sources"]) {
        EvidenceSource source;
        if (!get_string(s, "id", source.id) || !get_string(s, "label", source.label))
            return bad_ref("every evidence source needs an id and a label");
        r.sources_.push_back(source);
    }

    if (!doc.contains("rubrics") || !doc["rubrics"].is_array() || doc["rubrics"].empty())
        return bad_ref("\"rubrics\" must be a non-empty list");
    std::set<std::string> rubric_ids;
    for (const auto& rj : doc["rubrics"]) {
        Rubric rubric;
        if (!get_string(rj, "id", rubric.id) || !get_string(rj, "year", rubric.year) ||
            !get_string(rj, "level", rubric.level) || !get_string(rj, "name", rubric.name))
            return bad_ref("every rubric needs id, year, level and name");
        if (!rubric_ids.insert(rubric.id).second)
            return bad_ref("rubric " + rubric.id + " is listed twice");
        if (!rj.contains("indicators") || !rj["indicators"].is_array() || rj["indicators"].empty())
            return bad_ref("rubric " + rubric.id + " has no indicators");
        for (const auto& ij : rj["indicators"]) {
            Indicator ind;
            ind.rubric = rubric.id;
            if (!get_string(ij, "id", ind.id) || !get_int(ij, "practice", ind.practice) ||
                !get_string(ij, "code", ind.code) || !get_string(ij, "name", ind.name))
                return bad_ref("every indicator of " + rubric.id +
                               " needs id, practice, code and name");
            if (ind.practice < 1 || ind.practice > static_cast<int>(r.practices_.size()))
                return bad_ref("indicator " + ind.id + " names practice " +
                               std::to_string(ind.practice) + ", which does not exist");
            ind.placeholder = ij.value("placeholder", false);
            if (r.indicator_index_.count(ind.id))
                return bad_ref("indicator " + ind.id + " is listed twice");
            r.indicator_index_[ind.id] = {r.rubrics_.size(), rubric.indicators.size()};
            rubric.indicators.push_back(ind);
        }
        r.rubrics_.push_back(std::move(rubric));
    }
    return r;
}

Result<Reference> Reference::parse(std::string_view text) {
    Json doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded()) return bad_ref("not valid JSON");
    return from_json(doc);
}

Result<Reference> Reference::load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{ErrorCode::NotFound, "cannot read reference data file " + path};
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = parse(ss.str());
    if (!r) return invalid(path + ": " + r.error().message);
    return r;
}

const Reference& Reference::builtin() {
    static const Reference ref = [] {
        auto r = parse(assets::default_reference_json());
        if (!r) std::abort(); // the build embeds a file the tests check; cannot happen at run time
        return std::move(r).value();
    }();
    return ref;
}

const Rubric* Reference::rubric(std::string_view id) const {
    for (const auto& r : rubrics_)
        if (r.id == id) return &r;
    return nullptr;
}

const Rubric* Reference::rubric_for_level(std::string_view level) const {
    const std::string_view want = level == "secondary" ? "secondary" : "elementary";
    const Rubric* best = nullptr;
    for (const auto& r : rubrics_)
        if (r.level == want && (!best || r.year > best->year)) best = &r;
    return best;
}

const Indicator* Reference::indicator(std::string_view id) const {
    auto it = indicator_index_.find(id);
    if (it == indicator_index_.end()) return nullptr;
    return &rubrics_[it->second.first].indicators[it->second.second];
}

const Practice* Reference::practice(int number) const {
    if (number < 1 || number > static_cast<int>(practices_.size())) return nullptr;
    return &practices_[static_cast<size_t>(number - 1)];
}

std::string Reference::rating_label(int rating) const {
    if (rating < 0 || rating > max_rating()) return {};
    return continuum_[static_cast<size_t>(rating)].label;
}

std::string Reference::rating_range_text() const {
    return "0-" + std::to_string(max_rating()) + " (" + continuum_.front().label + " .. " +
           continuum_.back().label + ")";
}

Json Reference::to_json() const {
    Json j;
    j["format"] = 1;
    j["version"] = version_;
    j["practices"] = Json::array();
    for (const auto& p : practices_)
        j["practices"].push_back({{"number", p.number}, {"name", p.name}});
    j["continuum"] = Json::array();
    for (const auto& c : continuum_)
        j["continuum"].push_back({{"rating", c.rating}, {"label", c.label}});
    j["sources"] = Json::array();
    for (const auto& s : sources_)
        j["sources"].push_back({{"id", s.id}, {"label", s.label}});
    j["rubrics"] = Json::array();
    for (const auto& r : rubrics_) {
        Json rj{{"id", r.id}, {"year", r.year}, {"level", r.level}, {"name", r.name}};
        rj["indicators"] = Json::array();
        for (const auto& i : r.indicators) {
            Json ij{{"id", i.id}, {"practice", i.practice}, {"code", i.code}, {"name", i.name}};
            if (i.placeholder) ij["placeholder"] = true;
            rj["indicators"].push_back(ij);
        }
        j["rubrics"].push_back(rj);
    }
    return j;
}

} // namespace sitevisit
