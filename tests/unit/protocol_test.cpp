#include "fixtures.h"

#include "sitevisit/protocol/messages.h"

#include <iostream>

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

TEST(Protocol, PushRequestRoundTrips) {
    PushRequest r{"0190a000-0000-7000-8000-00000000de01", {sample(0), sample(1)}};
    auto decoded = decode_push_request(encode(r).dump());
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(encode(*decoded), encode(r));
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

    PushResponse push{{{sample(1).op, OpStatus::Applied, 5, ""}, {sample(2).op, OpStatus::Rejected, 0, "rating must be 0-3"}}, 5};
    auto q = decode_push_response(encode(push).dump());
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_EQ(encode(*q), encode(push));
    EXPECT_EQ(encode(push)["results"][1]["error"], "rating must be 0-3");
}

TEST(Protocol, BadRequestsSayWhereTheyAreWrong) {
    EXPECT_EQ(decode_push_request("{\"device\":\"d\",\"ops\":[").error().message, "the push request is not valid JSON");
    EXPECT_EQ(decode_push_request("[]").error().message, "the push request must be a JSON object");
    EXPECT_EQ(decode_push_request("{\"ops\":[]}").error().message, "\"device\" is missing");
    EXPECT_EQ(decode_push_request("{\"device\":\"a b\",\"ops\":[]}").error().message,
              "\"device\" may hold only letters, digits, - and _");
    Json j = encode(PushRequest{"dev", {sample(0), sample(1)}});
    j["ops"][1]["op"] = "42";
    EXPECT_EQ(decode_push_request(j.dump()).error().message, "ops[1]: change op must be a UUID, got \"42\"");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["entity"] = "gizmo";
    EXPECT_NE(decode_push_request(j.dump()).error().message.find("ops[0]: change names unknown entity \"gizmo\""), std::string::npos);
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["dseq"] = 0;
    EXPECT_EQ(decode_push_request(j.dump()).error().message, "ops[0]: change dseq must be a whole number of at least 1, got 0");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["kind"] = "merge";
    EXPECT_EQ(decode_push_request(j.dump()).error().message, "ops[0]: change kind must be upsert or delete, got \"merge\"");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0]["fields"] = Json::object();
    EXPECT_EQ(decode_push_request(j.dump()).error().message, "ops[0]: change of kind upsert needs at least one field");
    j = encode(PushRequest{"dev", {sample(0)}});
    j["ops"][0].erase("hlc");
    EXPECT_EQ(decode_push_request(j.dump()).error().message, "ops[0]: change needs \"hlc\"");
    Json many{{"device", "dev"}, {"ops", Json::array()}};
    for (std::size_t i = 0; i <= kMaxOpsPerPush; ++i) many["ops"].push_back(1);
    EXPECT_EQ(decode_push_request(many.dump()).error().message, "\"ops\" holds 5001 changes; send at most 5000 at a time");
    EXPECT_EQ(decode_login_request("{\"email\":\"a@b.org\",\"password\":7,\"device\":\"d\"}").error().message,
              "\"password\" must be text");
}

TEST(Protocol, TruncatedAndMangledBodiesNeverCrashTheDecoder) {
    std::uint64_t seed = std::random_device{}();
    if (const char* s = std::getenv("SITEVISIT_SEED")) seed = std::stoull(s);
    std::cout << "protocol mangling seed: " << seed << "\n";
    std::mt19937_64 rng(seed);
    const std::string body = encode(PushRequest{"dev", {sample(0), sample(1), sample(2)}}).dump();
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string b = body;
        switch (rng() % 3) {
        case 0: b.resize(rng() % b.size()); break;
        case 1: b[rng() % b.size()] = static_cast<char>(rng() % 256); break;
        default: b.insert(rng() % b.size(), std::string(1 + rng() % 5, static_cast<char>(rng() % 128)));
        }
        auto r = decode_push_request(b);
        if (r.ok()) {
            ++accepted;
            for (const auto& c : r->ops) ASSERT_TRUE(Change::from_json(c.to_json()).ok());
        } else {
            ASSERT_FALSE(r.error().message.empty());
        }
    }
    EXPECT_LT(accepted, 3000);
}
