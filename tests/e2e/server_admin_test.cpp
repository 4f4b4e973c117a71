// sitevisit-server end to end (the real binary on a loopback port, real HTTP, real files).
// The admin commands, the store's lifecycle, serve flags, and stopping or killing the server.
#include "server_fixture.h"

#include <arpa/inet.h>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace sitevisit;
using namespace sitevisit::e2e;

TEST(ServerAdmin, UsersAreAddedListedAndRevoked) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"init"}).code, 0);
    auto import = server.admin({"school", "import", "/dev/null"});
    EXPECT_EQ(import.code, 1);
    EXPECT_NE(import.err.find("no school rows"), std::string::npos) << import.err;

    auto bad_role =
        server.admin({"user", "add", "--email", "x@y.org", "--name", "X", "--role", "janitor"},
                     "long-enough-pw\n");
    EXPECT_EQ(bad_role.code, 1);
    EXPECT_NE(bad_role.err.find("role must be one of"), std::string::npos) << bad_role.err;
    auto short_pw = server.admin(
        {"user", "add", "--email", "a@y.org", "--name", "A", "--role", "admin"}, "short\n");
    EXPECT_EQ(short_pw.code, 1);
    EXPECT_NE(short_pw.err.find("at least 8 characters"), std::string::npos);
    auto added =
        server.admin({"user", "add", "--email", "Ada@Y.org", "--name", "Ada", "--role", "admin"},
                     "a-long-password\n");
    ASSERT_EQ(added.code, 0) << added.err;
    EXPECT_NE(added.out.find("added ada@y.org (admin)"), std::string::npos) << added.out;
    auto twice =
        server.admin({"user", "add", "--email", "ada@y.org", "--name", "Ada", "--role", "admin"},
                     "a-long-password\n");
    EXPECT_EQ(twice.code, 1);
    EXPECT_NE(twice.err.find("exists already"), std::string::npos);
    auto missing_school =
        server.admin({"user", "add", "--email", "p@y.org", "--name", "P", "--role", "principal",
                      "--school", "0190a000-0000-7000-8000-0000000000c9"},
                     "a-long-password\n");
    EXPECT_EQ(missing_school.code, 1);
    EXPECT_NE(missing_school.err.find("does not exist"), std::string::npos);

    server.start();
    const std::string token = login(server.http(), "ada@y.org", "a-long-password", "d1");
    EXPECT_EQ(server.http().request("GET", "/v1/reference", {}, bearer(token)).status, 200);
    auto list = server.admin({"user", "list"});
    EXPECT_EQ(list.code, 0);
    EXPECT_NE(list.out.find("ada@y.org  admin  Ada"), std::string::npos) << list.out;
    auto revoked = server.admin({"user", "revoke", "--email", "ada@y.org"});
    ASSERT_EQ(revoked.code, 0) << revoked.err;
    EXPECT_NE(revoked.out.find("ended 1 session(s)"), std::string::npos) << revoked.out;
    EXPECT_EQ(server.http().request("GET", "/v1/reference", {}, bearer(token)).status, 401);
    auto again = server.http().request(
        "POST", "/v1/auth/login",
        Json{{"email", "ada@y.org"}, {"password", "a-long-password"}, {"device", "d1"}}.dump());
    EXPECT_EQ(again.status, 401);
    EXPECT_NE(again.body.find("revoked"), std::string::npos);
    EXPECT_NE(server.admin({"user", "list"}).out.find("(revoked)"), std::string::npos);
    EXPECT_EQ(server.admin({"user", "frobnicate"}).code, 2);
}

TEST(ServerAdmin, SchoolImportIsAllOrNothingWithTheLineOfTheBadRow) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"init"}).code, 0);
    const auto csv = server.data().parent_path() / "schools.csv";
    {
        std::ofstream f(csv);
        f << "org code,name,district code,district name,region,level,designation\n"
          << "00350123,Lincoln Elementary,00350000,Harbor City,Coastal,elementary,chronically "
             "underperforming\n"
          << "00350456,\"Harbor Middle, East\",00350000,Harbor "
             "City,Coastal,middle,underperforming\n"
          << "0035x789,Harbor High,00350000,Harbor City,Coastal,high,none\n";
    }
    auto bad = server.admin({"school", "import", csv.string()});
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(
        bad.err.find(
            "line 4: org code must be up to 8 digits, got \"0035x789\"; nothing was imported"),
        std::string::npos)
        << bad.err;
    ASSERT_EQ(server
                  .admin({"user", "add", "--email", "a@y.org", "--name", "A", "--role", "admin"},
                         "a-long-password\n")
                  .code,
              0);
    Json rows = Json::parse(server.admin({"export", "--user", "a@y.org"}).out)["rows"];
    EXPECT_FALSE(rows.contains("school"));

    {
        std::ofstream f(csv);
        f << "00350123,Lincoln Elementary,00350000,Harbor City,Coastal,elementary,chronically "
             "underperforming\n"
          << "00350456,\"Harbor Middle, East\",00350000,Harbor "
             "City,Coastal,middle,underperforming\n"
          << "00360789,Bayside High,00360000,Bayside,Coastal,high,none\n"
          << "00359123,Seaport Middle,00359000,Harbor City Receivership Schools,Office of "
             "Strategic Transformation,middle,chronically underperforming\n";
    }
    auto good = server.admin({"school", "import", csv.string()});
    ASSERT_EQ(good.code, 0) << good.err;
    EXPECT_NE(good.out.find("imported 4 school(s)"), std::string::npos);
    rows = Json::parse(server.admin({"export", "--user", "a@y.org"}).out)["rows"];
    EXPECT_EQ(rows["school"].size(), 4u);
    EXPECT_EQ(rows["district"].size(), 3u);
    EXPECT_EQ(rows["region"].size(), 2u);
    // A region's code is its name's first 20 characters, without a space at the cut.
    std::set<std::string> codes;
    for (const auto& r : rows["region"])
        codes.insert(r["fields"]["code"].get<std::string>());
    EXPECT_EQ(codes, (std::set<std::string>{"Coastal", "Office of Strategic"}));
    bool comma = false;
    for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it) {
        if (it.value()["fields"]["name"] == "Harbor Middle, East") comma = true;
        if (it.value()["fields"]["code"] == "00360789") {
            EXPECT_EQ(it.value()["fields"]["level"], "secondary");
        }
    }
    EXPECT_TRUE(comma);
    // Importing again updates in place.
    ASSERT_EQ(server.admin({"school", "import", csv.string()}).code, 0);
    EXPECT_EQ(
        Json::parse(server.admin({"export", "--user", "a@y.org"}).out)["rows"]["school"].size(),
        4u);
}

TEST_F(Demo, AdminsSetAPasswordUnlockAndRestoreUsers) {
    const std::string token =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p");
    auto short_pw =
        server.admin({"user", "password", "--email", "principal@demo.sitevisit"}, "short\n");
    EXPECT_EQ(short_pw.code, 1);
    EXPECT_NE(short_pw.err.find("at least 8 characters"), std::string::npos) << short_pw.err;
    auto set = server.admin({"user", "password", "--email", "principal@demo.sitevisit"},
                            "a-new-password-2026\n");
    ASSERT_EQ(set.code, 0) << set.err;
    EXPECT_NE(set.out.find("ended 1 session(s)"), std::string::npos) << set.out;
    EXPECT_EQ(http().request("GET", "/v1/reference", {}, bearer(token)).status, 401)
        << "sessions end with the old password";
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p").status,
        401);
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        200);
    EXPECT_EQ(server
                  .admin({"user", "password", "--email", "nobody@demo.sitevisit"},
                         "a-new-password-2026\n")
                  .code,
              1);

    for (int i = 0; i < 5; ++i)
        login_request(http(), "principal@demo.sitevisit", "guess-" + std::to_string(i), "bot");
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        429);
    auto unlock = server.admin({"user", "unlock", "--email", "principal@demo.sitevisit"});
    ASSERT_EQ(unlock.code, 0) << unlock.err;
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        200);

    ASSERT_EQ(server.admin({"user", "revoke", "--email", "principal@demo.sitevisit"}).code, 0);
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        401);
    auto restore = server.admin({"user", "restore", "--email", "principal@demo.sitevisit"});
    ASSERT_EQ(restore.code, 0) << restore.err;
    auto back =
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p");
    ASSERT_EQ(back.status, 200) << back.body;
    EXPECT_EQ(http().request("GET", "/v1/reference", {}, bearer(back.json()["token"])).status, 200);
    EXPECT_EQ(server.admin({"user", "unlock"}).code, 2) << "--email is required";
    EXPECT_NE(server.admin({"user", "frobnicate"}).err.find("user restore"), std::string::npos)
        << "the usage names it";
}

TEST_F(Demo, KilledMidStreamTheServerKeepsEveryAcknowledgedOpOnceAndNoHalfBatch) {
    std::mt19937_64 rng(test_seed("server kill test", 2026));

    std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "kill-tab");
    const std::string visit = new_id();
    ASSERT_EQ(push(token, "kill-tab",
                   Json::array({change("visit", visit, lincoln,
                                       {{"kind", "walkthrough"},
                                        {"rubric", "msv-2026-2027-elementary"},
                                        {"start_date", "2026-11-23"}},
                                       1, "kill-tab")}))
                  .status,
              200);

    struct Batch {
        Json ops;
        bool acknowledged = false;
    };
    std::vector<Batch> batches;
    std::int64_t dseq = 1;
    for (int b = 0; b < 40; ++b) {
        Json ops = Json::array();
        for (int i = 0; i < 25; ++i)
            ops.push_back(change("observation", new_id(), lincoln,
                                 {{"visit", visit},
                                  {"indicator", "msv-2026-2027-elementary/1.1"},
                                  {"rating", i % 4},
                                  {"note", "batch " + std::to_string(b)}},
                                 ++dseq, "kill-tab"));
        batches.push_back({ops});
    }

    // Send the batches in order; kill the server at random moments (from another thread, so
    // some kills land while a batch is being applied) and restart it; a batch whose answer
    // was lost is sent again, as a device would.
    int kills = 0;
    std::size_t next = 0;
    while (next < batches.size()) {
        std::thread killer;
        const bool kill_now = kills < 5 && rng() % 4 == 0;
        if (kill_now) {
            const auto delay = std::chrono::microseconds(rng() % 30000);
            killer = std::thread([&, delay] {
                std::this_thread::sleep_for(delay);
                server.kill9();
            });
        }
        auto r = push(token, "kill-tab", batches[next].ops);
        if (killer.joinable()) killer.join();
        if (r.status == 200) {
            const Json answer = r.json();
            for (const auto& res : answer["results"])
                ASSERT_NE(res["status"], "rejected") << res.dump();
            batches[next].acknowledged = true;
            ++next;
        }
        if (!server.running()) {
            ++kills;
            server.start();
            ASSERT_TRUE(server.running());
            // Nothing half applied: the in-flight batch is all there or not at all.
            const Json rows = export_as("lead@demo.sitevisit")["rows"]["observation"];
            int present = 0;
            for (const auto& op : batches[next < batches.size() ? next : batches.size() - 1].ops)
                present += rows.contains(op["id"].get<std::string>()) ? 1 : 0;
            EXPECT_TRUE(present == 0 || present == 25)
                << "batch " << next << " half applied: " << present;
        }
    }
    std::cout << "server kill test: " << kills << " kills, " << batches.size() << " batches\n";
    EXPECT_GE(kills, 1);

    // Every acknowledged op exactly once in the change log.
    std::map<std::string, int> seen;
    for (const auto& op : pull_all(token, 0, nullptr, 2000))
        seen[op["op"].get<std::string>()]++;
    for (const auto& b : batches) {
        ASSERT_TRUE(b.acknowledged);
        for (const auto& op : b.ops)
            EXPECT_EQ(seen[op["op"].get<std::string>()], 1) << op["op"];
    }
}

TEST_F(Demo, SigtermFinishesTheRequestInFlightThenExits) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "term-tab");
    const std::string visit = new_id();
    Json ops = Json::array({change("visit", visit, lincoln,
                                   {{"kind", "walkthrough"},
                                    {"rubric", "msv-2026-2027-elementary"},
                                    {"start_date", "2026-11-23"}},
                                   1, "term-tab")});
    for (int i = 0; i < 4000; ++i)
        ops.push_back(change(
            "observation", new_id(), lincoln,
            {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/3.1"}, {"rating", i % 4}},
            i + 2, "term-tab"));
    Response answer;
    std::promise<void> sent;
    std::thread client([&] {
        answer = http().request_then("POST", "/v1/sync/push",
                                     Json{{"device", "term-tab"}, {"ops", ops}}.dump(),
                                     bearer(token), [&] { sent.set_value(); });
    });
    sent.get_future().wait(); // the server holds the whole push: it is being read or applied
    server.signal_term();
    client.join();
    EXPECT_EQ(server.stop(), 0);
    ASSERT_EQ(answer.status, 200) << "the push in flight was cut off: " << answer.body
                                  << server.stderr_text();
    EXPECT_EQ(answer.json()["results"].size(), 4001u);
    server.start();
    const Json rows = export_as("lead@demo.sitevisit")["rows"]["observation"];
    EXPECT_TRUE(rows.contains(ops[4000]["id"].get<std::string>()));
}

// ---- hardening: the store's lifecycle --------------------------------------------------------

namespace {

// `serve` with a time limit, so a server that wrongly starts fails the test instead of hanging.
Run serve_briefly(const ServerProcess& server, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{"/usr/bin/timeout", "10",         server_binary(), "serve",
                                  "--listen",         "127.0.0.1:0"};
    for (const auto& a : server.store_args())
        argv.push_back(a);
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv);
}

// A loopback port nothing listens on (it was free a moment ago).
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

} // namespace

TEST(StoreLifecycle, ServeRefusesAMissingEmptyOrDamagedStoreAndInitMakesOne) {
    SITEVISIT_SQLITE_ONLY("server.db's lifecycle; PostgreSQLStoreIsMadeByInitOnly covers --store");
    ServerProcess server;
    auto missing = serve_briefly(server);
    EXPECT_EQ(missing.code, 3) << missing.err;
    EXPECT_NE(missing.err.find("sitevisit-server init --data"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("restore server.db from a backup"), std::string::npos)
        << missing.err;
    EXPECT_FALSE(std::filesystem::exists(server.data() / "server.db")) << "serve made a store";
    for (const auto& command :
         std::vector<std::vector<std::string>>{{"user", "list"}, {"export", "--user", "a@y.org"}}) {
        auto r = server.admin(command);
        EXPECT_EQ(r.code, 3) << command[0] << ": " << r.err;
        EXPECT_NE(r.err.find("sitevisit-server init"), std::string::npos) << r.err;
    }

    std::filesystem::create_directories(server.data());
    std::ofstream(server.data() / "server.db").flush();
    auto empty = serve_briefly(server);
    EXPECT_EQ(empty.code, 3) << empty.err;
    EXPECT_NE(empty.err.find("is empty (0 bytes)"), std::string::npos) << empty.err;
    EXPECT_EQ(std::filesystem::file_size(server.data() / "server.db"), 0u);
    auto over_empty = server.admin({"init"});
    EXPECT_EQ(over_empty.code, 1) << "init never replaces a file: " << over_empty.err;
    EXPECT_NE(over_empty.err.find("exists already"), std::string::npos) << over_empty.err;

    std::filesystem::remove(server.data() / "server.db");
    auto init = server.admin({"init"});
    ASSERT_EQ(init.code, 0) << init.err;
    EXPECT_NE(init.out.find("made an empty store"), std::string::npos) << init.out;
    EXPECT_EQ(server.admin({"init"}).code, 1);
    ASSERT_EQ(server
                  .admin({"user", "add", "--email", "a@y.org", "--name", "A", "--role", "admin"},
                         "a-long-password\n")
                  .code,
              0);
    server.start();
    EXPECT_EQ(server.http().request("GET", "/v1/health").status, 200);
    login(server.http(), "a@y.org", "a-long-password", "d");
    server.stop();
}

TEST(StoreLifecycle, ADamagedStoreIsFoundAtStart) {
    SITEVISIT_SQLITE_ONLY("garbage written over server.db's pages");
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    const auto db = server.data() / "server.db";
    const auto size = std::filesystem::file_size(db);
    ASSERT_GT(size, 64u * 1024);
    {
        // Garbage over the pages in the middle of the file, as a failing disk leaves them.
        std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
        std::mt19937_64 rng(test_seed("damaged store garbage", 11));
        f.seekp(static_cast<std::streamoff>(size / 3));
        for (std::uintmax_t i = 0; i < size / 3; ++i)
            f.put(static_cast<char>(rng()));
    }
    auto r = serve_briefly(server);
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_NE(r.err.find("restore it from a backup"), std::string::npos) << r.err;
    std::cout << "damaged store: " << r.err;
    for (const auto& command : std::vector<std::vector<std::string>>{
             {"user", "list"}, {"export", "--user", "admin@demo.sitevisit"}}) {
        auto admin = server.admin(command);
        EXPECT_EQ(admin.code, 3) << command[0] << ": " << admin.err;
        EXPECT_NE(admin.err.find("restore it from a backup"), std::string::npos) << admin.err;
    }
}

TEST(StoreLifecycle, PostgreSQLStoreIsMadeByInitOnly) {
    if (!on_postgresql()) GTEST_SKIP() << "runs with SITEVISIT_TEST_STORE=postgresql";
    ServerProcess server;
    // A database without a store: every command but init and demo refuses it.
    auto missing = serve_briefly(server);
    EXPECT_EQ(missing.code, 3) << missing.err;
    EXPECT_NE(missing.err.find("there is no store in the PostgreSQL database"), std::string::npos)
        << missing.err;
    EXPECT_NE(missing.err.find("sitevisit-server init"), std::string::npos) << missing.err;
    for (const auto& command :
         std::vector<std::vector<std::string>>{{"user", "list"}, {"export", "--user", "a@y.org"}}) {
        auto r = server.admin(command);
        EXPECT_EQ(r.code, 3) << command[0] << ": " << r.err;
        EXPECT_NE(r.err.find("sitevisit-server init"), std::string::npos) << r.err;
    }
    auto init = server.admin({"init"});
    ASSERT_EQ(init.code, 0) << init.err;
    EXPECT_NE(init.out.find("made an empty store in the PostgreSQL database"), std::string::npos)
        << init.out;
    auto again = server.admin({"init"});
    EXPECT_EQ(again.code, 1) << again.err;
    EXPECT_NE(again.err.find("holds a store already"), std::string::npos) << again.err;
    ASSERT_EQ(server
                  .admin({"user", "add", "--email", "a@y.org", "--name", "A", "--role", "admin"},
                         "a-long-password\n")
                  .code,
              0);
    // The store is the database: no server.db is made beside the evidence files.
    server.start();
    login(server.http(), "a@y.org", "a-long-password", "d");
    server.stop();
    EXPECT_FALSE(std::filesystem::exists(server.data() / "server.db"));

    // A store a newer build migrated: this one refuses it and changes nothing.
    store_sql(server, "UPDATE sitevisit_schema SET version = version + 100");
    auto newer = serve_briefly(server);
    EXPECT_NE(newer.code, 0);
    EXPECT_NE(newer.err.find("written by a newer sitevisit-server"), std::string::npos)
        << newer.err;
    EXPECT_NE(server.admin({"user", "list"}).code, 0);
    store_sql(server, "UPDATE sitevisit_schema SET version = version - 100");
    auto listed = server.admin({"user", "list"});
    EXPECT_EQ(listed.code, 0) << listed.err;
    EXPECT_NE(listed.out.find("a@y.org"), std::string::npos) << listed.out;
}

TEST(StoreLifecycle, ABadStoreUrlOrAnUnreachableDatabaseIsSaidPlainly) {
    ServerProcess server;
    auto with_store = [&](const std::string& url, const std::vector<std::string>& command) {
        std::vector<std::string> argv{server_binary()};
        argv.insert(argv.end(), command.begin(), command.end());
        for (const std::string& a :
             {std::string("--data"), server.data().string(), std::string("--store"), url})
            argv.push_back(a);
        return run(argv);
    };
    auto not_url = with_store("localhost:5432/db", {"user", "list"});
    EXPECT_EQ(not_url.code, 2) << not_url.err;
    EXPECT_NE(not_url.err.find("postgresql://USER@HOST:PORT/DB"), std::string::npos) << not_url.err;
    auto no_db = with_store("postgresql://me@127.0.0.1:5432", {"user", "list"});
    EXPECT_EQ(no_db.code, 2) << no_db.err;
    EXPECT_NE(no_db.err.find("must name a database"), std::string::npos) << no_db.err;
    // A password in the URL would show in the process list: refused, and never repeated.
    auto password = with_store("postgresql://me:s3cret-pw@127.0.0.1:5432/db", {"user", "list"});
    EXPECT_EQ(password.code, 2) << password.err;
    EXPECT_NE(password.err.find("PGPASSFILE"), std::string::npos) << password.err;
    EXPECT_EQ(password.err.find("s3cret-pw"), std::string::npos) << password.err;
    // Nothing listens there: the message names the host, port and database and what libpq said.
    const int port = closed_port();
    const std::string url = "postgresql://me@127.0.0.1:" + std::to_string(port) + "/nowhere";
    for (const auto& command :
         std::vector<std::vector<std::string>>{{"init"}, {"user", "list"}, {"demo"}}) {
        auto r = with_store(url, command);
        EXPECT_EQ(r.code, 3) << command[0] << ": " << r.err;
        EXPECT_NE(r.err.find("cannot reach the PostgreSQL store at me@127.0.0.1:" +
                             std::to_string(port) + "/nowhere"),
                  std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
    }
}

// ---- hardening: serve flags ------------------------------------------------------------------

TEST(ServeFlags, TlsFilesGoTogetherAndTheConnectionCapIsANumber) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"init"}).code, 0);
    auto cert_only = serve_briefly(server, {"--tls-cert", "/tmp/cert.pem"});
    EXPECT_EQ(cert_only.code, 2) << cert_only.err;
    EXPECT_NE(cert_only.err.find("--tls-cert and --tls-key go together"), std::string::npos)
        << cert_only.err;
    auto key_only = serve_briefly(server, {"--tls-key", "/tmp/key.pem"});
    EXPECT_EQ(key_only.code, 2) << key_only.err;
    const auto missing = (server.data().parent_path() / "no-such-cert.pem").string();
    auto unreadable = serve_briefly(server, {"--tls-cert", missing, "--tls-key", missing});
    EXPECT_EQ(unreadable.code, 1) << unreadable.err;
    EXPECT_NE(unreadable.err.find("cannot read --tls-cert " + missing), std::string::npos)
        << unreadable.err;
    for (const std::string bad : {"0", "-5", "many"}) {
        auto r = serve_briefly(server, {"--max-connections", bad});
        EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
        EXPECT_NE(r.err.find("--max-connections must be"), std::string::npos) << r.err;
    }
    for (const auto& flag : {"--partial-quota-bytes", "--partial-expiry-days"}) {
        auto r = serve_briefly(server, {flag, "0"});
        EXPECT_EQ(r.code, 2) << flag << ": " << r.err;
    }
    auto help = run({server_binary(), "--help"});
    for (const char* word : {"--tls-cert FILE --tls-key FILE", "--max-connections N",
                             "--partial-quota-bytes N", "--partial-expiry-days N",
                             "init --data DIR", "user password", "user unlock", "user restore"})
        EXPECT_NE(help.out.find(word), std::string::npos) << word;

    server.start({"--max-connections", "3000"});
    EXPECT_EQ(server.http().request("GET", "/v1/health").status, 200);
    std::ifstream limits("/proc/" + std::to_string(server.pid()) + "/limits");
    for (std::string line; std::getline(limits, line);)
        if (line.rfind("Max open files", 0) == 0)
            std::cout << "server with --max-connections 3000: " << line << "\n";
}
