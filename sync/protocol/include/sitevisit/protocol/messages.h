#pragma once

#include "sitevisit/core/change.h"
#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The request and answer bodies of SYNC.md's endpoints. Decoders never throw: bad input comes
// back as an Error whose message names where it is wrong ("ops[3].op must be a UUID ...").
namespace sitevisit::protocol {

// Bumped only when the wire format changes incompatibly (see docs/protocol.md).
constexpr int kProtocolVersion = 1;
// More ops than this in one push is refused (400): a device sends batches.
constexpr std::size_t kMaxOpsPerPush = 5000;

struct LoginRequest {
    std::string email;
    std::string password;
    std::string device;
    // Returned by the server at a device's first sign-in and sent back in later ones: with a
    // correct password it signs in even while the account is locked by failed guesses from
    // elsewhere. Optional; at most 128 characters.
    std::string device_secret;
};
Result<LoginRequest> decode_login_request(std::string_view body);
Json encode(const LoginRequest& r);

struct PushRequest {
    std::string device;
    std::vector<Change> ops;
    // The store epoch the ops' `base` numbers come from (an extension; empty when the device
    // has none): bases from an epoch a restore replaced are read as the restored log's end.
    std::string epoch;
    // The device met a new epoch and sends again what it kept (an extension): the server then
    // accepts a gap before its first new change once (what the restore lost and the device no
    // longer keeps).
    bool restart = false;
};
// What the server uses: decode_push_stream(), and the checked decoder when that says nothing.
Result<PushRequest> decode_push_request(std::string_view body);
// The checked decoder: the whole request parsed into a JSON tree, then read.
Result<PushRequest> decode_push_checked(std::string_view body);
// The same request read event by event straight into Changes, as decode_pull_stream() reads a
// pull answer; nothing when it is not plainly valid.
std::optional<PushRequest> decode_push_stream(std::string_view body);
Json encode(const PushRequest& r);

// The server's answer to a sign-in, as a device reads it: every field type-checked.
struct LoginResponse {
    std::string token;
    std::string expires;       // may be empty
    Json user;                 // an object with at least a text "id"
    std::string device_secret; // given at a device's first sign-in; empty otherwise
};
Result<LoginResponse> decode_login_response(std::string_view body);

// The code of an error answer ({"error":{"code":...}}), or "" when the body says none.
std::string error_code(std::string_view body);

enum class OpStatus { Applied, Duplicate, Conflict, Rejected };
const char* to_string(OpStatus s);

struct OpResult {
    std::string op;
    OpStatus status = OpStatus::Applied;
    std::int64_t seq = 0;
    std::string error;      // for rejected ops: why, in words a person can act on
    bool forbidden = false; // rejected for role or scope (not on the wire: the HTTP status says it)
    // Why, for machines: invalid, forbidden, dseq_gap (send the earlier changes first: keep
    // it), dseq_reused. Empty when not rejected. An extension of SYNC.md's result.
    std::string code;
};

struct PushResponse {
    std::vector<OpResult> results;
    std::int64_t cursor = 0;
    std::string epoch; // the server store's epoch (an extension; empty from servers without)
};
Result<PushResponse> decode_push_response(std::string_view body);
Json encode(const PushResponse& r);

// A change in a pull page the device could not decode: set aside with its reason, while the
// rest of the page applies.
struct SetAside {
    std::int64_t seq = 0; // its seq when that much could be read, else 0
    std::string change;   // the change as sent (cut to 64 KB)
    std::string reason;
};

struct PullResponse {
    std::vector<Change> ops;         // each with its seq
    std::vector<SetAside> set_aside; // changes that could not be decoded (never encoded)
    std::int64_t cursor = 0;
    bool more = false;
    std::vector<std::string> purge; // schools that left the user's scope (an extension)
    // Changes in this page's range the caller may read but its data schema (`&schema=`) cannot:
    // how many, and the cursor to pull again from once the device is updated (-1: none).
    std::int64_t held = 0;
    std::int64_t held_since = -1;
    // The server store's epoch (an extension; empty from servers without): a restore from
    // backup renews it, and a device that sees it change recovers (SYNC.md, epochs).
    std::string epoch;
    // The server's side only: changes already encoded (the bytes it stored for each), joined by
    // commas, sent after `ops` by encode_pull_body(); never filled by a decoder.
    std::string encoded_ops;
    std::size_t encoded_count = 0;
};
// The checked decoder: the whole answer parsed into a JSON tree, then read.
Result<PullResponse> decode_pull_response(std::string_view body);
// The same answer read event by event straight into Changes, with no tree of the page: the
// depth, the types, the sizes and every change's envelope checked as the checked decoder
// checks them. Nothing when the page is not plainly valid (any change to set aside, a
// duplicate key, anything it would refuse): then only the checked decoder may say what it is.
std::optional<PullResponse> decode_pull_stream(std::string_view body);
// What a device uses: decode_pull_stream(), and the checked decoder when that says nothing.
Result<PullResponse> decode_pull_page(std::string_view body);
Json encode(const PullResponse& r);
// The pull answer as bytes: the same JSON as encode(r).dump() (with encoded_ops after ops),
// keys written so that it starts {"cursor":N,"more":... (see peek_pull_head).
std::string encode_pull_body(const PullResponse& r);
// A JSON string or whole number appended to `out` exactly as Json::dump() writes it (text that
// is not valid UTF-8 throws, as dump() does).
void append_json_string(std::string& out, std::string_view text);
void append_json_number(std::string& out, std::int64_t value);
// One change exactly as c.to_json().dump() writes it, given its fields already encoded
// (`fields_json`: c.fields.dump()).
std::string encode_change(const Change& c, std::string_view fields_json);

// The cursor and "more" read from the first bytes of a pull answer written as encode() writes
// it ({"cursor":N,"more":true|false,... - keys in order), or nothing when the answer does not
// start that way. Only a hint, to ask for the next page while this one is decoded and
// applied; decode_pull_response() decides what the page says.
struct PullHead {
    std::int64_t cursor = 0;
    bool more = false;
};
std::optional<PullHead> peek_pull_head(std::string_view body);

// {"error":{"code","message"}}
Json error_body(std::string_view code, std::string_view message);

} // namespace sitevisit::protocol
