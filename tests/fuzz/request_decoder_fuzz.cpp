// libFuzzer target for what the server decodes from the network: push, login and pull bodies,
// and the changes inside them. Run with scripts/fuzz.sh.
#include "sitevisit/protocol/messages.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    using namespace sitevisit;
    if (auto push = protocol::decode_push_request(body)) {
        // What decodes must encode and decode again to the same thing.
        auto again = protocol::decode_push_request(protocol::encode(*push).dump());
        if (!again || protocol::encode(*again) != protocol::encode(*push)) __builtin_trap();
    }
    (void)protocol::decode_login_request(body);
    (void)protocol::decode_pull_response(body);
    (void)protocol::decode_push_response(body);
    return 0;
}
