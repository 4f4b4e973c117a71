#include "../client/test_seed.h"
#include "fixtures.h"
#include "sitevisit/protocol/json_events.h"
#include "sitevisit/protocol/messages.h"

#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>

using namespace sitevisit;
using namespace sitevisit::protocol;

namespace {

Change sample(int n) {
    Change c;
    c.op = "0190a000-0000-7000-8000-00000000b00" + std::to_string(n % 10);
    c.entity = "observation";
    c.id = "0190a000-0000-7000-8000-0000000000f1";
    c.school = "0190a000-0000-7000-8000-0000000000c1";
    c.fields = {{"rating", n % 4}, {"note", "Seen in room " + std::to_string(n)}};
    c.hlc = "2026-11-22T10:00:00.123Z-0003-0190a000-0000-7000-8000-00000000de01";
    c.base = 12;
    c.dseq = n + 1;
    return c;
}

} // namespace

TEST(Protocol, ThePullHeadIsReadFromTheEncodedAnswerOnly) {
    PullResponse pull;
    pull.ops = {sample(3)};
    pull.ops[0].seq = 77;
    pull.cursor = 77;
    pull.more = true;
    auto head = peek_pull_head(encode(pull).dump());
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->cursor, 77);
    EXPECT_TRUE(head->more);
    pull.more = false;
    head = peek_pull_head(encode(pull).dump());
    ASSERT_TRUE(head.has_value());
    EXPECT_FALSE(head->more);
    // Anything else is no head: the full decode decides.
    for (const char* b :
         {"", "{", R"({"cursor":)", R"({"cursor":-1,"more":true})", R"({"cursor":12,"more":tru)",
          R"({"more":true,"cursor":12})", R"({ "cursor":12,"more":true})",
          R"({"cursor":1234567890123456789,"more":true})", R"({"cursor":12,"more":"true"})"})
        EXPECT_FALSE(peek_pull_head(b).has_value()) << b;
}

TEST(Protocol, PushRequestRoundTrips) {
    PushRequest r{"0190a000-0000-7000-8000-00000000de01", {sample(0), sample(1)}};
    auto decoded = decode_push_request(encode(r).dump());
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(encode(*decoded), encode(r));
}

TEST(Protocol, AChangeTakenOutOfItsTreeEqualsOneCopiedFromIt) {
    const Json tree = sample(5).to_json();
    auto copied = Change::from_json(tree);
    ASSERT_TRUE(copied.ok()) << copied.error().message;
    EXPECT_EQ(tree, sample(5).to_json()) << "copying from a tree the caller keeps changed it";
    Json given = tree;
    auto taken = Change::from_json(std::move(given));
    ASSERT_TRUE(taken.ok()) << taken.error().message;
    EXPECT_EQ(taken->to_json(), copied->to_json());
    EXPECT_EQ(taken->fields, tree["fields"]);
}

TEST(Protocol, JsonTextIsWrittenAsTheLibraryWritesIt) {
    for (const std::string& s :
         {std::string(), std::string("plain"), std::string("a \"quote\" and a \\"),
          std::string("tab\tnew line\n\x01"),
          std::string("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\x9a"), std::string("\x7f")}) {
        std::string out;
        append_json_string(out, s);
        EXPECT_EQ(out, Json(s).dump()) << s;
    }
    for (const std::int64_t n : {std::int64_t{0}, std::int64_t{-7}, std::int64_t{1} << 53,
                                 std::numeric_limits<std::int64_t>::min()}) {
        std::string out;
        append_json_number(out, n);
        EXPECT_EQ(out, Json(n).dump());
    }
}

TEST(Protocol, PullAndPushAnswersRoundTrip) {
    PullResponse pull;
    pull.ops = {sample(3)};
    pull.ops[0].seq = 77;
    pull.cursor = 77;
    pull.more = true;
    pull.purge = {"0190a000-0000-7000-8000-0000000000c2"};
    auto p = decode_pull_response(encode(pull).dump());
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(encode(*p), encode(pull));
    EXPECT_EQ(p->ops[0].seq, 77);

    PushResponse push{{{sample(1).op, OpStatus::Applied, 5, ""},
                       {sample(2).op, OpStatus::Rejected, 0, "rating must be 0-3"}},
                      5};
    auto q = decode_push_response(encode(push).dump());
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_EQ(encode(*q), encode(push));
    EXPECT_EQ(encode(push)["results"][1]["error"], "rating must be 0-3");
}

TEST(Protocol, BadRequestsSayWhereTheyAreWrong) {
    EXPECT_EQ(decode_push_request("{\"device\":\"d\",\"ops\":[").error().message,
              "the push request is not valid JSON");
    EXPECT_EQ(decode_push_request("[]").error().message, "the push request must be a JSON object");
    EXPECT_EQ(decode_push_request("{\"ops\":[]}").error().message, "\"device\" is missing");
    EXPECT_EQ(decode_push_request("{\"device\":\"a b\",\"ops\":[]}").error().message,
              "\"device\" may hold only letters, digits, - and _");
    Json j = encode(PushRequest{"dev", {sample(0), sample(1)}});
    j["ops"][1]["op"] = "42";
    EXPECT_EQ(decode_push_request(j.dump()).error().message,
              "ops[1]: change op must be a UUID, got \"42\"");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["entity"] = "gizmo";
    EXPECT_NE(decode_push_request(j.dump()).error().message.find(
                  "ops[0]: change names unknown entity \"gizmo\""),
              std::string::npos);
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["dseq"] = 0;
    EXPECT_EQ(decode_push_request(j.dump()).error().message,
              "ops[0]: change dseq must be a whole number of at least 1, got 0");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["kind"] = "merge";
    EXPECT_EQ(decode_push_request(j.dump()).error().message,
              "ops[0]: change kind must be upsert or delete, got \"merge\"");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["fields"] = Json::object();
    EXPECT_EQ(decode_push_request(j.dump()).error().message,
              "ops[0]: change of kind upsert needs at least one field");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0].erase("hlc");
    EXPECT_EQ(decode_push_request(j.dump()).error().message, "ops[0]: change needs \"hlc\"");
    Json many{{"device", "dev"}, {"ops", Json::array()}};
    for (std::size_t i = 0; i <= kMaxOpsPerPush; ++i)
        many["ops"].push_back(1);
    EXPECT_EQ(decode_push_request(many.dump()).error().message,
              "\"ops\" holds 5001 changes; send at most 5000 at a time");
    EXPECT_EQ(decode_login_request("{\"email\":\"a@b.org\",\"password\":7,\"device\":\"d\"}")
                  .error()
                  .message,
              "\"password\" must be text");
}

TEST(Protocol, TruncatedAndMangledBodiesNeverCrashTheDecoder) {
    std::mt19937_64 rng(sitevisit::testing::test_seed("protocol mangling", 20261130));
    const std::string body = encode(PushRequest{"dev", {sample(0), sample(1), sample(2)}}).dump();
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string b = body;
        switch (rng() % 3) {
        case 0:
            b.resize(rng() % b.size());
            break;
        case 1:
            b[rng() % b.size()] = static_cast<char>(rng() % 256);
            break;
        default:
            b.insert(rng() % b.size(), std::string(1 + rng() % 5, static_cast<char>(rng() % 128)));
        }
        auto r = decode_push_request(b);
        if (r.ok()) {
            ++accepted;
            for (const auto& c : r->ops)
                ASSERT_TRUE(Change::from_json(c.to_json()).ok());
        } else {
            ASSERT_FALSE(r.error().message.empty());
        }
    }
    EXPECT_LT(accepted, 3000);
}

namespace {

const char* const kLoginAnswer =
    R"({"token":"abc.def","expires":"2026-12-01T00:00:00Z","device_secret":"s3cret",)"
    R"("user":{"id":"0190a000-0000-7000-8000-0000000000a9","name":"Lead","email":"lead@demo.sitevisit","role":"assistance_lead",)"
    R"("schools":["0190a000-0000-7000-8000-0000000000c1"]}})";

std::string pull_answer() {
    PullResponse pull;
    pull.ops = {sample(3), sample(4)};
    pull.ops[0].seq = 77;
    pull.ops[1].seq = 78;
    pull.cursor = 78;
    pull.purge = {"0190a000-0000-7000-8000-0000000000c2"};
    return encode(pull).dump();
}

std::string push_answer() {
    return encode(PushResponse{{{sample(1).op, OpStatus::Applied, 5, ""},
                                {sample(2).op, OpStatus::Rejected, 0, "no", false, "invalid"}},
                               5})
        .dump();
}

// Every value in `j`, by pointer, to pick one to replace.
void paths(const Json& j, const Json::json_pointer& at, std::vector<Json::json_pointer>& out) {
    out.push_back(at);
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
            paths(it.value(), at / it.key(), out);
    else if (j.is_array())
        for (std::size_t i = 0; i < j.size(); ++i)
            paths(j[i], at / i, out);
}

Json odd_value(std::mt19937_64& rng) {
    switch (rng() % 12) {
    case 0:
        return 12345;
    case 1:
        return std::numeric_limits<std::int64_t>::max();
    case 2:
        return std::numeric_limits<std::uint64_t>::max();
    case 3:
        return -1;
    case 4:
        return 1e308;
    case 5:
        return "text";
    case 6:
        return nullptr;
    case 7:
        return Json::array({1, "a", nullptr});
    case 8:
        return Json::object({{"x", Json::array()}});
    case 9:
        return true;
    case 10:
        return std::string(5000, 'x');
    default:
        return "";
    }
}

} // namespace

TEST(Protocol, DeviceAnswersWithWrongTypesAreErrorsInWords) {
    auto ok = decode_login_response(kLoginAnswer);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->token, "abc.def");
    EXPECT_EQ(ok->device_secret, "s3cret");
    Json j = Json::parse(kLoginAnswer);
    j["token"] = 12345;
    EXPECT_EQ(decode_login_response(j.dump()).error().message, "\"token\" must be text");
    j = Json::parse(kLoginAnswer);
    j["device_secret"] = 5;
    EXPECT_EQ(decode_login_response(j.dump()).error().message, "\"device_secret\" must be text");
    j = Json::parse(kLoginAnswer);
    j["user"]["email"] = Json::array();
    EXPECT_EQ(decode_login_response(j.dump()).error().message, "user: \"email\" must be text");
    j = Json::parse(kLoginAnswer);
    j["user"]["schools"] = Json::array({1});
    EXPECT_EQ(decode_login_response(j.dump()).error().message,
              "user: \"schools\" must be a list of ids");
    j = Json::parse(kLoginAnswer);
    j["token"] = "a b\r\nX-Evil: 1";
    EXPECT_EQ(decode_login_response(j.dump()).error().message,
              "\"token\" holds characters a header cannot carry");
    j = Json::parse(kLoginAnswer);
    j.erase("device_secret");
    EXPECT_EQ(decode_login_response(j.dump())->device_secret, "");

    Json push = Json::parse(push_answer());
    push["results"][0]["seq"] = "5";
    EXPECT_EQ(decode_push_response(push.dump()).error().message,
              "results: \"seq\" must be a whole number of at least 0");
    push = Json::parse(push_answer());
    push["cursor"] = std::numeric_limits<std::uint64_t>::max();
    EXPECT_EQ(decode_push_response(push.dump()).error().message,
              "\"cursor\" must be a whole number of at least 0");

    EXPECT_EQ(error_code(R"({"error":{"code":"cursor_ahead","message":"m"}})"), "cursor_ahead");
    EXPECT_EQ(error_code(R"({"error":{"code":7}})"), "");
    EXPECT_EQ(error_code("not json"), "");
}

TEST(Protocol, AnUndecodableChangeInAPullPageIsSetAsideAndTheRestDecodes) {
    Json page = Json::parse(pull_answer());
    page["ops"][0]["fields"] = 5;
    page["ops"].push_back("not a change");
    auto p = decode_pull_response(page.dump());
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->ops.size(), 1u);
    EXPECT_EQ(p->ops[0].seq, 78);
    ASSERT_EQ(p->set_aside.size(), 2u);
    EXPECT_EQ(p->set_aside[0].seq, 77);
    EXPECT_EQ(p->set_aside[0].reason,
              "ops[0] could not be read: change fields must be a JSON object");
    EXPECT_EQ(p->set_aside[1].seq, 0);
    EXPECT_EQ(p->set_aside[1].change, "\"not a change\"");
    EXPECT_EQ(p->cursor, 78);
}

// A short randomized run of what tests/fuzz/device_decoder_fuzz.cpp does at length: mutated
// answers (bytes and types) always decode to a value or an error, never a crash or a throw.
TEST(Protocol, MutatedServerAnswersAlwaysDecodeToAValueOrAnError) {
    std::mt19937_64 rng(sitevisit::testing::test_seed("device decoder mutation", 20261130));
    const std::vector<std::string> answers = {kLoginAnswer, push_answer(), pull_answer()};
    int values = 0, errors = 0;
    for (int i = 0; i < 4000; ++i) {
        std::string b = answers[rng() % answers.size()];
        if (rng() % 2) {
            Json j = Json::parse(b);
            std::vector<Json::json_pointer> all;
            paths(j, Json::json_pointer(), all);
            for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
                const auto& at = all[1 + rng() % (all.size() - 1)];
                if (j.contains(at)) j[at] = odd_value(rng);
            }
            b = j.dump();
        } else {
            switch (rng() % 3) {
            case 0:
                b.resize(rng() % b.size());
                break;
            case 1:
                b[rng() % b.size()] = static_cast<char>(rng() % 256);
                break;
            default:
                b.insert(rng() % b.size(),
                         std::string(1 + rng() % 5, static_cast<char>(rng() % 128)));
            }
        }
        auto check = [&](const auto& r) {
            if (r.ok())
                ++values;
            else {
                ++errors;
                ASSERT_FALSE(r.error().message.empty()) << b;
            }
        };
        ASSERT_NO_THROW(check(decode_login_response(b))) << b;
        ASSERT_NO_THROW(check(decode_push_response(b))) << b;
        ASSERT_NO_THROW(check(decode_pull_response(b))) << b;
        ASSERT_NO_THROW((void)error_code(b)) << b;
        if (auto p = decode_pull_response(b)) {
            for (const auto& c : p->ops)
                ASSERT_TRUE(Change::from_json(c.to_json()).ok()) << b;
        }
    }
    EXPECT_GT(values, 0);
    EXPECT_GT(errors, 0);
}

TEST(Protocol, NestingIsCountedOutsideStringsAndManySmallObjectsDecodeInOnePass) {
    auto nested = [](int levels, const std::string& inner) {
        return R"({"device":"d","ops":[],"x":)" + std::string(levels, '[') + inner +
               std::string(levels, ']') + "}";
    };
    // The body itself is one level, "x" adds the rest.
    EXPECT_TRUE(protocol::decode_push_request(nested(31, "")));
    auto deep = protocol::decode_push_request(nested(32, ""));
    ASSERT_FALSE(deep);
    EXPECT_NE(deep.error().message.find("nested more than 32"), std::string::npos)
        << deep.error().message;
    // Brackets inside strings, escaped quotes included, are text, not nesting.
    const std::string in_text =
        R"({"device":"d","ops":[],"x":")" + std::string(100, '[') + R"(\"{{{{"})";
    EXPECT_TRUE(protocol::decode_push_request(in_text))
        << "brackets in a string counted as nesting";
    // Two megabytes of empty objects decode in one pass (members the request does not have
    // are ignored); the callback parser this replaced took minutes on this input.
    std::string many = R"({"email":"a@b.org","password":"p","device":"d","pad":[)";
    for (int i = 0; i < 700000; ++i)
        many += i ? ",{}" : "{}";
    many += "]}";
    auto answer = protocol::decode_login_request(many);
    EXPECT_TRUE(answer) << answer.error().message;
}

// The streaming decoder (decode_pull_stream, what devices use first) against the checked one.
namespace {

// Whatever the two decoders both read must be read the same.
void expect_same_page(const PullResponse& a, const PullResponse& b, const std::string& text) {
    ASSERT_EQ(a.ops.size(), b.ops.size()) << text;
    for (std::size_t i = 0; i < a.ops.size(); ++i)
        ASSERT_EQ(a.ops[i].to_json(), b.ops[i].to_json()) << "ops[" << i << "] of " << text;
    EXPECT_EQ(a.cursor, b.cursor) << text;
    EXPECT_EQ(a.more, b.more) << text;
    EXPECT_EQ(a.purge, b.purge) << text;
    EXPECT_EQ(a.held, b.held) << text;
    EXPECT_EQ(a.held_since, b.held_since) << text;
    EXPECT_EQ(a.set_aside.size(), b.set_aside.size()) << text;
}

// A random value for a change's fields: nested lists and objects, text with escapes and
// non-ASCII letters, whole and fractional numbers, booleans, null.
Json random_value(std::mt19937_64& rng, int depth) {
    switch (rng() % (depth < 4 ? 9 : 7)) {
    case 0:
        return static_cast<std::int64_t>(rng() % 2000) - 1000;
    case 1:
        return static_cast<double>(rng() % 100000) / 64.0;
    case 2:
        return rng() % 2 == 0;
    case 3:
        return nullptr;
    case 4:
        return std::string("quote \" backslash \\ tab \t é ü 中 ") + std::to_string(rng() % 100);
    case 5:
        return std::numeric_limits<std::uint64_t>::max() - rng() % 10;
    case 6:
        return std::string(rng() % 40, 'a' + static_cast<char>(rng() % 26));
    case 7: {
        Json a = Json::array();
        for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i)
            a.push_back(random_value(rng, depth + 1));
        return a;
    }
    default: {
        Json o = Json::object();
        for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i)
            o["k" + std::to_string(rng() % 6)] = random_value(rng, depth + 1);
        return o;
    }
    }
}

std::string uuid_of(std::uint64_t n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "0190a000-0000-7000-8000-%012llx",
                  static_cast<unsigned long long>(n & 0xffffffffffffULL));
    return buf;
}

// A valid page as text, members in a random order (the server writes one order; the decoders
// must not depend on it), sometimes with members neither decoder knows.
std::string random_page(std::mt19937_64& rng) {
    auto member = [](const std::string& k, const std::string& v) {
        return Json(k).dump() + ":" + v;
    };
    auto object = [&](std::vector<std::string> members) {
        std::shuffle(members.begin(), members.end(), rng);
        std::string out = "{";
        for (std::size_t i = 0; i < members.size(); ++i)
            out += (i ? "," : "") + members[i];
        return out + "}";
    };
    const char* entities[] = {"observation", "visit", "comment", "school", "evidence"};
    std::vector<std::string> ops;
    std::int64_t seq = 1 + static_cast<std::int64_t>(rng() % 1000);
    for (int i = 0, n = static_cast<int>(rng() % 30); i < n; ++i) {
        const bool del = rng() % 5 == 0;
        Json fields = Json::object();
        for (int k = 0, m = 1 + static_cast<int>(rng() % 5); k < m; ++k)
            fields["f" + std::to_string(rng() % 8)] = random_value(rng, 1);
        std::vector<std::string> c = {
            member("op", Json(uuid_of(rng())).dump()),
            member("entity", Json(entities[rng() % 5]).dump()),
            member("id", Json(uuid_of(rng())).dump()),
            member("school", Json(uuid_of(rng())).dump()),
            member("kind", del ? "\"delete\"" : "\"upsert\""),
            member("hlc", "\"2026-11-22T10:00:00.123Z-00" + std::to_string(10 + rng() % 80) +
                              "-dev_" + std::to_string(rng() % 9) + "\""),
            member("base", std::to_string(rng() % 50)),
            member("dseq", std::to_string(1 + rng() % 50)),
            member("schema", std::to_string(1 + rng() % 2)),
            member("seq", std::to_string(seq += 1 + static_cast<std::int64_t>(rng() % 3)))};
        if (!del || rng() % 3 == 0)
            c.push_back(member("fields", del ? (rng() % 2 ? "{}" : "null") : fields.dump()));
        if (rng() % 6 == 0) c.push_back(member("extra", random_value(rng, 1).dump()));
        ops.push_back(object(c));
    }
    std::string list = "[";
    for (std::size_t i = 0; i < ops.size(); ++i)
        list += (i ? "," : "") + ops[i];
    list += "]";
    std::vector<std::string> root = {member("cursor", std::to_string(seq)),
                                     member("more", rng() % 2 ? "true" : "false"),
                                     member("ops", list)};
    if (rng() % 3 == 0) {
        root.push_back(member("held", std::to_string(1 + rng() % 5)));
        root.push_back(member("held_since", std::to_string(rng() % (seq + 1))));
    }
    if (rng() % 3 == 0)
        root.push_back(member("purge", Json::array({uuid_of(rng()), uuid_of(rng())}).dump()));
    if (rng() % 5 == 0) root.push_back(member("later", random_value(rng, 1).dump()));
    return object(root);
}

// A body broken one way: bytes cut, changed or added; a member of another type, missing, or
// said twice (one of `keys`, the second time differently).
std::string mutated(std::string b, std::mt19937_64& rng, const std::vector<std::string>& keys) {
    switch (rng() % 6) {
    case 0: { // a value of another type somewhere
        Json j = Json::parse(b);
        std::vector<Json::json_pointer> all;
        paths(j, Json::json_pointer(), all);
        for (int k = 0, n = 1 + static_cast<int>(rng() % 2); k < n && all.size() > 1; ++k) {
            const auto& at = all[1 + rng() % (all.size() - 1)];
            if (j.contains(at)) j[at] = odd_value(rng);
        }
        b = j.dump();
        break;
    }
    case 1: { // a member removed
        Json j = Json::parse(b);
        std::vector<Json::json_pointer> all;
        paths(j, Json::json_pointer(), all);
        if (all.size() > 1) {
            const auto at = all[1 + rng() % (all.size() - 1)];
            if (j.contains(at) && j[at.parent_pointer()].is_object())
                j[at.parent_pointer()].erase(at.back());
        }
        b = j.dump();
        break;
    }
    case 2: { // a member said twice, the second time differently
        const std::string key = keys[rng() % keys.size()];
        const auto at = b.find(key);
        if (at != std::string::npos)
            b.insert(at, key + (rng() % 2 ? "\"0190a000-0000-7000-8000-000000000001\"," : "7,"));
        break;
    }
    case 3:
        if (!b.empty()) b.resize(rng() % b.size());
        break;
    case 4:
        if (!b.empty()) b[rng() % b.size()] = "{}[]\",:0-9az\\ \x80\xff"[rng() % 16];
        break;
    default:
        if (!b.empty())
            b.insert(rng() % b.size(), std::string(1 + rng() % 3, "{[\",:1e-"[rng() % 8]));
    }
    return b;
}

// A valid push request: a random page's changes, some without their seq, from one device,
// sometimes with an epoch, a restart, or members neither decoder knows.
std::string random_push(std::mt19937_64& rng) {
    Json page = Json::parse(random_page(rng));
    Json ops = Json::array();
    for (Json& c : page["ops"]) {
        if (rng() % 2) c.erase("seq");
        ops.push_back(std::move(c));
    }
    Json push{{"device", "tablet-" + std::to_string(rng() % 9)}, {"ops", std::move(ops)}};
    if (rng() % 3 == 0) push["epoch"] = std::string(32, "0123456789abcdef"[rng() % 16]);
    if (rng() % 3 == 0) push["restart"] = rng() % 2 ? Json(true) : Json(nullptr);
    if (rng() % 5 == 0) push["later"] = random_value(rng, 1);
    return push.dump();
}

// Whatever the two push decoders both read must be read the same.
void expect_same_push(const PushRequest& a, const PushRequest& b, const std::string& text) {
    EXPECT_EQ(encode(a), encode(b)) << text;
    EXPECT_EQ(a.epoch, b.epoch) << text;
    EXPECT_EQ(a.restart, b.restart) << text;
}

} // namespace

TEST(Protocol, TheStreamingDecoderReadsValidPagesAsTheCheckedOneDoes) {
    std::mt19937_64 rng(sitevisit::testing::test_seed("streaming decoder", 20261201));
    int changes = 0;
    for (int i = 0; i < 1000; ++i) {
        const std::string text = random_page(rng);
        auto checked = decode_pull_response(text);
        ASSERT_TRUE(checked.ok()) << checked.error().message << "\n" << text;
        ASSERT_TRUE(checked->set_aside.empty()) << checked->set_aside[0].reason << "\n" << text;
        auto streamed = decode_pull_stream(text);
        ASSERT_TRUE(streamed.has_value()) << text;
        expect_same_page(*streamed, *checked, text);
        changes += static_cast<int>(streamed->ops.size());
        // The server's own writing of it reads back the same, both ways.
        const std::string again = encode_pull_body(*streamed);
        EXPECT_EQ(Json::parse(again), encode(*streamed));
        auto back = decode_pull_stream(again);
        ASSERT_TRUE(back.has_value()) << again;
        expect_same_page(*back, *checked, again);
    }
    EXPECT_GT(changes, 1000 * 10);
}

// Broken pages (bytes cut, changed or added; members of the wrong type, missing, repeated):
// whatever the streaming decoder takes, the checked one takes the same way; what the checked one
// refuses or sets aside, the streaming one never takes. decode_pull_page() answers as the
// checked decoder does.
TEST(Protocol, TheStreamingDecoderTakesNothingTheCheckedOneRefuses) {
    std::mt19937_64 rng(sitevisit::testing::test_seed("streaming decoder mutation", 20261201));
    int taken = 0, left = 0, refused = 0, set_aside = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string b = random_page(rng);
        b = mutated(std::move(b), rng,
                    {"\"op\":", "\"seq\":", "\"kind\":", "\"cursor\":", "\"more\":", "\"fields\":",
                     "\"base\":", "\"ops\":"});
        auto checked = decode_pull_response(b);
        std::optional<PullResponse> streamed;
        ASSERT_NO_THROW(streamed = decode_pull_stream(b)) << b;
        if (streamed) {
            ++taken;
            ASSERT_TRUE(checked.ok()) << "streamed but refused: " << checked.error().message << "\n"
                                      << b;
            ASSERT_TRUE(checked->set_aside.empty())
                << "streamed but set aside: " << checked->set_aside[0].reason << "\n"
                << b;
            expect_same_page(*streamed, *checked, b);
        } else if (!checked.ok()) {
            ++refused;
        } else if (!checked->set_aside.empty()) {
            ++set_aside;
        } else {
            ++left; // plainly valid, yet left to the checked decoder (a repeated member)
        }
        auto page = decode_pull_page(b);
        ASSERT_EQ(page.ok(), checked.ok()) << b;
        if (page.ok()) expect_same_page(*page, *checked, b);
    }
    std::cout << "[ figures ] streamed " << taken << ", refused by both " << refused
              << ", set aside by the checked decoder " << set_aside
              << ", valid but left to the checked decoder " << left << "\n";
    EXPECT_GT(taken, 0);
    EXPECT_GT(refused, 0);
    EXPECT_GT(set_aside, 0);
}

TEST(Protocol, TheStreamingDecoderRefusesWhatTheCheckedOneRefuses) {
    PullResponse pull;
    pull.ops = {sample(3)};
    pull.ops[0].seq = 77;
    pull.cursor = 77;
    const std::string good = encode_pull_body(pull);
    ASSERT_TRUE(decode_pull_stream(good).has_value());
    auto with_fields = [&](const std::string& fields) {
        std::string b = good;
        const auto at = b.find("\"fields\":{");
        const auto end = b.find('}', at);
        return b.substr(0, at) + "\"fields\":" + fields + b.substr(end + 1);
    };
    // The nesting limit: the page is level 1, the list 2, the change 3, its fields 4.
    const std::string ok_deep =
        with_fields("{\"a\":" + std::string(28, '[') + std::string(28, ']') + "}");
    EXPECT_TRUE(decode_pull_stream(ok_deep).has_value());
    EXPECT_TRUE(decode_pull_response(ok_deep).ok());
    std::vector<std::string> hostile = {
        with_fields("{\"a\":" + std::string(29, '[') + std::string(29, ']') + "}"),
        with_fields("{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}"),
        with_fields("{\"a\":\"\xc3\x28\"}"), // not UTF-8
        with_fields("{\"a\":1e999}"),        // out of range
        with_fields("{}"),                   // an upsert without fields: set aside
        with_fields("[1]"),
        good + "x",
        good.substr(0, good.size() - 1),
        "[" + good + "]",
        R"({"cursor":18446744073709551615,"more":false,"ops":[]})",
        R"({"cursor":-1,"more":false,"ops":[]})",
        R"({"cursor":1.0,"more":false,"ops":[]})",
        R"({"cursor":1,"more":0,"ops":[]})",
        R"({"cursor":1,"more":false,"ops":{}})",
        R"({"cursor":1,"more":false})",
        R"({"cursor":1,"more":false,"ops":[],"purge":["not-a-school"]})",
        R"({"cursor":1,"more":false,"ops":[],"purge":"x"})",
        R"({"cursor":1,"more":false,"ops":[],"held":2})",
        R"({"cursor":1,"more":false,"ops":[],"held":2,"held_since":5})",
        R"({"cursor":1,"more":false,"ops":[7]})",
        "",
        "null",
    };
    std::string many = R"({"cursor":1,"more":false,"ops":[)";
    for (int i = 0; i < 5001; ++i)
        many += (i ? "," : "") + pull.ops[0].to_json().dump();
    hostile.push_back(many + "]}");
    for (const auto& b : hostile) {
        EXPECT_FALSE(decode_pull_stream(b).has_value()) << b.substr(0, 300);
        auto checked = decode_pull_response(b);
        EXPECT_TRUE(!checked.ok() || !checked->set_aside.empty()) << b.substr(0, 300);
        auto page = decode_pull_page(b);
        EXPECT_EQ(page.ok(), checked.ok());
    }
}

TEST(Protocol, ChangesAreWrittenFromStoredFieldsAsToJsonWritesThem) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 500; ++i) {
        Change c = sample(i);
        c.fields = Json::object();
        for (int k = 0; k < 4; ++k)
            c.fields["f" + std::to_string(k)] = random_value(rng, 1);
        c.seq = i % 3 ? 1000 + i : 0;
        c.kind = i % 7 ? ChangeKind::Upsert : ChangeKind::Delete;
        c.school = i % 5 ? c.school : "";
        c.hlc = i % 11 ? c.hlc : "2026-11-22T10:00:00.123Z-0003-d\"ev\\ice";
        EXPECT_EQ(encode_change(c, c.fields.dump()), c.to_json().dump());
    }
}

// The server reads a push request event by event as a device reads a pull page: valid requests
// as the checked decoder reads them, and broken ones never taken where the checked decoder
// refuses them; decode_push_request() answers as the checked decoder does.
TEST(Protocol, TheStreamingPushDecoderReadsAsTheCheckedOneAndTakesNothingItRefuses) {
    std::mt19937_64 rng(sitevisit::testing::test_seed("streaming push decoder", 20261202));
    int valid = 0, taken = 0, refused = 0, left = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string b = random_push(rng);
        if (i % 4 == 0) { // a quarter as they are: valid, and both decoders read them alike
            auto checked = decode_push_checked(b);
            ASSERT_TRUE(checked.ok()) << checked.error().message << "\n" << b;
            auto streamed = decode_push_stream(b);
            ASSERT_TRUE(streamed.has_value()) << b;
            expect_same_push(*streamed, *checked, b);
            ++valid;
            continue;
        }
        b = mutated(std::move(b), rng,
                    {"\"op\":", "\"seq\":", "\"kind\":", "\"device\":", "\"restart\":",
                     "\"fields\":", "\"base\":", "\"ops\":"});
        auto checked = decode_push_checked(b);
        std::optional<PushRequest> streamed;
        ASSERT_NO_THROW(streamed = decode_push_stream(b)) << b;
        if (streamed) {
            ++taken;
            ASSERT_TRUE(checked.ok()) << "streamed but refused: " << checked.error().message << "\n"
                                      << b;
            expect_same_push(*streamed, *checked, b);
        } else if (!checked.ok()) {
            ++refused;
        } else {
            ++left; // valid, yet left to the checked decoder (a repeated member, a null epoch)
        }
        auto request = decode_push_request(b);
        ASSERT_EQ(request.ok(), checked.ok()) << b;
        if (request.ok())
            expect_same_push(*request, *checked, b);
        else
            EXPECT_EQ(request.error().message, checked.error().message) << b;
    }
    std::cout << "[ figures ] valid " << valid << ", broken and streamed " << taken
              << ", refused by both " << refused << ", left to the checked decoder " << left
              << "\n";
    EXPECT_EQ(valid, 3000 / 4);
    EXPECT_GT(taken, 0);
    EXPECT_GT(refused, 0);
}

namespace {

// Every SAX event written down as a line, to compare two readers.
struct Recorder {
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;
    std::vector<std::string> events;
    // A float nlohmann takes as zero, which read_json_events leaves to the checked decoder.
    bool odd_float = false;
    int refuse_at = -1; // the event the handler refuses, to see both stop there

    bool add(std::string e) {
        events.push_back(std::move(e));
        return static_cast<int>(events.size()) != refuse_at;
    }
    bool null() { return add("null"); }
    bool boolean(bool v) { return add(v ? "true" : "false"); }
    bool number_integer(number_integer_t v) { return add("int " + std::to_string(v)); }
    bool number_unsigned(number_unsigned_t v) { return add("uint " + std::to_string(v)); }
    bool number_float(number_float_t v, const string_t& token) {
        if (v == 0 && token.find_first_of("123456789") < token.find_first_of("eE"))
            odd_float = true; // underflowed
        char text[64];
        std::snprintf(text, sizeof text, "float %.17g %s", v, token.c_str());
        return add(text);
    }
    bool string(string_t& v) { return add("string " + v); }
    bool binary(binary_t&) { return add("binary"); }
    bool key(string_t& k) { return add("key " + k); }
    bool start_object(std::size_t n) { return add("{ " + std::to_string(n)); }
    bool end_object() { return add("}"); }
    bool start_array(std::size_t n) { return add("[ " + std::to_string(n)); }
    bool end_array() { return add("]"); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        return false;
    }
};

struct Read {
    bool ok = false;
    Recorder r;
};

Read with_nlohmann(std::string_view text, int refuse_at = -1) {
    Read out;
    out.r.refuse_at = refuse_at;
    try {
        out.ok = Json::sax_parse(text.begin(), text.end(), &out.r);
    } catch (const std::exception&) {
        out.ok = false;
    }
    return out;
}

// The text in a buffer of exactly its size, so a read past its end is caught by the sanitizers.
Read with_reader(std::string_view text, int refuse_at = -1) {
    Read out;
    out.r.refuse_at = refuse_at;
    auto exact = std::make_unique<char[]>(text.size());
    std::copy(text.begin(), text.end(), exact.get());
    out.ok = read_json_events(std::string_view(exact.get(), text.size()), out.r);
    return out;
}

// Random JSON text: every kind of value, escapes, non-ASCII text, numbers at their edges, and
// whitespace where the grammar allows it.
struct JsonMaker {
    std::mt19937_64& rng;
    int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
    std::string space() {
        static const char* spaces[] = {"", "", "", " ", "\n", "\t ", "\r\n  "};
        return spaces[pick(7)];
    }
    std::string text() {
        static const char* parts[] = {"a",
                                      "Room 12",
                                      "\\\"",
                                      "\\\\",
                                      "\\/",
                                      "\\n",
                                      "\\t",
                                      "\\b\\f\\r",
                                      "\\u0041",
                                      "\\u00e9",
                                      "\\u20ac",
                                      "\\ud83d\\ude00",
                                      "\\u0000",
                                      "é",
                                      "€",
                                      "😀",
                                      "日本",
                                      "' <>&",
                                      "0190a000-0000"};
        std::string s = "\"";
        for (int i = pick(6); i > 0; --i)
            s += parts[pick(19)];
        return s + "\"";
    }
    std::string number() {
        static const char* numbers[] = {"0",
                                        "-0",
                                        "7",
                                        "-7",
                                        "42",
                                        "1234567890",
                                        "9223372036854775807",
                                        "-9223372036854775808",
                                        "9223372036854775808",
                                        "18446744073709551615",
                                        "18446744073709551616",
                                        "-9223372036854775809",
                                        "0.5",
                                        "-0.25",
                                        "1e3",
                                        "1E-3",
                                        "2.5e+10",
                                        "-0.0",
                                        "1e308",
                                        "123456789012345678901234567890",
                                        "3.141592653589793",
                                        "6.02214076e23",
                                        "4.9406564584124654e-324",
                                        "2.2250738585072014e-308",
                                        "1.7976931348623157e308",
                                        "0.1000000000000000055511151231257827021181583404541015625",
                                        "1e-0",
                                        "-0e0",
                                        "2.4703282292062328e-324",
                                        "9007199254740993",
                                        "1.00000000000000011102230246251565"};
        if (pick(4) == 0) { // a float of random digits and exponent
            std::string s = std::to_string(pick(1000000)) + "." + std::to_string(pick(1000000));
            return s + "e" + std::to_string(pick(600) - 300);
        }
        return numbers[pick(31)];
    }
    std::string value(int depth) {
        const int kind = depth > 4 ? pick(5) : pick(7);
        switch (kind) {
        case 0:
            return text();
        case 1:
            return number();
        case 2:
            return pick(2) ? "true" : "false";
        case 3:
            return "null";
        case 4:
            return number();
        case 5: {
            std::string s = "{" + space();
            for (int i = pick(4); i > 0; --i) {
                s += text() + space() + ":" + space() + value(depth + 1) + space();
                if (i > 1) s += "," + space();
            }
            return s + "}";
        }
        default: {
            std::string s = "[" + space();
            for (int i = pick(4); i > 0; --i) {
                s += value(depth + 1) + space();
                if (i > 1) s += "," + space();
            }
            return s + "]";
        }
        }
    }
};

} // namespace

TEST(Protocol, TheJsonReaderReadsValidTextAsNlohmannDoes) {
    std::mt19937_64 rng(sitevisit::testing::test_seed("json reader", 20261202));
    JsonMaker make{rng};
    int objects = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::string text = make.space() + make.value(0) + make.space();
        const Read a = with_nlohmann(text), b = with_reader(text);
        ASSERT_TRUE(a.ok) << text; // the maker writes only JSON
        ASSERT_TRUE(b.ok) << text;
        ASSERT_EQ(a.r.events, b.r.events) << text;
        objects += text.find('{') != std::string::npos;
        // A handler that refuses an event stops both at the same place.
        const int refuse = 1 + make.pick(static_cast<int>(a.r.events.size()));
        const Read c = with_nlohmann(text, refuse), d = with_reader(text, refuse);
        ASSERT_FALSE(c.ok);
        ASSERT_FALSE(d.ok);
        ASSERT_EQ(c.r.events, d.r.events) << text;
    }
    EXPECT_GT(objects, 400); // a seventh of the texts are objects at the top, more within
}

TEST(Protocol, TheJsonReaderTakesNothingNlohmannRefuses) {
    std::mt19937_64 rng(sitevisit::testing::test_seed("json reader mutation", 20261202));
    JsonMaker make{rng};
    const std::string bytes = std::string("{}[]\",:\\/-+.eE0123456789 \n\t\r\x01\x7f\x80\xbf"
                                          "\xc0\xc2\xe0\xed\xf0\xf4\xf5\xfftrufalsenu") +
                              '\0';
    int taken = 0, refused = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string text = make.value(0);
        for (int m = 1 + make.pick(3); m > 0; --m) {
            const std::size_t at =
                static_cast<std::size_t>(make.pick(static_cast<int>(text.size()) + 1));
            switch (make.pick(4)) {
            case 0:
                text.insert(
                    at, 1,
                    bytes[static_cast<std::size_t>(make.pick(static_cast<int>(bytes.size())))]);
                break;
            case 1:
                if (at < text.size()) text.erase(at, 1);
                break;
            case 2:
                if (at < text.size())
                    text[at] =
                        bytes[static_cast<std::size_t>(make.pick(static_cast<int>(bytes.size())))];
                break;
            default:
                text.resize(at);
                break;
            }
        }
        const Read a = with_nlohmann(text), b = with_reader(text);
        if (b.ok) {
            ASSERT_TRUE(a.ok) << text;
            ASSERT_EQ(a.r.events, b.r.events) << text;
            ++taken;
        } else {
            // Refused by the reader: nlohmann refuses it too, or it holds a float that became
            // zero or a NUL byte (where nlohmann stops reading), which the reader leaves to the
            // checked decoder.
            ASSERT_TRUE(!a.ok || a.r.odd_float || text.find('\0') != std::string::npos) << text;
            ++refused;
        }
    }
    std::cout << "mutated texts: " << taken << " read alike, " << refused << " refused\n";
    EXPECT_GT(taken, 1000);
    EXPECT_GT(refused, 1000);
}

TEST(Protocol, TheJsonReaderRefusesWhatJsonDoesNotAllow) {
    for (const std::string& bad : std::vector<std::string>{"",
                                                           " ",
                                                           "01",
                                                           "-",
                                                           "1.",
                                                           ".5",
                                                           "1e",
                                                           "1e+",
                                                           "+1",
                                                           "[1,]",
                                                           "[,1]",
                                                           "{\"a\":1,}",
                                                           "{\"a\" 1}",
                                                           "{a:1}",
                                                           "{\"a\":}",
                                                           "[1 2]",
                                                           "\"abc",
                                                           "\"a\\x\"",
                                                           "\"\\u12\"",
                                                           "\"\\ud83d\"",
                                                           "\"\\ude00\"",
                                                           "\"\\ud83d\\u0041\"",
                                                           std::string("\"a\x01\""),
                                                           "\"\xc0\xaf\"",
                                                           "\"\xe0\x80\xaf\"",
                                                           "\"\xed\xa0\x80\"",
                                                           "\"\xf4\x90\x80\x80\"",
                                                           "\"\xff\"",
                                                           "\"\xc3\"",
                                                           "tru",
                                                           "nul",
                                                           "falsey",
                                                           "[1]x",
                                                           "{}{}",
                                                           "[[[]]",
                                                           "]",
                                                           "1e400"}) {
        EXPECT_FALSE(with_reader(bad).ok) << bad;
        EXPECT_FALSE(with_nlohmann(bad).ok) << bad;
    }
    // Nesting deeper than any stack of calls would take: the reader's stack is its own.
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    const Read r = with_reader(deep);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.r.events.size(), 400000u);
    // Left to the checked decoder, though nlohmann reads them: a byte-order mark, a float that
    // becomes zero, and a NUL byte after the value.
    for (const std::string& stricter :
         std::vector<std::string>{"\xEF\xBB\xBF{}", "1e-400", std::string("[1]\0junk", 9)}) {
        EXPECT_FALSE(with_reader(stricter).ok);
        EXPECT_TRUE(with_nlohmann(stricter).ok);
    }
    // A float's text as nlohmann hands it over: with the locale's decimal point. A German
    // locale is made for the test when the machine has none (Debian's locales package).
    const bool german = std::setlocale(LC_NUMERIC, "de_DE.UTF-8") || [] {
        const auto dir = std::filesystem::temp_directory_path() / "sitevisit-test-locales";
        std::filesystem::create_directories(dir);
        const std::string made =
            "localedef -i de_DE -f UTF-8 '" + (dir / "de_DE.UTF-8").string() + "' > /dev/null 2>&1";
        if (std::system(made.c_str()) != 0) return false;
        ::setenv("LOCPATH", dir.c_str(), 1); // read again by each setlocale
        return std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr;
    }();
    if (german) {
        const Read a = with_nlohmann("[0.5, 1.25e1]"), b = with_reader("[0.5, 1.25e1]");
        std::setlocale(LC_NUMERIC, "C");
        ASSERT_TRUE(a.ok && b.ok);
        EXPECT_EQ(a.r.events, b.r.events);
        EXPECT_NE(b.r.events[1].find("0,5"), std::string::npos) << b.r.events[1];
    } else {
        std::cout << "no German locale here (install Debian's locales package): the float text "
                     "under a comma-decimal locale is not checked\n";
    }
}
