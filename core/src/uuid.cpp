#include "sitevisit/core/uuid.h"

namespace sitevisit {

bool is_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < 36; ++i) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

namespace {

std::string format_uuid(const unsigned char (&b)[16]) {
    static const char hex[] = "0123456789abcdef";
    std::string out(36, '-');
    std::size_t pos = 0;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) ++pos; // the dashes
        out[pos++] = hex[b[i] >> 4];
        out[pos++] = hex[b[i] & 0x0f];
    }
    return out;
}

// 64-bit FNV-1a from a given start, then a SplitMix64 finish to spread every input bit.
std::uint64_t hash64(std::string_view key, std::uint64_t h) {
    for (unsigned char c : key) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    h ^= key.size();
    h += 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

} // namespace

std::string derived_uuid(std::string_view key) {
    const std::uint64_t hi = hash64(key, 0xcbf29ce484222325ULL);
    const std::uint64_t lo = hash64(key, 0x84222325cbf29ce4ULL ^ hi);
    unsigned char b[16];
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
        b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
    }
    b[6] = static_cast<unsigned char>(0x80 | (b[6] & 0x0f)); // version 8
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f)); // RFC 9562 variant
    return format_uuid(b);
}

UuidV7Generator::UuidV7Generator(const Clock& clock, std::uint64_t seed)
    : clock_(clock), rng_(seed) {
}

std::string UuidV7Generator::next() {
    std::int64_t ms = clock_.now_ms();
    if (ms > last_ms_) {
        last_ms_ = ms;
        counter_ = static_cast<std::uint32_t>(rng_() & 0x7ff); // leave room to count up
    } else if (++counter_ > 0xfff) {
        // Same millisecond (or the clock stepped back): borrow the next millisecond.
        ++last_ms_;
        counter_ = 0;
    }
    const std::uint64_t ts = static_cast<std::uint64_t>(last_ms_) & 0xffffffffffffULL;
    const std::uint64_t rand_b = rng_();
    unsigned char b[16];
    for (int i = 0; i < 6; ++i)
        b[i] = static_cast<unsigned char>(ts >> (40 - 8 * i));
    b[6] = static_cast<unsigned char>(0x70 | ((counter_ >> 8) & 0x0f));
    b[7] = static_cast<unsigned char>(counter_ & 0xff);
    for (int i = 0; i < 8; ++i)
        b[8 + i] = static_cast<unsigned char>(rand_b >> (56 - 8 * i));
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f)); // RFC 9562 variant
    return format_uuid(b);
}

} // namespace sitevisit
