#include "sitevisit/core/csv_export.h"

#include <algorithm>

namespace sitevisit {

namespace {

std::string cell(const std::string& text) {
    std::string out = text;
    if (!out.empty() && std::string_view("=+-@\t\r").find(out.front()) != std::string_view::npos)
        out.insert(out.begin(), '\'');
    if (out.find_first_of(",\"\r\n") == std::string::npos) return out;
    std::string quoted = "\"";
    for (char c : out) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string value_cell(const Json& v) {
    if (v.is_null()) return {};
    if (v.is_string()) return cell(v.get<std::string>());
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number()) return v.dump(); // a number is never taken for a formula
    return cell(v.dump());
}

} // namespace

std::string csv_cell(const std::string& text) {
    return cell(text);
}

std::string table_to_csv(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& lines) {
    std::string out;
    auto line = [&out](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i)
            out += (i ? "," : "") + cell(cells[i]);
        out += "\r\n";
    };
    line(header);
    for (const auto& l : lines)
        line(l);
    return out;
}

std::string rows_to_csv(const EntitySpec& entity, std::vector<Row> rows) {
    std::string out = "id,school";
    for (const auto& f : entity.fields)
        out += "," + cell(f.name);
    out += "\r\n";
    rows.erase(std::remove_if(rows.begin(), rows.end(), [](const Row& r) { return r.deleted; }),
               rows.end());
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.id < b.id; });
    for (const auto& r : rows) {
        out += cell(r.id) + "," + cell(r.school);
        for (const auto& f : entity.fields) {
            auto it = r.fields.find(f.name);
            out += "," + (it == r.fields.end() ? std::string() : value_cell(*it));
        }
        out += "\r\n";
    }
    return out;
}

} // namespace sitevisit
