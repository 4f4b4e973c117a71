#include "sitevisit/core/clock.h"
#include "sitevisit/core/result.h"
#include "sitevisit/core/time_format.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace sitevisit {

const char* to_string(ErrorCode code) {
    switch (code) {
    case ErrorCode::Invalid:
        return "invalid";
    case ErrorCode::NotFound:
        return "not_found";
    case ErrorCode::Forbidden:
        return "forbidden";
    case ErrorCode::Conflict:
        return "conflict";
    case ErrorCode::Unsupported:
        return "unsupported";
    case ErrorCode::Storage:
        return "storage";
    case ErrorCode::Unauthorized:
        return "unauthorized";
    case ErrorCode::RateLimited:
        return "rate_limited";
    case ErrorCode::TooLarge:
        return "too_large";
    case ErrorCode::Unprocessable:
        return "unprocessable";
    case ErrorCode::Busy:
        return "busy";
    }
    return "invalid";
}

std::int64_t SystemClock::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const SystemClock& SystemClock::instance() {
    static const SystemClock clock;
    return clock;
}

namespace {

// Howard Hinnant's civil-date algorithms.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int month_days(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

} // namespace

std::string format_utc_ms(std::int64_t ms) {
    std::int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    std::int64_t rem = ms - days * 86400000;
    int y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    // Written by hand: this runs on every edit, and snprintf costs more than the rest.
    char buf[24];
    auto put = [&](int at, long long v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10)
            buf[at + i] = static_cast<char>('0' + v % 10);
    };
    put(0, y, 4);
    buf[4] = '-';
    put(5, m, 2);
    buf[7] = '-';
    put(8, d, 2);
    buf[10] = 'T';
    put(11, rem / 3600000, 2);
    buf[13] = ':';
    put(14, rem / 60000 % 60, 2);
    buf[16] = ':';
    put(17, rem / 1000 % 60, 2);
    buf[19] = '.';
    put(20, rem % 1000, 3);
    buf[23] = 'Z';
    return std::string(buf, 24);
}

std::optional<std::int64_t> parse_date_days(std::string_view s) {
    int y, m, d;
    if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    if (s.size() != 10) return std::nullopt;
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return std::nullopt;
    return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string format_date_days(std::int64_t days) {
    int y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

std::optional<std::int64_t> parse_utc_ms(std::string_view s) {
    if (s.size() < 20 || s.back() != 'Z') return std::nullopt;
    auto days = parse_date_days(s.substr(0, 10));
    int hh, mm, ss, frac = 0;
    if (!days || s[10] != 'T' || !digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) ||
        s[16] != ':' || !digits(s, 17, 2, ss))
        return std::nullopt;
    if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
    if (s.size() == 20) {
    } else if (s.size() == 24 && s[19] == '.' && digits(s, 20, 3, frac)) {
    } else {
        return std::nullopt;
    }
    return *days * 86400000 + hh * 3600000LL + mm * 60000LL + ss * 1000LL + frac;
}

std::optional<int> parse_school_year(std::string_view s) {
    int a, b;
    if (s.size() != 9 || !digits(s, 0, 4, a) || s[4] != '-' || !digits(s, 5, 4, b))
        return std::nullopt;
    if (b != a + 1 || a < 1900 || a > 2998) return std::nullopt;
    return a;
}

} // namespace sitevisit
