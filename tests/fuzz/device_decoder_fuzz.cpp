// libFuzzer target for what a device decodes from a server: the sign-in answer, the push
// answer, the pull answer and the changes inside it, and error codes. Nothing may crash or
// throw; a pull page either decodes (its bad changes set aside) or is an error. Run with
// scripts/fuzz.sh device.
#include "sitevisit/protocol/messages.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    using namespace sitevisit;
    if (auto login = protocol::decode_login_response(body)) {
        if (login->token.empty() || !login->user.is_object()) __builtin_trap();
    }
    if (auto push = protocol::decode_push_response(body)) {
        auto again = protocol::decode_push_response(protocol::encode(*push).dump());
        if (!again) __builtin_trap();
    }
    if (auto pull = protocol::decode_pull_response(body)) {
        // What decodes must encode and decode again, every change intact.
        auto again = protocol::decode_pull_response(protocol::encode(*pull).dump());
        if (!again || again->ops.size() != pull->ops.size() || !again->set_aside.empty())
            __builtin_trap();
    }
    (void)protocol::error_code(body);
    return 0;
}
