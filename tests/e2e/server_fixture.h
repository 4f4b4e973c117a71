#pragma once

// What the server's end-to-end tests share: the demo server started for each test (Demo),
// a store and service in this process (InProcess), and helpers that make changes and uploads.

#include "harness.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/server/blobs.h"
#include "sitevisit/server/crypto.h"
#include "sitevisit/server/pg_store.h"
#include "sitevisit/server/service.h"
#include "sitevisit/server/sqlite_store.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace sitevisit::e2e {

// Tests call this from many threads at once; the generator is not thread-safe, and two threads
// sharing its state hand out the same id (a "duplicate" op that was never applied).
inline std::string new_id() {
    static std::mutex mutex;
    static UuidV7Generator gen(SystemClock::instance());
    std::lock_guard lock(mutex);
    return gen.next();
}

inline std::string now_hlc(const std::string& device, int counter = 0) {
    return Hlc{SystemClock::instance().now_ms(), static_cast<std::uint32_t>(counter), device}
        .to_string();
}

inline Json change(const std::string& entity, const std::string& id, const std::string& school,
                   Json fields, std::int64_t dseq, const std::string& device, std::int64_t base = 0,
                   const std::string& kind = "upsert") {
    return {{"op", new_id()},
            {"entity", entity},
            {"id", id},
            {"school", school},
            {"kind", kind},
            {"fields", fields},
            {"hlc", now_hlc(device, static_cast<int>(dseq % 1000))},
            {"base", base},
            {"dseq", dseq},
            {"schema", 1}};
}

struct Demo : ::testing::Test {
    ServerProcess server;
    std::vector<std::string> serve_args; // more flags for `serve` (set before SetUp)
    Json everything;                     // the admin's export: every row
    std::string region, harbor, bayside, lincoln, harbor_middle, bayside_el;

    void SetUp() override {
        auto r = server.admin({"demo"});
        ASSERT_EQ(r.code, 0) << r.err;
        server.start(serve_args);
        ASSERT_TRUE(server.running());
        everything = export_as("admin@demo.sitevisit");
        const Json& rows = everything["rows"];
        for (auto it = rows["region"].begin(); it != rows["region"].end(); ++it)
            if (it.value()["fields"]["name"] == "Coastal") region = it.key();
        for (auto it = rows["district"].begin(); it != rows["district"].end(); ++it) {
            if (it.value()["fields"]["code"] == "00350000") harbor = it.key();
            if (it.value()["fields"]["code"] == "00360000") bayside = it.key();
        }
        for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it) {
            const std::string code = it.value()["fields"]["code"];
            if (code == "00350123") lincoln = it.key();
            if (code == "00350456") harbor_middle = it.key();
            if (code == "00360111") bayside_el = it.key();
        }
    }

    Json export_as(const std::string& email) {
        auto r = server.admin({"export", "--user", email});
        EXPECT_EQ(r.code, 0) << r.err;
        return Json::parse(r.out, nullptr, false);
    }

    Http http() { return server.http(); }

    Response push(const std::string& token, const std::string& device, Json ops) {
        return http().request("POST", "/v1/sync/push",
                              Json{{"device", device}, {"ops", ops}}.dump(), bearer(token));
    }

    // Pulls until `more` is false; every op, in order.
    std::vector<Json> pull_all(const std::string& token, std::int64_t since = 0,
                               std::int64_t* cursor = nullptr, int limit = 500) {
        std::vector<Json> ops;
        for (int guard = 0; guard < 10000; ++guard) {
            auto r = http().request("GET",
                                    "/v1/sync/pull?since=" + std::to_string(since) +
                                        "&limit=" + std::to_string(limit) +
                                        "&schema=" + std::to_string(kDataSchemaVersion),
                                    {}, bearer(token));
            EXPECT_EQ(r.status, 200) << r.body;
            Json j = r.json();
            for (auto& op : j["ops"])
                ops.push_back(op);
            since = j.value("cursor", since);
            if (!j.value("more", false)) break;
        }
        if (cursor) *cursor = since;
        return ops;
    }

    // The schools of a district, as the admin's export has them.
    std::set<std::string> schools_in(const std::string& district) {
        std::set<std::string> out;
        for (auto it = everything["rows"]["school"].begin();
             it != everything["rows"]["school"].end(); ++it)
            if (it.value()["fields"]["district"] == district) out.insert(it.key());
        return out;
    }

    // A user's row by email (null when there is none).
    Json user_row(const std::string& email) {
        for (const auto& u : everything["rows"]["user"])
            if (u["fields"]["email"] == email) return u;
        return nullptr;
    }

    std::string any_row(const std::string& entity, const std::string& school) {
        for (auto it = everything["rows"][entity].begin(); it != everything["rows"][entity].end();
             ++it)
            if (it.value()["school"] == school) return it.key();
        return {};
    }
};

inline std::string base64(const std::string& in) {
    static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char c : in) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(chars[(val >> bits) & 0x3f]);
            bits -= 6;
        }
    }
    if (bits > -6) out.push_back(chars[((val << 8) >> (bits + 8)) & 0x3f]);
    while (out.size() % 4)
        out.push_back('=');
    return out;
}

inline std::vector<std::pair<std::string, std::string>>
tus(const std::string& token, std::vector<std::pair<std::string, std::string>> more = {}) {
    auto h = bearer(token);
    h.emplace_back("Tus-Resumable", "1.0.0");
    h.insert(h.end(), more.begin(), more.end());
    return h;
}

// The store of a ServerProcess opened in this process: its SQLite file, or its PostgreSQL
// database.
inline std::unique_ptr<server::Store> open_store(const ServerProcess& server) {
    if (!server.store_url().empty())
        return std::move(server::PgStore::open(server.store_url(), server::PgStore::Mode::Create))
            .value();
    std::filesystem::create_directories(server.data());
    return std::move(server::SqliteStore::open((server.data() / "server.db").string())).value();
}

// A store, service and blob service in this process, on a fresh folder (and database).
struct InProcess {
    ServerProcess folder; // only for its temporary folder and database
    std::unique_ptr<server::Store> store;
    std::unique_ptr<server::Service> service;
    std::unique_ptr<server::BlobService> blobs;
    explicit InProcess(server::ServiceOptions options = {}) {
        store = open_store(folder);
        service = std::make_unique<server::Service>(*store, options);
        blobs = std::make_unique<server::BlobService>(*store, *service, folder.data() / "blobs",
                                                      protocol::kMaxBlobBytes);
    }
};

// Uploads `bytes` in one PATCH that creates the upload; the PATCH's status.
inline int upload(const Http& http, const std::string& token, const std::string& bytes) {
    const std::string sha = server::sha256_hex(bytes);
    return http
        .request("PATCH", "/v1/blobs/" + sha, bytes,
                 tus(token, {{"Upload-Offset", "0"},
                             {"Upload-Length", std::to_string(bytes.size())},
                             {"Content-Type", "application/offset+octet-stream"}}))
        .status;
}

} // namespace sitevisit::e2e
