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

} // namespace sitevisit
