#include "sitevisit/server/csv.h"

#include "text.h"

namespace sitevisit::server::csv {

std::vector<std::string> fields(std::string_view line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else if (c != '\r') {
            out.back() += c;
        }
    }
    for (auto& f : out)
        f = detail::trim(f);
    return out;
}

std::vector<Record> records(std::string_view text) {
    std::vector<Record> out;
    std::size_t pos = 0;
    int number = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++number;
        if (detail::trim(std::string(line)).empty()) continue;
        out.push_back({number, fields(line)});
    }
    return out;
}

} // namespace sitevisit::server::csv
