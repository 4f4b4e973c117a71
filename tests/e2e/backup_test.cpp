// Backup and restore (`sitevisit-server backup` / `restore`) with real devices and a real
// server: a restore from an older backup renews the store's epoch, and devices that synced
// since send again what the server lost, pull again, and end equal to it.
#include "devices.h"
#include "server_fixture.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>

using namespace sitevisit;
using namespace sitevisit::e2e;
namespace fs = std::filesystem;

namespace {

// The server's data folder replaced by a restore of `backup` (the server stopped first and
// started again on the same port after).
void restore_over(ServerProcess& server, const fs::path& backup) {
    server.stop();
    fs::rename(server.data(), server.data().string() + ".replaced");
    server.renew_database();
    auto r = server.admin({"restore", backup.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("restored"), std::string::npos) << r.out;
    server.start();
}

std::string epoch_of(const Response& r) {
    return r.json().value("epoch", "");
}

int rows_of(const Json& exported, const std::string& entity) {
    return exported["rows"].contains(entity) ? static_cast<int>(exported["rows"][entity].size())
                                             : 0;
}

} // namespace

TEST_F(Devices, ARestoreFromAnOlderBackupLosesNothingTheDevicesKept) {
    Device a = device("a"), b = device("b");
    Device p = device("p", "principal@demo.sitevisit", "principal-demo-2026");
    const std::string v1 = visit_on(a);
    a.put("observation",
          {{"visit", v1}, {"indicator", "msv-2026-2027-elementary/1.1"}, {"rating", 1}});
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(p.sync(), 0);

    const fs::path backup = dir / "backup-1";
    auto taken = server.admin({"backup", backup.string()});
    ASSERT_EQ(taken.code, 0) << taken.err;
    EXPECT_NE(taken.out.find("backed up to"), std::string::npos) << taken.out;
    EXPECT_TRUE(fs::exists(backup / "manifest.json"));

    // After the backup: edits that reached the server, and a file, all lost by the restore.
    const std::string o2 =
        a.put("observation",
              {{"visit", v1}, {"indicator", "msv-2026-2027-elementary/1.2"}, {"rating", 2}});
    a.put("visit", {{"id", v1}, {"strengths", {{"1", "Clear routines in every room"}}}});
    const std::string v2 = visit_on(b);
    const fs::path file = dir / "agenda.txt";
    std::ofstream(file) << "Data meeting agenda, week 12\n";
    Json att = Json::parse(p.cli({"attach", file.string()}).out);
    const std::string ev = p.put("evidence", {{"school", lincoln},
                                              {"title", "Data meeting agenda"},
                                              {"kind", "document"},
                                              {"sha256", att["sha256"]},
                                              {"size", att["size"]},
                                              {"media_type", "text/plain"}});
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(p.sync(), 0);
    ASSERT_EQ(a.sync(), 0); // a holds b's visit too
    EXPECT_TRUE(a.exported()["rows"]["visit"].contains(v2));
    // And one edit made offline, never sent before the restore.
    const std::string o3 =
        a.put("observation",
              {{"visit", v1}, {"indicator", "msv-2026-2027-elementary/1.3"}, {"rating", 3}});

    restore_over(server, backup);
    EXPECT_FALSE(server_view("lead@demo.sitevisit")["rows"]["observation"].contains(o2));

    // a meets the new epoch: sends again what it kept, pulls from the start, and drops b's
    // visit and p's evidence, which the server no longer holds (b and p have not sent them
    // again yet).
    auto first = a.cli({"sync"});
    ASSERT_EQ(first.code, 0) << first.err;
    EXPECT_NE(first.out.find("the server was restored from a backup: 4 change(s) sent again, 2 "
                             "item(s) it no longer holds removed from this device"),
              std::string::npos)
        << first.out;
    Json ea = a.exported();
    EXPECT_TRUE(ea["rows"]["observation"].contains(o2));
    EXPECT_TRUE(ea["rows"]["observation"].contains(o3));
    EXPECT_EQ(ea["rows"]["visit"][v1]["fields"]["strengths"]["1"], "Clear routines in every room");
    EXPECT_FALSE(ea["rows"]["visit"].contains(v2));
    EXPECT_EQ(ea, server_view("lead@demo.sitevisit"));

    ASSERT_EQ(b.sync(), 0);
    ASSERT_EQ(p.sync(), 0);
    ASSERT_EQ(a.sync(), 0);
    ASSERT_EQ(b.sync(), 0);
    const Json lead = server_view("lead@demo.sitevisit");
    EXPECT_TRUE(lead["rows"]["visit"].contains(v2));
    EXPECT_TRUE(lead["rows"]["observation"].contains(o2));
    EXPECT_TRUE(lead["rows"]["observation"].contains(o3));
    EXPECT_EQ(a.exported(), lead);
    EXPECT_EQ(b.exported(), lead);
    const Json principal = server_view("principal@demo.sitevisit");
    EXPECT_TRUE(principal["rows"]["evidence"].contains(ev));
    EXPECT_EQ(p.exported(), principal);
    // The file came back with its row: the server serves it again.
    const std::string sha = att["sha256"];
    EXPECT_TRUE(fs::exists(server.data() / "blobs" / sha));
    for (const Device* d : {&a, &b, &p}) {
        auto status = Json::parse(d->cli({"status"}).out, nullptr, false);
        EXPECT_EQ(status.value("pending_changes", -1), 0) << status.dump();
        EXPECT_EQ(status["refused"], Json::array()) << status.dump();
    }
    // Nothing conflicts: the resent edits were the last word on their fields.
    EXPECT_EQ(rows_of(lead, "conflict"), 0);
}

TEST_F(Demo, AClientRestartsItsNumberingOnceAfterARestoreAndItsOldBasesStillApply) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-7");
    const std::string visit = new_id();
    auto first = push(token, "tablet-7",
                      Json::array({change("visit", visit, lincoln,
                                          {{"kind", "walkthrough"},
                                           {"rubric", "msv-2026-2027-elementary"},
                                           {"start_date", "2026-11-23"}},
                                          1, "tablet-7")}));
    ASSERT_EQ(first.status, 200) << first.body;
    const std::string before = epoch_of(first);
    ASSERT_EQ(before.size(), 32u) << first.body;
    const fs::path backup = server.data().parent_path() / "backup";
    ASSERT_EQ(server.admin({"backup", backup.string()}).code, 0);
    // Changes 2 and 3 reach the server after the backup; the client keeps none of them.
    auto later = push(token, "tablet-7",
                      Json::array({change("visit", visit, lincoln, {{"kind", "formal"}}, 2,
                                          "tablet-7", first.json()["results"][0]["seq"]),
                                   change("visit", visit, lincoln, {{"start_date", "2026-11-24"}},
                                          3, "tablet-7", first.json()["results"][0]["seq"])}));
    ASSERT_EQ(later.status, 200) << later.body;
    const std::int64_t late_base = later.json()["results"][1]["seq"];

    restore_over(server, backup);

    // The session was restored with the store. Change 4 alone: a gap, and a new epoch.
    Json four =
        change("visit", visit, lincoln, {{"end_date", "2026-11-25"}}, 4, "tablet-7", late_base);
    auto gap = push(token, "tablet-7", Json::array({four}));
    EXPECT_EQ(gap.status, 400) << gap.body;
    EXPECT_EQ(gap.json()["results"][0]["code"], "dseq_gap");
    const std::string after = epoch_of(gap);
    ASSERT_EQ(after.size(), 32u);
    EXPECT_NE(after, before);
    // The pull says so too.
    auto pulled = http().request("GET", "/v1/sync/pull?since=0&limit=10", {}, bearer(token));
    EXPECT_EQ(epoch_of(pulled), after);

    // Sent again as a restart, with its base from the old epoch (past the restored log's end):
    // taken, the gap accepted once.
    four["op"] = new_id();
    auto again = http().request("POST", "/v1/sync/push",
                                Json{{"device", "tablet-7"},
                                     {"ops", Json::array({four})},
                                     {"epoch", before},
                                     {"restart", true}}
                                    .dump(),
                                bearer(token));
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json()["results"][0]["status"], "applied") << again.body;
    EXPECT_EQ(export_as("lead@demo.sitevisit")["rows"]["visit"][visit]["fields"]["end_date"],
              "2026-11-25");
    // Once: a later gap is refused again, restart or not.
    Json six = change("visit", visit, lincoln, {{"end_date", "2026-11-26"}}, 6, "tablet-7");
    auto second = http().request("POST", "/v1/sync/push",
                                 Json{{"device", "tablet-7"},
                                      {"ops", Json::array({six})},
                                      {"epoch", after},
                                      {"restart", true}}
                                     .dump(),
                                 bearer(token));
    EXPECT_EQ(second.json()["results"][0]["code"], "dseq_gap") << second.body;
    // A malformed epoch is bad input.
    auto bad = http().request(
        "POST", "/v1/sync/push",
        Json{{"device", "tablet-7"}, {"ops", Json::array({six})}, {"epoch", "not-an-epoch"}}.dump(),
        bearer(token));
    EXPECT_EQ(bad.status, 400) << bad.body;
    // So is a restart that is not true or false; nothing of the push is applied.
    auto odd = http().request("POST", "/v1/sync/push",
                              Json{{"device", "tablet-7"},
                                   {"ops", Json::array({six})},
                                   {"epoch", after},
                                   {"restart", "yes"}}
                                  .dump(),
                              bearer(token));
    EXPECT_EQ(odd.status, 400) << odd.body;
    EXPECT_EQ(odd.json()["error"]["message"], "\"restart\" must be true or false") << odd.body;
    EXPECT_EQ(export_as("lead@demo.sitevisit")["rows"]["visit"][visit]["fields"]["end_date"],
              "2026-11-25");
}

TEST_F(Demo, RestoreRefusesWhatIsNotAWholeBackupOrAStoreInUseAndChangesNothing) {
    const fs::path root = server.data().parent_path();
    const fs::path backup = root / "backup";
    ASSERT_EQ(server.admin({"backup", backup.string()}).code, 0);
    // A backup never overwrites one.
    auto twice = server.admin({"backup", backup.string()});
    EXPECT_EQ(twice.code, 1);
    EXPECT_NE(twice.err.find("exists already"), std::string::npos) << twice.err;

    // Into the running demo store: refused, the store as it was.
    const Json before = export_as("admin@demo.sitevisit");
    auto full = server.admin({"restore", backup.string()});
    EXPECT_EQ(full.code, 1);
    EXPECT_NE(full.err.find("not empty"), std::string::npos) << full.err;
    EXPECT_EQ(export_as("admin@demo.sitevisit"), before);

    auto restore_into = [&](const fs::path& data, const fs::path& from) {
        return run({server_binary(), "restore", "--data", data.string(), from.string()});
    };
    // A folder that is no backup.
    auto none = restore_into(root / "fresh-1", root / "no-such-backup");
    EXPECT_EQ(none.code, 1);
    EXPECT_NE(none.err.find("cannot read"), std::string::npos) << none.err;
    EXPECT_FALSE(fs::exists(root / "fresh-1" / "server.db"));
    // A table file changed after the backup was taken: found before anything is stored.
    const fs::path tampered = root / "tampered";
    fs::copy(backup, tampered, fs::copy_options::recursive);
    std::ofstream(tampered / "tables" / "accounts.jsonl", std::ios::app)
        << R"({"id":"x","email":"intruder@example.org","fields":"{}","password_hash":"x"})"
        << "\n";
    auto changed = restore_into(root / "fresh-2", tampered);
    EXPECT_EQ(changed.code, 1);
    EXPECT_NE(changed.err.find("SHA-256 does not match"), std::string::npos) << changed.err;
    EXPECT_FALSE(fs::exists(root / "fresh-2" / "server.db"));
    // A newer backup format: told to use a newer server.
    const fs::path newer = root / "newer";
    fs::copy(backup, newer, fs::copy_options::recursive);
    Json manifest = Json::parse(std::ifstream(newer / "manifest.json"));
    manifest["version"] = 99;
    std::ofstream(newer / "manifest.json", std::ios::trunc) << manifest.dump();
    auto future = restore_into(root / "fresh-3", newer);
    EXPECT_EQ(future.code, 1);
    EXPECT_NE(future.err.find("newer server"), std::string::npos) << future.err;

    // Into an empty PostgreSQL database: a refused backup leaves it as empty as it was (the
    // tables the restore made are dropped again), so a later restore there starts clean.
    if (on_postgresql()) {
        ServerProcess empty;
        auto refused = empty.admin({"restore", tampered.string()});
        EXPECT_EQ(refused.code, 1);
        EXPECT_NE(refused.err.find("SHA-256 does not match"), std::string::npos) << refused.err;
        auto listed = empty.admin({"user", "list"});
        EXPECT_EQ(listed.code, 3) << listed.out;
        EXPECT_NE(listed.err.find("there is no store"), std::string::npos) << listed.err;
        auto into_pg = empty.admin({"restore", backup.string()});
        ASSERT_EQ(into_pg.code, 0) << into_pg.err;
        auto from_pg = empty.admin({"export", "--user", "admin@demo.sitevisit"});
        ASSERT_EQ(from_pg.code, 0) << from_pg.err;
        EXPECT_EQ(Json::parse(from_pg.out), before);

        // From SQLite into PostgreSQL: how a program moves to several servers.
        const fs::path lite = root / "lite", lite_backup = root / "lite-backup";
        ASSERT_EQ(run({server_binary(), "demo", "--data", lite.string()}).code, 0);
        auto taken =
            run({server_binary(), "backup", "--data", lite.string(), lite_backup.string()});
        ASSERT_EQ(taken.code, 0) << taken.err;
        ServerProcess moved;
        auto restored = moved.admin({"restore", lite_backup.string()});
        ASSERT_EQ(restored.code, 0) << restored.err;
        auto on_lite = run(
            {server_binary(), "export", "--data", lite.string(), "--user", "lead@demo.sitevisit"});
        auto on_pg = moved.admin({"export", "--user", "lead@demo.sitevisit"});
        ASSERT_EQ(on_pg.code, 0) << on_pg.err;
        EXPECT_EQ(Json::parse(on_pg.out), Json::parse(on_lite.out));
    }

    // The whole backup restores into an empty folder, with the same data and a new epoch.
    auto whole = restore_into(root / "fresh-4", backup);
    ASSERT_EQ(whole.code, 0) << whole.err;
    auto exported = run({server_binary(), "export", "--data", (root / "fresh-4").string(), "--user",
                         "admin@demo.sitevisit"});
    ASSERT_EQ(exported.code, 0) << exported.err;
    EXPECT_EQ(Json::parse(exported.out), before);
}

TEST_F(Demo, ABackupTakenWhileDevicesPushHoldsOneMoment) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-8");
    const std::string visit = new_id();
    ASSERT_EQ(push(token, "tablet-8",
                   Json::array({change("visit", visit, lincoln,
                                       {{"kind", "walkthrough"},
                                        {"rubric", "msv-2026-2027-elementary"},
                                        {"start_date", "2026-11-23"}},
                                       1, "tablet-8")}))
                  .status,
              200);
    std::atomic<bool> stop{false};
    std::atomic<int> pushed{0};
    std::thread pusher([&] {
        std::int64_t dseq = 2;
        while (!stop) {
            Json ops = Json::array();
            for (int i = 0; i < 50; ++i, ++dseq)
                ops.push_back(change(
                    "observation", new_id(), lincoln,
                    {{"visit", visit},
                     {"indicator", "msv-2026-2027-elementary/1." + std::to_string(dseq % 5 + 1)},
                     {"rating", static_cast<int>(dseq % 4)}},
                    dseq, "tablet-8"));
            if (push(token, "tablet-8", ops).status != 200) break;
            pushed += 50;
        }
    });
    while (pushed < 200)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const fs::path root = server.data().parent_path();
    auto taken = server.admin({"backup", (root / "during").string()});
    const int at_least = pushed;
    while (pushed < at_least + 200)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop = true;
    pusher.join();
    ASSERT_EQ(taken.code, 0) << taken.err;

    auto restored = run(
        {server_binary(), "restore", "--data", (root / "r").string(), (root / "during").string()});
    ASSERT_EQ(restored.code, 0) << restored.err;
    // One moment: every observation row has its change in the log and the other way round,
    // and the device's numbering matches what it holds.
    auto store = server::SqliteStore::open((root / "r" / "server.db").string());
    ASSERT_TRUE(store) << store.error().message;
    auto tx = (*store)->begin(false);
    ASSERT_TRUE(tx);
    std::set<std::string> logged, rows;
    for (const auto& c : (*tx)->changes_after(0, 1000000))
        if (c.change.entity == "observation" && c.change.fields.value("visit", "") == visit)
            logged.insert(c.change.id);
    for (const auto& r : (*tx)->rows_of_entity("observation"))
        if (r.fields.value("visit", "") == visit) rows.insert(r.id);
    EXPECT_EQ(logged, rows);
    EXPECT_GE(static_cast<int>(rows.size()), 200);
    EXPECT_LT(static_cast<int>(rows.size()), pushed.load());
    // Whole pushes only: each is one transaction (the visit is the first change).
    EXPECT_EQ(static_cast<int>(rows.size()) % 50, 0);
}
