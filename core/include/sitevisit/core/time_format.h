#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sitevisit {

// "2026-11-22T10:00:00.123Z" for milliseconds since the epoch (UTC).
std::string format_utc_ms(std::int64_t ms);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nothing else.
std::optional<std::int64_t> parse_utc_ms(std::string_view text);
// Days since 1970-01-01 for "YYYY-MM-DD", checking the day exists in that month.
std::optional<std::int64_t> parse_date_days(std::string_view text);
std::string format_date_days(std::int64_t days);
// First year of a school year "2026-2027" (second year must follow the first).
std::optional<int> parse_school_year(std::string_view text);

} // namespace sitevisit
