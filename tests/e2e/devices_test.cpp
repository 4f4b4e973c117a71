// Real devices (sitevisit-cli, each with its own SQLite file) against the real server.
#include "devices.h"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <tuple>
#include <unistd.h>

using namespace sitevisit;
using namespace sitevisit::e2e;

TEST_F(Devices, TwoDevicesCaptureOfflineThenSyncAndHoldIdenticalExports) {
    Device a = device("a"), b = device("b");
    server.stop(); // the building has no network
    const std::string va = visit_on(a), vb = visit_on(b);
    ASSERT_FALSE(va.empty());
    for (int i = 1; i <= 5; ++i) {
        a.put("observation", {{"visit", va},
                              {"indicator", "msv-2026-2027-elementary/1." + std::to_string(i)},
                              {"rating", i % 4},
                              {"note", "A saw it"}});
        b.put("observation",
              {{"visit", vb},
               {"indicator", "msv-2026-2027-elementary/2." + std::to_string(i % 4 + 1)},
               {"rating", (i + 1) % 4}});
    }
    auto offline = a.cli({"sync"});
    EXPECT_EQ(offline.code, 5);
    EXPECT_NE(offline.err.find("offline"), std::string::npos) << offline.err;
    EXPECT_NE(a.cli({"status"}).out.find("\"pending_changes\": 6"), std::string::npos);

    server.start();
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(a.sync(), 0);
    const Json ea = a.exported(), eb = b.exported();
    EXPECT_EQ(ea, eb);
    EXPECT_EQ(ea, server_view("lead@demo.sitevisit"));
    EXPECT_EQ(ea["rows"]["observation"].size(),
              server_view("lead@demo.sitevisit")["rows"]["observation"].size());
    EXPECT_EQ(ea["rows"]["visit"][vb]["fields"]["kind"], "walkthrough");
}

TEST_F(Devices, TheSameFieldEditedOnBothIsOneConflictOnBothAndResolvable) {
    Device a = device("a"), b = device("b");
    const std::string v = visit_on(a);
    const std::string obs =
        a.put("observation",
              {{"visit", v}, {"indicator", "msv-2026-2027-elementary/4.2"}, {"rating", 1}});
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    a.put("observation", {{"id", obs}, {"rating", 2}});
    b.put("observation", {{"id", obs}, {"rating", 3}});
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(a.sync(), 0);
    Json ca = Json::parse(a.cli({"conflicts"}).out), cb = Json::parse(b.cli({"conflicts"}).out);
    ASSERT_EQ(ca.size(), 1u) << ca.dump();
    ASSERT_EQ(cb.size(), 1u) << cb.dump();
    EXPECT_EQ(ca[0]["id"], cb[0]["id"]);
    EXPECT_EQ(ca[0]["field"], "rating");
    const std::set<int> both{ca[0]["winner_value"].get<int>(), ca[0]["loser_value"].get<int>()};
    EXPECT_EQ(both, (std::set<int>{2, 3})); // nothing lost
    EXPECT_EQ(a.exported(), b.exported());

    auto resolved = a.cli({"resolve", ca[0]["id"], "2"});
    ASSERT_EQ(resolved.code, 0) << resolved.err;
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    EXPECT_EQ(Json::parse(b.cli({"conflicts"}).out).size(), 0u);
    EXPECT_EQ(b.exported()["rows"]["observation"][obs]["fields"]["rating"], 2);
    EXPECT_EQ(a.exported(), b.exported());
}

TEST_F(Devices, ADeletedRowStaysDeletedAfterASyncFromADeviceThatHadIt) {
    Device a = device("a"), b = device("b");
    const std::string v = visit_on(a);
    const std::string obs =
        a.put("observation",
              {{"visit", v}, {"indicator", "msv-2026-2027-elementary/3.3"}, {"rating", 1}});
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_TRUE(b.exported()["rows"]["observation"].contains(obs));
    ASSERT_EQ(a.cli({"delete", "observation", obs}).code, 0);
    b.put("observation", {{"id", obs}, {"note", "edited offline before hearing of the delete"}});
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(a.sync(), 0);
    EXPECT_FALSE(server_view("lead@demo.sitevisit")["rows"]["observation"].contains(obs));
    EXPECT_FALSE(b.exported()["rows"]["observation"].contains(obs));
    EXPECT_FALSE(a.exported()["rows"]["observation"].contains(obs));
    // The edit is not lost: it is a conflict record on both.
    bool kept = false;
    for (const auto& c : Json::parse(a.cli({"conflicts"}).out))
        if (c["row"] == obs && c["loser_value"] == "edited offline before hearing of the delete")
            kept = true;
    EXPECT_TRUE(kept);
}

TEST_F(Devices, ARevokedSessionStopsSyncButNotCapture) {
    Device a = device("a");
    ASSERT_EQ(server.admin({"user", "revoke", "--email", "lead@demo.sitevisit"}).code, 0);
    const std::string v = visit_on(a);
    EXPECT_FALSE(v.empty());
    auto r = a.cli({"sync"});
    EXPECT_EQ(r.code, 4);
    EXPECT_NE(r.err.find("sign in again"), std::string::npos) << r.err;
    EXPECT_NE(a.cli({"status"}).out.find("\"pending_changes\": 1"), std::string::npos);
}

TEST_F(Devices, AnAttachedFileIsUploadedAndItsEvidenceAccepted) {
    Device p = device("p", "principal@demo.sitevisit", "principal-demo-2026");
    const auto file = dir / "agenda.txt";
    {
        std::ofstream f(file);
        for (int i = 0; i < 20000; ++i)
            f << "line " << i << " of the grade 3 data meeting agenda\n";
    }
    auto att = p.cli({"attach", file.string()});
    ASSERT_EQ(att.code, 0) << att.err;
    Json a = Json::parse(att.out);
    EXPECT_EQ(a["media_type"], "text/plain");
    const std::string ev = p.put("evidence", {{"school", lincoln},
                                              {"title", "Data meeting agenda"},
                                              {"kind", "document"},
                                              {"sha256", a["sha256"]},
                                              {"size", a["size"]},
                                              {"media_type", a["media_type"]}});
    ASSERT_EQ(p.sync(), 0);
    EXPECT_TRUE(std::filesystem::exists(server.data() / "blobs" / a["sha256"].get<std::string>()));
    EXPECT_TRUE(server_view("principal@demo.sitevisit")["rows"]["evidence"].contains(ev));
    EXPECT_NE(p.cli({"status"}).out.find("\"refused\": []"), std::string::npos)
        << p.cli({"status"}).out;
}

TEST_F(Devices, LostRepliesCutRequestsAndSlowAnswersEndWithNoDuplicateAndNothingLost) {
    FaultProxy proxy(server.port());
    const std::string via_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
    Device a{(dir / "a.db").string()};
    ASSERT_EQ(a.cli({"login", via_proxy, "lead@demo.sitevisit"}, "lead-demo-2026\n").code, 0);
    ASSERT_EQ(a.sync(), 0);
    const std::string v = visit_on(a);
    for (int i = 1; i <= 4; ++i)
        a.put("observation", {{"visit", v},
                              {"indicator", "msv-2026-2027-elementary/1." + std::to_string(i)},
                              {"rating", i % 4}});

    // 1. The push commits on the server; the answer is lost on the way back. (Qt itself
    //    resends a request whose connection closed unanswered: each of those is lost too.)
    proxy.fault(FaultProxy::Fault::LoseReply);
    EXPECT_NE(a.sync(), 0);
    EXPECT_NE(a.cli({"status"}).out.find("\"pending_changes\": 5"),
              std::string::npos); // still waiting here
    // 2. The next attempts are cut in the middle of their bodies.
    proxy.fault(FaultProxy::Fault::CutRequest, 300);
    EXPECT_NE(a.sync(), 0);
    // 3. Then an answer that trickles in.
    proxy.fault(FaultProxy::Fault::Slow, 0, 2);
    EXPECT_EQ(a.sync(), 0);

    const Json server_rows = server_view("lead@demo.sitevisit")["rows"];
    EXPECT_EQ(a.exported()["rows"], server_rows);
    int observations_of_visit = 0;
    for (auto it = server_rows["observation"].begin(); it != server_rows["observation"].end(); ++it)
        if (it.value()["fields"]["visit"] == v) ++observations_of_visit;
    EXPECT_EQ(observations_of_visit, 4);
    // Each change once in the server's log: pull everything and count ops.
    const std::string token =
        login(server.http(), "lead@demo.sitevisit", "lead-demo-2026", "auditor");
    std::map<std::string, int> ops;
    std::int64_t since = 0;
    for (bool more = true; more;) {
        auto r = server.http().request(
            "GET", "/v1/sync/pull?since=" + std::to_string(since) + "&limit=5000", {},
            bearer(token));
        Json j = r.json();
        for (const auto& op : j["ops"])
            ops[op["op"].get<std::string>()]++;
        since = j["cursor"];
        more = j["more"];
    }
    for (const auto& [op, n] : ops)
        EXPECT_EQ(n, 1) << op;
    EXPECT_GE(proxy.connections(), 3);
}

TEST_F(Devices, APullThatFailsHalfWayNeverBlanksLocalRowsOrPushesAnythingBack) {
    Device a = device("a");
    FaultProxy proxy(server.port());
    Device b{(dir / "b.db").string()};
    ASSERT_EQ(
        b.cli({"login", "http://127.0.0.1:" + std::to_string(proxy.port()), "lead@demo.sitevisit"},
              "lead-demo-2026\n")
            .code,
        0);
    ASSERT_EQ(b.sync(), 0);
    const Json before = b.exported();
    ASSERT_FALSE(before["rows"]["observation"].empty());
    // New work from A for B to pull; B's pulls now die on the way.
    const std::string v = visit_on(a);
    a.put("observation",
          {{"visit", v}, {"indicator", "msv-2026-2027-elementary/2.2"}, {"rating", 3}});
    ASSERT_EQ(a.sync(), 0);
    proxy.fault(FaultProxy::Fault::LoseReply);
    EXPECT_NE(b.sync(), 0);
    EXPECT_EQ(b.exported(), before); // nothing deleted or blanked
    EXPECT_NE(b.cli({"status"}).out.find("\"pending_changes\": 0"),
              std::string::npos); // nothing to push back
    proxy.fault(FaultProxy::Fault::Pass);
    ASSERT_EQ(b.sync(), 0);
    EXPECT_EQ(b.exported(), a.exported());
}

TEST_F(Devices, EvidenceFilesDownloadInChunksAndResumeFromWhatIsOnDisk) {
    Device p = device("p", "principal@demo.sitevisit", "principal-demo-2026");
    const auto file = dir / "minutes.bin";
    std::string bytes(3 * 1024 * 1024 + 12345, '\0');
    std::mt19937_64 rng(test_seed("chunked download bytes", 5));
    for (auto& c : bytes)
        c = static_cast<char>(rng());
    std::ofstream(file, std::ios::binary) << bytes;
    Json a = Json::parse(p.cli({"attach", file.string()}).out);
    p.put("evidence", {{"school", lincoln},
                       {"title", "Minutes"},
                       {"kind", "document"},
                       {"sha256", a["sha256"]},
                       {"size", a["size"]},
                       {"media_type", "application/octet-stream"}});
    ASSERT_EQ(p.sync(), 0);

    FaultProxy proxy(server.port());
    Device r{(dir / "r.db").string()};
    ASSERT_EQ(r.cli({"login", "http://127.0.0.1:" + std::to_string(proxy.port()),
                     "receiver@demo.sitevisit"},
                    "receiver-demo-2026\n")
                  .code,
              0);
    ASSERT_EQ(r.sync(), 0);
    const auto target = dir / "fetched.bin";
    // An earlier run got the first 2 MB before it was cut.
    std::ofstream(target.string() + ".part", std::ios::binary) << bytes.substr(0, 2 * 1024 * 1024);
    ASSERT_EQ(r.cli({"fetch", a["sha256"], target.string()}).code, 0);
    const long long before = proxy.bytes_down();
    ASSERT_EQ(r.sync(), 0);
    std::ifstream in(target, std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(got == bytes);
    const long long fetched = proxy.bytes_down() - before;
    EXPECT_LT(fetched, static_cast<long long>(bytes.size() - 2 * 1024 * 1024 + 64 * 1024))
        << "resent what was on disk";
    EXPECT_FALSE(std::filesystem::exists(target.string() + ".part"));
    // Someone who may not see the evidence gets nothing.
    Device other = device("o", "principal2@demo.sitevisit", "principal2-demo-2026");
    ASSERT_EQ(other.cli({"fetch", a["sha256"], (dir / "nope.bin").string()}).code, 0);
    EXPECT_EQ(other.sync(), 0);
    EXPECT_FALSE(std::filesystem::exists(dir / "nope.bin"));
}

TEST_F(Devices, TheCliRefusesBadInputWithAReasonAndChangesNothing) {
    Device a = device("a");
    const std::string before = a.cli({"export"}).out;
    struct Case {
        std::vector<std::string> args;
        int code;
        const char* says;
    };
    const std::vector<Case> cases = {
        {{"put", "visit", "{not json"}, 1, "JSON must be an object"},
        {{"put", "visit",
          "{\"school\":\"" + lincoln +
              "\",\"kind\":\"party\",\"rubric\":\"msv-2026-2027-elementary\",\"start_date\":\"2026-"
              "11-23\"}"},
         1,
         "kind must be one of"},
        {{"put", "gizmo", "{}"}, 1, "unknown entity \"gizmo\""},
        {{"delete", "observation", "0190a000-0000-7000-8000-0000000000ff"},
         1,
         "is not on this device"},
        {{"fetch", "abc", "/tmp/x"}, 1, "64 lowercase hex digits"},
        {{"attach", "/nonexistent/file.pdf"}, 1, "cannot read"},
        {{"resolve", "0190a000-0000-7000-8000-0000000000ff", "2"}, 1, "no conflict"},
        {{"frobnicate"}, 2, "unknown command"},
    };
    for (const auto& c : cases) {
        auto r = a.cli(c.args);
        EXPECT_EQ(r.code, c.code) << c.args[0] << ": " << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args[0] << ": " << r.err;
    }
    EXPECT_EQ(a.cli({"export"}).out, before);
    EXPECT_NE(a.cli({"status"}).out.find("\"pending_changes\": 0"), std::string::npos);
    auto no_db = run({cli_binary(), "status"});
    EXPECT_EQ(no_db.code, 2);
}

namespace {

// A program running beside the test, its output going to a file.
struct Background {
    pid_t pid = -1;
    std::filesystem::path out;
    Background(const std::vector<std::string>& argv, std::filesystem::path output)
        : out(std::move(output)) {
        pid = ::fork();
        if (pid == 0) {
            const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> args;
            for (const auto& a : argv)
                args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
    }
    ~Background() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    // SIGTERM; the exit code (128 + signal if it died of one; -1 if it did not end in 20 s).
    int stop(int sig = SIGTERM) {
        ::kill(pid, sig);
        for (int i = 0; i < 200; ++i) {
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return -1;
    }
    std::string output() const {
        std::ifstream in(out);
        return {std::istreambuf_iterator<char>(in), {}};
    }
};

// Waits up to `limit_ms` for `ready`; how long it took, or -1.
double wait_until(const std::function<bool()>& ready, int limit_ms = 15000) {
    const auto t0 = std::chrono::steady_clock::now();
    while (true) {
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        if (ready()) return ms;
        if (ms > limit_ms) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace

TEST_F(Devices, TwoWatchingDevicesSeeEachOthersEditsWithinSeconds) {
    Device a = device("a"), b = device("b");
    Background wa({cli_binary(), "--db", a.db, "watch"}, dir / "watch-a.txt");
    Background wb({cli_binary(), "--db", b.db, "watch"}, dir / "watch-b.txt");
    ASSERT_GE(wait_until([&] {
                  return wa.output().find("watching as") != std::string::npos &&
                         wb.output().find("watching as") != std::string::npos;
              }),
              0)
        << wa.output() << wb.output();
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // their waiting pulls are out

    // Written on A by another process (sitevisit-cli put): B has it moments later.
    const std::string visit = visit_on(a);
    ASSERT_FALSE(visit.empty());
    const double there = wait_until([&] {
        auto rows = b.exported()["rows"];
        return rows.contains("visit") && rows["visit"].contains(visit);
    });
    std::cout << "an edit on device A reached device B in " << there << " ms\n";
    ASSERT_GE(there, 0) << "A:\n" << wa.output() << "B:\n" << wb.output();

    // And back: B rates an indicator of that visit; A has it.
    const std::string obs = b.put("observation", {{"visit", visit},
                                                  {"indicator", "msv-2026-2027-elementary/2.3"},
                                                  {"rating", 2},
                                                  {"note", "Objectives posted in every room"}});
    ASSERT_FALSE(obs.empty());
    const double back = wait_until([&] {
        auto rows = a.exported()["rows"];
        return rows.contains("observation") && rows["observation"].contains(obs);
    });
    std::cout << "an edit on device B reached device A in " << back << " ms\n";
    ASSERT_GE(back, 0) << "A:\n" << wa.output() << "B:\n" << wb.output();

    EXPECT_EQ(wa.stop(), 0) << wa.output();
    EXPECT_EQ(wb.stop(SIGINT), 0) << wb.output();
    // One line per sync that moved something, and the end said.
    EXPECT_NE(wa.output().find(" synced: 1 sent"), std::string::npos) << wa.output();
    EXPECT_NE(wb.output().find(" received"), std::string::npos) << wb.output();
    EXPECT_NE(wa.output().find("stopped at cursor"), std::string::npos) << wa.output();
    // Both devices hold the same rows, as the server does.
    EXPECT_EQ(a.exported(), b.exported());
}

// A team visit on two devices through the real server: each lead rates on their own device;
// the other's ratings stay on the server until that rater marks them done; then both devices
// compute the same calibration, and once submitted the school sees every rater's ratings.
TEST_F(Devices, ATeamVisitsRatingsStayBlindUntilEachRaterIsDone) {
    const Json all = server_view("admin@demo.sitevisit")["rows"];
    std::string bayside, lead, lead2, director;
    for (auto it = all["school"].begin(); it != all["school"].end(); ++it)
        if (it.value()["fields"]["name"] == "Bayside Elementary") bayside = it.key();
    for (auto it = all["user"].begin(); it != all["user"].end(); ++it) {
        if (it.value()["fields"]["email"] == "lead@demo.sitevisit") lead = it.key();
        if (it.value()["fields"]["email"] == "lead2@demo.sitevisit") lead2 = it.key();
        if (it.value()["fields"]["email"] == "director@demo.sitevisit") director = it.key();
    }
    ASSERT_FALSE(bayside.empty());
    Device a = device("a");
    Device b = device("b", "lead2@demo.sitevisit", "lead2-demo-2026");
    const std::string v = a.put("visit", {{"school", bayside},
                                          {"kind", "monitoring"},
                                          {"rubric", "msv-2026-2027-elementary"},
                                          {"start_date", "2026-11-30"},
                                          {"team", {lead, lead2}}});
    ASSERT_FALSE(v.empty());
    auto ind = [](const char* n) { return std::string("msv-2026-2027-elementary/") + n; };
    auto rate = [&](const Device& d, const char* n, int level) {
        auto r = d.cli({"rate", v, ind(n), std::to_string(level)});
        EXPECT_EQ(r.code, 0) << r.err;
    };
    auto ratings_on = [&](const Device& d) {
        std::map<std::string, int> out; // "rater indicator" -> level
        const Json rows = d.exported()["rows"].value("rating", Json::object());
        for (const auto& [id, row] : rows.items())
            out[row["fields"]["rater"].get<std::string>() + " " +
                row["fields"]["indicator"].get<std::string>()] = row["fields"]["level"];
        return out;
    };
    auto calibration = [&](const Device& d) {
        auto r = d.cli({"calibration", v});
        EXPECT_EQ(r.code, 0) << r.err;
        return Json::parse(r.out, nullptr, false);
    };

    // Bad input is refused with a reason, and nothing is stored.
    const Json before = a.exported();
    for (const auto& [args, code, reason] :
         std::vector<std::tuple<std::vector<std::string>, int, std::string>>{
             {{"rate", v, ind("1.1"), "x"}, 2, "LEVEL must be a whole number from 0 to 3"},
             {{"rate", v, ind("1.1"), "5"}, 1, "level must be 0-3"},
             {{"rate", v, ind("9.9"), "1"}, 1, "is not an indicator"},
             {{"rate", v}, 2, "unknown command or wrong arguments"},
             {{"rate-done", v}, 1, "you have not rated an indicator"},
             {{"calibration", "no-such-visit"}, 1, "is not on this device"}}) {
        auto r = a.cli(args);
        EXPECT_EQ(r.code, code) << args[0] << ": " << r.err;
        EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
    }
    EXPECT_EQ(a.exported(), before);
    rate(a, "1.1", 1);
    rate(a, "1.1", 2); // changed: still one rating
    rate(a, "1.2", 3);
    rate(a, "2.1", 0);
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    rate(b, "1.1", 2);
    rate(b, "1.2", 2);
    rate(b, "2.1", 3);
    rate(b, "3.1", 1);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(a.sync(), 0);
    // Blind: each device holds its own ratings only, and the server shows no one else's.
    EXPECT_EQ(ratings_on(a).size(), 3u);
    EXPECT_EQ(ratings_on(b).size(), 4u);
    for (const auto& [key, level] : ratings_on(b))
        EXPECT_EQ(key.rfind(lead2, 0), 0u) << key;
    EXPECT_EQ(server_view("lead2@demo.sitevisit")["rows"]["rating"].size(), 4u);
    EXPECT_EQ(calibration(b)["pairs"], 0);
    EXPECT_EQ(calibration(b)["raters"], Json::array({lead2}));

    // Lena marks hers done: final on her device, and sent to Leo's.
    auto done = a.cli({"rate-done", v});
    ASSERT_EQ(done.code, 0) << done.err;
    auto late = a.cli({"rate", v, ind("1.1"), "0"});
    EXPECT_EQ(late.code, 1);
    EXPECT_NE(late.err.find("marked done"), std::string::npos) << late.err;
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    EXPECT_EQ(ratings_on(b).size(), 7u);
    EXPECT_EQ(ratings_on(b)[lead + " " + ind("1.1")], 2);
    // Leo sees Lena's; Lena does not see Leo's until he is done.
    ASSERT_EQ(a.sync(), 0);
    EXPECT_EQ(ratings_on(a).size(), 3u);
    const Json leo_sees = calibration(b);
    EXPECT_EQ(leo_sees["pairs"], 3);
    EXPECT_NEAR(leo_sees["exact"].get<double>(), 1.0 / 3, 1e-9);
    EXPECT_NEAR(leo_sees["adjacent"].get<double>(), 2.0 / 3, 1e-9);
    ASSERT_TRUE(leo_sees["kappa"].is_number()) << leo_sees.dump();

    ASSERT_EQ(b.cli({"rate-done", v}).code, 0);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(a.sync(), 0);
    EXPECT_EQ(calibration(a), calibration(b));
    EXPECT_EQ(calibration(a)["raters"].size(), 2u);
    // Per pair of raters over time: this is the pair's one visit so far, so the same figures.
    auto over_time = a.cli({"calibration", "--pairs"});
    ASSERT_EQ(over_time.code, 0) << over_time.err;
    const Json pairs = Json::parse(over_time.out);
    ASSERT_EQ(pairs.size(), 1u) << pairs.dump();
    const Json one = calibration(a);
    EXPECT_EQ(pairs[0]["raters"], one["raters"]);
    EXPECT_EQ(pairs[0]["visits"], 1);
    EXPECT_EQ(pairs[0]["from"], "2026-11-30");
    for (const char* f : {"pairs", "exact", "adjacent", "kappa"})
        EXPECT_EQ(pairs[0][f], one[f]) << f;
    EXPECT_EQ(Json::parse(b.cli({"calibration", "--pairs"}).out), pairs);

    // The lead sets the visit's own rating and submits; the school then reads every rater's.
    a.put("observation", {{"visit", v}, {"indicator", ind("1.1")}, {"rating", 2}});
    a.put("visit", {{"id", v}, {"status", "submitted"}});
    ASSERT_EQ(a.sync(), 0);
    Device p = device("p", "principal2@demo.sitevisit", "principal2-demo-2026");
    EXPECT_EQ(ratings_on(p).size(), 7u);
    EXPECT_EQ(calibration(p), calibration(a));
    ASSERT_EQ(b.sync(), 0);
    EXPECT_EQ(a.exported(), server_view("lead@demo.sitevisit"));
    EXPECT_EQ(b.exported(), server_view("lead2@demo.sitevisit"));
    EXPECT_EQ(p.exported(), server_view("principal2@demo.sitevisit"));

    // The same ratings as CSV, for the state's own reporting.
    auto csv = p.cli({"export", "--csv", "rating"});
    ASSERT_EQ(csv.code, 0) << csv.err;
    EXPECT_EQ(csv.out.rfind("id,school,visit,indicator,rater,level,note\r\n", 0), 0u) << csv.out;
    EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 8); // a header and 7 ratings
    EXPECT_NE(csv.out.find("," + lead + ",2,"), std::string::npos) << csv.out;
    // Reviewed by the region's director with a comment, never by the visit's own lead.
    const Json review{{"id", v}, {"status", "reviewed"}, {"review_comment", "Ratings agree."}};
    auto own = a.cli({"put", "visit", review.dump()});
    EXPECT_EQ(own.code, 1);
    EXPECT_NE(own.err.find("never by its own team"), std::string::npos) << own.err;
    Device d = device("d", "director@demo.sitevisit", "director-demo-2026");
    auto reviewed = d.cli({"put", "visit", review.dump()});
    ASSERT_EQ(reviewed.code, 0) << reviewed.err;
    ASSERT_EQ(d.sync(), 0);
    ASSERT_EQ(a.sync(), 0);
    const Json visit_now = a.exported()["rows"]["visit"][v]["fields"];
    EXPECT_EQ(visit_now["status"], "reviewed");
    EXPECT_EQ(visit_now["review_comment"], "Ratings agree.");
    EXPECT_EQ(visit_now["reviewed_by"], director);

    auto unknown = p.cli({"export", "--csv", "ratings"});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_NE(unknown.err.find("unknown entity \"ratings\""), std::string::npos) << unknown.err;
}

// A regional director assigns a lead's caseload from the director's own device: inside the
// region it reaches the server and the lead's next sync brings the new district's schools;
// outside it is refused on the device, with nothing stored and nothing sent.
TEST_F(Devices, ADirectorAssignsALeadsCaseloadInsideTheRegionOnly) {
    Device director = device("director", "director@demo.sitevisit", "director-demo-2026");
    Device leo = device("leo", "lead2@demo.sitevisit", "lead2-demo-2026");
    auto schools_of = [](const Json& exported) {
        std::set<std::string> codes;
        for (const auto& [id, row] : exported["rows"]["school"].items())
            codes.insert(row["fields"]["code"].get<std::string>());
        return codes;
    };
    EXPECT_FALSE(schools_of(leo.exported()).count("00350456")); // Harbor Middle

    const Json before = director.exported();
    auto outside =
        director.cli({"assign-caseload", "lead2@demo.sitevisit", "00360000", "00359000"});
    EXPECT_EQ(outside.code, 1);
    EXPECT_NE(outside.err.find("Harbor City Receivership Schools is outside your region"),
              std::string::npos)
        << outside.err;
    auto unknown = director.cli({"assign-caseload", "nobody@demo.sitevisit", "00360000"});
    EXPECT_EQ(unknown.code, 1);
    EXPECT_NE(unknown.err.find("nobody on this device is nobody@demo.sitevisit"), std::string::npos)
        << unknown.err;
    auto no_district = director.cli({"assign-caseload", "lead2@demo.sitevisit", "99999999"});
    EXPECT_EQ(no_district.code, 1);
    EXPECT_NE(no_district.err.find("no district 99999999"), std::string::npos) << no_district.err;
    EXPECT_EQ(director.cli({"assign-caseload", "lead2@demo.sitevisit", "1", "2", "3", "4"}).code,
              2);
    auto receiver = director.cli({"assign-caseload", "receiver@demo.sitevisit", "00350000"});
    EXPECT_EQ(receiver.code, 1);
    EXPECT_NE(receiver.err.find("caseloads of Assistance Leads only"), std::string::npos)
        << receiver.err;
    auto lead = leo.cli({"assign-caseload", "lead2@demo.sitevisit", "00360000", "00350000"});
    EXPECT_EQ(lead.code, 1);
    EXPECT_NE(lead.err.find("only an admin may change user records"), std::string::npos)
        << lead.err;
    EXPECT_EQ(director.exported(), before);
    EXPECT_EQ(Json::parse(director.cli({"status"}).out)["pending_changes"], 0);

    auto assigned =
        director.cli({"assign-caseload", "lead2@demo.sitevisit", "00360000", "00350000"});
    ASSERT_EQ(assigned.code, 0) << assigned.err;
    EXPECT_EQ(assigned.out,
              "caseload of lead2@demo.sitevisit: Bayside, Harbor City (sent with the next sync)\n");
    ASSERT_EQ(director.sync(), 0);
    ASSERT_EQ(leo.sync(), 0);
    const std::set<std::string> now = schools_of(leo.exported());
    EXPECT_TRUE(now.count("00350456"));
    EXPECT_TRUE(now.count("00360111"));
    EXPECT_FALSE(now.count("00350123")); // Lincoln, of the receivership district
    EXPECT_EQ(leo.exported(), server_view("lead2@demo.sitevisit"));
    // Leo's device now acts with his new caseload: a visit at Harbor Middle is his to start,
    // and the server takes it.
    std::string harbor_middle;
    const Json leo_rows = leo.exported();
    for (const auto& [id, row] : leo_rows["rows"]["school"].items())
        if (row["fields"]["code"] == "00350456") harbor_middle = id;
    const std::string started = leo.put("visit", {{"school", harbor_middle},
                                                  {"kind", "walkthrough"},
                                                  {"rubric", "msv-2026-2027-secondary"},
                                                  {"start_date", "2026-11-23"}});
    ASSERT_FALSE(started.empty());
    ASSERT_EQ(leo.sync(), 0);
    EXPECT_EQ(Json::parse(leo.cli({"status"}).out)["refused"].size(), 0u);
    EXPECT_EQ(leo.exported(), server_view("lead2@demo.sitevisit"));
    // The director takes Harbor City from Lena; her receivership district stays as it is.
    auto lena = director.cli({"assign-caseload", "lead@demo.sitevisit", "00360000"});
    ASSERT_EQ(lena.code, 0) << lena.err;
    EXPECT_EQ(lena.out, "caseload of lead@demo.sitevisit: Harbor City Receivership Schools, "
                        "Bayside (sent with the next sync)\n");

    // The region as the director's device rolls it up: Leo now on both Coastal districts.
    auto region = director.cli({"region"});
    ASSERT_EQ(region.code, 0) << region.err;
    const Json j = Json::parse(region.out);
    EXPECT_EQ(j["region_name"], "Coastal");
    ASSERT_EQ(j["districts"].size(), 2u);
    EXPECT_EQ(j["districts"][1]["name"], "Harbor City");
    EXPECT_EQ(j["districts"][1]["with"], Json({"Leo Lead"})); // Lena's caseload as just changed
    EXPECT_EQ(j["leads"][0]["schools"], 3);
    EXPECT_EQ(j["leads"][1]["name"], "Leo Lead");
    EXPECT_EQ(j["leads"][1]["schools"], 5);
    auto csv = director.cli({"region", "--csv", "leads"});
    ASSERT_EQ(csv.code, 0) << csv.err;
    EXPECT_EQ(csv.out.substr(0, csv.out.find(',')), "lead");
    EXPECT_NE(csv.out.find("\r\nLeo Lead,Bayside; Harbor City,5,"), std::string::npos) << csv.out;
    EXPECT_EQ(director.cli({"region", "--csv", "schools"}).code, 2);
    auto not_director = leo.cli({"region"});
    EXPECT_EQ(not_director.code, 1);
    EXPECT_NE(not_director.err.find("for regional directors and admins"), std::string::npos);
}
