#pragma once

// A Transport for unit tests: answers from a script, per endpoint and in order, and records
// every request. Answers come on the next turn of the event loop, as the network's would.

#include "sitevisit/client/transport.h"

#include <QObject>
#include <QTimer>
#include <deque>
#include <functional>
#include <map>
#include <vector>

namespace sitevisit::testing {

using client::Reply;

class FakeTransport final : public QObject, public client::Transport {
public:
    struct Request {
        std::string endpoint; // login, push, pull, blobOptions, blobCreate, blobHead, ...
        int schema = 0;       // pull: the data schema asked with
        QString token;        // the token the request carried
        Json body;            // login and push: what was sent
        std::int64_t since = 0, offset = 0, length = 0;
        QString sha256;
        QByteArray chunk;
    };

    // The next answer of an endpoint; once its script is used up, `otherwise` answers.
    void script(const std::string& endpoint, Reply reply) {
        scripts_[endpoint].push_back(std::move(reply));
    }
    // Answers computed from the request (after the script, before `otherwise`).
    void respond(const std::string& endpoint, std::function<Reply(const Request&)> answer) {
        responders_[endpoint] = std::move(answer);
    }
    void otherwise(const std::string& endpoint, Reply reply) {
        defaults_[endpoint] = std::move(reply);
    }
    int count(const std::string& endpoint) const {
        int n = 0;
        for (const auto& r : requests)
            n += r.endpoint == endpoint;
        return n;
    }
    std::vector<Request> of(const std::string& endpoint) const {
        std::vector<Request> out;
        for (const auto& r : requests)
            if (r.endpoint == endpoint) out.push_back(r);
        return out;
    }

    std::vector<Request> requests;

    void setServer(const QUrl& server) override { server_ = server; }
    QUrl server() const override { return server_; }
    void setToken(const QString& token) override { token_ = token; }
    void setExtraCaCertificates(const QList<QSslCertificate>&) override {}

    void health(Done done) override { answer({"health"}, std::move(done)); }
    void login(const protocol::LoginRequest& r, Done done) override {
        Request q{"login"};
        q.body = {{"email", r.email}, {"device", r.device}, {"device_secret", r.device_secret}};
        answer(std::move(q), std::move(done));
    }
    void push(const protocol::PushRequest& r, Done done) override {
        Request q{"push"};
        q.body = protocol::encode(r);
        answer(std::move(q), std::move(done));
    }
    void pull(std::int64_t since, int limit, int schema, Done done) override {
        Request q{"pull"};
        q.since = since;
        q.length = limit;
        q.schema = schema;
        answer(std::move(q), std::move(done));
    }
    void blobOptions(Done done) override { answer({"blobOptions"}, std::move(done)); }
    void blobCreate(const QString& sha256, std::int64_t length, Done done) override {
        Request q{"blobCreate"};
        q.sha256 = sha256;
        q.length = length;
        answer(std::move(q), std::move(done));
    }
    void blobHead(const QString& sha256, Done done) override {
        Request q{"blobHead"};
        q.sha256 = sha256;
        answer(std::move(q), std::move(done));
    }
    void blobPatch(const QString& sha256, std::int64_t offset, std::int64_t length,
                   const QByteArray& chunk, Done done) override {
        Request q{"blobPatch"};
        q.sha256 = sha256;
        q.offset = offset;
        q.length = length;
        q.chunk = chunk;
        answer(std::move(q), std::move(done));
    }
    void blobGet(const QString& sha256, std::int64_t from, std::int64_t length,
                 Done done) override {
        Request q{"blobGet"};
        q.sha256 = sha256;
        q.offset = from;
        q.length = length;
        answer(std::move(q), std::move(done));
    }

private:
    void answer(Request q, Done done) {
        q.token = token_;
        Reply reply;
        reply.network_error =
            QStringLiteral("no answer scripted for %1").arg(QString::fromStdString(q.endpoint));
        if (auto& script = scripts_[q.endpoint]; !script.empty()) {
            reply = script.front();
            script.pop_front();
        } else if (auto f = responders_.find(q.endpoint); f != responders_.end()) {
            reply = f->second(q);
        } else if (auto it = defaults_.find(q.endpoint); it != defaults_.end()) {
            reply = it->second;
        }
        requests.push_back(std::move(q));
        QTimer::singleShot(0, this, [reply, done = std::move(done)] { done(reply); });
    }

    QUrl server_;
    QString token_;
    std::map<std::string, std::deque<Reply>> scripts_;
    std::map<std::string, std::function<Reply(const Request&)>> responders_;
    std::map<std::string, Reply> defaults_;
};

inline Reply json_reply(int status, const Json& body, QMap<QByteArray, QByteArray> headers = {}) {
    Reply r;
    r.status = status;
    r.body = QByteArray::fromStdString(body.dump());
    r.headers = std::move(headers);
    return r;
}

inline Reply no_answer(const char* why = "the server is not reachable") {
    Reply r;
    r.network_error = QString::fromUtf8(why);
    return r;
}

} // namespace sitevisit::testing
