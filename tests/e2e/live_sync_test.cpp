// Held pulls (GET /v1/sync/pull?wait=S) on the real server: woken by a change the caller may
// read, held when nothing happens or only others' changes land, bounded, answered at a stop,
// and costing no thread while they wait.

#include "server_fixture.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace sitevisit::e2e {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string pull_path(std::int64_t since, int wait) {
    return "/v1/sync/pull?since=" + std::to_string(since) +
           "&limit=500&schema=" + std::to_string(kDataSchemaVersion) +
           "&wait=" + std::to_string(wait);
}

struct Live : Demo {
    Json visit_change(const std::string& id, const std::string& school, int dseq,
                      const std::string& device) {
        return change("visit", id, school,
                      {{"kind", "walkthrough"},
                       {"rubric", "msv-2026-2027-elementary"},
                       {"start_date", "2026-11-23"}},
                      dseq, device);
    }
    // A next step at Lincoln for its principal (who reads it).
    Json step_change(const std::string& id, int dseq, const std::string& device) {
        std::string owner;
        for (auto it = everything["rows"]["user"].begin(); it != everything["rows"]["user"].end();
             ++it)
            if (it.value()["fields"]["email"] == "principal@demo.sitevisit") owner = it.key();
        Json c = change("next_step", id, lincoln,
                        {{"title", "Post the objectives in every room"},
                         {"owner", owner},
                         {"due_date", "2026-12-15"},
                         {"status", "open"}},
                        dseq, device);
        c["schema"] = kDataSchemaVersion;
        return c;
    }
    // A held pull on its own thread; the answer and how long it took.
    struct Waiting {
        std::future<Response> answer;
        Clock::time_point started;
    };
    Waiting wait_from(const std::string& token, std::int64_t since, int wait) {
        Waiting w;
        w.started = Clock::now();
        const int port = server.port();
        w.answer = std::async(std::launch::async, [port, token, since, wait] {
            return Http(port).request("GET", pull_path(since, wait), {}, bearer(token),
                                      (wait + 15) * 1000);
        });
        return w;
    }
};

TEST_F(Live, AWaitingPullIsWokenByAChangeFromAnotherDevice) {
    const std::string reader =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "principal-tablet");
    const std::string writer = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(reader, 0, &cursor);
    auto waiting = wait_from(reader, cursor, 30);
    // Still held a moment later: nothing has happened.
    EXPECT_EQ(waiting.answer.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout);

    // A next step for Lincoln (which the principal reads) from the lead's tablet.
    const std::string step = new_id();
    auto pushed = push(writer, "tablet-1", Json::array({step_change(step, 1, "tablet-1")}));
    ASSERT_EQ(pushed.status, 200) << pushed.body;
    ASSERT_EQ(pushed.json()["results"][0]["status"], "applied") << pushed.body;

    Response r = waiting.answer.get();
    const double took = seconds_since(waiting.started);
    ASSERT_EQ(r.status, 200) << r.body;
    Json page = r.json();
    bool seen = false;
    for (const auto& op : page["ops"])
        if (op["id"] == step) seen = true;
    EXPECT_TRUE(seen) << r.body;
    EXPECT_GT(page["cursor"].get<std::int64_t>(), cursor);
    // Answered when the change landed, not when the 30 s ran out.
    EXPECT_LT(took, 20.0);
}

// An administrator's command run beside the server (another process on the same store)
// wakes the pulls held here too: on SQLite the server looks for other processes' commits four
// times a second; on PostgreSQL they notify it.
TEST_F(Live, AWaitingPullIsWokenByAWriteFromAnotherProcess) {
    const std::string reader =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "principal-tablet");
    std::int64_t cursor = 0;
    pull_all(reader, 0, &cursor);
    auto waiting = wait_from(reader, cursor, 30);
    EXPECT_EQ(waiting.answer.wait_for(std::chrono::milliseconds(700)), std::future_status::timeout);

    // A new person in the directory, which every user reads.
    const auto added_at = Clock::now();
    auto added = server.admin({"user", "add", "--email", "coach@demo.sitevisit", "--name",
                               "Cora Coach", "--role", "admin"},
                              "a-long-password-2026\n");
    ASSERT_EQ(added.code, 0) << added.err;

    Response r = waiting.answer.get();
    ASSERT_EQ(r.status, 200) << r.body;
    const double after_write = std::chrono::duration<double>(Clock::now() - added_at).count();
    const Json page = r.json();
    bool seen = false;
    for (const auto& op : page["ops"])
        seen = seen || (op["entity"] == "user" &&
                        op["fields"].value("email", std::string()) == "coach@demo.sitevisit");
    EXPECT_TRUE(seen) << r.body;
    // Within about a second of the other process's commit, not at the end of the 30 s.
    EXPECT_LT(after_write, 10.0);
}

// The watcher skips reading the log when this server wrote all of it since it last looked; a
// write from another process between two of this server's own still wakes the pull it concerns.
TEST_F(Live, AnotherProcessWriteBetweenThisServersOwnStillWakesAPull) {
    // Pete is the principal of a Bayside school: the lead's pushes at Lincoln are not his.
    const std::string reader =
        login(http(), "principal2@demo.sitevisit", "principal2-demo-2026", "pete-tablet");
    const std::string writer = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(reader, 0, &cursor);
    auto waiting = wait_from(reader, cursor, 30);

    auto own = [&](int dseq) {
        auto pushed = push(writer, "tablet-1",
                           Json::array({visit_change(new_id(), lincoln, dseq, "tablet-1")}));
        ASSERT_EQ(pushed.status, 200) << pushed.body;
    };
    own(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(600)); // the watcher looks: all its own
    EXPECT_EQ(waiting.answer.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
    own(2);
    const auto added_at = Clock::now();
    auto added = server.admin({"user", "add", "--email", "coach@demo.sitevisit", "--name",
                               "Cora Coach", "--role", "admin"},
                              "a-long-password-2026\n");
    ASSERT_EQ(added.code, 0) << added.err;
    own(3);

    Response r = waiting.answer.get();
    ASSERT_EQ(r.status, 200) << r.body;
    const double after_write = std::chrono::duration<double>(Clock::now() - added_at).count();
    const Json page = r.json();
    bool seen = false;
    for (const auto& op : page["ops"])
        seen = seen || (op["entity"] == "user" &&
                        op["fields"].value("email", std::string()) == "coach@demo.sitevisit");
    EXPECT_TRUE(seen) << r.body;
    EXPECT_LT(after_write, 10.0);
}

TEST_F(Live, AWaitingPullIsHeldWhenNothingHappensAndEndsEmpty) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    auto waiting = wait_from(token, cursor, 2);
    Response r = waiting.answer.get();
    const double took = seconds_since(waiting.started);
    ASSERT_EQ(r.status, 200) << r.body;
    Json page = r.json();
    EXPECT_TRUE(page["ops"].empty()) << r.body;
    EXPECT_EQ(page["cursor"], cursor);
    EXPECT_FALSE(page["more"].get<bool>());
    EXPECT_GE(took, 1.9); // held for its wait
}

TEST_F(Live, AChangeTheCallerMayNotReadDoesNotAnswerItsPull) {
    // Pete is the principal of a Bayside school; the lead writes at Lincoln.
    const std::string reader =
        login(http(), "principal2@demo.sitevisit", "principal2-demo-2026", "pete-tablet");
    const std::string writer = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(reader, 0, &cursor);
    auto waiting = wait_from(reader, cursor, 3);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto pushed =
        push(writer, "tablet-1", Json::array({visit_change(new_id(), lincoln, 1, "tablet-1")}));
    ASSERT_EQ(pushed.status, 200) << pushed.body;
    const auto seq = pushed.json()["results"][0]["seq"].get<std::int64_t>();

    Response r = waiting.answer.get();
    const double took = seconds_since(waiting.started);
    ASSERT_EQ(r.status, 200) << r.body;
    Json page = r.json();
    EXPECT_TRUE(page["ops"].empty()) << r.body;
    EXPECT_GE(took, 2.9); // held to its end
    // Its cursor passed the change it may not read, so the next pull does not scan it again.
    EXPECT_GE(page["cursor"].get<std::int64_t>(), seq);
}

TEST_F(Live, TheWaitIsBoundedAndChecked) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    for (const std::string bad : {"61", "-1", "ten", "1.5", ""}) {
        auto r = http().request("GET", "/v1/sync/pull?since=0&wait=" + bad, {}, bearer(token));
        EXPECT_EQ(r.status, 400) << "wait=" << bad << ": " << r.body;
        EXPECT_NE(r.body.find("wait must be"), std::string::npos) << r.body;
    }
    // A pull with changes waiting answers at once, wait or not.
    auto t0 = Clock::now();
    auto r = http().request("GET", pull_path(0, 30), {}, bearer(token), 45000);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json()["ops"].empty());
    EXPECT_LT(seconds_since(t0), 20.0);
}

TEST_F(Live, AHeldPullOutlivesTheIdleTimeout) {
    ASSERT_EQ(server.stop(), 0);
    server.start({"--idle-timeout", "1"});
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    auto waiting = wait_from(token, cursor, 3);
    Response r = waiting.answer.get();
    ASSERT_EQ(r.status, 200) << r.body; // not cut after 1 s of silence
    EXPECT_GE(seconds_since(waiting.started), 2.9);
}

TEST_F(Live, AStoppingServerAnswersItsHeldPulls) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    auto waiting = wait_from(token, cursor, 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto t0 = Clock::now();
    EXPECT_EQ(server.stop(), 0);
    Response r = waiting.answer.get();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.json()["ops"].empty());
    EXPECT_LT(seconds_since(t0), 20.0); // not the 50 s of its wait
}

TEST_F(Live, HeldPullsTakeNoWorkerWhileTheyWait) {
    // Many more held pulls than the server has workers (8): a push still goes through at once,
    // and wakes every one of them.
    const std::string writer = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    const int devices = 60;
    std::vector<std::string> tokens;
    for (int i = 0; i < devices; ++i)
        tokens.push_back(login(http(), "principal@demo.sitevisit", "principal-demo-2026",
                               "p-" + std::to_string(i)));
    std::int64_t cursor = 0;
    pull_all(tokens[0], 0, &cursor);
    for (int i = 1; i < devices; ++i)
        pull_all(tokens[i], 0, nullptr); // each device's scope is recorded
    std::vector<Waiting> waiting;
    for (const auto& t : tokens)
        waiting.push_back(wait_from(t, cursor, 40));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    for (auto& w : waiting)
        ASSERT_EQ(w.answer.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);

    const auto t0 = Clock::now();
    const std::string step = new_id();
    auto pushed = push(writer, "tablet-1", Json::array({step_change(step, 1, "tablet-1")}));
    ASSERT_EQ(pushed.status, 200) << pushed.body;
    EXPECT_LT(seconds_since(t0), 20.0) << "the push waited for the held pulls";
    int woken = 0;
    for (auto& w : waiting) {
        Response r = w.answer.get();
        ASSERT_EQ(r.status, 200) << r.body;
        const Json page = r.json();
        for (const auto& op : page["ops"])
            if (op["id"] == step) {
                ++woken;
                break;
            }
    }
    EXPECT_EQ(woken, devices);
}

} // namespace
} // namespace sitevisit::e2e
