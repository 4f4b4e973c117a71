// The sync engine in process: it comes back by itself, resumes uploads across restarts, and
// gets files ready at capture.
#include "harness.h"
#include "sitevisit/client/attachments.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/client/sync_engine.h"
#include "test_seed.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QNetworkAccessManager>
#include <QTest>
#include <QTimer>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <random>

using namespace sitevisit;
using namespace sitevisit::e2e;
using client::SyncEngine;

namespace {

bool wait_finished(SyncEngine& engine, int ms, bool start) {
    bool ok = false, seen = false;
    QEventLoop loop;
    auto c = QObject::connect(&engine, &SyncEngine::finished, &loop, [&](bool r) {
        ok = r;
        seen = true;
        loop.quit();
    });
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    if (start) engine.syncNow();
    if (!seen) loop.exec();
    QObject::disconnect(c);
    return ok;
}

struct EngineTest : ::testing::Test {
    ServerProcess server;
    QNetworkAccessManager network;
    std::filesystem::path dir = server.data().parent_path();
    std::string lincoln;
    void SetUp() override {
        ASSERT_EQ(server.admin({"demo"}).code, 0);
        server.start();
        Json rows =
            Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out)["rows"];
        for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
            if (it.value()["fields"]["code"] == "00350123") lincoln = it.key();
    }
    std::unique_ptr<SyncEngine> engine(Store& store, SyncEngine::Options o, int port,
                                       const char* email, const char* password) {
        auto e = std::make_unique<SyncEngine>(store, network, o);
        if (!client::DeviceState(store).session().value()) {
            QEventLoop loop;
            QString error = "no answer";
            e->signIn(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), email, password,
                      [&](QString err) {
                          error = err;
                          loop.quit();
                      });
            loop.exec();
            EXPECT_TRUE(error.isEmpty()) << error.toStdString();
        }
        return e;
    }
};

} // namespace

TEST_F(EngineTest, WhenTheServerComesBackSyncStartsAgainByItself) {
    auto store = std::move(Store::open({(dir / "a.db").string()})).value();
    SyncEngine::Options o;
    o.interval_ms = 0;
    o.backoff_first_ms = 200;
    auto e = engine(*store, o, server.port(), "lead@demo.sitevisit", "lead-demo-2026");
    ASSERT_TRUE(wait_finished(*e, 30000, true));
    server.stop();
    auto v = store->put(*e->user(), {"visit",
                                     "",
                                     lincoln,
                                     {{"kind", "walkthrough"},
                                      {"rubric", "msv-2026-2027-elementary"},
                                      {"start_date", "2026-11-23"}}});
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_FALSE(wait_finished(*e, 30000, true));
    EXPECT_EQ(e->state(), SyncEngine::State::Offline);
    EXPECT_NE(e->errorString().toStdString().find("changes wait on this device"),
              std::string::npos);
    EXPECT_EQ(e->pendingChanges(), 1);
    server.start(); // same port; nobody calls syncNow
    bool recovered = false;
    for (int i = 0; i < 20 && !recovered; ++i)
        recovered = wait_finished(*e, 5000, false);
    EXPECT_TRUE(recovered);
    EXPECT_EQ(e->state(), SyncEngine::State::UpToDate);
    EXPECT_EQ(e->pendingChanges(), 0);
}

TEST_F(EngineTest, AnUploadCutAtRandomResumesAfterRestartsWithoutResendingWhatTheServerHas) {
    const std::uint64_t seed = sitevisit::testing::test_seed("upload cut");
    std::mt19937_64 rng(seed);
    FaultProxy proxy(server.port());
    const auto file = dir / "interview.bin";
    std::string bytes(2 * 1024 * 1024, '\0');
    for (auto& c : bytes)
        c = static_cast<char>(rng());
    std::ofstream(file, std::ios::binary) << bytes;
    const std::string db = (dir / "p.db").string();
    SyncEngine::Options o;
    o.interval_ms = 0;
    o.backoff_first_ms = 600000;
    o.chunk_bytes = 128 * 1024;
    std::string sha;
    {
        auto store = std::move(Store::open({db})).value();
        auto e = engine(*store, o, proxy.port(), "principal@demo.sitevisit", "principal-demo-2026");
        auto a =
            client::prepare_attachment(QString::fromStdString(file.string()),
                                       QString::fromStdString((dir / "work").string()), 100 << 20);
        ASSERT_TRUE(a.ok());
        sha = a->sha256;
        ASSERT_TRUE(client::DeviceState(*store)
                        .queue_blob({a->sha256, a->path, a->size, BlobDirection::Up})
                        .ok());
    }
    const long long before = proxy.bytes_up();
    int attempts = 0;
    bool done = false;
    while (!done && attempts < 40) {
        ++attempts;
        // Each attempt is a fresh start of the app: store, engine and connections made anew.
        network.clearConnectionCache();
        auto store = std::move(Store::open({db})).value();
        auto e = engine(*store, o, proxy.port(), "principal@demo.sitevisit", "principal-demo-2026");
        // The network dies somewhere in the next 50 to 450 KB, for every connection.
        if (attempts < 6)
            proxy.fault(FaultProxy::Fault::Budget,
                        50 * 1024 + static_cast<int>(rng() % (400 * 1024)));
        else
            proxy.fault(FaultProxy::Fault::Pass);
        done = wait_finished(*e, 60000, true);
    }
    ASSERT_TRUE(done);
    EXPECT_GE(attempts, 6); // the first five were cut
    const long long sent = proxy.bytes_up() - before;
    std::cout << "upload cut: " << attempts << " attempts, " << sent << " bytes sent for "
              << bytes.size() << " (" << (double)sent / bytes.size() << "x)\n";
    EXPECT_LT(sent, static_cast<long long>(bytes.size() + attempts * (o.chunk_bytes + 16384)));
    EXPECT_TRUE(std::filesystem::exists(server.data() / "blobs" / sha));
}

TEST_F(EngineTest, PhotosAreDownscaledAndOversizedFilesRefusedAtCapture) {
    QImage photo(4000, 3000, QImage::Format_RGB32);
    photo.fill(Qt::darkGreen);
    const auto path = dir / "classroom.png";
    ASSERT_TRUE(photo.save(QString::fromStdString(path.string())));
    auto a = client::prepare_attachment(QString::fromStdString(path.string()),
                                        QString::fromStdString((dir / "work").string()), 100 << 20);
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_TRUE(a->downscaled);
    EXPECT_EQ(a->media_type, "image/jpeg");
    QImage small(QString::fromStdString(a->path));
    EXPECT_EQ(std::max(small.width(), small.height()), 2048);
    EXPECT_EQ(small.width(), 2048);
    EXPECT_TRUE(std::filesystem::exists(path)); // the original stays until uploaded

    const auto big = dir / "scan.pdf";
    std::ofstream(big, std::ios::binary) << std::string(3 * 1024 * 1024, 'x');
    auto refused = client::prepare_attachment(QString::fromStdString(big.string()),
                                              QString::fromStdString((dir / "work").string()),
                                              2 * 1024 * 1024);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message, "scan.pdf is 3.0 MB; the limit is 2.0 MB");
}

TEST_F(EngineTest, TheTokenLivesInTheCredentialStoreWhenThereIsOne) {
    platform::MemoryCredentialStore keyring;
    const std::string db = (dir / "k.db").string();
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    {
        auto store = std::move(Store::open({db})).value();
        SyncEngine::Options o;
        o.interval_ms = 0;
        SyncEngine e(*store, network, o);
        e.setCredentialStore(&keyring);
        QEventLoop loop;
        QString error = "no answer";
        e.signIn(url, "lead@demo.sitevisit", "lead-demo-2026", [&](QString err) {
            error = err;
            loop.quit();
        });
        loop.exec();
        ASSERT_TRUE(error.isEmpty()) << error.toStdString();
        EXPECT_TRUE(
            (*client::DeviceState(*store).session())->token.empty()); // not in the device store
        std::optional<QString> kept;
        keyring.read(url.toString(), [&](std::optional<QString> s, const QString&) { kept = s; });
        ASSERT_TRUE(kept.has_value());
        EXPECT_EQ(kept->size(), 64);
    }
    {
        // The app starts again: the token comes back from the credential store.
        auto store = std::move(Store::open({db})).value();
        SyncEngine::Options o;
        o.interval_ms = 0;
        SyncEngine e(*store, network, o);
        e.setCredentialStore(&keyring);
        EXPECT_TRUE(wait_finished(e, 30000, true)) << e.errorString().toStdString();
    }
    {
        // A keyring that lost it: sign in again, nothing lost.
        platform::MemoryCredentialStore empty;
        auto store = std::move(Store::open({db})).value();
        SyncEngine::Options o;
        o.interval_ms = 0;
        SyncEngine e(*store, network, o);
        e.setCredentialStore(&empty);
        EXPECT_EQ(e.state(), SyncEngine::State::NeedsSignIn);
        EXPECT_NE(e.errorString().toStdString().find("sign in again"), std::string::npos);
    }
}

// An app of the previous data schema beside a current one: what it cannot read is held back
// and counted, its own pushes keep working, and once updated it receives what was held, even
// fields of rows it has since seen newer versions of.
TEST_F(EngineTest, ADeviceOfThePreviousSchemaSyncsBesideANewOne) {
    auto lead_store = std::move(Store::open({(dir / "lead.db").string()})).value();
    auto receiver_store = std::move(Store::open({(dir / "receiver.db").string()})).value();
    auto old_store = std::move(Store::open({(dir / "principal.db").string()})).value();
    SyncEngine::Options o;
    o.interval_ms = 0;
    auto lead = engine(*lead_store, o, server.port(), "lead@demo.sitevisit", "lead-demo-2026");
    auto receiver =
        engine(*receiver_store, o, server.port(), "receiver@demo.sitevisit", "receiver-demo-2026");
    SyncEngine::Options old_options = o;
    old_options.schema = 1;
    auto old_app = engine(*old_store, old_options, server.port(), "principal@demo.sitevisit",
                          "principal-demo-2026");
    for (SyncEngine* e : {lead.get(), receiver.get(), old_app.get()})
        ASSERT_TRUE(wait_finished(*e, 30000, true)) << e->errorString().toStdString();
    // The demo's plans already carry schema-2 fields: the old app has the rows without them,
    // each such change counted.
    const int held_at_start = old_app->heldChanges();
    EXPECT_GT(held_at_start, 0);
    EXPECT_EQ(lead->heldChanges(), 0);

    // The lead agrees a next step with the principal; the receiver writes the plan's goal.
    const std::string principal_id = old_app->user()->id;
    auto step = lead_store->put(*lead->user(), {"next_step",
                                                "",
                                                lincoln,
                                                {{"title", "Post the bell schedule"},
                                                 {"owner", principal_id},
                                                 {"due_date", "2026-12-15"}}});
    ASSERT_TRUE(step.ok()) << step.error().message;
    auto plans = receiver_store->list("plan");
    ASSERT_TRUE(plans.ok());
    std::string plan;
    for (const auto& p : *plans)
        if (p.school == lincoln) plan = p.id;
    ASSERT_FALSE(plan.empty());
    ASSERT_TRUE(receiver_store
                    ->put(*receiver->user(),
                          {"plan", plan, "", {{"goal", "Every student reads by grade 3"}}})
                    .ok());
    ASSERT_TRUE(wait_finished(*lead, 30000, true));
    ASSERT_TRUE(wait_finished(*receiver, 30000, true));

    // The old app: neither arrives; both are counted, with the plan revision the change to the
    // submitted plan left (schema 5).
    ASSERT_TRUE(wait_finished(*old_app, 30000, true)) << old_app->errorString().toStdString();
    EXPECT_EQ(old_app->heldChanges(), held_at_start + 3);
    EXPECT_FALSE(old_store->get("next_step", step->id).value());
    // A later change it can read arrives, and what it writes still goes.
    ASSERT_TRUE(receiver_store
                    ->put(*receiver->user(), {"plan", plan, "", {{"title", "Reading first plan"}}})
                    .ok());
    ASSERT_TRUE(wait_finished(*receiver, 30000, true));
    auto benchmarks = old_store->list("benchmark");
    ASSERT_TRUE(benchmarks.ok());
    std::string benchmark;
    for (const auto& b : *benchmarks)
        if (b.school == lincoln) benchmark = b.id;
    ASSERT_FALSE(benchmark.empty()) << "benchmarks arrive without their newer direction";
    EXPECT_FALSE(old_store->get("benchmark", benchmark).value()->fields.contains("direction"));
    auto reading = old_store->put(
        *old_app->user(),
        {"reading", "", "", {{"benchmark", benchmark}, {"date", "2026-11-20"}, {"value", 41.5}}});
    ASSERT_TRUE(reading.ok()) << reading.error().message;
    ASSERT_TRUE(wait_finished(*old_app, 30000, true)) << old_app->errorString().toStdString();
    EXPECT_EQ(old_app->pendingChanges(), 0);
    EXPECT_EQ(old_store->get("plan", plan).value()->fields.value("title", ""),
              "Reading first plan");
    EXPECT_FALSE(old_store->get("plan", plan).value()->fields.contains("goal"));
    ASSERT_TRUE(wait_finished(*lead, 30000, true));
    EXPECT_TRUE(lead_store->get("reading", reading->id).value()) << "the old app's push arrived";

    // The update: the same device file under the current schema.
    old_app.reset();
    auto updated =
        engine(*old_store, o, server.port(), "principal@demo.sitevisit", "principal-demo-2026");
    ASSERT_TRUE(wait_finished(*updated, 30000, true)) << updated->errorString().toStdString();
    EXPECT_EQ(updated->heldChanges(), 0);
    auto arrived = old_store->get("next_step", step->id);
    ASSERT_TRUE(arrived.ok() && *arrived);
    EXPECT_EQ((**arrived).fields.value("title", ""), "Post the bell schedule");
    auto p = old_store->get("plan", plan).value();
    EXPECT_EQ(p->fields.value("goal", ""), "Every student reads by grade 3");
    EXPECT_EQ(p->fields.value("title", ""), "Reading first plan") << "the newer title stays";
    EXPECT_TRUE(old_store->get("benchmark", benchmark).value()->fields.contains("direction"));
}

// Live: two engines in this process, each on its own store. A write on one reaches the other
// without anyone asking for a sync; the waiting pull gives way to the pass that sends it; off,
// nothing moves.
TEST_F(EngineTest, LiveEnginesSendAWriteSoonAndApplyWhatOthersWriteAsItLands) {
    auto store_a = std::move(Store::open({(dir / "live-a.db").string()})).value();
    auto store_b = std::move(Store::open({(dir / "live-b.db").string()})).value();
    SyncEngine::Options o;
    o.interval_ms = 0;
    o.watch_network = false;
    auto a = engine(*store_a, o, server.port(), "lead@demo.sitevisit", "lead-demo-2026");
    auto b = engine(*store_b, o, server.port(), "lead@demo.sitevisit", "lead-demo-2026");
    ASSERT_TRUE(wait_finished(*a, 30000, true));
    ASSERT_TRUE(wait_finished(*b, 30000, true));
    int passes_a = 0;
    QObject::connect(a.get(), &SyncEngine::finished, [&](bool) { ++passes_a; });
    a->setLive(true);
    b->setLive(true);
    EXPECT_TRUE(a->live());
    // Settled: nothing to send, a pull waiting at the server, the state stays "up to date".
    QTest::qWait(800);
    EXPECT_EQ(passes_a, 0);
    EXPECT_EQ(a->state(), SyncEngine::State::UpToDate);

    auto put_visit = [&](Store& store, const SyncEngine& e) {
        auto v = store.put(*e.user(), {"visit",
                                       "",
                                       lincoln,
                                       {{"kind", "walkthrough"},
                                        {"rubric", "msv-2026-2027-elementary"},
                                        {"start_date", "2026-11-23"}}});
        EXPECT_TRUE(v.ok()) << v.error().message;
        return v ? v->id : std::string();
    };
    const std::string visit = put_visit(*store_a, *a);
    QElapsedTimer t;
    t.start();
    const bool arrived = QTest::qWaitFor(
        [&] {
            auto row = store_b->get("visit", visit);
            return row && row->has_value();
        },
        15000);
    std::cout << "a write on engine A was in engine B's store after " << t.elapsed() << " ms\n";
    EXPECT_TRUE(arrived);
    EXPECT_EQ(a->pendingChanges(), 0);

    // Off: a write stays on the device until asked.
    a->setLive(false);
    b->setLive(false);
    const std::string later = put_visit(*store_a, *a);
    QTest::qWait(2500);
    EXPECT_EQ(a->pendingChanges(), 1);
    auto row = store_b->get("visit", later);
    EXPECT_TRUE(row && !row->has_value());
}
