#pragma once

// The CSV the school import reads: one record per line, comma-separated, quotes may hold
// commas and doubled quotes. What it does with odd input is pinned in tests/unit/csv_test.cpp.

#include <string>
#include <string_view>
#include <vector>

namespace sitevisit::server::csv {

// The fields of one line, each trimmed of spaces. A quote opens and closes quoting anywhere
// in a field; `""` inside quotes is one quote; a carriage return outside quotes is dropped;
// a quote left open takes the rest of the line.
std::vector<std::string> fields(std::string_view line);

struct Record {
    int line = 0; // 1-based, counting blank lines
    std::vector<std::string> fields;
};

// Every non-blank line of `text` (split at '\n', so a line end inside quotes ends the record).
std::vector<Record> records(std::string_view text);

} // namespace sitevisit::server::csv
