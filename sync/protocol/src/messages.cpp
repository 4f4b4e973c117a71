#include "sitevisit/protocol/messages.h"

#include "sitevisit/core/permissions.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/protocol/json_events.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

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

// A store epoch: 32 lowercase hex digits (docs/protocol.md).
bool is_epoch(std::string_view s) {
    if (s.size() != 32) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// `epoch`, when the object has it: a store epoch.
Status optional_epoch(const Json& j, std::string& out) {
    auto it = j.find("epoch");
    if (it == j.end() || it->is_null()) return ok_status();
    if (!it->is_string() || !is_epoch(it->get_ref<const std::string&>()))
        return invalid("\"epoch\" must be 32 lowercase hexadecimal digits", "epoch");
    out = it->get<std::string>();
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

// Takes each change's fields out of `j`, which the caller reads no further.
Result<std::vector<Change>> decode_ops(Json& j, bool with_seq) {
    auto list = j.find("ops");
    if (list == j.end() || !list->is_array()) return invalid("\"ops\" must be a list", "ops");
    if (list->size() > kMaxOpsPerPush)
        return invalid("\"ops\" holds " + std::to_string(list->size()) + " changes; send at most " +
                           std::to_string(kMaxOpsPerPush) + " at a time",
                       "ops");
    std::vector<Change> ops;
    ops.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto c = Change::from_json(std::move((*list)[i]));
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
    if (auto request = decode_push_stream(body)) return std::move(*request);
    return decode_push_checked(body);
}

Result<PushRequest> decode_push_checked(std::string_view body) {
    auto j = parse_object(body, "the push request");
    if (!j) return j.error();
    PushRequest r;
    if (auto st = need_string(*j, "device", r.device, 64); !st) return st.error();
    if (auto st = check_device(r.device); !st) return st.error();
    auto ops = decode_ops(*j, false);
    if (!ops) return ops.error();
    r.ops = std::move(ops).value();
    if (auto st = optional_epoch(*j, r.epoch); !st) return st.error();
    if (auto it = j->find("restart"); it != j->end() && !it->is_null()) {
        if (!it->is_boolean()) return invalid("\"restart\" must be true or false", "restart");
        r.restart = it->get<bool>();
    }
    return r;
}

Json encode(const PushRequest& r) {
    Json ops = Json::array();
    for (const auto& c : r.ops)
        ops.push_back(c.to_json());
    Json j{{"device", r.device}, {"ops", std::move(ops)}};
    if (!r.epoch.empty()) j["epoch"] = r.epoch;
    if (r.restart) j["restart"] = true;
    return j;
}

Result<PushResponse> decode_push_response(std::string_view body) {
    auto j = parse_object(body, "the push answer");
    if (!j) return j.error();
    PushResponse r;
    if (auto st = need_int(*j, "cursor", r.cursor); !st) return st.error();
    if (auto st = optional_epoch(*j, r.epoch); !st) return st.error();
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
    Json j{{"results", std::move(results)}, {"cursor", r.cursor}};
    if (!r.epoch.empty()) j["epoch"] = r.epoch;
    return j;
}

Result<PullResponse> decode_pull_response(std::string_view body) {
    auto j = parse_object(body, "the pull answer");
    if (!j) return j.error();
    PullResponse r;
    if (auto st = need_int(*j, "cursor", r.cursor); !st) return st.error();
    if (!j->contains("more") || !(*j)["more"].is_boolean())
        return invalid("\"more\" must be true or false");
    r.more = (*j)["more"].get<bool>();
    if (auto st = optional_epoch(*j, r.epoch); !st) return st.error();
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

std::optional<PullHead> peek_pull_head(std::string_view body) {
    constexpr std::string_view open = "{\"cursor\":";
    constexpr std::string_view more = ",\"more\":";
    if (body.substr(0, open.size()) != open) return std::nullopt;
    std::size_t i = open.size();
    std::int64_t cursor = 0;
    const std::size_t first = i;
    // At most 18 digits: always fits, and a longer number is no cursor this device asks for.
    while (i < body.size() && i - first < 18 && body[i] >= '0' && body[i] <= '9')
        cursor = cursor * 10 + (body[i++] - '0');
    if (i == first || (i < body.size() && body[i] >= '0' && body[i] <= '9')) return std::nullopt;
    if (body.substr(i, more.size()) != more) return std::nullopt;
    i += more.size();
    if (body.substr(i, 4) == "true") return PullHead{cursor, true};
    if (body.substr(i, 5) == "false") return PullHead{cursor, false};
    return std::nullopt;
}

Json encode(const PullResponse& r) {
    Json ops = Json::array();
    for (const auto& c : r.ops)
        ops.push_back(c.to_json());
    Json j{{"ops", std::move(ops)}, {"cursor", r.cursor}, {"more", r.more}};
    if (!r.epoch.empty()) j["epoch"] = r.epoch;
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

// Plain printable ASCII is copied between quotes; anything else goes through the library
// (escapes, UTF-8 checks).
void append_json_string(std::string& out, std::string_view s) {
    bool plain = true;
    for (char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u > 0x7e || ch == '"' || ch == '\\') {
            plain = false;
            break;
        }
    }
    if (plain) {
        out += '"';
        out.append(s);
        out += '"';
        return;
    }
    out += Json(std::string(s)).dump();
}

void append_json_number(std::string& out, std::int64_t v) {
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

std::string encode_change(const Change& c, std::string_view fields_json) {
    // Keys in the order of nlohmann's object (sorted), so the bytes equal to_json().dump().
    std::string out;
    out.reserve(fields_json.size() + c.op.size() + c.id.size() + c.school.size() + c.hlc.size() +
                c.entity.size() + 140);
    out += "{\"base\":";
    append_json_number(out, c.base);
    out += ",\"dseq\":";
    append_json_number(out, c.dseq);
    out += ",\"entity\":";
    append_json_string(out, c.entity);
    out += ",\"fields\":";
    out.append(fields_json);
    out += ",\"hlc\":";
    append_json_string(out, c.hlc);
    out += ",\"id\":";
    append_json_string(out, c.id);
    out += ",\"kind\":";
    append_json_string(out, to_string(c.kind));
    out += ",\"op\":";
    append_json_string(out, c.op);
    out += ",\"schema\":";
    append_json_number(out, c.schema);
    out += ",\"school\":";
    append_json_string(out, c.school);
    if (c.seq > 0) {
        out += ",\"seq\":";
        append_json_number(out, c.seq);
    }
    out += '}';
    return out;
}

std::string encode_pull_body(const PullResponse& r) {
    std::string out;
    out.reserve(r.encoded_ops.size() + r.ops.size() * 400 + r.purge.size() * 40 + 128);
    out += "{\"cursor\":";
    append_json_number(out, r.cursor);
    out += r.more ? ",\"more\":true" : ",\"more\":false";
    if (!r.epoch.empty()) {
        out += ",\"epoch\":";
        append_json_string(out, r.epoch);
    }
    if (r.held > 0) {
        out += ",\"held\":";
        append_json_number(out, r.held);
        out += ",\"held_since\":";
        append_json_number(out, r.held_since);
    }
    if (!r.purge.empty()) {
        out += ",\"purge\":[";
        for (std::size_t i = 0; i < r.purge.size(); ++i) {
            if (i) out += ',';
            append_json_string(out, r.purge[i]);
        }
        out += ']';
    }
    out += ",\"ops\":[";
    bool first = true;
    for (const auto& c : r.ops) {
        if (!first) out += ',';
        first = false;
        out += encode_change(c, c.fields.dump());
    }
    if (!r.encoded_ops.empty()) {
        if (!first) out += ',';
        out += r.encoded_ops;
    }
    out += "]}";
    return out;
}

namespace {

// A pull answer or a push request read as events (nlohmann's SAX interface) straight into a
// PullResponse or a PushRequest: no tree but each change's fields. Any event the checked
// decoder would not plainly accept stops the parse (returns false): the caller then asks the
// checked decoder, which decides and says why. So whatever this accepts, the checked decoder
// accepts with the same result (tests/unit/protocol_test.cpp checks both on valid and broken
// bodies).
class ChangeListEvents {
public:
    enum class Body { Pull, Push };
    explicit ChangeListEvents(Body body) : body_(body) {}

    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    PullResponse out; // a pull answer
    PushRequest push; // a push request

    bool null() { return scalar(Json(nullptr)); }
    bool boolean(bool v) { return scalar(Json(v)); }
    bool number_integer(number_integer_t v) { return scalar(Json(v)); }
    bool number_unsigned(number_unsigned_t v) { return scalar(Json(v)); }
    bool number_float(number_float_t v, const string_t&) { return scalar(Json(v)); }
    bool string(string_t& v) { return scalar(Json(std::move(v))); }
    bool binary(binary_t&) { return false; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        return false;
    }

    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(string_t& k) {
        switch (stack_.empty() ? Ctx::Skip : stack_.back()) {
        case Ctx::Root:
            key_ = root_key(k);
            if (key_ != Key::Other && (seen_root_ & bit(key_))) return false; // said twice
            seen_root_ |= bit(key_);
            return true;
        case Ctx::Change:
            key_ = change_key(k);
            if (key_ != Key::Other && (seen_change_ & bit(key_))) return false;
            seen_change_ |= bit(key_);
            return true;
        case Ctx::Fields:
            fields_key_ = std::move(k);
            return true;
        default:
            return true;
        }
    }

    // True when the whole answer was read and holds what the checked decoder requires.
    bool complete() const { return done_; }

private:
    enum class Ctx { Root, Ops, Change, Fields, Purge, Skip };
    enum class Key {
        Other,
        Device,
        Restart,
        Cursor,
        More,
        Ops,
        Purge,
        Held,
        HeldSince,
        Epoch,
        Op,
        Entity,
        Id,
        School,
        Hlc,
        Kind,
        Fields,
        Base,
        Dseq,
        Schema,
        Seq
    };
    static unsigned bit(Key k) { return 1u << static_cast<unsigned>(k); }
    Key root_key(std::string_view k) const {
        if (k == "ops") return Key::Ops;
        if (k == "epoch") return Key::Epoch;
        if (body_ == Body::Push) {
            if (k == "device") return Key::Device;
            if (k == "restart") return Key::Restart;
            return Key::Other;
        }
        if (k == "cursor") return Key::Cursor;
        if (k == "more") return Key::More;
        if (k == "ops") return Key::Ops;
        if (k == "purge") return Key::Purge;
        if (k == "held") return Key::Held;
        if (k == "held_since") return Key::HeldSince;
        if (k == "epoch") return Key::Epoch;
        return Key::Other;
    }
    static Key change_key(std::string_view k) {
        if (k == "op") return Key::Op;
        if (k == "entity") return Key::Entity;
        if (k == "id") return Key::Id;
        if (k == "school") return Key::School;
        if (k == "hlc") return Key::Hlc;
        if (k == "kind") return Key::Kind;
        if (k == "fields") return Key::Fields;
        if (k == "base") return Key::Base;
        if (k == "dseq") return Key::Dseq;
        if (k == "schema") return Key::Schema;
        if (k == "seq") return Key::Seq;
        return Key::Other;
    }
    // A whole number of at least 0 that fits (what need_int and Change::from_json take).
    static bool whole(const Json& v, std::int64_t& out) {
        if (v.is_number_unsigned()) {
            if (v.get<std::uint64_t>() >
                static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return false;
            out = static_cast<std::int64_t>(v.get<std::uint64_t>());
            return true;
        }
        if (v.is_number_integer()) {
            out = v.get<std::int64_t>();
            return out >= 0;
        }
        return false;
    }

    bool scalar(Json&& v) {
        if (stack_.empty()) return false; // the answer must be an object
        switch (stack_.back()) {
        case Ctx::Root:
            switch (key_) {
            case Key::Cursor:
                return whole(v, out.cursor);
            case Key::More:
                if (!v.is_boolean()) return false;
                out.more = v.get<bool>();
                return true;
            case Key::Held:
                return whole(v, out.held);
            case Key::HeldSince:
                return whole(v, held_since_) && (has_held_since_ = true);
            case Key::Epoch:
                if (!v.is_string() || !is_epoch(v.get_ref<const std::string&>())) return false;
                (body_ == Body::Push ? push.epoch : out.epoch) =
                    std::move(v.get_ref<std::string&>());
                return true;
            case Key::Device:
                if (!v.is_string() || v.get_ref<const std::string&>().size() > 64 ||
                    !check_device(v.get_ref<const std::string&>()))
                    return false;
                push.device = std::move(v.get_ref<std::string&>());
                return true;
            case Key::Restart:
                if (v.is_null()) return true;
                if (!v.is_boolean()) return false;
                push.restart = v.get<bool>();
                return true;
            case Key::Other:
                return true;
            default:
                return false; // ops and purge must be lists
            }
        case Ctx::Ops:
            return false; // a change that is not an object is set aside: not plain
        case Ctx::Change:
            return change_value(std::move(v));
        case Ctx::Fields:
            put(std::move(v));
            return true;
        case Ctx::Purge:
            if (!v.is_string() || !is_uuid(v.get_ref<const std::string&>())) return false;
            out.purge.push_back(std::move(v.get_ref<std::string&>()));
            return true;
        case Ctx::Skip:
            return true;
        }
        return false;
    }

    bool change_value(Json&& v) {
        auto text = [&](std::string& to) {
            if (!v.is_string()) return false;
            to = std::move(v.get_ref<std::string&>());
            return true;
        };
        switch (key_) {
        case Key::Op:
            return text(change_.op);
        case Key::Entity:
            return text(change_.entity);
        case Key::Id:
            return text(change_.id);
        case Key::School:
            return text(change_.school);
        case Key::Hlc:
            return text(change_.hlc);
        case Key::Kind:
            if (!v.is_string()) return false;
            if (v.get_ref<const std::string&>() == "upsert")
                change_.kind = ChangeKind::Upsert;
            else if (v.get_ref<const std::string&>() == "delete")
                change_.kind = ChangeKind::Delete;
            else
                return false;
            return true;
        case Key::Fields:
            return v.is_null(); // null: no fields; anything else but an object is wrong
        case Key::Base:
            return whole(v, change_.base);
        case Key::Dseq:
            return whole(v, change_.dseq);
        case Key::Schema:
            return whole(v, schema_);
        case Key::Seq:
            return whole(v, change_.seq);
        default:
            return true; // members a change does not have are ignored, as from_json does
        }
    }

    // A value inside a change's fields, where the tree is built as nlohmann's own parser
    // builds it (a repeated key: the last one stands).
    Json* put(Json&& v) {
        Json& parent = *tree_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        Json& slot = parent[fields_key_];
        slot = std::move(v);
        return &slot;
    }

    bool open(bool object) {
        // Deeper than the checked decoder's limit (the answer itself is level 1).
        if (stack_.size() + 1 > 32) return false;
        if (stack_.empty()) {
            if (!object) return false;
            stack_.push_back(Ctx::Root);
            return true;
        }
        switch (stack_.back()) {
        case Ctx::Root:
            if (key_ == Key::Ops && !object) {
                stack_.push_back(Ctx::Ops);
                return true;
            }
            if (key_ == Key::Purge && !object) {
                stack_.push_back(Ctx::Purge);
                return true;
            }
            if (key_ != Key::Other) return false;
            stack_.push_back(Ctx::Skip);
            return true;
        case Ctx::Ops:
            if (!object) return false;
            if (ops().size() >= kMaxOpsPerPush) return false; // the checked decoder refuses
            change_ = Change{};
            change_.seq = 0;
            schema_ = 0;
            seen_change_ = 0;
            stack_.push_back(Ctx::Change);
            return true;
        case Ctx::Change:
            if (key_ == Key::Fields && object) {
                tree_.assign(1, &change_.fields);
                stack_.push_back(Ctx::Fields);
                return true;
            }
            if (key_ != Key::Other) return false;
            stack_.push_back(Ctx::Skip);
            return true;
        case Ctx::Fields:
            tree_.push_back(put(object ? Json::object() : Json::array()));
            stack_.push_back(Ctx::Fields);
            return true;
        case Ctx::Purge:
            return false;
        case Ctx::Skip:
            stack_.push_back(Ctx::Skip);
            return true;
        }
        return false;
    }

    bool close() {
        const Ctx ctx = stack_.back();
        stack_.pop_back();
        switch (ctx) {
        case Ctx::Fields:
            tree_.pop_back();
            return true;
        case Ctx::Change:
            key_ = Key::Other;
            return finish_change();
        case Ctx::Root:
            return finish_root();
        case Ctx::Ops:
        case Ctx::Purge:
        case Ctx::Skip:
            if (!stack_.empty() && stack_.back() == Ctx::Root) key_ = Key::Other;
            return true;
        }
        return false;
    }

    std::vector<Change>& ops() { return body_ == Body::Push ? push.ops : out.ops; }

    bool finish_change() {
        constexpr Key required[] = {Key::Op,   Key::Entity, Key::Id,   Key::School, Key::Hlc,
                                    Key::Kind, Key::Base,   Key::Dseq, Key::Schema};
        for (Key k : required)
            if (!(seen_change_ & bit(k))) return false;
        // A pulled change carries its seq; a pushed one may (at least 1), as from_json takes it.
        const bool has_seq = seen_change_ & bit(Key::Seq);
        if (body_ == Body::Pull ? change_.seq <= 0 : has_seq && change_.seq <= 0) return false;
        if (schema_ < 1 || schema_ > 1000000) return false;
        change_.schema = static_cast<int>(schema_);
        if (!change_.check_envelope()) return false;
        ops().push_back(std::move(change_));
        return true;
    }

    bool finish_root() {
        if (body_ == Body::Push) {
            if (!(seen_root_ & bit(Key::Device)) || !(seen_root_ & bit(Key::Ops))) return false;
            done_ = true;
            return true;
        }
        if (!(seen_root_ & bit(Key::Cursor)) || !(seen_root_ & bit(Key::More)) ||
            !(seen_root_ & bit(Key::Ops)))
            return false;
        if (seen_root_ & bit(Key::Held)) {
            if (!has_held_since_ || held_since_ > out.cursor) return false;
            out.held_since = held_since_;
        } else {
            out.held = 0;
        }
        done_ = true;
        return true;
    }

    const Body body_;
    std::vector<Ctx> stack_;
    Key key_ = Key::Other;
    unsigned seen_root_ = 0, seen_change_ = 0;
    std::int64_t held_since_ = -1;
    bool has_held_since_ = false;
    Change change_;
    std::int64_t schema_ = 0;
    std::string fields_key_;
    std::vector<Json*> tree_; // the open containers of a change's fields
    bool done_ = false;
};

// Reads `body` into `events`: true when the whole of it was read and plainly valid.
bool read_events(std::string_view body, ChangeListEvents& events) {
    try {
        return read_json_events(body, events) && events.complete();
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

std::optional<PullResponse> decode_pull_stream(std::string_view body) {
    ChangeListEvents events(ChangeListEvents::Body::Pull);
    if (!read_events(body, events)) return std::nullopt;
    return std::move(events.out);
}

std::optional<PushRequest> decode_push_stream(std::string_view body) {
    ChangeListEvents events(ChangeListEvents::Body::Push);
    if (!read_events(body, events)) return std::nullopt;
    return std::move(events.push);
}

Result<PullResponse> decode_pull_page(std::string_view body) {
    if (auto page = decode_pull_stream(body)) return std::move(*page);
    return decode_pull_response(body);
}

} // namespace sitevisit::protocol
