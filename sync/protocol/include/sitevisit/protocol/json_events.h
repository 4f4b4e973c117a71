#pragma once

#include <algorithm>
#include <charconv>
#include <clocale>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sitevisit::protocol {

// A strict JSON reader (RFC 8259) that hands what it reads to a SAX handler with nlohmann's
// interface, as nlohmann::json::sax_parse does: the same events in the same order with the same
// values (a number without a fraction or exponent is number_unsigned, or number_integer when it
// is negative, and a float when it does not fit; a float's text with the locale's decimal point,
// as nlohmann's lexer hands it over; strings are checked UTF-8 with their escapes decoded). It
// reads the text in place, a string copied only once and a number converted by std::from_chars,
// where nlohmann's lexer copies every byte through its token buffer: the push and pull bodies are
// read several times faster (docs/performance.md).
//
// False when the text is not JSON, when anything but whitespace follows the value, or when the
// handler refuses an event. It is stricter than nlohmann in three places, where it also says
// false and leaves the text to the checked decoder: a byte-order mark at the start, a float so
// small that it becomes zero (nlohmann takes 1e-400 as 0.0), and a NUL byte after the value
// (where nlohmann stops reading). Like nlohmann it refuses a float too large for a double. The
// nesting depth is the handler's to bound; the reader keeps its own stack on the heap, so no depth
// overflows the thread's stack.
template <class Handler> bool read_json_events(std::string_view text, Handler& handler);

namespace json_detail {

inline bool space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
inline bool digit(char c) {
    return c >= '0' && c <= '9';
}

inline int hex4(const char* p) {
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = p[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

inline void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// The length of the well-formed UTF-8 sequence at p (its first byte 0x80 or more; Unicode's
// table of well-formed byte sequences, as nlohmann checks), or 0.
inline int utf8_length(const unsigned char* p, const unsigned char* end) {
    auto in = [&](std::ptrdiff_t i, unsigned char lo, unsigned char hi) {
        return end - p > i && p[i] >= lo && p[i] <= hi;
    };
    const unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
}

// Reads a string whose opening quote is just before p into out; p ends past its closing quote.
inline bool read_string(const char*& p, const char* end, std::string& out) {
    out.clear();
    const char* run = p; // the bytes since the last escape, copied at once
    while (p < end) {
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"') {
            out.append(run, p);
            ++p;
            return true;
        }
        if (c == '\\') {
            out.append(run, p);
            if (++p == end) return false;
            switch (*p) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                if (end - p < 5) return false;
                const int unit = hex4(p + 1);
                if (unit < 0) return false;
                p += 4; // on the last hex digit
                auto cp = static_cast<std::uint32_t>(unit);
                if (cp >= 0xD800 && cp <= 0xDBFF) { // a high surrogate: its low one follows
                    if (end - p < 7 || p[1] != '\\' || p[2] != 'u') return false;
                    const int low = hex4(p + 3);
                    if (low < 0xDC00 || low > 0xDFFF) return false;
                    cp = 0x10000 + ((cp - 0xD800) << 10) +
                         (static_cast<std::uint32_t>(low) - 0xDC00);
                    p += 6;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return false; // a low surrogate alone
                }
                put_utf8(out, cp);
                break;
            }
            default:
                return false;
            }
            run = ++p;
            continue;
        }
        if (c < 0x20) return false; // a control character must be escaped
        if (c >= 0x80) {
            const int n = utf8_length(reinterpret_cast<const unsigned char*>(p),
                                      reinterpret_cast<const unsigned char*>(end));
            if (n == 0) return false;
            p += n;
            continue;
        }
        ++p;
    }
    return false; // no closing quote
}

template <class Handler> bool read_number(const char*& p, const char* end, Handler& h) {
    const char* start = p;
    const bool negative = *p == '-';
    if (negative) ++p;
    if (p == end) return false;
    if (*p == '0') {
        ++p;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && digit(*p))
            ++p;
    } else {
        return false;
    }
    bool integer = true;
    if (p < end && *p == '.') {
        integer = false;
        if (++p == end || !digit(*p)) return false;
        while (p < end && digit(*p))
            ++p;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integer = false;
        ++p;
        if (p < end && (*p == '+' || *p == '-')) ++p;
        if (p == end || !digit(*p)) return false;
        while (p < end && digit(*p))
            ++p;
    }
    if (integer) {
        if (negative) {
            std::int64_t v = 0;
            const auto r = std::from_chars(start, p, v);
            if (r.ec == std::errc() && r.ptr == p) return h.number_integer(v);
        } else {
            std::uint64_t v = 0;
            const auto r = std::from_chars(start, p, v);
            if (r.ec == std::errc() && r.ptr == p) return h.number_unsigned(v);
        }
        // Too large for an integer: a float, as nlohmann reads it.
    }
    double v = 0;
    const auto r = std::from_chars(start, p, v);
    if (r.ec != std::errc() || r.ptr != p) return false; // out of a double's range
    std::string token(start, p);
    if (const char point = *std::localeconv()->decimal_point; point != '.' && point != '\0')
        std::replace(token.begin(), token.end(), '.', point);
    return h.number_float(v, token);
}

inline bool literal(const char*& p, const char* end, std::string_view word) {
    if (static_cast<std::size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word)
        return false;
    p += word.size();
    return true;
}

} // namespace json_detail

template <class Handler> bool read_json_events(std::string_view text, Handler& h) {
    using namespace json_detail;
    const char* p = text.data();
    const char* const end = p + text.size();
    std::vector<bool> objects; // the open containers: true for an object
    std::string buffer;
    constexpr auto unknown = static_cast<std::size_t>(-1); // sizes, as sax_parse says them
    enum class Next { Value, AfterValue, Key };
    Next next = Next::Value;
    while (p < end && space(*p))
        ++p;
    for (;;) {
        switch (next) {
        case Next::Value: {
            if (p == end) return false;
            const char c = *p;
            if (c == '{') {
                ++p;
                if (!h.start_object(unknown)) return false;
                while (p < end && space(*p))
                    ++p;
                if (p < end && *p == '}') {
                    ++p;
                    if (!h.end_object()) return false;
                    next = Next::AfterValue;
                } else {
                    objects.push_back(true);
                    next = Next::Key;
                }
                continue;
            }
            if (c == '[') {
                ++p;
                if (!h.start_array(unknown)) return false;
                while (p < end && space(*p))
                    ++p;
                if (p < end && *p == ']') {
                    ++p;
                    if (!h.end_array()) return false;
                    next = Next::AfterValue;
                } else {
                    objects.push_back(false);
                }
                continue;
            }
            bool ok = false;
            if (c == '"') {
                ++p;
                ok = read_string(p, end, buffer) && h.string(buffer);
            } else if (c == 't') {
                ok = literal(p, end, "true") && h.boolean(true);
            } else if (c == 'f') {
                ok = literal(p, end, "false") && h.boolean(false);
            } else if (c == 'n') {
                ok = literal(p, end, "null") && h.null();
            } else if (c == '-' || digit(c)) {
                ok = read_number(p, end, h);
            }
            if (!ok) return false;
            next = Next::AfterValue;
            continue;
        }
        case Next::AfterValue: {
            while (p < end && space(*p))
                ++p;
            if (objects.empty()) return p == end;
            if (p == end) return false;
            const bool object = objects.back();
            if (*p == ',') {
                ++p;
                while (p < end && space(*p))
                    ++p;
                next = object ? Next::Key : Next::Value;
                continue;
            }
            if (*p == (object ? '}' : ']')) {
                ++p;
                objects.pop_back();
                if (!(object ? h.end_object() : h.end_array())) return false;
                continue; // still after a value: the container just closed
            }
            return false;
        }
        case Next::Key: {
            if (p == end || *p != '"') return false;
            ++p;
            if (!read_string(p, end, buffer) || !h.key(buffer)) return false;
            while (p < end && space(*p))
                ++p;
            if (p == end || *p != ':') return false;
            ++p;
            while (p < end && space(*p))
                ++p;
            next = Next::Value;
            continue;
        }
        }
    }
}

} // namespace sitevisit::protocol
