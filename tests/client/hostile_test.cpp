// A device that distrusts its server: the http rule, TLS with a private authority, no
// redirects, device secrets, answers decoded with checks, cursors ahead of the log, backoff on
// every repeat, the 64 MB answer cap, and private files. The "server" here is a small hostile
// HTTP peer inside the test (a QTcpServer answering canned bytes), because the real server
// never misbehaves this way.
#include "harness.h"
#include "qt_wait.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/client/sync_engine.h"
#include "sitevisit/platform/credential_store.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <cstring>
#include <gtest/gtest.h>
#include <map>
#include <sys/stat.h>

using namespace sitevisit;
using client::SyncEngine;
using sitevisit::testing::wait_for;

namespace {

struct Request {
    QByteArray method, path, query;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

QByteArray answer(int status, const QByteArray& body, const QByteArray& headers = {}) {
    return "HTTP/1.1 " + QByteArray::number(status) +
           " X\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n" + headers + "\r\n" + body;
}

QByteArray json_answer(int status, const Json& j) {
    return answer(status, QByteArray::fromStdString(j.dump()),
                  "Content-Type: application/json\r\n");
}

// A server that answers each request with what `respond` says, and counts what it saw.
class Peer : public QTcpServer {
public:
    std::function<QByteArray(const Request&)> respond = [](const Request&) {
        return answer(404, "{}");
    };
    std::vector<Request> seen;
    qint64 stream_limit = 0; // > 0: after the headers `respond` gave, send this many junk bytes
    qint64 streamed = 0;
    bool tls = false;
    QSslCertificate cert;
    QSslKey key;

    Peer() { listen(QHostAddress::Any, 0); }
    int port() const { return serverPort(); }
    QString url(const char* host = "127.0.0.1") const {
        return QStringLiteral("%1://%2:%3").arg(tls ? "https" : "http").arg(host).arg(port());
    }
    // The body of the last sign-in this peer saw, as JSON.
    Json last_login() const {
        for (auto it = seen.rbegin(); it != seen.rend(); ++it)
            if (it->path == "/v1/auth/login") return Json::parse(it->body.toStdString());
        return nullptr;
    }
    int count(const QByteArray& method, const QByteArray& path) const {
        int n = 0;
        for (const auto& r : seen)
            n += r.method == method && r.path == path;
        return n;
    }

protected:
    void incomingConnection(qintptr fd) override {
        QTcpSocket* s;
        if (tls) {
            auto* ssl = new QSslSocket(this);
            ssl->setSocketDescriptor(fd);
            ssl->setLocalCertificate(cert);
            ssl->setPrivateKey(key);
            ssl->startServerEncryption();
            s = ssl;
        } else {
            s = new QTcpSocket(this);
            s->setSocketDescriptor(fd);
        }
        auto buffer = std::make_shared<QByteArray>();
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        connect(s, &QTcpSocket::readyRead, s, [this, s, buffer] {
            *buffer += s->readAll();
            const int end = buffer->indexOf("\r\n\r\n");
            if (end < 0) return;
            Request r;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            const QList<QByteArray> first = lines[0].trimmed().split(' ');
            r.method = first.value(0);
            const QByteArray target = first.value(1);
            r.path = target.split('?').value(0);
            r.query = target.contains('?') ? target.mid(target.indexOf('?') + 1) : QByteArray();
            for (int i = 1; i < lines.size(); ++i) {
                const int colon = lines[i].indexOf(':');
                if (colon > 0)
                    r.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                     lines[i].mid(colon + 1).trimmed());
            }
            const int length = r.headers.value("content-length", "0").toInt();
            if (buffer->size() < end + 4 + length) return;
            r.body = buffer->mid(end + 4, length);
            buffer->clear();
            seen.push_back(r);
            s->write(respond(r));
            if (stream_limit > 0) {
                auto more = [this, s] {
                    while (s->state() == QAbstractSocket::ConnectedState &&
                           s->bytesToWrite() < 1024 * 1024 && streamed < stream_limit) {
                        s->write(QByteArray(256 * 1024, 'x'));
                        streamed += 256 * 1024;
                    }
                    if (streamed >= stream_limit) s->disconnectFromHost();
                };
                connect(s, &QTcpSocket::bytesWritten, s, more);
                more();
            } else {
                s->disconnectFromHost();
            }
        });
    }
};

const std::string kUserId = "0190a000-0000-7000-8000-0000000000a9";
const std::string kRegion = "0190a000-0000-7000-8000-0000000000a1";

Json user_json(const char* role = "admin") {
    return {{"id", kUserId},
            {"name", "Ada"},
            {"email", "ada@example.org"},
            {"role", role},
            {"schools", Json::array()}};
}

Json login_json(const std::string& secret = {}) {
    Json j{{"token", "tok-123"}, {"expires", "2026-12-30T00:00:00Z"}, {"user", user_json()}};
    if (!secret.empty()) j["device_secret"] = secret;
    return j;
}

Json region_change(std::int64_t seq) {
    return {
        {"op", "0190a000-0000-7000-8000-00000000b" + QByteArray::number(100 + seq).toStdString()},
        {"entity", "region"},
        {"id", kRegion},
        {"school", kRegion},
        {"kind", "upsert"},
        {"fields", {{"name", "Coastal " + std::to_string(seq)}, {"code", "COAST"}}},
        {"hlc", "2026-11-22T10:00:00.123Z-0000-0190a000-0000-7000-8000-00000000de99"},
        {"base", 0},
        {"dseq", seq},
        {"schema", 1},
        {"seq", seq}};
}

// The peer as a plain, well-behaved server, except for what a test overrides.
QByteArray well_behaved(const Request& r) {
    if (r.path == "/v1/auth/login") return json_answer(200, login_json());
    if (r.method == "OPTIONS")
        return answer(204, {}, "Tus-Resumable: 1.0.0\r\nTus-Max-Size: 104857600\r\n");
    if (r.path == "/v1/sync/pull")
        return json_answer(200, {{"ops", Json::array()}, {"cursor", 0}, {"more", false}});
    if (r.path == "/v1/sync/push")
        return json_answer(200, {{"results", Json::array()}, {"cursor", 0}});
    return answer(404, "{}");
}

struct Hostile : ::testing::Test {
    QTemporaryDir dir;
    QNetworkAccessManager network;
    Peer peer;
    std::unique_ptr<Store> store = std::move(Store::open({file("device.db")})).value();

    void SetUp() override {
        ASSERT_TRUE(peer.isListening());
        peer.respond = well_behaved;
    }
    std::string file(const char* name) const {
        return (dir.path() + QLatin1Char('/') + QLatin1String(name)).toStdString();
    }

    SyncEngine::Options quick() const {
        SyncEngine::Options o;
        o.interval_ms = 0;
        o.backoff_first_ms = 100;
        o.timeouts.inactivity_ms = 5000;
        return o;
    }
    QString sign_in(SyncEngine& e, const QString& url) {
        QString error = "no answer";
        bool done = false;
        e.signIn(QUrl(url), "ada@example.org", "secret-password", [&](QString err) {
            error = err;
            done = true;
        });
        EXPECT_TRUE(wait_for([&] { return done; }));
        return error;
    }
    bool sync(SyncEngine& e) {
        bool ok = false, seen = false;
        auto c = QObject::connect(&e, &SyncEngine::finished, [&](bool r) {
            ok = r;
            seen = true;
        });
        e.syncNow();
        EXPECT_TRUE(wait_for([&] { return seen; }));
        QObject::disconnect(c);
        return ok;
    }
    // Lets the event loop run for `ms` (the engine retries on its own meanwhile).
    static void run_for(int ms) {
        wait_for([] { return false; }, ms);
    }
};

// Resident memory of this process from /proc/self/status (kB), and a reset of its peak.
long long rss_kb(const char* field) {
    QFile f("/proc/self/status");
    if (!f.open(QIODevice::ReadOnly)) return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(static_cast<int>(strlen(field)))
                .trimmed()
                .split(' ')
                .value(0)
                .toLongLong();
    return 0;
}
bool reset_peak_rss() {
    QFile f("/proc/self/clear_refs");
    return f.open(QIODevice::WriteOnly) && f.write("5") == 1;
}

// The CLI, run without blocking the peer (it answers in this process's event loop).
struct CliRun {
    int code = -1;
    std::string out, err;
};
CliRun cli(const QStringList& args, const QByteArray& stdin_text = "secret-password\n") {
    QProcess p;
    p.start(QString::fromStdString(e2e::cli_binary()), args);
    p.write(stdin_text);
    p.closeWriteChannel();
    wait_for([&] { return p.state() == QProcess::NotRunning; }, 60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}

} // namespace

TEST_F(Hostile, PlainHttpToAnotherMachineIsRefusedBeforeThePasswordLeaves) {
    SyncEngine e(*store, network, quick());
    // 127.0.0.2 reaches this peer (the whole 127/8 is loopback) but is not one of the names the
    // http rule allows.
    const QString error = sign_in(e, peer.url("127.0.0.2"));
    EXPECT_NE(error.indexOf("https://"), -1) << error.toStdString();
    EXPECT_EQ(e.lastSignInFailure(), SyncEngine::SignInFailure::Insecure);
    auto r = cli({"--db", QString::fromStdString(file("cli.db")), "login", peer.url("127.0.0.2"),
                  "ada@example.org"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("https://"), std::string::npos) << r.err;
    run_for(200);
    EXPECT_TRUE(peer.seen.empty()) << "the password reached the peer";
    // This machine by name or address is allowed.
    EXPECT_EQ(sign_in(e, peer.url("localhost")), "");
}

TEST_F(Hostile, ASessionStoredOverPlainHttpIsAskedToSignInAgainOverHttps) {
    ASSERT_TRUE(client::DeviceState(*store)
                    .set_session(client::DeviceState::Session{peer.url("127.0.0.2").toStdString(),
                                                              "tok-123", "", user_json()})
                    .ok());
    SyncEngine e(*store, network, quick());
    EXPECT_TRUE(e.sessionInsecure());
    EXPECT_FALSE(sync(e));
    EXPECT_EQ(e.state(), SyncEngine::State::NeedsSignIn);
    EXPECT_NE(e.errorString().indexOf("https"), -1) << e.errorString().toStdString();
    run_for(200);
    EXPECT_TRUE(peer.seen.empty()) << "the token reached the peer over plain http";
    // Signing in again over an allowed address lifts it.
    EXPECT_EQ(sign_in(e, peer.url()), "");
    EXPECT_FALSE(e.sessionInsecure());
    EXPECT_TRUE(sync(e));
}

TEST_F(Hostile, CertificatesAreVerifiedAndAPrivateAuthorityCanBeTrusted) {
    const QString cert = QString::fromStdString(file("ca.pem")),
                  key = QString::fromStdString(file("key.pem"));
    QProcess openssl;
    openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                              "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                              "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    ASSERT_TRUE(openssl.waitForFinished(60000));
    ASSERT_EQ(openssl.exitCode(), 0) << openssl.readAllStandardError().toStdString();
    QFile c(cert), k(key);
    ASSERT_TRUE(c.open(QIODevice::ReadOnly) && k.open(QIODevice::ReadOnly));
    peer.tls = true;
    peer.cert = QSslCertificate(&c, QSsl::Pem);
    peer.key = QSslKey(&k, QSsl::Rsa, QSsl::Pem);
    ASSERT_FALSE(peer.cert.isNull());

    SyncEngine e(*store, network, quick());
    const QString refused = sign_in(e, peer.url("localhost"));
    EXPECT_NE(refused.indexOf("certificate"), -1) << refused.toStdString();
    EXPECT_TRUE(peer.seen.empty()) << "a request went to an unverified server";
    EXPECT_NE(e.setCaFile(QString::fromStdString(file("device.db"))), ""); // not a PEM file
    ASSERT_EQ(e.setCaFile(cert), "");
    EXPECT_EQ(sign_in(e, peer.url("localhost")).toStdString(), "");
    EXPECT_EQ(peer.count("POST", "/v1/auth/login"), 1);
    // Kept in the store: a restarted engine trusts it too.
    SyncEngine again(*store, network, quick());
    EXPECT_EQ(again.caFile(), cert);
    EXPECT_TRUE(sync(again)) << again.errorString().toStdString();

    // The CLI: without --ca the certificate is refused (exit 5), with it the sign-in works.
    auto no = cli({"--db", QString::fromStdString(file("a.db")), "login", peer.url("localhost"),
                   "ada@example.org"});
    EXPECT_EQ(no.code, 5) << no.err;
    EXPECT_NE(no.err.find("certificate"), std::string::npos) << no.err;
    auto yes = cli({"--db", QString::fromStdString(file("b.db")), "login", peer.url("localhost"),
                    "ada@example.org", "--ca", cert});
    EXPECT_EQ(yes.code, 0) << yes.err;
    auto later = cli({"--db", QString::fromStdString(file("b.db")), "sync"});
    EXPECT_EQ(later.code, 0) << later.err;
}

TEST_F(Hostile, ARedirectToAnotherOriginIsNotFollowedAndTheTokenNeverGoesThere) {
    Peer elsewhere;
    elsewhere.respond = well_behaved;
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    peer.respond = [&](const Request& r) {
        return answer(r.path == "/v1/sync/pull" ? 302 : 307, {},
                      "Location: " + elsewhere.url().toUtf8() + r.path + "\r\n");
    };
    EXPECT_FALSE(sync(e));
    EXPECT_NE(e.errorString().indexOf("redirect"), -1) << e.errorString().toStdString();
    const QString error = sign_in(e, peer.url());
    EXPECT_NE(error.indexOf("redirect"), -1) << error.toStdString();
    run_for(200);
    EXPECT_TRUE(elsewhere.seen.empty()) << "followed a redirect to another origin";
}

TEST_F(Hostile, TheDeviceSecretIsKeptWithTheTokenAndSentBackToTheSameServerOnly) {
    peer.respond = [](const Request& r) {
        if (r.path == "/v1/auth/login") {
            Json body = Json::parse(r.body.toStdString());
            return json_answer(
                200, login_json(body.contains("device_secret") ? "" : "secret-of-this-device"));
        }
        return well_behaved(r);
    };
    platform::MemoryCredentialStore keyring;
    {
        SyncEngine e(*store, network, quick());
        e.setCredentialStore(&keyring);
        ASSERT_EQ(sign_in(e, peer.url()), "");
        EXPECT_EQ(peer.last_login().count("device_secret"), 0u);
        // With a keyring the secret is there, not in the device store.
        EXPECT_EQ(client::DeviceState(*store).device_secret()->value("keyring", false), true);
        EXPECT_EQ(client::DeviceState(*store).device_secret()->count("secret"), 0u);
        e.signOut();
        ASSERT_EQ(sign_in(e, peer.url()), "");
        const Json second = peer.last_login();
        EXPECT_EQ(second.value("device_secret", ""), "secret-of-this-device");
    }
    // Without a keyring it is kept in the device store, and survives a restart.
    auto other = std::move(Store::open({file("other.db")})).value();
    {
        SyncEngine e(*other, network, quick());
        ASSERT_EQ(sign_in(e, peer.url()), "");
    }
    EXPECT_EQ(client::DeviceState(*other).device_secret()->value("secret", ""),
              "secret-of-this-device");
    SyncEngine e(*other, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    EXPECT_EQ(peer.last_login().value("device_secret", ""), "secret-of-this-device");
    // Another server never sees it.
    Peer elsewhere;
    elsewhere.respond = well_behaved;
    ASSERT_EQ(sign_in(e, elsewhere.url()), "");
    EXPECT_EQ(elsewhere.last_login().count("device_secret"), 0u);
    // A secret of the wrong type is an error in words.
    peer.respond = [](const Request& r) {
        Json j = login_json();
        j["device_secret"] = 42;
        return r.path == "/v1/auth/login" ? json_answer(200, j) : well_behaved(r);
    };
    const QString error = sign_in(e, peer.url());
    EXPECT_NE(error.indexOf("\"device_secret\" must be text"), -1) << error.toStdString();
}

TEST_F(Hostile, ASignInAnswerWithWrongTypesIsAnErrorInWordsAndTheCliExitsFive) {
    peer.respond = [](const Request& r) {
        Json j = login_json();
        j["token"] = 12345;
        return r.path == "/v1/auth/login" ? json_answer(200, j) : well_behaved(r);
    };
    SyncEngine e(*store, network, quick());
    const QString error = sign_in(e, peer.url());
    EXPECT_EQ(error.toStdString(),
              "the server's answer to sign-in could not be read: \"token\" must be text");
    EXPECT_EQ(e.lastSignInFailure(), SyncEngine::SignInFailure::Undecodable);
    EXPECT_FALSE(*client::DeviceState(*store).session());
    auto r = cli(
        {"--db", QString::fromStdString(file("cli.db")), "login", peer.url(), "ada@example.org"});
    EXPECT_EQ(r.code, 5) << r.err;
    EXPECT_NE(r.err.find("\"token\" must be text"), std::string::npos) << r.err;
}

TEST_F(Hostile, AnUndecodableChangeIsSetAsideAndTheRestOfItsPageApplies) {
    peer.respond = [](const Request& r) {
        if (r.path != "/v1/sync/pull") return well_behaved(r);
        Json bad = region_change(2);
        bad["fields"] = 5;
        return json_answer(
            200,
            {{"ops", {region_change(1), bad, region_change(3)}}, {"cursor", 3}, {"more", false}});
    };
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    ASSERT_TRUE(sync(e)) << e.errorString().toStdString();
    EXPECT_EQ(store->cursor(), 3);
    EXPECT_EQ((*store->get("region", kRegion))->fields["name"], "Coastal 3");
    auto aside = store->remote_rejects();
    ASSERT_EQ(aside->size(), 1u);
    EXPECT_EQ(aside->at(0).first, 2);
    EXPECT_EQ(aside->at(0).second, "ops[1] could not be read: change fields must be a JSON object");
}

TEST_F(Hostile, ACursorAheadOfTheServersLogPullsAgainFromTheStart) {
    peer.respond = [](const Request& r) {
        if (r.path != "/v1/sync/pull") return well_behaved(r);
        if (!r.query.startsWith("since=0&"))
            return json_answer(409, {{"error",
                                      {{"code", "cursor_ahead"},
                                       {"message", "since is ahead of this server's log"}}}});
        return json_answer(200, {{"ops", {region_change(1)}}, {"cursor", 1}, {"more", false}});
    };
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    ASSERT_TRUE(store->apply_remote({}, std::numeric_limits<std::int64_t>::max()).ok());
    ASSERT_TRUE(sync(e)) << e.errorString().toStdString();
    EXPECT_EQ(store->cursor(), 1);
    EXPECT_TRUE(*store->get("region", kRegion));
    EXPECT_EQ(peer.count("GET", "/v1/sync/pull"), 2);
}

TEST_F(Hostile, MoreWithACursorThatDoesNotMoveBacksOffInsteadOfLooping) {
    peer.respond = [](const Request& r) {
        if (r.path != "/v1/sync/pull") return well_behaved(r);
        return json_answer(200, {{"ops", Json::array()}, {"cursor", 0}, {"more", true}});
    };
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    EXPECT_FALSE(sync(e));
    EXPECT_NE(e.errorString().indexOf("cursor did not move"), -1) << e.errorString().toStdString();
    run_for(3000); // the engine retries by itself, backing off
    const int pulls = peer.count("GET", "/v1/sync/pull");
    std::cout << "pulls in about 3 s: " << pulls << "\n";
    EXPECT_GE(pulls, 2);
    EXPECT_LE(pulls, 15);
}

TEST_F(Hostile, PushResultsThatSettleNothingBackOffInsteadOfLooping) {
    // An admin with a region on the device writes a district: one change waits.
    peer.respond = [](const Request& r) {
        if (r.path == "/v1/sync/pull")
            return json_answer(200, {{"ops", {region_change(1)}}, {"cursor", 1}, {"more", false}});
        return well_behaved(r); // push: {"results": []}
    };
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    ASSERT_TRUE(sync(e)) << e.errorString().toStdString();
    auto w = store->put(
        *e.user(),
        {"district", "", "", {{"region", kRegion}, {"code", "00350000"}, {"name", "Harbor"}}});
    ASSERT_TRUE(w.ok()) << w.error().message;
    ASSERT_EQ(e.pendingChanges(), 1);
    EXPECT_FALSE(sync(e));
    EXPECT_NE(e.errorString().indexOf("settled none"), -1) << e.errorString().toStdString();
    run_for(3000);
    const int pushes = peer.count("POST", "/v1/sync/push");
    std::cout << "pushes in about 3 s: " << pushes << "\n";
    EXPECT_GE(pushes, 2);
    EXPECT_LE(pushes, 15);
    EXPECT_EQ(e.pendingChanges(), 1); // nothing lost
}

TEST_F(Hostile, ARangeAnswerWithoutBytesBacksOffInsteadOfLooping) {
    const std::string sha(64, 'a');
    ASSERT_TRUE(client::DeviceState(*store)
                    .queue_blob({sha, file("copy.bin"), 0, BlobDirection::Down})
                    .ok());
    peer.respond = [&](const Request& r) {
        if (r.method == "GET" && r.path.startsWith("/v1/blobs/"))
            return answer(206, {}, "Content-Range: bytes 0-0/100\r\n");
        return well_behaved(r);
    };
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    EXPECT_FALSE(sync(e));
    EXPECT_NE(e.errorString().indexOf("no bytes"), -1) << e.errorString().toStdString();
    run_for(3000);
    const int gets = peer.count("GET", QByteArray::fromStdString("/v1/blobs/" + sha));
    std::cout << "file requests in about 3 s: " << gets << "\n";
    EXPECT_GE(gets, 2);
    EXPECT_LE(gets, 15);
}

TEST_F(Hostile, AnUploadTheServerCallsCompleteWithNothingSentIsNotMarkedSent) {
    QFile f(QString::fromStdString(file("photo.bin")));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(1000, 'p'));
    f.close();
    const std::string sha =
        QCryptographicHash::hash(QByteArray(1000, 'p'), QCryptographicHash::Sha256)
            .toHex()
            .toStdString();
    ASSERT_TRUE(client::DeviceState(*store)
                    .queue_blob({sha, file("photo.bin"), 1000, BlobDirection::Up})
                    .ok());
    peer.respond = [](const Request& r) {
        if (r.method == "HEAD")
            return answer(200, {},
                          "Upload-Offset: 5000\r\nUpload-Length: 1000\r\nTus-Resumable: 1.0.0\r\n");
        return well_behaved(r);
    };
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    EXPECT_TRUE(sync(e)) << e.errorString().toStdString();
    auto failed = client::DeviceState(*store).blob_jobs(BlobState::Failed);
    ASSERT_EQ(failed->size(), 1u);
    EXPECT_NE(failed->at(0).error.find("never finished sending"), std::string::npos)
        << failed->at(0).error;
    EXPECT_TRUE(client::DeviceState(*store).blob_jobs(BlobState::Done)->empty());
    EXPECT_EQ(peer.count("PATCH", QByteArray::fromStdString("/v1/blobs/" + sha)), 0);

    // "All of it" with nothing sent is not believed either.
    ASSERT_TRUE(client::DeviceState(*store).update_blob(sha, 0, BlobState::Pending).ok());
    peer.respond = [](const Request& r) {
        if (r.method == "HEAD")
            return answer(200, {},
                          "Upload-Offset: 1000\r\nUpload-Length: 1000\r\nTus-Resumable: 1.0.0\r\n");
        return well_behaved(r);
    };
    EXPECT_TRUE(sync(e)) << e.errorString().toStdString();
    EXPECT_EQ(client::DeviceState(*store).blob_jobs(BlobState::Failed)->size(), 1u);
    EXPECT_TRUE(client::DeviceState(*store).blob_jobs(BlobState::Done)->empty());
}

TEST_F(Hostile, AnAnswerPast64MbIsCutOffWithAReason) {
    peer.respond = [](const Request& r) {
        if (r.path != "/v1/sync/pull") return well_behaved(r);
        return QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: "
                          "close\r\n\r\n{\"ops\":[");
    };
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    peer.stream_limit = 320LL * 1024 * 1024;
    const bool peak_reset = reset_peak_rss();
    const long long before = rss_kb("VmRSS:");
    EXPECT_FALSE(sync(e));
    const long long peak = rss_kb("VmHWM:");
    std::cout << "memory: " << before / 1024 << " MB before, peak " << peak / 1024
              << " MB while reading\n";
    EXPECT_NE(e.errorString().indexOf("larger than 64 MB"), -1) << e.errorString().toStdString();
    run_for(300);
    std::cout << "bytes the peer got out: " << peer.streamed << "\n";
    // The device stopped reading: the peer could not get its 320 MB through (what it did get
    // out beyond 64 MB sat in socket buffers when the reply was aborted).
    EXPECT_LT(peer.streamed, peer.stream_limit);
    // Memory stays flat: the answer kept is at most 64 MB, and no copy of the whole stream.
    if (peak_reset) {
        EXPECT_LT(peak - before, 150LL * 1024) << "the device held far more than the cap";
    }
}

TEST_F(Hostile, DownloadedFilesAreReadableByTheirOwnerOnly) {
    const QByteArray bytes(3000, 'q');
    const std::string sha =
        QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().toStdString();
    ASSERT_TRUE(client::DeviceState(*store)
                    .queue_blob({sha, file("evidence.bin"), 0, BlobDirection::Down})
                    .ok());
    peer.respond = [&](const Request& r) {
        if (r.method == "GET" && r.path.startsWith("/v1/blobs/")) return answer(200, bytes);
        return well_behaved(r);
    };
    const mode_t old = ::umask(022);
    SyncEngine e(*store, network, quick());
    ASSERT_EQ(sign_in(e, peer.url()), "");
    EXPECT_TRUE(sync(e)) << e.errorString().toStdString();
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(file("evidence.bin").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}
