// The sync engine's parts against a FakeTransport: no server, no sockets, no sleeping. Each
// test scripts the server's answers and checks what the device asked and what it shows.
#include "fake_transport.h"
#include "qt_wait.h"
#include "sitevisit/client/attachments.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/client/file_hash.h"
#include "sitevisit/client/outbox_reader.h"
#include "sitevisit/client/sync_engine.h"
#include "sitevisit/client/sync_policy.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>
#include <gtest/gtest.h>

using namespace sitevisit;
using namespace sitevisit::testing;
using client::DeviceState;
using client::SyncEngine;
using client::SyncPolicy;

namespace {

const std::string kAda = "0190a000-0000-7000-8000-0000000000a9";
const std::string kBea = "0190a000-0000-7000-8000-0000000000b9";
const std::string kRegion = "0190a000-0000-7000-8000-0000000000a1";

Json user_json(const std::string& id = kAda) {
    return {{"id", id},
            {"name", "Ada"},
            {"email", "ada@example.org"},
            {"role", "admin"},
            {"schools", Json::array()}};
}

Json region_change(std::int64_t seq) {
    return {{"op", "0190a000-0000-7000-8000-00000000b" + std::to_string(100 + seq)},
            {"entity", "region"},
            {"id", kRegion},
            {"school", kRegion},
            {"kind", "upsert"},
            {"fields", {{"name", "Coastal"}, {"code", "COAST"}}},
            {"hlc", "2026-11-22T10:00:00.123Z-0000-0190a000-0000-7000-8000-00000000de99"},
            {"base", 0},
            {"dseq", seq},
            {"schema", 1},
            {"seq", seq}};
}

Reply empty_page(std::int64_t cursor) {
    return json_reply(200, {{"ops", Json::array()}, {"cursor", cursor}, {"more", false}});
}

// Every op of a push answered with one status.
Reply answer_all(const FakeTransport::Request& push, const char* status,
                 const std::string& error = {}) {
    Json results = Json::array();
    std::int64_t seq = 10;
    for (const auto& op : push.body["ops"]) {
        Json r{{"op", op["op"]}, {"status", status}, {"seq", ++seq}};
        if (!error.empty()) r["error"] = error;
        results.push_back(r);
    }
    return json_reply(200, {{"results", results}, {"cursor", seq}});
}

struct EngineUnit : ::testing::Test {
    QTemporaryDir dir;
    std::unique_ptr<Store> store;
    FakeTransport* server = nullptr;
    ManualClock clock{1'796'040'000'000}; // 2026-11-30T12:00:00Z
    std::unique_ptr<SyncEngine> engine;

    void SetUp() override {
        ASSERT_TRUE(dir.isValid());
        store = std::move(Store::open({dir.filePath("device.db").toStdString()})).value();
        // A region from the server, so an admin can write districts under it.
        ASSERT_TRUE(store->apply_remote({Change::from_json(region_change(1)).value()}, 1).ok());
    }
    SyncEngine::Options options() {
        SyncEngine::Options o;
        o.interval_ms = 0;
        o.backoff_first_ms = 60000; // retries never fire during a test; their delay is read
        o.backoff_max_ms = 600000;
        o.watch_network = false;
        o.jitter_seed = 7;
        o.clock = &clock;
        return o;
    }
    SyncEngine& make(bool signed_in = true, std::optional<SyncEngine::Options> o = {}) {
        if (signed_in) {
            EXPECT_TRUE(
                DeviceState(*store)
                    .set_session(DeviceState::Session{"http://127.0.0.1:9", "tok", "", user_json()})
                    .ok());
        }
        auto fake = std::make_unique<FakeTransport>();
        server = fake.get();
        engine = std::make_unique<SyncEngine>(*store, std::move(fake), o ? *o : options());
        return *engine;
    }
    // One sync to its end; whether it ended well.
    bool sync() {
        bool seen = false, ok = false;
        auto c = QObject::connect(engine.get(), &SyncEngine::finished, [&](bool r) {
            seen = true;
            ok = r;
        });
        engine->syncNow();
        EXPECT_TRUE(wait_for([&] { return seen; }, 20000)) << "the sync never ended";
        QObject::disconnect(c);
        return ok;
    }
    void write_districts(int n) {
        const User ada = engine->user().value();
        for (int i = 0; i < n; ++i) {
            auto w = store->put(ada, {"district",
                                      "",
                                      "",
                                      {{"region", kRegion},
                                       {"code", "0035000" + std::to_string(i)},
                                       {"name", "Harbor " + std::to_string(i)}}});
            ASSERT_TRUE(w.ok()) << w.error().message;
        }
    }
    QString sign_in(const QString& url = QStringLiteral("http://127.0.0.1:9")) {
        QString error = "no answer";
        bool done = false;
        engine->signIn(QUrl(url), "ada@example.org", "pw", [&](QString e) {
            error = e;
            done = true;
        });
        EXPECT_TRUE(wait_for([&] { return done; }, 20000));
        return error;
    }
};

} // namespace

TEST(SyncPolicyUnit, BackoffDoublesWithJitterUpToItsCapAndRepeatsForASeed) {
    SyncPolicy::Options o{1000, 16000, 0, false, 42};
    SyncPolicy a(o), b(o);
    std::int64_t ceiling = 1000;
    for (int i = 0; i < 8; ++i) {
        const int delay = a.nextBackoffMs();
        EXPECT_GE(delay, ceiling / 2) << "failure " << i;
        EXPECT_LE(delay, ceiling) << "failure " << i;
        EXPECT_EQ(delay, b.nextBackoffMs()) << "the same seed gives the same delays";
        ceiling = std::min<std::int64_t>(ceiling * 2, 16000);
    }
    EXPECT_EQ(a.failures(), 8);
    a.succeeded();
    EXPECT_EQ(a.failures(), 0);
    EXPECT_LE(a.nextBackoffMs(), 1000) << "a success starts the backoff again";
}

TEST_F(EngineUnit, FailuresBackOffLongerEachTimeAndASuccessStartsAgain) {
    make();
    server->otherwise("pull", no_answer());
    EXPECT_FALSE(sync());
    EXPECT_EQ(engine->state(), SyncEngine::State::Offline);
    EXPECT_NE(engine->errorString().indexOf("not reachable"), -1);
    const int first = engine->policy().retryPendingMs();
    EXPECT_GE(first, 30000);
    EXPECT_LE(first, 60000);
    EXPECT_FALSE(sync());
    const int second = engine->policy().retryPendingMs();
    EXPECT_GE(second, 60000);
    EXPECT_LE(second, 120000);
    EXPECT_EQ(engine->policy().failures(), 2);
    server->otherwise("pull", empty_page(1));
    EXPECT_TRUE(sync());
    EXPECT_EQ(engine->policy().failures(), 0);
    EXPECT_EQ(engine->policy().retryPendingMs(), -1);
    EXPECT_EQ(engine->state(), SyncEngine::State::UpToDate);
}

TEST_F(EngineUnit, ACursorAheadOfTheServerPullsFromZeroOncePerSync) {
    ASSERT_TRUE(store->apply_remote({}, 50).ok());
    make();
    const Reply ahead = json_reply(
        409, {{"error", {{"code", "cursor_ahead"}, {"message", "the cursor is ahead"}}}});
    server->script("pull", ahead);
    server->script("pull", empty_page(1));
    EXPECT_TRUE(sync()) << engine->errorString().toStdString();
    auto pulls = server->of("pull");
    ASSERT_EQ(pulls.size(), 2u);
    EXPECT_EQ(pulls[0].since, 50);
    EXPECT_EQ(pulls[1].since, 0);
    // Ahead again right after going back to 0: not a third time in the same sync.
    ASSERT_TRUE(store->apply_remote({}, 70).ok());
    server->script("pull", ahead);
    server->script("pull", ahead);
    EXPECT_FALSE(sync());
    EXPECT_EQ(server->count("pull"), 4);
    EXPECT_EQ(engine->state(), SyncEngine::State::Error);
    EXPECT_NE(engine->errorString().indexOf("the cursor is ahead"), -1);
}

TEST_F(EngineUnit, TheNextPageIsAskedForWhileThisOneIsAppliedAndDroppedIfItsHeadMisled) {
    make(); // the store's cursor is 1 (SetUp)
    auto page = [](std::int64_t seq, bool more) {
        return json_reply(
            200, {{"ops", Json::array({region_change(seq)})}, {"cursor", seq}, {"more", more}});
    };
    server->script("pull", page(2, true));
    server->script("pull", page(3, false));
    EXPECT_TRUE(sync()) << engine->errorString().toStdString();
    auto pulls = server->of("pull");
    ASSERT_EQ(pulls.size(), 2u);
    EXPECT_EQ(pulls[0].since, 1);
    EXPECT_EQ(pulls[1].since, 2);
    EXPECT_EQ(store->cursor(), 3);

    // The head says cursor 5, the whole answer 7 (a repeated key: the last one counts). The
    // page asked for from 5 is dropped unread; the next pull starts from what was applied.
    Reply misleading;
    misleading.status = 200;
    misleading.body = R"({"cursor":5,"more":true,"ops":[],"cursor":7})";
    server->script("pull", misleading);
    server->script("pull", page(6, false)); // the answer to the pull from 5: never applied
    server->script("pull", page(9, false));
    EXPECT_TRUE(sync()) << engine->errorString().toStdString();
    pulls = server->of("pull");
    ASSERT_EQ(pulls.size(), 5u);
    EXPECT_EQ(pulls[2].since, 3);
    EXPECT_EQ(pulls[3].since, 5);
    EXPECT_EQ(pulls[4].since, 7);
    EXPECT_EQ(store->cursor(), 9);
    EXPECT_EQ(engine->state(), SyncEngine::State::UpToDate);
}

TEST_F(EngineUnit, ARefusedChangeIsMarkedWithItsReasonAndNeverSentAgain) {
    make();
    write_districts(1);
    server->respond("push", [](const FakeTransport::Request& r) {
        return answer_all(r, "rejected", "codes are eight digits here");
    });
    server->otherwise("pull", empty_page(1));
    EXPECT_TRUE(sync()) << engine->errorString().toStdString();
    EXPECT_EQ(engine->rejectedChanges(), 1);
    EXPECT_EQ(engine->pendingChanges(), 0);
    auto refused = store->rejected_changes();
    ASSERT_TRUE(refused.ok());
    ASSERT_EQ(refused->size(), 1u);
    EXPECT_EQ(refused->front().error, "codes are eight digits here");
    EXPECT_TRUE(sync());
    EXPECT_EQ(server->count("push"), 1) << "a refused change was sent again";
}

TEST_F(EngineUnit, TheOutboxGoesOutInBatchesOldestFirst) {
    auto o = options();
    o.push_batch = 2;
    make(true, o);
    write_districts(5);
    server->respond("push",
                    [](const FakeTransport::Request& r) { return answer_all(r, "applied"); });
    server->otherwise("pull", empty_page(20));
    EXPECT_TRUE(sync()) << engine->errorString().toStdString();
    auto pushes = server->of("push");
    ASSERT_EQ(pushes.size(), 3u);
    EXPECT_EQ(pushes[0].body["ops"].size(), 2u);
    EXPECT_EQ(pushes[1].body["ops"].size(), 2u);
    EXPECT_EQ(pushes[2].body["ops"].size(), 1u);
    std::int64_t last = 0;
    for (const auto& p : pushes)
        for (const auto& op : p.body["ops"]) {
            EXPECT_GT(op["dseq"].get<std::int64_t>(), last);
            last = op["dseq"].get<std::int64_t>();
        }
    EXPECT_EQ(engine->pendingChanges(), 0);
    EXPECT_EQ(engine->progress().changes_done, 5);
}

TEST_F(EngineUnit, APullThatCannotBeDecodedSaysWhyInTheErrorString) {
    make();
    const Json bad{{"ops", 5}, {"cursor", 2}, {"more", false}};
    const auto decoded = protocol::decode_pull_response(bad.dump());
    ASSERT_FALSE(decoded.ok());
    server->otherwise("pull", json_reply(200, bad));
    EXPECT_FALSE(sync());
    EXPECT_EQ(engine->state(), SyncEngine::State::Error);
    EXPECT_NE(engine->errorString().indexOf(QString::fromStdString(decoded.error().message)), -1)
        << engine->errorString().toStdString();
    EXPECT_GT(engine->policy().retryPendingMs(), 0) << "tried again after the backoff";
    EXPECT_EQ(store->cursor(), 1) << "nothing of the page applied";
}

TEST_F(EngineUnit, A401AsksForSignInAgainKeepsTheChangesAndDoesNotRetry) {
    make();
    write_districts(2);
    server->otherwise("push", json_reply(401, {{"error", {{"message", "expired"}}}}));
    EXPECT_FALSE(sync());
    EXPECT_EQ(engine->state(), SyncEngine::State::NeedsSignIn);
    EXPECT_EQ(engine->pendingChanges(), 2);
    EXPECT_EQ(engine->policy().retryPendingMs(), -1);
    EXPECT_EQ(server->of("push").front().token, "tok");
}

TEST_F(EngineUnit, AnotherPersonCannotTakeOverWhileChangesWait) {
    make();
    write_districts(1);
    engine->signOut();
    EXPECT_EQ(engine->state(), SyncEngine::State::NeedsSignIn);
    server->otherwise("login", json_reply(200, {{"token", "tok-bea"}, {"user", user_json(kBea)}}));
    const QString error = sign_in();
    EXPECT_NE(error.indexOf("holds work of another person"), -1) << error.toStdString();
    EXPECT_EQ(engine->pendingChanges(), 1) << "nothing of the first person's is gone";
    EXPECT_EQ(DeviceState(*store).owner().value(), kAda);
    EXPECT_FALSE(DeviceState(*store).session().value());
    EXPECT_EQ(server->count("login"), 1);
}

TEST_F(EngineUnit, AnotherPersonTakesOverAnEmptyDeviceUnderANewId) {
    make();
    engine->signOut();
    bool reset = false;
    QObject::connect(engine.get(), &SyncEngine::storeReset, [&] { reset = true; });
    const std::string old_device = store->device_id();
    server->otherwise("login", json_reply(200, {{"token", "tok-bea"}, {"user", user_json(kBea)}}));
    server->otherwise("blobOptions", json_reply(204, Json::object(), {{"tus-max-size", "5000"}}));
    EXPECT_EQ(sign_in(), "");
    EXPECT_TRUE(reset);
    auto logins = server->of("login");
    ASSERT_EQ(logins.size(), 2u);
    EXPECT_EQ(logins[0].body["device"], old_device);
    EXPECT_NE(logins[1].body["device"], old_device);
    EXPECT_EQ(DeviceState(*store).owner().value(), kBea);
    EXPECT_EQ((*DeviceState(*store).session().value()).user.value("max_blob_bytes", 0), 5000);
    EXPECT_EQ(store->cursor(), 0);
}

TEST_F(EngineUnit, TheLastSyncTimeComesFromTheInjectedClock) {
    make();
    server->otherwise("pull", empty_page(1));
    EXPECT_TRUE(sync());
    EXPECT_EQ(engine->lastSync().toString(Qt::ISODate), "2026-11-30T12:00:00Z");
    EXPECT_EQ(DeviceState(*store).last_sync().value(), "2026-11-30T12:00:00Z");
}

TEST_F(EngineUnit, AnUploadResumesFromTheServersOffsetInChunks) {
    auto o = options();
    o.chunk_bytes = 4;
    make(true, o);
    QFile f(dir.filePath("photo.bin"));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("0123456789");
    f.close();
    const std::string sha(64, 'a');
    ASSERT_TRUE(DeviceState(*store)
                    .queue_blob({sha, f.fileName().toStdString(), 10, BlobDirection::Up})
                    .ok());
    server->otherwise("blobHead", json_reply(200, nullptr, {{"upload-offset", "3"}}));
    server->respond("blobPatch", [](const FakeTransport::Request& r) {
        return json_reply(204, nullptr,
                          {{"upload-offset", QByteArray::number(r.offset + r.chunk.size())}});
    });
    server->otherwise("pull", empty_page(1));
    EXPECT_TRUE(sync()) << engine->errorString().toStdString();
    auto patches = server->of("blobPatch");
    ASSERT_EQ(patches.size(), 2u);
    EXPECT_EQ(patches[0].offset, 3);
    EXPECT_EQ(patches[0].chunk, "3456");
    EXPECT_EQ(patches[1].offset, 7);
    EXPECT_EQ(patches[1].chunk, "789");
    EXPECT_EQ(DeviceState(*store).blob_jobs(BlobState::Done)->size(), 1u);
}

TEST_F(EngineUnit, ADownloadIsCheckedAgainstItsHashBeforeItIsKept) {
    make();
    const QByteArray bytes(5000, 'z');
    const std::string sha =
        QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().toStdString();
    const QString good = dir.filePath("good.bin"), bad = dir.filePath("bad.bin");
    ASSERT_TRUE(
        DeviceState(*store).queue_blob({sha, good.toStdString(), 0, BlobDirection::Down}).ok());
    ASSERT_TRUE(DeviceState(*store)
                    .queue_blob({std::string(64, 'b'), bad.toStdString(), 0, BlobDirection::Down})
                    .ok());
    server->otherwise("pull", empty_page(1));
    server->respond("blobGet", [bytes](const FakeTransport::Request&) {
        Reply r;
        r.status = 200;
        r.body = bytes;
        return r;
    });
    EXPECT_TRUE(sync()) << engine->errorString().toStdString();
    EXPECT_TRUE(QFile::exists(good));
    EXPECT_FALSE(QFile::exists(bad));
    EXPECT_FALSE(QFile::exists(bad + ".part"));
    auto failed = DeviceState(*store).blob_jobs(BlobState::Failed);
    ASSERT_EQ(failed->size(), 1u);
    EXPECT_NE(failed->front().error.find("do not match their hash"), std::string::npos);
}

namespace {
// A credential store whose answers come later, as a desktop keyring's do.
struct SlowKeyring final : platform::CredentialStore {
    platform::MemoryCredentialStore kept;
    void write(const QString& k, const QString& s, Written done) override {
        QTimer::singleShot(5, [this, k, s, done] { kept.write(k, s, done); });
    }
    void read(const QString& k, Read done) override {
        QTimer::singleShot(5, [this, k, done] { kept.read(k, done); });
    }
    void remove(const QString& k, std::function<void(bool)> done) override {
        kept.remove(k, std::move(done));
    }
};
} // namespace

TEST_F(EngineUnit, ASyncAskedForWhileTheKeyringAnswersWaitsForTheToken) {
    SlowKeyring keyring;
    keyring.kept.write("http://127.0.0.1:9", "tok-from-keyring", {});
    Json user = user_json();
    user["token_in_credential_store"] = true;
    ASSERT_TRUE(DeviceState(*store)
                    .set_session(DeviceState::Session{"http://127.0.0.1:9", "", "", user})
                    .ok());
    make(false);
    server->otherwise("pull", empty_page(1));
    engine->setCredentialStore(&keyring);
    EXPECT_TRUE(sync());
    ASSERT_EQ(server->count("pull"), 1);
    EXPECT_EQ(server->of("pull").front().token, "tok-from-keyring");
}

TEST(FileHash, TheEventLoopKeepsTurningWhileA50MbFileIsHashed) {
    QTemporaryDir dir;
    const QString path = dir.filePath("big.bin");
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    const QByteArray block(1024 * 1024, 'h');
    QCryptographicHash expected(QCryptographicHash::Sha256);
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(f.write(block), block.size());
        expected.addData(block);
    }
    f.close();
    QObject context;
    int ticks = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] { ++ticks; });
    tick.start(0);
    QString digest;
    bool done = false;
    client::sha256_of_file_async(path, &context, [&](const QString& d) {
        digest = d;
        done = true;
    });
    EXPECT_FALSE(done) << "hashed on the calling thread";
    ASSERT_TRUE(wait_for([&] { return done; }, 120000));
    tick.stop();
    EXPECT_EQ(digest, QString::fromLatin1(expected.result().toHex()));
    std::cout << "timer ticks while 50 MB hashed: " << ticks << "\n";
    EXPECT_GE(ticks, 10) << "the event loop stood still while the file was hashed";
}

TEST_F(EngineUnit, ThePushBatchIsReadOffThisThreadAndOnlyTheBatch) {
    make();
    write_districts(5);
    client::OutboxReader reader(*store);
    std::optional<Result<std::vector<Change>>> batch;
    reader.next(2, [&](Result<std::vector<Change>> b) { batch = std::move(b); });
    EXPECT_FALSE(batch.has_value()) << "read on the calling thread";
    ASSERT_TRUE(wait_for([&] { return batch.has_value(); }, 20000));
    ASSERT_TRUE(batch->ok()) << batch->error().message;
    ASSERT_EQ((*batch)->size(), 2u);
    auto all = store->pending_changes(5).value();
    EXPECT_EQ((**batch)[0].op, all[0].op);
    EXPECT_EQ((**batch)[1].op, all[1].op);
    EXPECT_EQ((**batch)[1].fields, all[1].fields);
}

TEST_F(EngineUnit, AnAttachmentIsPreparedOnAWorkerAndAnsweredHere) {
    QFile f(dir.filePath("notes.txt"));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("interview notes");
    f.close();
    QObject context;
    std::optional<Result<client::Attachment>> answer;
    client::prepare_attachment_async(f.fileName(), dir.filePath("work"), 1000, &context,
                                     [&](Result<client::Attachment> a) { answer = std::move(a); });
    EXPECT_FALSE(answer.has_value()) << "prepared on the calling thread";
    ASSERT_TRUE(wait_for([&] { return answer.has_value(); }, 20000));
    ASSERT_TRUE(answer->ok()) << answer->error().message;
    EXPECT_EQ((*answer)->sha256,
              QCryptographicHash::hash("interview notes", QCryptographicHash::Sha256)
                  .toHex()
                  .toStdString());
    EXPECT_EQ((*answer)->size, 15);
}

TEST(DeviceStateTest, SessionOwnerAndFileQueueSurviveReopening) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const std::string path = dir.filePath("device.db").toStdString();
    {
        auto store = std::move(Store::open({path})).value();
        DeviceState state(*store);
        ASSERT_TRUE(state
                        .set_session(DeviceState::Session{"http://127.0.0.1:8080",
                                                          std::string(64, 'a'),
                                                          "2026-12-23T00:00:00.000Z",
                                                          {{"id", kAda}, {"role", "admin"}}})
                        .ok());
        ASSERT_TRUE(
            state.queue_blob({std::string(64, 'b'), "/tmp/photo.jpg", 1234, BlobDirection::Up})
                .ok());
        ASSERT_TRUE(state.update_blob(std::string(64, 'b'), 1000, BlobState::Pending).ok());
        ASSERT_TRUE(state.set_last_sync("2026-11-23T09:00:00Z").ok());
    }
    auto store = std::move(Store::open({path})).value();
    DeviceState state(*store);
    auto s = state.session();
    ASSERT_TRUE(s.ok() && *s);
    EXPECT_EQ((*s)->token, std::string(64, 'a'));
    EXPECT_EQ((*s)->user["role"], "admin");
    EXPECT_EQ(*state.owner(), kAda);
    EXPECT_EQ(*state.last_sync(), "2026-11-23T09:00:00Z");
    auto jobs = state.blob_jobs();
    ASSERT_EQ(jobs->size(), 1u);
    EXPECT_EQ((*jobs)[0].sent, 1000);
    EXPECT_EQ((*jobs)[0].direction, BlobDirection::Up);
    // Signed out: no session, but the owner's data (and ownership) stays.
    ASSERT_TRUE(state.set_session(std::nullopt).ok());
    EXPECT_FALSE(*state.session());
    EXPECT_EQ(*state.owner(), kAda);
    EXPECT_EQ(state.last_sign_in()->first, "http://127.0.0.1:8080");
}
