#include "sitevisit/protocol/messages.h"

#include "sitevisit/core/permissions.h"
#include "sitevisit/core/uuid.h"

#include <algorithm>

namespace sitevisit::protocol {

namespace {

// Deeper than this is no change anyone writes; refusing it keeps every later recursion shallow.
constexpr int kMaxDepth = 32;

// The deepest nesting of objects and arrays in `text`, stopping as soon as it passes `limit`.
// One pass over the bytes: strings (with their escapes) are skipped, brackets counted. Invalid
// JSON is left to the parser.
int nesting(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit) return deepest;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}

// The depth is checked by a scan of the text first, and the parse itself takes no callback:
// nlohmann 3.11's callback parser rescans the parent container at the end of every object,
// which made a body of many small objects cost time in the square of its size (a 1 MB body
// of "{}" held a thread for half a minute).
Result<Json> parse_object(std::string_view body, const char* what) {
    if (nesting(body, kMaxDepth) > kMaxDepth)
        return invalid(std::string(what) + " is nested more than " + std::to_string(kMaxDepth) +
                       " levels deep");
    Json j = Json::parse(body, nullptr, false);
    if (j.is_discarded()) return invalid(std::string(what) + " is not valid JSON");
    if (!j.is_object()) return invalid(std::string(what) + " must be a JSON object");
    return j;
}

Status need_string(const Json& j, const char* key, std::string& out, std::size_t max = 1000) {
    if (!j.contains(key)) return invalid(std::string("\"") + key + "\" is missing", key);
    if (!j[key].is_string()) return invalid(std::string("\"") + key + "\" must be text", key);
    out = j[key].get<std::string>();
    if (out.size() > max) return invalid(std::string("\"") + key + "\" is too long", key);
    return ok_status();
}

Status need_int(const Json& j, const char* key, std::int64_t& out) {
    if (!j.contains(key)) return invalid(std::string("\"") + key + "\" is missing", key);
    if (!(j[key].is_number_integer() || j[key].is_number_unsigned()) ||
        j[key].get<std::int64_t>() < 0)
        return invalid(std::string("\"") + key + "\" must be a whole number of at least 0", key);
    out = j[key].get<std::int64_t>();
    return ok_status();
}

Status check_device(const std::string& device) {
    if (device.empty() || device.size() > 64)
        return invalid("\"device\" must be 1 to 64 characters", "device");
    for (char c : device)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
            return invalid("\"device\" may hold only letters, digits, - and _", "device");
    return ok_status();
}

Result<std::vector<Change>> decode_ops(const Json& j, bool with_seq) {
    if (!j.contains("ops") || !j["ops"].is_array()) return invalid("\"ops\" must be a list", "ops");
    if (j["ops"].size() > kMaxOpsPerPush)
        return invalid("\"ops\" holds " + std::to_string(j["ops"].size()) +
                           " changes; send at most " + std::to_string(kMaxOpsPerPush) +
                           " at a time",
                       "ops");
    std::vector<Change> ops;
    ops.reserve(j["ops"].size());
    for (std::size_t i = 0; i < j["ops"].size(); ++i) {
        auto c = Change::from_json(j["ops"][i]);
        if (!c)
            return invalid("ops[" + std::to_string(i) + "]: " + c.error().message, c.error().field);
        if (with_seq && c->seq <= 0)
            return invalid("ops[" + std::to_string(i) + "]: \"seq\" is missing", "seq");
        ops.push_back(std::move(c).value());
    }
    return ops;
}

} // namespace

const char* to_string(OpStatus s) {
    switch (s) {
    case OpStatus::Applied:
        return "applied";
    case OpStatus::Duplicate:
        return "duplicate";
    case OpStatus::Conflict:
        return "conflict";
    case OpStatus::Rejected:
        return "rejected";
    }
    return "rejected";
}

Result<LoginRequest> decode_login_request(std::string_view body) {
    auto j = parse_object(body, "the login request");
    if (!j) return j.error();
    LoginRequest r;
    if (auto st = need_string(*j, "email", r.email, 254); !st) return st.error();
    if (auto st = need_string(*j, "password", r.password, 1024); !st) return st.error();
    if (auto st = need_string(*j, "device", r.device, 64); !st) return st.error();
    if (auto st = check_device(r.device); !st) return st.error();
    if (j->contains("device_secret") && !(*j)["device_secret"].is_null())
        if (auto st = need_string(*j, "device_secret", r.device_secret, 128); !st)
            return st.error();
    return r;
}

Json encode(const LoginRequest& r) {
    Json j{{"email", r.email}, {"password", r.password}, {"device", r.device}};
    if (!r.device_secret.empty()) j["device_secret"] = r.device_secret;
    return j;
}

Result<PushRequest> decode_push_request(std::string_view body) {
    auto j = parse_object(body, "the push request");
    if (!j) return j.error();
    PushRequest r;
    if (auto st = need_string(*j, "device", r.device, 64); !st) return st.error();
    if (auto st = check_device(r.device); !st) return st.error();
    auto ops = decode_ops(*j, false);
    if (!ops) return ops.error();
    r.ops = std::move(ops).value();
    return r;
}

Json encode(const PushRequest& r) {
    Json ops = Json::array();
    for (const auto& c : r.ops)
        ops.push_back(c.to_json());
    return {{"device", r.device}, {"ops", std::move(ops)}};
}

Result<PushResponse> decode_push_response(std::string_view body) {
    auto j = parse_object(body, "the push answer");
    if (!j) return j.error();
    PushResponse r;
    if (auto st = need_int(*j, "cursor", r.cursor); !st) return st.error();
    if (!j->contains("results") || !(*j)["results"].is_array())
        return invalid("\"results\" must be a list");
    for (const auto& item : (*j)["results"]) {
        OpResult o;
        if (!item.is_object()) return invalid("every result must be an object");
        if (auto st = need_string(item, "op", o.op, 36); !st) return st.error();
        std::string status;
        if (auto st = need_string(item, "status", status, 20); !st) return st.error();
        if (status == "applied")
            o.status = OpStatus::Applied;
        else if (status == "duplicate")
            o.status = OpStatus::Duplicate;
        else if (status == "conflict")
            o.status = OpStatus::Conflict;
        else if (status == "rejected")
            o.status = OpStatus::Rejected;
        else
            return invalid("unknown result status \"" + status + "\"");
        if (item.contains("seq") && !item["seq"].is_null())
            if (auto st = need_int(item, "seq", o.seq); !st)
                return invalid("results: " + st.error().message, "seq");
        if (item.contains("error") && !item["error"].is_null())
            if (auto st = need_string(item, "error", o.error, 4000); !st)
                return invalid("results: " + st.error().message, "error");
        if (item.contains("code") && !item["code"].is_null())
            if (auto st = need_string(item, "code", o.code, 100); !st)
                return invalid("results: " + st.error().message, "code");
        r.results.push_back(std::move(o));
    }
    return r;
}

Json encode(const PushResponse& r) {
    Json results = Json::array();
    for (const auto& o : r.results) {
        Json item{{"op", o.op}, {"status", to_string(o.status)}};
        item["seq"] = o.seq > 0 ? Json(o.seq) : Json(nullptr);
        item["error"] = o.error.empty() ? Json(nullptr) : Json(o.error);
        if (!o.code.empty()) item["code"] = o.code;
        results.push_back(std::move(item));
    }
    return {{"results", std::move(results)}, {"cursor", r.cursor}};
}

Result<PullResponse> decode_pull_response(std::string_view body) {
    auto j = parse_object(body, "the pull answer");
    if (!j) return j.error();
    PullResponse r;
    if (auto st = need_int(*j, "cursor", r.cursor); !st) return st.error();
    if (!j->contains("more") || !(*j)["more"].is_boolean())
        return invalid("\"more\" must be true or false");
    r.more = (*j)["more"].get<bool>();
    // One change that cannot be decoded is set aside with its reason; the rest of the page applies.
    if (!j->contains("ops") || !(*j)["ops"].is_array())
        return invalid("\"ops\" must be a list", "ops");
    const Json& ops = (*j)["ops"];
    if (ops.size() > kMaxOpsPerPush)
        return invalid("\"ops\" holds " + std::to_string(ops.size()) + " changes; at most " +
                           std::to_string(kMaxOpsPerPush) + " are read from one page",
                       "ops");
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const Json& item = ops[i];
        auto c = Change::from_json(item);
        std::string reason;
        if (!c)
            reason = c.error().message;
        else if (c->seq <= 0)
            reason = "\"seq\" is missing";
        if (reason.empty()) {
            r.ops.push_back(std::move(c).value());
            continue;
        }
        SetAside s;
        if (item.is_object() && item.contains("seq") && item["seq"].is_number_integer() &&
            item["seq"].get<std::int64_t>() > 0)
            s.seq = item["seq"].get<std::int64_t>();
        s.change = item.dump(-1, ' ', false, Json::error_handler_t::replace);
        if (s.change.size() > 65536) s.change.resize(65536);
        s.reason = "ops[" + std::to_string(i) + "] could not be read: " + reason;
        r.set_aside.push_back(std::move(s));
    }
    if (j->contains("purge")) {
        if (!(*j)["purge"].is_array()) return invalid("\"purge\" must be a list of school ids");
        for (const auto& s : (*j)["purge"]) {
            if (!s.is_string() || !is_uuid(s.get<std::string>()))
                return invalid("\"purge\" must be a list of school ids");
            r.purge.push_back(s.get<std::string>());
        }
    }
    if (j->contains("held")) {
        if (auto st = need_int(*j, "held", r.held); !st) return st.error();
        if (auto st = need_int(*j, "held_since", r.held_since); !st) return st.error();
        if (r.held < 0 || r.held_since < 0 || r.held_since > r.cursor)
            return invalid("\"held\" and \"held_since\" must be counts and a cursor at most "
                           "\"cursor\"");
    }
    return r;
}

Json encode(const PullResponse& r) {
    Json ops = Json::array();
    for (const auto& c : r.ops)
        ops.push_back(c.to_json());
    Json j{{"ops", std::move(ops)}, {"cursor", r.cursor}, {"more", r.more}};
    if (!r.purge.empty()) j["purge"] = r.purge;
    if (r.held > 0) {
        j["held"] = r.held;
        j["held_since"] = r.held_since;
    }
    return j;
}

Result<LoginResponse> decode_login_response(std::string_view body) {
    auto j = parse_object(body, "the sign-in answer");
    if (!j) return j.error();
    LoginResponse r;
    if (auto st = need_string(*j, "token", r.token, 4096); !st) return st.error();
    if (r.token.empty()) return invalid("\"token\" is empty", "token");
    for (char ch : r.token)
        if (static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7e)
            return invalid("\"token\" holds characters a header cannot carry", "token");
    if (j->contains("expires") && !(*j)["expires"].is_null())
        if (auto st = need_string(*j, "expires", r.expires, 64); !st) return st.error();
    if (!j->contains("user") || !(*j)["user"].is_object())
        return invalid("\"user\" must be an object", "user");
    r.user = (*j)["user"];
    std::string id;
    if (auto st = need_string(r.user, "id", id, 100); !st)
        return invalid("user: " + st.error().message, "user");
    if (id.empty()) return invalid("user: \"id\" is empty", "user");
    for (const char* key : {"email", "name", "role"})
        if (r.user.contains(key) && !r.user[key].is_string())
            return invalid(std::string("user: \"") + key + "\" must be text", "user");
    for (const char* key : {"schools", "districts"})
        if (r.user.contains(key) && !r.user[key].is_null()) {
            if (!r.user[key].is_array())
                return invalid(std::string("user: \"") + key + "\" must be a list", "user");
            for (const auto& s : r.user[key])
                if (!s.is_string())
                    return invalid(std::string("user: \"") + key + "\" must be a list of ids",
                                   "user");
        }
    if (r.user.contains("region") && !r.user["region"].is_null() && !r.user["region"].is_string())
        return invalid("user: \"region\" must be text", "user");
    if (auto u = User::from_fields(id, r.user); !u)
        return invalid("user: " + u.error().message, "user");
    if (j->contains("device_secret") && !(*j)["device_secret"].is_null())
        if (auto st = need_string(*j, "device_secret", r.device_secret, 128); !st)
            return st.error();
    return r;
}

std::string error_code(std::string_view body) {
    auto j = parse_object(body, "the error answer");
    if (!j) return {};
    const Json& e = j->contains("error") ? (*j)["error"] : Json();
    if (!e.is_object() || !e.contains("code") || !e["code"].is_string()) return {};
    return e["code"].get<std::string>();
}

Json error_body(std::string_view code, std::string_view message) {
    return {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
}

} // namespace sitevisit::protocol
