#pragma once

// Rows as CSV (RFC 4180) for a state's own reporting: one header line, then one line per row.

#include "sitevisit/core/entities.h"
#include "sitevisit/core/write_plan.h"

#include <string>
#include <vector>

namespace sitevisit {

// Columns: id, school, then the entity's fields in the order docs/entities.md lists them.
// Deleted rows are left out; the rest are sorted by id. Text is written as it is, lists and
// objects as compact JSON, true/false as such, a missing value as an empty cell. A cell is
// quoted when it holds a comma, a quote or a line break (quotes doubled); text that a
// spreadsheet would take for a formula (starting with =, +, -, @, a tab or a carriage return)
// is written after a single quote, so opening the file never runs anything.
std::string rows_to_csv(const EntitySpec& entity, std::vector<Row> rows);

// One cell as rows_to_csv writes text, and a whole table (a header line, then the lines).
std::string csv_cell(const std::string& text);
std::string table_to_csv(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& lines);

} // namespace sitevisit
