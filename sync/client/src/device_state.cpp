#include "sitevisit/client/device_state.h"

#include "sitevisit/core/database.h"
#include "sitevisit/core/store.h"

namespace sitevisit::client {

namespace {
Error storage(const std::exception& e) {
    return Error{ErrorCode::Storage, e.what()};
}
} // namespace

DeviceState::DeviceState(Store& store) : db_(store.database()) {
}

Result<std::optional<DeviceState::Session>> DeviceState::session() const {
    try {
        auto& st = db_.cached("SELECT server, token, expires, user FROM session WHERE id = 1");
        std::optional<Session> out;
        if (st.step()) {
            Json user = Json::parse(st.text_view(3), nullptr, false);
            out = Session{st.text(0), st.text(1), st.text(2),
                          user.is_discarded() ? Json::object() : user};
        }
        st.reset();
        return out;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Status DeviceState::set_session(const std::optional<Session>& s) {
    try {
        if (!s) {
            db_.cached("DELETE FROM session").run();
            return ok_status();
        }
        Transaction tx(db_);
        auto& st = db_.cached("INSERT OR REPLACE INTO session (id, server, token, expires, user) "
                              "VALUES (1, ?, ?, ?, ?)");
        st.bind(1, s->server).bind(2, s->token).bind(3, s->expires).bind(4, s->user.dump());
        st.run();
        auto& own = db_.cached(
            "UPDATE device_state SET owner = ?, last_server = ?, last_email = ? WHERE id = 1");
        own.bind(1, s->user.value("id", "")).bind(2, s->server).bind(3, s->user.value("email", ""));
        own.run();
        tx.commit();
        return ok_status();
    } catch (const std::exception& e) {
        return storage(e);
    }
}

// The column names below are fixed strings of this file, never input.
Result<std::string> DeviceState::text(const char* column) const {
    try {
        auto& st = db_.cached(std::string("SELECT ") + column + " FROM device_state WHERE id = 1");
        std::string value = st.step() ? st.text(0) : std::string();
        st.reset();
        return value;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Status DeviceState::set_text(const char* column, const std::string& value) {
    try {
        auto& st =
            db_.cached(std::string("UPDATE device_state SET ") + column + " = ? WHERE id = 1");
        st.bind(1, value);
        st.run();
        return ok_status();
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<std::string> DeviceState::owner() const {
    return text("owner");
}

Result<std::pair<std::string, std::string>> DeviceState::last_sign_in() const {
    auto server = text("last_server");
    if (!server) return server.error();
    auto email = text("last_email");
    if (!email) return email.error();
    return std::pair{*server, *email};
}

Result<std::string> DeviceState::ca_file() const {
    return text("ca_file");
}

Status DeviceState::set_ca_file(const std::string& path) {
    return set_text("ca_file", path);
}

Result<Json> DeviceState::device_secret() const {
    auto t = text("device_secret");
    if (!t) return t.error();
    Json j = Json::parse(*t, nullptr, false);
    return j.is_object() ? j : Json::object();
}

Status DeviceState::set_device_secret(const Json& secret) {
    return set_text("device_secret",
                    secret.is_object() && !secret.empty() ? secret.dump() : std::string());
}

Result<std::string> DeviceState::last_sync() const {
    return text("last_sync");
}

Status DeviceState::set_last_sync(const std::string& when) {
    return set_text("last_sync", when);
}

Result<DeviceState::Held> DeviceState::held() const {
    try {
        auto& st =
            db_.cached("SELECT held_count, held_since, held_schema FROM device_state WHERE id = 1");
        Held h;
        if (st.step()) {
            h.count = st.int64(0);
            h.since = st.int64(1);
            h.schema = static_cast<int>(st.int64(2));
        }
        st.reset();
        return h;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Status DeviceState::add_held(std::int64_t count, std::int64_t since, int schema) {
    try {
        auto& st = db_.cached(
            "UPDATE device_state SET held_count = held_count + ?, held_since = CASE WHEN "
            "held_since < 0 OR ? < held_since THEN ? ELSE held_since END, held_schema = ? "
            "WHERE id = 1");
        st.bind(1, count).bind(2, since).bind(3, since).bind(4, schema);
        st.run();
        return ok_status();
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Status DeviceState::clear_held() {
    try {
        db_.exec("UPDATE device_state SET held_count = 0, held_since = -1, held_schema = 0 "
                 "WHERE id = 1");
        return ok_status();
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Status DeviceState::queue_blob(const BlobJob& j) {
    try {
        auto& st = db_.cached("INSERT INTO blob_queue (sha256, path, size, direction, sent, "
                              "state) VALUES (?, ?, ?, ?, 0, 'pending') "
                              "ON CONFLICT (sha256) DO NOTHING");
        st.bind(1, j.sha256).bind(2, j.path).bind(3, j.size).bind(4, to_string(j.direction));
        st.run();
        return ok_status();
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Status DeviceState::update_blob(const std::string& sha, std::int64_t sent, BlobState state,
                                const std::string& error) {
    try {
        auto& st =
            db_.cached("UPDATE blob_queue SET sent = ?, state = ?, error = ? WHERE sha256 = ?");
        st.bind(1, sent).bind(2, to_string(state));
        if (error.empty())
            st.bind_null(3);
        else
            st.bind(3, error);
        st.bind(4, sha);
        st.run();
        return ok_status();
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<std::vector<DeviceState::BlobJob>> DeviceState::blob_jobs(BlobState state) const {
    try {
        auto& st = db_.cached("SELECT sha256, path, size, direction, sent, state, coalesce(error, "
                              "'') FROM blob_queue WHERE state = ? ORDER BY rowid");
        st.bind(1, to_string(state));
        std::vector<BlobJob> out;
        while (st.step()) {
            const auto direction = parse_blob_direction(st.text_view(3));
            const auto job_state = parse_blob_state(st.text_view(5));
            if (!direction || !job_state) {
                std::string message =
                    "queued file " + st.text(0) + " has an unknown " +
                    (direction ? "state: " + st.text(5) : "direction: " + st.text(3));
                st.reset();
                return Error{ErrorCode::Storage, std::move(message)};
            }
            out.push_back({st.text(0), st.text(1), st.int64(2), *direction, st.int64(4), *job_state,
                           st.text(6)});
        }
        st.reset();
        return out;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

} // namespace sitevisit::client
