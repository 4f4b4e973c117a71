// Two sitevisit-server processes on one PostgreSQL store, as behind a load balancer: many
// devices pushing to both while others pull live from both never miss a change (seqs commit in
// order), a push to one wakes a pull held by the other, and sessions and failed sign-ins are
// the store's, not a server's. Run with SITEVISIT_TEST_STORE=postgresql (the embedded SQLite
// store serves one process).

#include "server_fixture.h"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <random>
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
};

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
                if (r.status != 200) ++failures;
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
                    ++failures;
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
