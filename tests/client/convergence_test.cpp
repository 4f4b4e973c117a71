// Randomized convergence: several devices (real SyncEngines, real SQLite files) edit at random
// while syncing in random order through a proxy that loses answers and cuts requests, and the
// server is killed and restarted now and then. At the end every device holds exactly the
// server's data for its user, and no edit vanished without a trace. The seed is fixed and
// printed; SITEVISIT_SEED picks another or replays a run, SITEVISIT_SOAK_EDITS makes it long.
#include "harness.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/client/sync_engine.h"
#include "test_seed.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QTimer>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <random>
#include <set>

using namespace sitevisit;
using namespace sitevisit::e2e;
using client::SyncEngine;

namespace {

bool run_sync(SyncEngine& engine) {
    bool ok = false;
    QEventLoop loop;
    auto c = QObject::connect(&engine, &SyncEngine::finished, &loop, [&](bool r) {
        ok = r;
        loop.quit();
    });
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    engine.syncNow();
    if (engine.state() == SyncEngine::State::Syncing) loop.exec();
    QObject::disconnect(c);
    return ok;
}

struct Dev {
    std::string name, email, password;
    std::unique_ptr<Store> store;
    std::unique_ptr<SyncEngine> engine;
    User user;
};

Json export_rows(const Store& store) {
    Json rows = Json::object();
    for (const auto& spec : entity_specs()) {
        auto list = store.list(spec.name);
        for (const auto& r : *list)
            rows[spec.name][r.id] = {{"school", r.school}, {"fields", r.fields}};
    }
    return rows;
}

} // namespace

TEST(Convergence, RandomEditsRandomSyncsRandomFaults) {
    const std::uint64_t seed = sitevisit::testing::test_seed("convergence");
    int edits = 2000;
    if (const char* s = std::getenv("SITEVISIT_SOAK_EDITS")) edits = std::max(2000, std::atoi(s));
    std::cout << edits << " edits\n";
    std::mt19937_64 rng(seed);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };

    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    FaultProxy proxy(server.port());
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(proxy.port()));
    Json everything =
        Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out)["rows"];
    std::string lincoln;
    for (auto it = everything["school"].begin(); it != everything["school"].end(); ++it)
        if (it.value()["fields"]["code"] == "00350123") lincoln = it.key();
    std::vector<std::string> benchmarks;
    for (auto it = everything["benchmark"].begin(); it != everything["benchmark"].end(); ++it)
        if (it.value()["school"] == lincoln) benchmarks.push_back(it.key());

    QNetworkAccessManager network;
    const auto dir = server.data().parent_path();
    std::vector<Dev> devs;
    for (int i = 0; i < 5; ++i) {
        Dev d;
        d.name = "dev" + std::to_string(i);
        d.email = i < 4 ? "lead@demo.sitevisit" : "principal@demo.sitevisit";
        d.password = i < 4 ? "lead-demo-2026" : "principal-demo-2026";
        d.store = std::move(Store::open({(dir / (d.name + ".db")).string()})).value();
        SyncEngine::Options o;
        o.interval_ms = 0;
        o.backoff_first_ms = 60000; // retries are this test's to make
        o.jitter_seed = static_cast<std::uint32_t>(seed);
        o.chunk_bytes = 4096;
        o.timeouts.inactivity_ms = 5000;
        d.engine = std::make_unique<SyncEngine>(*d.store, network, o);
        QString error = QStringLiteral("no answer");
        QEventLoop loop;
        d.engine->signIn(url, QString::fromStdString(d.email), QString::fromStdString(d.password),
                         [&](QString e) {
                             error = e;
                             loop.quit();
                         });
        loop.exec();
        ASSERT_TRUE(error.isEmpty()) << error.toStdString();
        d.user = *d.engine->user();
        ASSERT_TRUE(run_sync(*d.engine)) << d.engine->errorString().toStdString();
        devs.push_back(std::move(d));
    }

    int made = 0, refused = 0, syncs = 0, failed_syncs = 0, restarts = 0, files = 0;
    std::map<std::string, std::vector<std::string>> visits_of; // device -> its visits
    while (made < edits) {
        Dev& d = devs[rng() % devs.size()];
        const bool principal = d.email.rfind("principal", 0) == 0;
        Result<WriteResult> r = Error{};
        if (principal) {
            if (chance(0.15)) {
                const auto path = dir / ("file" + std::to_string(files++) + ".bin");
                std::string bytes(1000 + rng() % 20000, '\0');
                for (auto& c : bytes)
                    c = static_cast<char>(rng());
                std::ofstream(path, std::ios::binary) << bytes;
                QFile f(QString::fromStdString(path.string()));
                f.open(QIODevice::ReadOnly);
                const std::string sha =
                    QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
                        .toHex()
                        .toStdString();
                ASSERT_TRUE(
                    client::DeviceState(*d.store)
                        .queue_blob({sha, path.string(), static_cast<std::int64_t>(bytes.size()),
                                     BlobDirection::Up})
                        .ok());
                r = d.store->put(d.user, {"evidence",
                                          "",
                                          lincoln,
                                          {{"title", "File " + std::to_string(files)},
                                           {"kind", "data"},
                                           {"sha256", sha},
                                           {"size", static_cast<std::int64_t>(bytes.size())},
                                           {"media_type", "application/octet-stream"}}});
            } else if (chance(0.5) && !benchmarks.empty()) {
                r = d.store->put(d.user, {"reading",
                                          "",
                                          "",
                                          {{"benchmark", benchmarks[rng() % benchmarks.size()]},
                                           {"date", "2026-11-2" + std::to_string(rng() % 3)},
                                           {"value", static_cast<double>(rng() % 100)}}});
            } else {
                auto ev = d.store->list("evidence");
                if (ev->empty()) continue;
                r = d.store->put(d.user, {"evidence",
                                          (*ev)[rng() % ev->size()].id,
                                          "",
                                          {{"title", "Edited " + std::to_string(made)}}});
            }
        } else {
            auto own = d.store->list("visit", "status", "draft");
            std::vector<Row> mine;
            for (const auto& v : *own)
                if (v.fields.value("team", Json::array()).dump().find(d.user.id) !=
                    std::string::npos)
                    mine.push_back(v);
            auto obs = d.store->list("observation");
            std::vector<Row> live;
            for (const auto& o : *obs) {
                auto v = d.store->get("visit", o.fields.value("visit", ""));
                if (v.ok() && *v && !(*v)->deleted && (*v)->fields.value("status", "") == "draft")
                    live.push_back(o);
            }
            const int what = static_cast<int>(rng() % 10);
            if (mine.empty() || what == 0) {
                r = d.store->put(d.user, {"visit",
                                          "",
                                          lincoln,
                                          {{"kind", "walkthrough"},
                                           {"rubric", "msv-2026-2027-elementary"},
                                           {"start_date", "2026-11-23"}}});
            } else if (live.empty() || what <= 4) {
                const auto& v = mine[rng() % mine.size()];
                r = d.store->put(d.user, {"observation",
                                          "",
                                          "",
                                          {{"visit", v.id},
                                           {"indicator", "msv-2026-2027-elementary/" +
                                                             std::to_string(1 + rng() % 4) + ".1"},
                                           {"rating", static_cast<int>(rng() % 4)}}});
            } else if (what <= 8) {
                const auto& o = live[rng() % live.size()];
                Json f = chance(0.5)
                             ? Json{{"rating", static_cast<int>(rng() % 4)}}
                             : Json{{"note", "note " + std::to_string(made) + " by " + d.name}};
                r = d.store->put(d.user, {"observation", o.id, "", f});
            } else {
                r = d.store->remove(d.user, "observation", live[rng() % live.size()].id);
            }
        }
        if (r.ok())
            ++made;
        else
            ++refused;

        if (chance(0.08)) {
            Dev& s = devs[rng() % devs.size()];
            if (chance(0.15))
                proxy.fault(chance(0.5) ? FaultProxy::Fault::LoseReply
                                        : FaultProxy::Fault::CutRequest,
                            200 + static_cast<int>(rng() % 2000));
            if (chance(0.03)) {
                server.kill9();
                server.start();
                ++restarts;
            }
            ++syncs;
            if (!run_sync(*s.engine)) ++failed_syncs;
            proxy.fault(FaultProxy::Fault::Pass);
        }
    }
    // Everyone syncs until quiet.
    proxy.fault(FaultProxy::Fault::Pass);
    for (int round = 0; round < 3; ++round)
        for (auto& d : devs)
            ASSERT_TRUE(run_sync(*d.engine))
                << d.name << ": " << d.engine->errorString().toStdString();
    std::cout << "convergence: " << made << " edits (" << refused << " refused locally), " << syncs
              << " syncs (" << failed_syncs << " cut short), " << restarts << " server restarts, "
              << files << " files\n";

    // 1. Every device holds exactly the server's data for its user.
    for (auto& d : devs) {
        Json server_rows = Json::parse(server.admin({"export", "--user", d.email}).out)["rows"];
        const Json mine = export_rows(*d.store);
        EXPECT_EQ(mine, server_rows) << d.name;
        if (mine != server_rows)
            for (const auto& patch : Json::diff(server_rows, mine))
                std::cout << d.name << " differs: " << patch.dump().substr(0, 300) << "\n";
        EXPECT_EQ(d.engine->pendingChanges(), 0) << d.name;
        EXPECT_EQ(d.engine->rejectedChanges(), 0) << d.name;
        auto jobs = client::DeviceState(*d.store).blob_jobs();
        EXPECT_TRUE(jobs->empty()) << d.name << " still has files to upload";
    }
    // 2. No edit vanished: each value pushed is the current one, in a conflict record, or was
    //    overwritten by a change made by someone who had seen it (or by the same device).
    const std::string admin =
        login(server.http(), "admin@demo.sitevisit", "admin-demo-2026", "auditor");
    std::vector<Json> log;
    for (std::int64_t since = 0;;) {
        Json j = server.http()
                     .request("GET", "/v1/sync/pull?since=" + std::to_string(since) + "&limit=5000",
                              {}, bearer(admin))
                     .json();
        for (auto& op : j["ops"])
            log.push_back(op);
        since = j["cursor"];
        if (!j["more"]) break;
    }
    const Json final_rows =
        Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out)["rows"];
    std::set<std::string> kept; // entity/row/field/value in conflict records
    for (const auto& op : log)
        if (op["entity"] == "conflict" && op["fields"].contains("row")) {
            const Json& f = op["fields"];
            kept.insert(f["entity"].get<std::string>() + "/" + f["row"].get<std::string>() + "/" +
                        f["field"].get<std::string>() + "/" +
                        f.value("winner_value", Json()).dump());
            kept.insert(f["entity"].get<std::string>() + "/" + f["row"].get<std::string>() + "/" +
                        f["field"].get<std::string>() + "/" +
                        f.value("loser_value", Json()).dump());
        }
    int checked = 0, lost = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        const Json& c = log[i];
        if (c["kind"] != "upsert" || c["entity"] == "conflict") continue;
        const std::string entity = c["entity"], id = c["id"];
        if (!final_rows.contains(entity) || !final_rows[entity].contains(id))
            continue; // deleted on purpose
        const std::string device = c["hlc"].get<std::string>().substr(30);
        for (auto it = c["fields"].begin(); it != c["fields"].end(); ++it) {
            ++checked;
            const Json& now = final_rows[entity][id]["fields"].value(it.key(), Json());
            if (now == it.value() ||
                kept.count(entity + "/" + id + "/" + it.key() + "/" + it.value().dump()))
                continue;
            bool superseded = false;
            for (std::size_t k = i + 1; k < log.size() && !superseded; ++k) {
                const Json& later = log[k];
                if (later["id"] != id || !later["fields"].contains(it.key())) continue;
                if (later["base"].get<std::int64_t>() >= c["seq"].get<std::int64_t>() ||
                    later["hlc"].get<std::string>().substr(30) == device)
                    superseded = true;
            }
            if (!superseded) {
                ++lost;
                ADD_FAILURE() << entity << " " << id << "." << it.key() << " = "
                              << it.value().dump() << " (seq " << c["seq"] << ") vanished; now "
                              << now.dump();
            }
        }
    }
    std::cout << "convergence: " << checked << " pushed field values checked, " << lost
              << " lost\n";
}

// A new device's initial sync in many small pages, so pages are asked for, decoded and applied
// at once (the next page asked for while one is decoded on the decoder's thread and another
// applied): each device ends holding exactly the server's data, with its cursor at the end of
// the log, with gzipped pages and without. The proxy counts the bytes that came down.
TEST(Convergence, PipelinedInitialSyncEndsEqualToTheServer) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    QNetworkAccessManager network;
    const auto dir = server.data().parent_path();
    struct Who {
        const char* email;
        const char* password;
    };
    const Who people[] = {{"admin@demo.sitevisit", "admin-demo-2026"},
                          {"lead@demo.sitevisit", "lead-demo-2026"},
                          {"principal@demo.sitevisit", "principal-demo-2026"}};
    long long down[2] = {0, 0};
    for (int gzip = 0; gzip < 2; ++gzip)
        for (const auto& who : people) {
            FaultProxy proxy(server.port());
            const std::string name = std::string("pipe-") + std::to_string(gzip) + "-" + who.email;
            auto store = std::move(Store::open({(dir / (name + ".db")).string()})).value();
            SyncEngine::Options o;
            o.interval_ms = 0;
            o.pull_limit = 7;
            o.gzip_pulls = gzip == 1;
            SyncEngine engine(*store, network, o);
            QEventLoop loop;
            QString error = "no answer";
            engine.signIn(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(proxy.port())),
                          QString::fromUtf8(who.email), QString::fromUtf8(who.password),
                          [&](QString e) {
                              error = e;
                              loop.quit();
                          });
            loop.exec();
            ASSERT_TRUE(error.isEmpty()) << error.toStdString();
            ASSERT_TRUE(run_sync(engine)) << engine.errorString().toStdString();
            down[gzip] += proxy.bytes_down();
            Json server_rows =
                Json::parse(server.admin({"export", "--user", who.email}).out)["rows"];
            const Json mine = export_rows(*store);
            EXPECT_EQ(mine, server_rows) << name;
            if (mine != server_rows)
                for (const auto& patch : Json::diff(server_rows, mine))
                    std::cout << name << " differs: " << patch.dump().substr(0, 300) << "\n";
            EXPECT_EQ(store->remote_rejects()->size(), 0u) << name;
            // The cursor is at the end of what this user may read: nothing more comes.
            const auto cursor = store->cursor();
            ASSERT_TRUE(run_sync(engine));
            EXPECT_EQ(store->cursor(), cursor) << name;
            EXPECT_EQ(export_rows(*store), mine) << name;
        }
    std::cout << "[ figures ] bytes down: " << down[0] << " plain, " << down[1] << " gzipped\n";
    EXPECT_LT(down[1], down[0] / 2) << "the gzipped syncs should have moved far fewer bytes";
}
