#include "sitevisit/client/sign_in.h"

#include "sitevisit/client/logging.h"
#include "sitevisit/core/store.h"

#include <QPointer>

namespace sitevisit::client {

namespace {
// Same scheme, host and port: a device secret goes back only to the server that gave it.
QString origin(const QUrl& u) {
    return u.scheme().toLower() + QStringLiteral("://") + u.host().toLower() + QLatin1Char(':') +
           QString::number(u.port(u.scheme().toLower() == QLatin1String("https") ? 443 : 80));
}
QString secretKey(const QUrl& server) {
    return origin(server) + QStringLiteral(" device secret");
}
} // namespace

SignIn::SignIn(Store& store, DeviceState& device, Transport& transport,
               std::function<bool()> sync_running, QObject* parent)
    : QObject(parent), store_(store), device_(device), transport_(transport),
      sync_running_(std::move(sync_running)) {
}

QString SignIn::restore() {
    if (auto ca = device_.ca_file(); ca && !ca->empty()) {
        QString error;
        const auto certs = read_ca_file(QString::fromStdString(*ca), &error);
        if (!certs.isEmpty())
            transport_.setExtraCaCertificates(certs);
        else
            qCWarning(lcSync) << "the trusted certificate authority cannot be used:" << error;
    } else if (!ca) {
        qCWarning(lcSync) << "cannot read the trusted certificate authority setting:"
                          << ca.error().message.c_str();
    }
    auto s = device_.session();
    if (!s) {
        qCWarning(lcSync) << "cannot read the session:" << s.error().message.c_str();
        return {};
    }
    if (!*s) return {};
    const QUrl server(QString::fromStdString((*s)->server));
    transport_.setServer(server);
    if (const QString why = insecure_server_reason(server); !why.isEmpty()) {
        // Signed in over plain http to another machine before the http rule: the token is
        // not sent again; the person signs in again over https.
        insecure_ = true;
        return QStringLiteral("sign in again over https: %1 (nothing on this device is lost)")
            .arg(why);
    }
    transport_.setToken(QString::fromStdString((*s)->token));
    return {};
}

QString SignIn::setCaFile(const QString& path) {
    QList<QSslCertificate> certs;
    if (!path.isEmpty()) {
        QString error;
        certs = read_ca_file(path, &error);
        if (certs.isEmpty()) return error;
    }
    if (auto st = device_.set_ca_file(path.toStdString()); !st)
        return QString::fromStdString(st.error().message);
    transport_.setExtraCaCertificates(certs);
    return {};
}

QString SignIn::caFile() const {
    auto ca = device_.ca_file();
    return ca ? QString::fromStdString(*ca) : QString();
}

void SignIn::deviceSecretFor(const QUrl& server, std::function<void(std::string)> done) {
    auto kept = device_.device_secret();
    if (!kept || !kept->is_object() || !kept->contains("server") ||
        !(*kept)["server"].is_string() ||
        (*kept)["server"].get<std::string>() != origin(server).toStdString())
        return done({});
    if (kept->value("keyring", false)) {
        if (!credentials_) return done({});
        credentials_->read(secretKey(server),
                           [self = QPointer<SignIn>(this),
                            done = std::move(done)](std::optional<QString> secret, const QString&) {
                               if (self) done(secret ? secret->toStdString() : std::string());
                           });
        return;
    }
    done(kept->contains("secret") && (*kept)["secret"].is_string()
             ? (*kept)["secret"].get<std::string>()
             : std::string());
}

void SignIn::keepDeviceSecret(const QUrl& server, const std::string& secret) {
    if (secret.empty()) return;
    auto keep = [this, server, secret](bool in_keyring) {
        Json kept{{"server", origin(server).toStdString()}};
        if (in_keyring)
            kept["keyring"] = true;
        else
            kept["secret"] = secret;
        // Without it a locked account cannot be passed on this device; sign-in still works.
        if (auto st = device_.set_device_secret(kept); !st)
            qCWarning(lcSync) << "the device secret could not be kept:"
                              << st.error().message.c_str();
    };
    // With the token: in the credential store where one works, else in the device store.
    if (!credentials_) return keep(false);
    credentials_->write(secretKey(server), QString::fromStdString(secret),
                        [self = QPointer<SignIn>(this), keep](bool ok, const QString&) {
                            if (self) keep(ok);
                        });
}

std::optional<User> SignIn::user() const {
    auto s = device_.session();
    if (!s || !*s) return std::nullopt;
    const Json& u = (*s)->user;
    auto user = User::from_fields(u.value("id", ""), u);
    if (!user) return std::nullopt;
    user->email = u.value("email", "");
    user->name = u.value("name", "");
    // The person's record as synced since sign-in wins: a caseload a director changed, a role
    // an admin changed, an account revoked. The server decides from the same record.
    if (auto row = store_.get("user", user->id); row.ok() && *row && !(*row)->deleted)
        if (auto current = User::from_fields(user->id, (*row)->fields)) {
            const bool active = user->active;
            const std::string email = user->email;
            *user = *current;
            user->email = email;
            user->active = active && current->active;
        }
    return *user;
}

bool SignIn::signedIn() const {
    auto s = device_.session();
    return s && *s;
}

void SignIn::signIn(const QUrl& server, const QString& email, const QString& password,
                    std::function<void(QString)> done) {
    // The http rule, before the password leaves the device.
    if (const QString why = insecure_server_reason(server); !why.isEmpty()) {
        failure_ = Failure::Insecure;
        done(why);
        return;
    }
    transport_.setServer(server);
    transport_.setToken({});
    deviceSecretFor(server, [this, server, email, password,
                             done = std::move(done)](std::string secret) mutable {
        protocol::LoginRequest request{email.toStdString(), password.toStdString(),
                                       store_.device_id(), std::move(secret)};
        transport_.login(request, [this, server, email, password,
                                   done = std::move(done)](const Reply& r) mutable {
            if (!r.ok()) {
                failure_ = r.status == 0
                               ? (r.refused_insecure ? Failure::Insecure : Failure::Network)
                               : Failure::Refused;
                done(r.message());
                return;
            }
            auto answer = protocol::decode_login_response(r.body.toStdString());
            if (!answer) {
                failure_ = Failure::Undecodable;
                done(QStringLiteral("the server's answer to sign-in could not be read: %1")
                         .arg(QString::fromStdString(answer.error().message)));
                return;
            }
            failure_ = Failure::None;
            // Someone else's data on this device: theirs is all on the server, or nothing
            // changes. The device then starts over empty, under a new id, and signs in again.
            const std::string user_id = answer->user["id"].get<std::string>();
            auto owner = device_.owner();
            if (!owner) {
                done(QString::fromStdString(owner.error().message));
                return;
            }
            // A device with data but no owner (from before owners were kept) counts as
            // someone else's.
            if ((!owner->empty() && *owner != user_id) || (owner->empty() && store_.cursor() > 0)) {
                if (sync_running_()) { // the last person's sync is still writing
                    done(tr("The last sync is still finishing; sign in again in a moment."));
                    return;
                }
                if (auto st = store_.start_over(); !st) {
                    done(tr("This device holds work of another person that has not reached the "
                            "server: %1.")
                             .arg(QString::fromStdString(st.error().message)));
                    return;
                }
                qCInfo(lcSync) << "the device started over for another person";
                emit storeReset();
                signIn(server, email, password, std::move(done));
                return;
            }
            finish(server, *answer, std::move(done));
        });
    });
}

void SignIn::finish(const QUrl& server, const protocol::LoginResponse& answer,
                    std::function<void(QString)> done) {
    DeviceState::Session s{server.toString().toStdString(), answer.token, answer.expires,
                           answer.user};
    keepDeviceSecret(server, answer.device_secret);
    transport_.setToken(QString::fromStdString(s.token));
    // The server's file size limit, so a file too large is refused when it is attached,
    // not when it is uploaded days later.
    transport_.blobOptions([this, s, done = std::move(done)](const Reply& o) mutable {
        bool number = false;
        const qlonglong max = o.headers.value("tus-max-size").toLongLong(&number);
        if (number && max > 0) s.user["max_blob_bytes"] = max;
        auto store = [this](DeviceState::Session s, std::function<void(QString)> done) {
            if (auto st = device_.set_session(s); !st) {
                done(QString::fromStdString(st.error().message));
                return;
            }
            insecure_ = false;
            token_pending_ = false;
            qCInfo(lcSync) << "signed in to" << s.server.c_str();
            emit signedInNow();
            done({});
        };
        // The token goes to the credential store when there is one that works; otherwise
        // it stays in the device store, as on machines without a keyring.
        if (!credentials_) return store(std::move(s), std::move(done));
        credentials_->write(QString::fromStdString(s.server), QString::fromStdString(s.token),
                            [self = QPointer<SignIn>(this), s, store,
                             done = std::move(done)](bool ok, const QString&) mutable {
                                if (!self) return;
                                if (ok) {
                                    s.user["token_in_credential_store"] = true;
                                    s.token.clear();
                                }
                                store(std::move(s), std::move(done));
                            });
    });
}

void SignIn::setCredentialStore(platform::CredentialStore* credentials) {
    credentials_ = credentials;
    auto s = device_.session();
    if (!credentials_ || !s || !*s || !(*s)->user.value("token_in_credential_store", false)) return;
    token_pending_ = true;
    credentials_->read(
        QString::fromStdString((*s)->server),
        [this, self = QPointer<SignIn>(this)](std::optional<QString> token, const QString& error) {
            if (!self) return;
            token_pending_ = false;
            if (token) {
                transport_.setToken(*token);
                emit tokenRead();
                return;
            }
            emit tokenLost(QStringLiteral("sign in again: the saved sign-in could not be "
                                          "read (%1); nothing on this device is lost")
                               .arg(error));
        });
}

QString SignIn::signOut() {
    auto s = device_.session();
    if (credentials_ && s && *s) credentials_->remove(QString::fromStdString((*s)->server));
    transport_.setToken({});
    if (auto st = device_.set_session(std::nullopt); !st) {
        qCWarning(lcSync) << "the session could not be removed:" << st.error().message.c_str();
        return QStringLiteral("signed out, but the saved session could not be removed: %1")
            .arg(QString::fromStdString(st.error().message));
    }
    return {};
}

} // namespace sitevisit::client
