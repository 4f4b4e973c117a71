// The ingest (issue 13): pushes queue first come, first served and are committed in groups,
// each in a savepoint of its own. A crowd of devices pushing at once never gets a 500, every
// change is acknowledged once with a dense, increasing seq, replays answer the stored result,
// and a store written before field versions moved into the row keeps them.

#include "server_fixture.h"
#include "sitevisit/core/database.h"

#include <fstream>
#include <map>
#include <sstream>
#include <sys/resource.h>
#include <thread>

using namespace sitevisit;
using namespace sitevisit::e2e;

namespace {

// A new visit's fields: a walkthrough under the elementary rubric.
Json walkthrough() {
    return {{"kind", "walkthrough"},
            {"rubric", "msv-2026-2027-elementary"},
            {"start_date", "2026-11-23"}};
}

Json observation(const std::string& visit, int i) {
    return {{"visit", visit},
            {"indicator", "msv-2026-2027-elementary/2.1"},
            {"rating", i % 4},
            {"note", "Observed in room " + std::to_string(i)},
            {"source", "classroom_observation"}};
}

// An in-process service with an admin and one imported school: where these tests start.
void admin_and_school(InProcess& p, User& admin, std::string& school) {
    auto added = p.service->add_user({"ada@y.org", "Ada", "admin", "", {}, {}}, "a-long-password");
    ASSERT_TRUE(added) << added.error().message;
    admin = *added;
    ASSERT_TRUE(p.service->import_schools(
        "00350123,Lincoln Elementary,00350000,Harbor City,Coastal,elementary,none\n"));
    auto tx = p.store->begin(false);
    ASSERT_TRUE(tx);
    for (const auto& r : (*tx)->rows_of_entity("school"))
        school = r.id;
    ASSERT_FALSE(school.empty());
}

} // namespace

TEST_F(Demo, ACrowdPushingAtOnceIsAnsweredOnceEachWithADenseLog) {
    constexpr int kDevices = 20, kBatches = 4, kBatch = 100;
    struct Device {
        std::string name, token, visit;
        std::int64_t dseq = 0;
        std::vector<Json> batches; // bodies
    };
    std::vector<Device> devices(kDevices);
    for (int d = 0; d < kDevices; ++d) {
        Device& dev = devices[d];
        dev.name = "crowd-" + std::to_string(d);
        dev.token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", dev.name);
        dev.visit = new_id();
        auto r = push(dev.token, dev.name,
                      Json::array({change("visit", dev.visit, lincoln, walkthrough(), ++dev.dseq,
                                          dev.name)}));
        ASSERT_EQ(r.status, 200) << r.body;
        for (int b = 0; b < kBatches; ++b) {
            Json ops = Json::array();
            for (int i = 0; i < kBatch; ++i)
                ops.push_back(change("observation", new_id(), lincoln, observation(dev.visit, i),
                                     ++dev.dseq, dev.name));
            dev.batches.push_back(ops);
        }
    }

    // Every device pushes its batches, all at once.
    std::vector<std::vector<Response>> answers(kDevices);
    std::vector<std::thread> threads;
    for (int d = 0; d < kDevices; ++d)
        threads.emplace_back([&, d] {
            Http h = http();
            for (const Json& ops : devices[d].batches)
                answers[d].push_back(h.request(
                    "POST", "/v1/sync/push", Json{{"device", devices[d].name}, {"ops", ops}}.dump(),
                    bearer(devices[d].token), 120000));
        });
    for (auto& t : threads)
        t.join();

    std::map<std::int64_t, std::string> seqs; // seq -> op
    std::map<std::string, std::int64_t> seq_of_op;
    for (int d = 0; d < kDevices; ++d) {
        ASSERT_EQ(answers[d].size(), static_cast<std::size_t>(kBatches));
        for (int b = 0; b < kBatches; ++b) {
            const Response& r = answers[d][b];
            ASSERT_EQ(r.status, 200) << "device " << d << " batch " << b << ": " << r.body;
            const Json results = r.json()["results"];
            ASSERT_EQ(results.size(), static_cast<std::size_t>(kBatch));
            std::int64_t last = 0;
            for (std::size_t i = 0; i < results.size(); ++i) {
                const Json& res = results[i];
                EXPECT_EQ(res["status"], "applied") << res.dump();
                EXPECT_EQ(res["op"], devices[d].batches[b][i]["op"]);
                const std::int64_t seq = res["seq"].get<std::int64_t>();
                EXPECT_GT(seq, last) << "seqs within a push increase";
                last = seq;
                EXPECT_TRUE(seqs.emplace(seq, res["op"].get<std::string>()).second)
                    << "seq " << seq << " given twice";
                seq_of_op[res["op"].get<std::string>()] = seq;
            }
        }
    }
    // Nothing else wrote meanwhile: the crowd's changes fill one range of the log, no gap.
    ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kDevices * kBatches * kBatch));
    EXPECT_EQ(seqs.rbegin()->first - seqs.begin()->first + 1,
              static_cast<std::int64_t>(seqs.size()))
        << "the log has a gap";

    // The log, read back: increasing, each change once.
    const std::string admin = login(http(), "admin@demo.sitevisit", "admin-demo-2026", "checker");
    std::int64_t previous = 0;
    std::map<std::string, int> seen;
    for (const Json& op : pull_all(admin, seqs.begin()->first - 1, nullptr, 5000)) {
        const std::int64_t seq = op["seq"].get<std::int64_t>();
        EXPECT_GT(seq, previous);
        previous = seq;
        ++seen[op["op"].get<std::string>()];
    }
    for (const auto& [seq, op] : seqs)
        EXPECT_EQ(seen[op], 1) << "op " << op << " (seq " << seq << ") in the log";

    // A replayed batch is answered with the stored results: duplicates with their first seqs.
    auto again = push(devices[3].token, devices[3].name, devices[3].batches[1]);
    ASSERT_EQ(again.status, 200) << again.body;
    const Json replayed = again.json();
    for (const Json& res : replayed["results"]) {
        EXPECT_EQ(res["status"], "duplicate");
        EXPECT_EQ(res["seq"], seq_of_op[res["op"].get<std::string>()]);
    }
}

TEST_F(Demo, AReplayedRefusalIsRefusedAgainWithTheSameReason) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "replayer");
    const std::string visit = new_id();
    Json ops = Json::array(
        {change("visit", visit, lincoln, walkthrough(), 1, "replayer"),
         change("observation", new_id(), lincoln, observation(visit, 1), 2, "replayer"),
         change("observation", new_id(), lincoln,
                {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/2.1"}, {"rating", 9}}, 3,
                "replayer")});
    // The same op id twice in one batch: the second is the first's duplicate.
    ops.push_back(ops[1]);
    auto first = push(token, "replayer", ops);
    ASSERT_EQ(first.status, 200) << first.body;
    const Json r1 = first.json()["results"];
    ASSERT_EQ(r1.size(), 4u);
    // Answered in dseq order: the visit, the observation, its copy, the refused one.
    EXPECT_EQ(r1[0]["status"], "applied");
    EXPECT_EQ(r1[1]["status"], "applied");
    EXPECT_EQ(r1[2]["status"], "duplicate");
    EXPECT_EQ(r1[2]["seq"], r1[1]["seq"]);
    EXPECT_EQ(r1[3]["status"], "rejected");

    auto again = push(token, "replayer", ops);
    ASSERT_EQ(again.status, 200) << again.body;
    const Json r2 = again.json()["results"];
    ASSERT_EQ(r2.size(), 4u);
    EXPECT_EQ(r2[0]["status"], "duplicate");
    EXPECT_EQ(r2[0]["seq"], r1[0]["seq"]);
    EXPECT_EQ(r2[1]["status"], "duplicate");
    EXPECT_EQ(r2[1]["seq"], r1[1]["seq"]);
    EXPECT_EQ(r2[2]["status"], "duplicate");
    EXPECT_EQ(r2[2]["seq"], r1[1]["seq"]);
    EXPECT_EQ(r2[3]["status"], "rejected");
    EXPECT_EQ(r2[3]["error"], r1[3]["error"]);
}

TEST_F(Demo, ARefusalThatQuotesAValueCutInsideACharacterIsAnsweredAndStored) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "quoter");
    const std::string visit = new_id();
    // The refusal quotes the value's first 57 bytes: "a" then two-byte letters puts the cut
    // inside the 28th letter.
    std::string cut = "a";
    for (int i = 0; i < 40; ++i)
        cut += "\xc3\xa9";
    const Json ops = Json::array(
        {change("visit", visit, lincoln, walkthrough(), 1, "quoter"),
         change("observation", new_id(), lincoln,
                {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/2.1"}, {"rating", cut}},
                2, "quoter")});
    auto first = push(token, "quoter", ops);
    ASSERT_EQ(first.status, 200) << first.body;
    const Json r1 = first.json()["results"];
    ASSERT_EQ(r1.size(), 2u);
    EXPECT_EQ(r1[0]["status"], "applied");
    ASSERT_EQ(r1[1]["status"], "rejected");
    const std::string error = r1[1]["error"].get<std::string>();
    EXPECT_NE(error.find("a\xc3\xa9"), std::string::npos) << error;
    EXPECT_NE(error.find("\xef\xbf\xbd"), std::string::npos)
        << "the cut character is marked: " << error;
    // Sent again, the stored refusal answers the same words.
    auto again = push(token, "quoter", ops);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json()["results"][1]["status"], "rejected");
    EXPECT_EQ(again.json()["results"][1]["error"], error);
}

TEST(Ingest, PushesAreAppliedInTheOrderTheyWereQueued) {
    InProcess p;
    User admin;
    std::string school;
    ASSERT_NO_FATAL_FAILURE(admin_and_school(p, admin, school));

    constexpr int kPushes = 12;
    std::vector<Result<protocol::PushResponse>> answers(kPushes, Error{});
    std::vector<std::thread> threads;
    {
        // The writer's connection held here: the pushes queue up behind it, one at a time.
        auto hold = p.store->begin(true);
        ASSERT_TRUE(hold);
        for (int i = 0; i < kPushes; ++i) {
            threads.emplace_back([&, i] {
                const std::string device = "tablet-" + std::to_string(i);
                server::Caller caller{admin, device, admin.id + "/" + device};
                protocol::PushRequest request{device, {}};
                auto c =
                    Change::from_json(change("visit", new_id(), school, walkthrough(), 1, device));
                request.ops.push_back(*c);
                answers[i] = p.service->push(caller, request);
            });
            for (int wait = 0; p.service->pushes_waiting() < static_cast<std::size_t>(i + 1);
                 ++wait) {
                ASSERT_LT(wait, 10000) << "push " << i << " never queued";
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
    }
    for (auto& t : threads)
        t.join();
    std::int64_t previous = 0;
    for (int i = 0; i < kPushes; ++i) {
        ASSERT_TRUE(answers[i]) << answers[i].error().message;
        ASSERT_EQ(answers[i]->results.size(), 1u);
        EXPECT_EQ(answers[i]->results[0].status, protocol::OpStatus::Applied);
        const std::int64_t seq = answers[i]->results[0].seq;
        EXPECT_GT(seq, previous) << "push " << i << " was applied before one queued earlier";
        previous = seq;
    }
    EXPECT_EQ(p.service->pushes_waiting(), 0u);
}

TEST(Ingest, AStepTwoStoreKeepsItsFieldVersionsAfterTheUpgrade) {
    SITEVISIT_SQLITE_ONLY("an upgrade of a server.db left at SQLite schema step 2");
    // Ids in tests/data/server_step2.sql.
    const std::string school = "01a230ff-b31d-767c-b73e-16d1ea180870";
    const std::string obs = "01900000-0000-7000-8000-00000000000b";
    ServerProcess server;
    std::filesystem::create_directories(server.data());
    {
        std::ifstream in(std::string(SITEVISIT_TEST_DATA) + "/server_step2.sql");
        ASSERT_TRUE(in) << "tests/data/server_step2.sql";
        std::stringstream sql;
        sql << in.rdbuf();
        auto db = Database::open((server.data() / "server.db").string());
        ASSERT_TRUE(db);
        (*db)->exec(sql.str());
        (*db)->exec("PRAGMA user_version = 2");
    }
    server.start();
    ASSERT_TRUE(server.running()) << server.stderr_text();
    Http h = server.http();

    // tablet-a's edit (seq 8, rating 2) came after seq 7: an edit of the rating from another
    // device based on seq 7 is concurrent with it, so a conflict, as before the upgrade.
    const std::string b = login(h, "admin@step2.org", "step-two-password", "tablet-b");
    Json edit = change("observation", obs, school, {{"rating", 3}}, 1, "tablet-b", 7);
    auto r =
        h.request("POST", "/v1/sync/push",
                  Json{{"device", "tablet-b"}, {"ops", Json::array({edit})}}.dump(), bearer(b));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["results"][0]["status"], "conflict") << r.body;
    bool recorded = false;
    std::int64_t since = 0;
    for (int guard = 0; guard < 100; ++guard) {
        auto page = h.request("GET",
                              "/v1/sync/pull?since=" + std::to_string(since) +
                                  "&schema=" + std::to_string(kDataSchemaVersion),
                              {}, bearer(b));
        ASSERT_EQ(page.status, 200) << page.body;
        const Json body = page.json();
        for (const Json& op : body["ops"])
            if (op["entity"] == "conflict" && op["fields"]["row"] == obs &&
                op["fields"]["field"] == "rating")
                recorded = recorded || op["fields"]["loser_value"] == 2 ||
                           op["fields"]["winner_value"] == 2;
        since = body["cursor"];
        if (!body["more"].get<bool>()) break;
    }
    EXPECT_TRUE(recorded) << "a conflict row keeps tablet-a's rating 2";

    // The note was set by tablet-a at seq 8 too; an edit based on seq 8 is not concurrent.
    Json later = change("observation", obs, school, {{"note", "third"}}, 2, "tablet-b", 8);
    r = h.request("POST", "/v1/sync/push",
                  Json{{"device", "tablet-b"}, {"ops", Json::array({later})}}.dump(), bearer(b));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["results"][0]["status"], "applied") << r.body;

    // An op stored before the upgrade is still answered with its stored result.
    const std::string a = login(h, "admin@step2.org", "step-two-password", "tablet-a");
    Json replay =
        change("observation", obs, school, {{"rating", 2}, {"note", "second"}}, 3, "tablet-a", 7);
    replay["op"] = "01900000-0000-7000-8000-0000000000a3";
    r = h.request("POST", "/v1/sync/push",
                  Json{{"device", "tablet-a"}, {"ops", Json::array({replay})}}.dump(), bearer(a));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["results"][0]["status"], "duplicate") << r.body;
    EXPECT_EQ(r.json()["results"][0]["seq"], 8) << r.body;
}

TEST(Ingest, TheLogIsCopiedIntoTheDatabaseFileBesideThePushes) {
    SITEVISIT_SQLITE_ONLY("the SQLite store's write-ahead log");
    InProcess p;
    User admin;
    std::string school;
    ASSERT_NO_FATAL_FAILURE(admin_and_school(p, admin, school));
    const std::string device = "tablet";
    server::Caller caller{admin, device, admin.id + "/" + device};
    const std::string visit = new_id();
    std::int64_t dseq = 0;
    auto push = [&](std::vector<Json> changes) {
        protocol::PushRequest request{device, {}};
        for (const auto& c : changes)
            request.ops.push_back(*Change::from_json(c));
        auto r = p.service->push(caller, request);
        ASSERT_TRUE(r) << r.error().message;
        for (const auto& result : r->results)
            ASSERT_EQ(result.status, protocol::OpStatus::Applied) << result.error;
    };
    push({change("visit", visit, school, walkthrough(), ++dseq, device)});
    const auto db = p.folder.data() / "server.db";
    const auto wal = p.folder.data() / "server.db-wal";
    const std::uintmax_t before = std::filesystem::file_size(db);
    // About 25 MB through the log (a note is kept in the change, its wire form and the row):
    // past the 4 MB at which a checkpoint is due, short of the 64 MB at which the writer
    // would copy it back itself.
    const std::string note(6000, 'n');
    constexpr int kPushes = 14, kBatch = 100;
    for (int i = 0; i < kPushes; ++i) {
        std::vector<Json> batch;
        for (int k = 0; k < kBatch; ++k) {
            Json fields = observation(visit, k);
            fields["note"] = note;
            batch.push_back(change("observation", new_id(), school, fields, ++dseq, device));
        }
        push(batch);
    }
    const std::uintmax_t logged = std::filesystem::file_size(wal);
    std::cout << "database file " << before / 1024 << " KB before the pushes, log " << logged / 1024
              << " KB after them\n";
    // A slower writer (a sanitizer build) leaves the checkpoint time to finish between pushes,
    // and the log then starts again from its beginning: only its upper bound is certain.
    EXPECT_LT(logged, 64u * 1024 * 1024);
    // The checkpoint thread copies the log into the database file while the store stays open
    // (closing it would copy it too, so the store is still open here).
    std::uintmax_t now = before;
    for (int wait = 0; wait < 200 && now < before + 10u * 1024 * 1024; ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        now = std::filesystem::file_size(db);
    }
    std::cout << "database file " << now / 1024 << " KB after the checkpoint\n";
    EXPECT_GT(now, before + 10u * 1024 * 1024) << "the log was not copied into the database file";
    // The checkpoint thread yields to the writer and the requests: its nice value is ten above
    // the process's (the store runs in this process, so it is one of its threads).
    const int own_nice = ::getpriority(PRIO_PROCESS, 0);
    int yielding = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream in(task.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // After the name in parentheses: state and fields 4 to 19; the 19th is the nice value.
        std::istringstream fields(stat.substr(stat.rfind(')') + 2));
        std::string field;
        for (int i = 3; i <= 19 && fields >> field; ++i)
            if (i == 19 && std::stoi(field) == std::min(19, own_nice + 10)) ++yielding;
    }
    EXPECT_EQ(yielding, 1) << "one thread, the checkpoint thread, runs ten nice steps lower";
    auto tx = p.store->begin(false);
    ASSERT_TRUE(tx);
    EXPECT_EQ((*tx)->rows_of_entity("observation").size(), std::size_t{kPushes * kBatch});
}

TEST(Ingest, ANewRowsFieldsAndVersionsReadBackAsWrittenAndAnEditMovesOnlyItsOwn) {
    InProcess p;
    User admin;
    std::string school;
    ASSERT_NO_FATAL_FAILURE(admin_and_school(p, admin, school));
    const std::string device = "tablet";
    server::Caller caller{admin, device, admin.id + "/" + device};
    std::int64_t dseq = 0;
    auto push = [&](const Json& c) -> std::int64_t {
        protocol::PushRequest request{device, {*Change::from_json(c)}};
        auto r = p.service->push(caller, request);
        EXPECT_TRUE(r) << r.error().message;
        if (!r || r->results.size() != 1) return -1;
        EXPECT_EQ(r->results[0].status, protocol::OpStatus::Applied) << r->results[0].error;
        return r->results[0].seq;
    };
    const std::string visit = new_id(), obs = new_id();
    ASSERT_GT(push(change("visit", visit, school, walkthrough(), ++dseq, device)), 0);
    Json fields = observation(visit, 1);
    fields["note"] = "a \"quoted\" note\\with a backslash";
    const std::int64_t first = push(change("observation", obs, school, fields, ++dseq, device));
    ASSERT_GT(first, 0);
    const std::vector<std::string> names{"visit", "indicator", "rating", "note", "source"};
    std::string first_hlc;
    {
        auto tx = p.store->begin(false);
        ASSERT_TRUE(tx);
        auto row = (*tx)->row(*find_entity("observation"), obs);
        ASSERT_TRUE(row);
        first_hlc = row->hlc;
        // A new row's fields are encoded once for the log and the row: both read back as sent.
        EXPECT_EQ(row->fields, fields);
        const auto logged = (*tx)->changes_after(first - 1, 1);
        ASSERT_EQ(logged.size(), 1u);
        EXPECT_EQ(logged[0].change.fields, fields);
        const auto versions = (*tx)->field_versions("observation", obs, names);
        ASSERT_EQ(versions.size(), names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            EXPECT_EQ(versions[i].seq, first) << names[i];
            EXPECT_EQ(versions[i].hlc, row->hlc) << names[i];
            EXPECT_EQ(versions[i].author, admin.id) << names[i];
            EXPECT_EQ(versions[i].device, caller.key) << names[i];
        }
    }
    Json edit = change("observation", obs, school, {{"note", "seen again"}}, ++dseq, device);
    edit["base"] = first;
    const std::int64_t second = push(edit);
    ASSERT_GT(second, first);
    auto tx = p.store->begin(false);
    ASSERT_TRUE(tx);
    const auto versions = (*tx)->field_versions("observation", obs, names);
    for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(versions[i].seq, names[i] == "note" ? second : first) << names[i];
        if (names[i] != "note") {
            EXPECT_EQ(versions[i].hlc, first_hlc) << names[i];
        }
    }
    Json now = fields;
    now["note"] = "seen again";
    EXPECT_EQ((*tx)->row(*find_entity("observation"), obs)->fields, now);
    const auto logged = (*tx)->changes_after(second - 1, 1);
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_EQ(logged[0].change.fields, (Json{{"note", "seen again"}}));
    tx->reset();

    // A new row and an edit of it in one push: the row the first change left as text is read
    // again by the second, in the same transaction.
    const std::string obs2 = new_id();
    protocol::PushRequest both{device, {}};
    both.ops.push_back(
        *Change::from_json(change("observation", obs2, school, fields, ++dseq, device)));
    both.ops.push_back(*Change::from_json(
        change("observation", obs2, school, {{"rating", 3}, {"note", "later"}}, ++dseq, device)));
    auto r = p.service->push(caller, both);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->results.size(), 2u);
    for (const auto& result : r->results)
        EXPECT_EQ(result.status, protocol::OpStatus::Applied) << result.error;
    Json merged = fields;
    merged["rating"] = 3;
    merged["note"] = "later";
    auto read = p.store->begin(false);
    ASSERT_TRUE(read);
    auto row = (*read)->row(*find_entity("observation"), obs2);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->fields, merged);
    EXPECT_EQ(row->seq, r->results[1].seq);
}
