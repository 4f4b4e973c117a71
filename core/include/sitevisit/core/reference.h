#pragma once

#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"

#include <map>
#include <string>
#include <vector>

namespace sitevisit {

struct Practice {
    int number = 0;
    std::string name;
};

struct ContinuumLevel {
    int rating = 0;
    std::string label;
};

struct EvidenceSource {
    std::string id;
    std::string label;
};

struct Indicator {
    std::string id;
    std::string rubric;
    int practice = 0;
    std::string code;
    std::string name;
    bool placeholder = false;
};

struct Rubric {
    std::string id;
    std::string year;  // "2026-2027"
    std::string level; // elementary | secondary
    std::string name;
    std::vector<Indicator> indicators;
};

// The versioned reference data (assets/reference/*.json): practices, rubrics with their
// indicators, the rating continuum and evidence sources. Data, never code.
class Reference {
public:
    static Result<Reference> from_json(const Json& doc);
    static Result<Reference> parse(std::string_view text);
    static Result<Reference> load_file(const std::string& path);
    // The copy embedded in this build from assets/reference.
    static const Reference& builtin();

    const std::string& version() const { return version_; }
    const std::vector<Practice>& practices() const { return practices_; }
    const std::vector<ContinuumLevel>& continuum() const { return continuum_; }
    const std::vector<EvidenceSource>& sources() const { return sources_; }
    const std::vector<Rubric>& rubrics() const { return rubrics_; }

    const Rubric* rubric(std::string_view id) const;
    // The newest school year's rubric for a school level (elementary | secondary; anything
    // else is elementary).
    const Rubric* rubric_for_level(std::string_view level) const;
    const Indicator* indicator(std::string_view id) const;
    const Practice* practice(int number) const;
    int max_rating() const { return static_cast<int>(continuum_.size()) - 1; }
    std::string rating_label(int rating) const;
    // "0-3 (No evidence .. Sustaining)"
    std::string rating_range_text() const;
    Json to_json() const;

private:
    std::string version_;
    std::vector<Practice> practices_;
    std::vector<ContinuumLevel> continuum_;
    std::vector<EvidenceSource> sources_;
    std::vector<Rubric> rubrics_;
    std::map<std::string, std::pair<size_t, size_t>, std::less<>> indicator_index_;
};

} // namespace sitevisit
