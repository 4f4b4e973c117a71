// The school import: a CSV of schools checked whole (the first bad line stops it before
// anything is written), then regions, districts and schools written or updated by name and
// code through admin_write.

#include "service_common.h"
#include "sitevisit/core/validation.h"
#include "sitevisit/server/csv.h"

#include <map>

namespace sitevisit::server {

using detail::lower;

namespace {

const std::map<std::string, std::string> kDesignationWords = {
    {"none", "none"},
    {"focused/targeted support", "focused_targeted"},
    {"focused_targeted", "focused_targeted"},
    {"broad/comprehensive support", "broad_comprehensive"},
    {"broad_comprehensive", "broad_comprehensive"},
    {"underperforming", "underperforming"},
    {"chronically underperforming", "chronically_underperforming"},
    {"chronically_underperforming", "chronically_underperforming"},
};

struct SchoolLine {
    int number;
    std::string code, name, district_code, district_name, region, level, designation;
};

bool digits(const std::string& s) {
    return !s.empty() && s.size() <= 8 && s.find_first_not_of("0123456789") == std::string::npos;
}

// One record as a school, or why not.
Result<SchoolLine> school_line(const Reference& reference, const csv::Record& record) {
    const auto& f = record.fields;
    auto bad = [&](const std::string& why) {
        return invalid("line " + std::to_string(record.line) + ": " + why +
                       "; nothing was imported");
    };
    if (f.size() != 7)
        return bad("expected 7 columns (org code, name, district code, district name, region, "
                   "level, designation), got " +
                   std::to_string(f.size()));
    SchoolLine l{record.line, f[0], f[1], f[2], f[3], f[4], lower(f[5]), lower(f[6])};
    if (!digits(l.code)) return bad("org code must be up to 8 digits, got \"" + l.code + "\"");
    if (!digits(l.district_code))
        return bad("district code must be up to 8 digits, got \"" + l.district_code + "\"");
    if (l.name.empty()) return bad("the school name is empty");
    if (l.district_name.empty()) return bad("the district name is empty");
    if (l.region.empty()) return bad("the region is empty");
    if (l.level == "high" || l.level == "high school") l.level = "secondary";
    if (l.level == "k-12") l.level = "k12";
    Validator v(reference);
    if (auto st = v.check_value(*find_entity("school")->field("level"), l.level); !st)
        return bad(st.error().message);
    auto d = kDesignationWords.find(l.designation);
    if (d == kDesignationWords.end())
        return bad(
            "designation must be none, focused/targeted support, broad/comprehensive support, "
            "underperforming or chronically underperforming, got \"" +
            l.designation + "\"");
    l.designation = d->second;
    if (count_code_points(l.name) > 200 || count_code_points(l.district_name) > 200)
        return bad("a name is longer than 200 characters");
    if (count_code_points(l.region) > 100)
        return bad("the region's name is longer than 100 characters");
    return l;
}

// A region's code: the first 20 characters of its name (never half of one), without the
// space a cut between two words leaves ("Office of Strategic Transformation": "Office of
// Strategic").
std::string region_code(const std::string& name) {
    std::string code;
    for (std::size_t i = 0, n = 0; i < name.size() && n <= 20; ++i) {
        if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80 && ++n > 20) break;
        code += name[i];
    }
    while (!code.empty() && code.back() == ' ')
        code.pop_back();
    return code;
}

} // namespace

Result<int> Service::import_schools(std::string_view text) {
    std::vector<SchoolLine> lines;
    for (const auto& record : csv::records(text)) {
        const auto& f = record.fields;
        if (record.line == 1 && !f.empty() && lower(f[0]).find("org") != std::string::npos)
            continue; // header
        auto line = school_line(*reference_, record);
        if (!line) return line.error();
        lines.push_back(*line);
    }
    if (lines.empty()) return invalid("the file has no school rows; nothing was imported");

    // All rows are good: write them, reusing regions, districts and schools by name or code.
    return detail::storage_guarded([&]() -> Result<int> {
        std::map<std::string, std::string> regions, districts, schools;
        {
            auto tx = store_.begin(false);
            if (!tx) return tx.error();
            for (const auto& r : (*tx)->rows_of_entity("region"))
                regions[lower(r.fields.value("name", ""))] = r.id;
            for (const auto& r : (*tx)->rows_of_entity("district"))
                districts[r.fields.value("code", "")] = r.id;
            for (const auto& r : (*tx)->rows_of_entity("school"))
                schools[r.fields.value("code", "")] = r.id;
        }
        const User admin = detail::system_admin();
        for (const auto& l : lines) {
            auto at_line = [&](const Error& e) {
                return invalid("line " + std::to_string(l.number) + ": " + e.message);
            };
            std::string& region = regions[lower(l.region)];
            if (region.empty()) {
                auto r = admin_write(
                    admin,
                    {"region", "", "", {{"name", l.region}, {"code", region_code(l.region)}}});
                if (!r) return at_line(r.error());
                region = *r;
            }
            std::string& district = districts[l.district_code];
            if (district.empty()) {
                auto r = admin_write(
                    admin,
                    {"district",
                     "",
                     "",
                     {{"region", region}, {"code", l.district_code}, {"name", l.district_name}}});
                if (!r) return at_line(r.error());
                district = *r;
            }
            std::string& school = schools[l.code];
            Json fields{{"code", l.code},
                        {"name", l.name},
                        {"level", l.level},
                        {"designation", l.designation}};
            if (school.empty()) fields["district"] = district;
            auto r = admin_write(admin, {"school", school, "", fields});
            if (!r) return at_line(r.error());
            school = *r;
        }
        return static_cast<int>(lines.size());
    });
}

} // namespace sitevisit::server
