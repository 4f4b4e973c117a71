// Two sitevisit-server processes on one PostgreSQL store, as behind a load balancer: many
// devices pushing to both while others pull live from both never miss a change (seqs commit in
// order), not even when one server is SIGKILLed mid-push and its devices go on with the other;
// a push to one wakes a pull held by the other; an upload begun on one finishes on the other
// and both serve it; and sessions and failed sign-ins are the store's, not a server's. Run with
// SITEVISIT_TEST_STORE=postgresql (the embedded SQLite store serves one process).

#include "server_fixture.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace sitevisit::e2e {
namespace {

using Clock = std::chrono::steady_clock;

struct SharedStore : Demo {
    ServerProcess second;

    void SetUp() override {
        if (!on_postgresql()) GTEST_SKIP() << "runs with SITEVISIT_TEST_STORE=postgresql";
        Demo::SetUp();
        second.share_store_of(server);
        second.start();
        ASSERT_TRUE(second.running());
    }

    // Server 0 or 1.
    Http at(int which) { return which == 0 ? server.http() : second.http(); }

    static std::string pull_path(std::int64_t since, int wait = 0) {
        return "/v1/sync/pull?since=" + std::to_string(since) +
               "&limit=500&schema=" + std::to_string(kDataSchemaVersion) +
               (wait ? "&wait=" + std::to_string(wait) : "");
    }

    // Pulls from one server until `more` is false; every op, in order.
    std::vector<Json> pull_all_at(int which, const std::string& token, std::int64_t since,
                                  std::int64_t* cursor) {
        std::vector<Json> ops;
        for (int guard = 0; guard < 10000; ++guard) {
            auto r = at(which).request("GET", pull_path(since), {}, bearer(token));
            EXPECT_EQ(r.status, 200) << r.body;
            if (r.status != 200) break;
            Json j = r.json();
            for (auto& op : j["ops"])
                ops.push_back(op);
            since = j.value("cursor", since);
            if (!j.value("more", false)) break;
        }
        *cursor = since;
        return ops;
    }
};

std::vector<std::pair<std::string, std::string>> chunk_headers(const std::string& token,
                                                               std::int64_t offset) {
    return tus(token, {{"Upload-Offset", std::to_string(offset)},
                       {"Content-Type", "application/offset+octet-stream"}});
}

TEST_F(SharedStore, ManyWritersOnTwoServersAndLivePullersMissNoChange) {
    const std::uint64_t seed = test_seed("shared store writers", 14);
    constexpr int kWriters = 8, kPushes = 30, kPullers = 4;
    // Signed in one after another (sign-ins at once count as guesses until each is checked).
    // The pullers and the checker sync once first: a device's first pull appends its scope's
    // rows for it alone, and those are not what this test follows.
    std::vector<std::string> tokens;
    for (int d = 0; d < kWriters + kPullers + 1; ++d)
        tokens.push_back(login(at(d % 2), "admin@demo.sitevisit", "admin-demo-2026",
                               "device-" + std::to_string(d)));
    std::int64_t start = 0;
    for (int d = kWriters; d < kWriters + kPullers + 1; ++d) {
        std::int64_t cursor = 0;
        pull_all(tokens[d], 0, &cursor);
        start = std::max(start, cursor);
    }
    const std::string checker = tokens.back();

    std::atomic<int> failures{0};
    std::mutex mutex;
    std::vector<std::string> problems; // what failed, for the failure message
    auto problem = [&](const std::string& what) {
        std::lock_guard lock(mutex);
        problems.push_back(what);
        ++failures;
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w)
        threads.emplace_back([&, w] {
            std::mt19937_64 rng(seed + static_cast<std::uint64_t>(w));
            const std::string device = "device-" + std::to_string(w);
            const std::string& token = tokens[w];
            std::int64_t dseq = 0;
            for (int p = 0; p < kPushes; ++p) {
                Json ops = Json::array();
                const int n = 1 + static_cast<int>(rng() % 3);
                for (int k = 0; k < n; ++k)
                    ops.push_back(change("visit", new_id(), rng() % 2 ? lincoln : bayside_el,
                                         {{"kind", "walkthrough"},
                                          {"rubric", "msv-2026-2027-elementary"},
                                          {"start_date", "2026-11-23"}},
                                         ++dseq, device));
                // Each push to either server, at random.
                auto r = at(static_cast<int>(rng() % 2))
                             .request("POST", "/v1/sync/push",
                                      Json{{"device", device}, {"ops", ops}}.dump(), bearer(token));
                if (r.status != 200)
                    problem(device + " push " + std::to_string(p) + ": " +
                            std::to_string(r.status) + " " + r.body.substr(0, 300));
            }
        });

    // Pullers follow the log live from both servers, each from its own cursor.
    std::vector<std::vector<std::int64_t>> seen(kPullers);
    std::vector<std::int64_t> cursors(kPullers, start);
    std::atomic<std::int64_t> end_of_log{-1};
    for (int p = 0; p < kPullers; ++p)
        threads.emplace_back([&, p] {
            const std::string& token = tokens[kWriters + p];
            std::int64_t cursor = start;
            for (int round = 0; round < 100000; ++round) {
                const std::int64_t end = end_of_log.load();
                if (end >= 0 && cursor >= end) break;
                auto r = at(round % 2).request("GET", pull_path(cursor, 1), {}, bearer(token));
                if (r.status != 200) {
                    problem("puller " + std::to_string(p) + ": " + std::to_string(r.status) + " " +
                            r.body.substr(0, 300));
                    break;
                }
                const Json body = r.json();
                for (const Json& op : body["ops"])
                    seen[p].push_back(op["seq"].get<std::int64_t>());
                cursor = body.value("cursor", cursor);
            }
            cursors[p] = cursor;
        });
    for (int w = 0; w < kWriters; ++w)
        threads[w].join();

    // Every push answered: the log as a device starting now reads it is the truth.
    std::int64_t last = 0;
    const auto all = pull_all(checker, start, &last);
    end_of_log = last;
    for (int p = 0; p < kPullers; ++p)
        threads[kWriters + p].join();
    EXPECT_EQ(failures.load(), 0);
    for (const auto& p : problems)
        ADD_FAILURE() << p;

    std::vector<std::int64_t> expected;
    for (const Json& op : all)
        expected.push_back(op["seq"].get<std::int64_t>());
    ASSERT_GE(expected.size(), static_cast<std::size_t>(kWriters * kPushes));
    // Dense: no seq was handed out twice or left as a gap by a rolled-back push.
    for (std::size_t i = 1; i < expected.size(); ++i)
        ASSERT_EQ(expected[i], expected[i - 1] + 1) << "a gap in the log at " << expected[i - 1];
    for (int p = 0; p < kPullers; ++p) {
        EXPECT_EQ(cursors[p], last) << "puller " << p;
        EXPECT_EQ(seen[p], expected) << "puller " << p << " missed or repeated a change";
    }
    std::cout << expected.size() << " changes pushed by " << kWriters
              << " devices to two servers; each of " << kPullers
              << " live pullers saw every one, in order" << std::endl;
}

TEST_F(SharedStore, AnUploadBegunOnOneServerFinishesOnTheOtherAndBothServeIt) {
    std::mt19937_64 rng(test_seed("shared store upload", 21));
    const std::string token =
        login(at(0), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p");
    std::string bytes(400000, '\0');
    for (auto& c : bytes)
        c = static_cast<char>(rng());
    const std::string sha = server::sha256_hex(bytes);
    const std::string path = "/v1/blobs/" + sha;
    constexpr std::int64_t kChunk = 100000;
    auto piece = [&](std::int64_t from) {
        return bytes.substr(static_cast<std::size_t>(from), kChunk);
    };

    // Begun on server 0: made, and its first chunk.
    auto created = at(0).request("POST", "/v1/blobs", {},
                                 tus(token, {{"Upload-Length", std::to_string(bytes.size())},
                                             {"Upload-Metadata", "sha256 " + base64(sha)}}));
    ASSERT_EQ(created.status, 201) << created.body;
    auto first = at(0).request("PATCH", path, piece(0), chunk_headers(token, 0));
    ASSERT_EQ(first.status, 204) << first.body;
    EXPECT_EQ(first.header("upload-offset"), std::to_string(kChunk));
    // Made again on the other server (a retried creation): the same upload, at its offset.
    auto again = at(1).request("POST", "/v1/blobs", {},
                               tus(token, {{"Upload-Length", std::to_string(bytes.size())},
                                           {"Upload-Metadata", "sha256 " + base64(sha)}}));
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.header("upload-offset"), std::to_string(kChunk));

    // The same chunk sent to both servers at once: one takes it, the other answers 409 with
    // the offset the first committed.
    {
        const std::string chunk = piece(kChunk);
        auto headers = chunk_headers(token, kChunk);
        const int port0 = server.port(), port1 = second.port();
        auto a = std::async(std::launch::async,
                            [&] { return Http(port0).request("PATCH", path, chunk, headers); });
        auto b = std::async(std::launch::async,
                            [&] { return Http(port1).request("PATCH", path, chunk, headers); });
        const Response ra = a.get(), rb = b.get();
        EXPECT_EQ((ra.status == 204) + (rb.status == 204), 1)
            << "answers " << ra.status << " and " << rb.status << ": " << ra.body << rb.body;
        for (const Response* r : {&ra, &rb}) {
            EXPECT_TRUE(r->status == 204 || r->status == 409) << r->status << " " << r->body;
            EXPECT_EQ(r->header("upload-offset"), std::to_string(2 * kChunk)) << r->body;
        }
    }

    // Resumed on server 1: HEAD gives the offset server 0's chunks reached, and the rest goes
    // there; a chunk at a stale offset is refused with the right one.
    auto head = at(1).request("HEAD", path, {}, tus(token));
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.header("upload-offset"), std::to_string(2 * kChunk));
    EXPECT_EQ(head.header("upload-length"), std::to_string(bytes.size()));
    auto stale = at(1).request("PATCH", path, piece(kChunk), chunk_headers(token, kChunk));
    EXPECT_EQ(stale.status, 409) << stale.body;
    EXPECT_EQ(stale.header("upload-offset"), std::to_string(2 * kChunk));
    for (std::int64_t at_byte = 2 * kChunk; at_byte < static_cast<std::int64_t>(bytes.size());
         at_byte += kChunk) {
        auto r = at(1).request("PATCH", path, piece(at_byte), chunk_headers(token, at_byte));
        ASSERT_EQ(r.status, 204) << r.body;
        EXPECT_EQ(r.header("upload-offset"),
                  std::to_string(std::min<std::int64_t>(at_byte + kChunk, bytes.size())));
    }
    // Complete on both.
    for (int which : {0, 1}) {
        auto h = at(which).request("HEAD", path, {}, tus(token));
        EXPECT_EQ(h.status, 200) << "server " << which;
        EXPECT_EQ(h.header("upload-offset"), std::to_string(bytes.size())) << "server " << which;
    }

    // Evidence names it; then either server serves every byte of it, and ranges of it.
    auto ev = at(0).request("POST", "/v1/sync/push",
                            Json{{"device", "laptop-p"},
                                 {"ops", Json::array({change("evidence", new_id(), lincoln,
                                                             {{"title", "Shared upload"},
                                                              {"kind", "photo"},
                                                              {"sha256", sha},
                                                              {"size", bytes.size()},
                                                              {"media_type", "image/jpeg"}},
                                                             1, "laptop-p")})}}
                                .dump(),
                            bearer(token));
    ASSERT_EQ(ev.status, 200) << ev.body;
    ASSERT_EQ(ev.json()["results"][0]["status"], "applied") << ev.body;
    for (int which : {0, 1}) {
        auto got = at(which).request("GET", path, {}, bearer(token));
        ASSERT_EQ(got.status, 200) << "server " << which << ": " << got.body.substr(0, 200);
        EXPECT_TRUE(got.body == bytes) << "server " << which << " served other bytes";
        auto part = at(which).request(
            "GET", path, {},
            {{"Authorization", "Bearer " + token}, {"Range", "bytes=123456-234566"}});
        EXPECT_EQ(part.status, 206) << "server " << which;
        EXPECT_TRUE(part.body == bytes.substr(123456, 111111)) << "server " << which;
    }
    // Nothing is left unfinished.
    for (const auto& e : std::filesystem::directory_iterator(server.data() / "blobs" / "partial"))
        ADD_FAILURE() << "left in partial: " << e.path();
}

TEST_F(SharedStore, AServerKilledMidPushLosesNoAcknowledgedChangeAndItsDevicesGoOnWithTheOther) {
    const std::uint64_t seed = test_seed("shared store kill", 33);
    constexpr int kWriters = 8, kPushes = 24, kPullers = 4, kKillAt = 8;
    std::vector<std::string> tokens;
    for (int d = 0; d < kWriters + kPullers + 1; ++d)
        tokens.push_back(login(at(d % 2), "admin@demo.sitevisit", "admin-demo-2026",
                               "device-" + std::to_string(d)));
    // As above: the pullers and the checker first take the rows their first pull appends.
    std::int64_t start = 0;
    for (int d = kWriters; d < kWriters + kPullers + 1; ++d) {
        std::int64_t cursor = 0;
        pull_all_at(1, tokens[d], 0, &cursor);
        start = std::max(start, cursor);
    }
    const std::string checker = tokens.back();

    std::atomic<bool> killed{false};
    std::atomic<int> failures{0}, cut{0}, retried{0};
    std::mutex mutex;
    std::map<std::string, std::int64_t> acknowledged; // op id -> the seq its answer gave
    std::set<std::string> sent;                       // every op id a device sent
    std::vector<std::string> problems;
    auto problem = [&](const std::string& what) {
        std::lock_guard lock(mutex);
        problems.push_back(what);
        ++failures;
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w)
        threads.emplace_back([&, w] {
            std::mt19937_64 rng(seed + static_cast<std::uint64_t>(w));
            const std::string device = "device-" + std::to_string(w);
            const std::string& token = tokens[w];
            bool on_second_only = false; // after its push to server 0 failed
            std::int64_t dseq = 0;
            for (int p = 0; p < kPushes; ++p) {
                Json ops = Json::array();
                const int n = 1 + static_cast<int>(rng() % 3);
                for (int k = 0; k < n; ++k)
                    ops.push_back(change("visit", new_id(), rng() % 2 ? lincoln : bayside_el,
                                         {{"kind", "walkthrough"},
                                          {"rubric", "msv-2026-2027-elementary"},
                                          {"start_date", "2026-11-23"}},
                                         ++dseq, device));
                const std::string body = Json{{"device", device}, {"ops", ops}}.dump();
                {
                    std::lock_guard lock(mutex);
                    for (const Json& op : ops)
                        sent.insert(op["op"].get<std::string>());
                }
                int which = on_second_only ? 1 : static_cast<int>(rng() % 2);
                Response r;
                if (w == 0 && p == kKillAt) {
                    // Server 0 is SIGKILLed once this push is in its hands.
                    which = 0;
                    r = Http(server.port())
                            .request_then("POST", "/v1/sync/push", body, bearer(token), [&] {
                                server.kill9();
                                killed = true;
                            });
                } else {
                    r = Http(which == 0 ? server.port() : second.port())
                            .request("POST", "/v1/sync/push", body, bearer(token));
                }
                if (r.status == 0 && which == 0) {
                    // No answer: the same ops (same op ids and dseqs) again, to the other
                    // server, and this device stays there.
                    ++cut;
                    on_second_only = true;
                    r = Http(second.port()).request("POST", "/v1/sync/push", body, bearer(token));
                    ++retried;
                }
                if (r.status != 200) {
                    problem(device + " push " + std::to_string(p) + ": " +
                            std::to_string(r.status) + " " + r.body.substr(0, 300));
                    return;
                }
                const Json results = r.json()["results"];
                if (!results.is_array() || results.size() != ops.size()) {
                    problem(device + " push " + std::to_string(p) + ": " + r.body.substr(0, 300));
                    return;
                }
                std::lock_guard lock(mutex);
                for (std::size_t i = 0; i < ops.size(); ++i) {
                    const Json& res = results.at(i);
                    const std::string status = res.value("status", "");
                    if ((status != "applied" && status != "duplicate") || !res["seq"].is_number()) {
                        problems.push_back(device + ": " + res.dump());
                        ++failures;
                        continue;
                    }
                    acknowledged[ops[i]["op"].get<std::string>()] = res["seq"].get<std::int64_t>();
                }
            }
        });

    // Pullers follow the log live from both servers; one that gets no answer from server 0
    // asks server 1 from the same cursor, and stays there.
    std::vector<std::vector<std::int64_t>> seen(kPullers);
    std::vector<std::int64_t> cursors(kPullers, start);
    std::atomic<std::int64_t> end_of_log{-1};
    for (int p = 0; p < kPullers; ++p)
        threads.emplace_back([&, p] {
            const std::string& token = tokens[kWriters + p];
            std::int64_t cursor = start;
            bool on_second_only = false;
            for (int round = 0; round < 100000; ++round) {
                const std::int64_t end = end_of_log.load();
                if (end >= 0 && cursor >= end) break;
                const int which = on_second_only ? 1 : (round + p) % 2;
                auto r = Http(which == 0 ? server.port() : second.port())
                             .request("GET", pull_path(cursor, 1), {}, bearer(token));
                if (r.status == 0 && which == 0) {
                    on_second_only = true;
                    continue;
                }
                if (r.status != 200) {
                    problem("puller " + std::to_string(p) + ": " + std::to_string(r.status) + " " +
                            r.body.substr(0, 300));
                    break;
                }
                const Json body = r.json();
                for (const Json& op : body["ops"])
                    seen[p].push_back(op["seq"].get<std::int64_t>());
                cursor = body.value("cursor", cursor);
            }
            cursors[p] = cursor;
        });
    for (int w = 0; w < kWriters; ++w)
        threads[w].join();

    std::int64_t last = 0;
    const auto all = pull_all_at(1, checker, start, &last);
    end_of_log = last;
    for (int p = 0; p < kPullers; ++p)
        threads[kWriters + p].join();
    EXPECT_TRUE(killed.load()) << "server 0 was not killed";
    EXPECT_FALSE(server.running());
    EXPECT_EQ(failures.load(), 0);
    for (const auto& p : problems)
        ADD_FAILURE() << p;
    EXPECT_GE(cut.load(), 1) << "no push was cut short by the kill";

    // The log: dense, and every acknowledged change in it exactly once, at the seq its answer
    // gave; nothing in it that a device sent and no answer acknowledged. (The server adds
    // changes of its own, with op ids of its own.)
    std::vector<std::int64_t> expected;
    std::map<std::string, std::vector<std::int64_t>> logged; // op id -> seqs
    for (const Json& op : all) {
        expected.push_back(op["seq"].get<std::int64_t>());
        logged[op["op"].get<std::string>()].push_back(op["seq"].get<std::int64_t>());
    }
    for (std::size_t i = 1; i < expected.size(); ++i)
        ASSERT_EQ(expected[i], expected[i - 1] + 1) << "a gap in the log at " << expected[i - 1];
    ASSERT_GE(acknowledged.size(), static_cast<std::size_t>(kWriters * kPushes));
    for (const auto& [op, seq] : acknowledged) {
        auto it = logged.find(op);
        ASSERT_NE(it, logged.end())
            << "acknowledged op " << op << " (seq " << seq << ") is not in the log";
        EXPECT_EQ(it->second, std::vector<std::int64_t>{seq}) << "op " << op;
    }
    EXPECT_EQ(acknowledged.size(), sent.size()) << "sent ops were never acknowledged";
    for (const auto& [op, seqs] : logged) {
        if (sent.count(op)) {
            EXPECT_TRUE(acknowledged.count(op)) << "op " << op << " is in the log, unacknowledged";
        }
    }
    for (int p = 0; p < kPullers; ++p) {
        EXPECT_EQ(cursors[p], last) << "puller " << p;
        EXPECT_EQ(seen[p], expected) << "puller " << p << " missed or repeated a change";
    }
    std::cout << acknowledged.size() << " changes acknowledged by two servers, one SIGKILLed "
              << "mid-push (" << cut.load() << " pushes cut, sent again to the other); each of "
              << kPullers << " live pullers saw every one once, in order" << std::endl;
}

TEST_F(SharedStore, APushToOneServerWakesAPullHeldByTheOther) {
    const std::string reader =
        login(at(1), "principal@demo.sitevisit", "principal-demo-2026", "principal-tablet");
    const std::string writer = login(at(0), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(reader, 0, &cursor);
    const int port = second.port();
    const auto started = Clock::now();
    auto answer = std::async(std::launch::async, [port, reader, cursor] {
        return Http(port).request("GET", pull_path(cursor, 30), {}, bearer(reader), 45000);
    });
    EXPECT_EQ(answer.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
        << "answered with nothing to say";

    std::string owner;
    for (auto it = everything["rows"]["user"].begin(); it != everything["rows"]["user"].end(); ++it)
        if (it.value()["fields"]["email"] == "principal@demo.sitevisit") owner = it.key();
    const std::string step = new_id();
    Json c = change("next_step", step, lincoln,
                    {{"title", "Post the objectives in every room"},
                     {"owner", owner},
                     {"due_date", "2026-12-15"},
                     {"status", "open"}},
                    1, "tablet-1");
    c["schema"] = kDataSchemaVersion;
    auto pushed = server.http().request(
        "POST", "/v1/sync/push", Json{{"device", "tablet-1"}, {"ops", Json::array({c})}}.dump(),
        bearer(writer));
    ASSERT_EQ(pushed.status, 200) << pushed.body;

    ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready)
        << "the pull held by the other server was not woken";
    const Response r = answer.get();
    const double waited = std::chrono::duration<double>(Clock::now() - started).count();
    ASSERT_EQ(r.status, 200) << r.body;
    const Json body = r.json();
    bool found = false;
    for (const Json& op : body["ops"])
        if (op["id"] == step) found = true;
    EXPECT_TRUE(found) << r.body;
    EXPECT_LT(waited, 10.0);
    std::cout << "a pull held by the other server answered " << waited << " s after it started"
              << std::endl;
}

TEST_F(SharedStore, SessionsAndFailedSignInsAreTheStoresNotAServers) {
    // Signed in on one server, the token works on the other; a revoke ends it on both.
    const std::string token = login(at(0), "lead@demo.sitevisit", "lead-demo-2026", "tablet-a");
    EXPECT_EQ(at(1).request("GET", pull_path(0), {}, bearer(token)).status, 200);
    // Guesses spread over both servers are counted together.
    int refused = 0, limited = 0;
    for (int i = 0; i < 8; ++i) {
        auto r = login_request(at(i % 2), "principal@demo.sitevisit", "wrong-password", "guesser");
        refused += r.status == 401;
        limited += r.status == 429;
    }
    EXPECT_EQ(refused, 5);
    EXPECT_EQ(limited, 3);
    auto revoked = server.admin({"user", "revoke", "--email", "lead@demo.sitevisit"});
    ASSERT_EQ(revoked.code, 0) << revoked.err;
    EXPECT_EQ(at(0).request("GET", pull_path(0), {}, bearer(token)).status, 401);
    EXPECT_EQ(at(1).request("GET", pull_path(0), {}, bearer(token)).status, 401);
}

} // namespace
} // namespace sitevisit::e2e
