// libFuzzer target for what a device decodes from a server: the sign-in answer, the push
// answer, the pull answer and the changes inside it (the streaming decoder against the checked
// one), and error codes. Nothing may crash or throw; a pull page either decodes (its bad
// changes set aside) or is an error. Run with scripts/fuzz.sh device.
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
    // The streaming decoder takes only what the checked one takes, and reads it the same.
    if (auto streamed = protocol::decode_pull_stream(body)) {
        auto checked = protocol::decode_pull_response(body);
        if (!checked || !checked->set_aside.empty() ||
            checked->ops.size() != streamed->ops.size() || checked->cursor != streamed->cursor ||
            checked->more != streamed->more || checked->purge != streamed->purge ||
            checked->held != streamed->held || checked->held_since != streamed->held_since)
            __builtin_trap();
        for (std::size_t i = 0; i < checked->ops.size(); ++i)
            if (checked->ops[i].to_json() != streamed->ops[i].to_json()) __builtin_trap();
    }
    (void)protocol::error_code(body);
    return 0;
}
