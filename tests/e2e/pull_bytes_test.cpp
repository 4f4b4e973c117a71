// Pull pages built from the bytes stored for each change (what the HTTP route sends) against
// pages built the old way (each change parsed from the store and encoded again), on the demo
// data with every kind of change a pull carries: changes held back or trimmed for an older data
// schema, changes for one device only (a school gained, a school lost), deletes, evidence and
// comments of draft visits; with rows logged before the stored bytes existed; and in pages cut
// by count and by the byte budget. Then gzip over real HTTP.

#include "server_fixture.h"
#include "sitevisit/core/database.h"
#include "sitevisit/server/demo.h"

#include <map>
#include <sstream>
#include <zlib.h>

namespace sitevisit::e2e {
namespace {

using server::Caller;

// The page as the HTTP route writes it and as it was written before, both as JSON.
struct Pages {
    Json fresh, old;
    std::int64_t cursor = 0;
    bool more = false;
};

Pages pull_both(server::Service& service, const Caller& caller, std::int64_t since, int limit,
                int schema) {
    // The new page first: a change of scope is followed by the first pull that sees it (the
    // purge is in that answer only; the changes it appends are in the log for both).
    auto fresh = service.pull(caller, since, limit, schema, true);
    auto old = service.pull(caller, since, limit, schema, false);
    EXPECT_TRUE(fresh.ok() && old.ok());
    if (!fresh.ok() || !old.ok()) return {};
    EXPECT_TRUE(fresh->ops.empty());
    EXPECT_TRUE(old->encoded_ops.empty());
    Pages p;
    p.fresh = Json::parse(protocol::encode_pull_body(*fresh), nullptr, false);
    EXPECT_FALSE(p.fresh.is_discarded());
    p.old = protocol::encode(*old);
    if (!fresh->purge.empty()) {
        // Only the first answer carries the purge; the rest of it must be the same.
        EXPECT_TRUE(old->purge.empty());
        EXPECT_EQ(p.fresh["purge"], Json(fresh->purge));
        p.old["purge"] = fresh->purge;
    }
    p.cursor = fresh->cursor;
    p.more = fresh->more;
    return p;
}

// Pulls the whole log both ways, page by page; counts what it saw.
struct Seen {
    int pages = 0, ops = 0, held = 0, deletes = 0, for_one_device = 0, purges = 0;
    std::set<std::string> entities;
};

std::int64_t pull_all_both(server::Service& service, const Caller& caller, std::int64_t since,
                           int limit, int schema, Seen& seen) {
    for (int guard = 0; guard < 100000; ++guard) {
        Pages p = pull_both(service, caller, since, limit, schema);
        EXPECT_EQ(p.fresh, p.old) << "since " << since << " limit " << limit << " schema "
                                  << schema;
        if (p.fresh != p.old) return p.cursor;
        ++seen.pages;
        seen.held += p.fresh.value("held", 0);
        if (p.fresh.contains("purge")) seen.purges += static_cast<int>(p.fresh["purge"].size());
        for (const auto& op : p.fresh["ops"]) {
            ++seen.ops;
            seen.entities.insert(op["entity"].get<std::string>());
            if (op["kind"] == "delete") ++seen.deletes;
        }
        if (!p.more) return p.cursor;
        EXPECT_GT(p.cursor, since);
        since = p.cursor;
    }
    return since;
}

TEST(PullBytes, PagesFromStoredBytesEqualPagesEncodedAgain) {
    server::ServiceOptions options;
    InProcess p(options);
    std::ostringstream out;
    ASSERT_TRUE(server::seed_demo(*p.service, *p.blobs, out).ok()) << out.str();
    auto users = p.service->list_users();
    ASSERT_TRUE(users.ok());
    auto caller_of = [&](const std::string& email, const std::string& device) {
        for (const auto& u : *users)
            if (u.email == email) return Caller{u, device, u.id + "/" + device};
        ADD_FAILURE() << "no user " << email;
        return Caller{};
    };
    const Caller admin = caller_of("admin@demo.sitevisit", "admin-1");

    // What the admin sees: the districts, a live observation to delete, the lead to move.
    std::string harbor, bayside, observation, observation_school, leo;
    std::int64_t observation_seq = 0, leo_seq = 0;
    std::map<std::string, std::string> visit_status;      // visit -> its latest status
    std::map<std::string, std::string> observation_visit; // observation -> its visit
    std::map<std::string, std::int64_t> observation_seqs;
    std::map<std::string, std::string> observation_schools;
    Json some_evidence; // the fields of a demo evidence row (a file already on the server)
    {
        std::int64_t since = 0;
        for (bool more = true; more;) {
            auto page = p.service->pull(admin, since, 5000, kDataSchemaVersion);
            ASSERT_TRUE(page.ok());
            for (const auto& c : page->ops) {
                if (c.entity == "district" && c.fields.value("code", "") == "00350000")
                    harbor = c.id;
                if (c.entity == "district" && c.fields.value("code", "") == "00360000")
                    bayside = c.id;
                if (c.entity == "visit" && c.fields.contains("status"))
                    visit_status[c.id] = c.fields["status"].get<std::string>();
                if (c.entity == "observation") {
                    if (c.fields.contains("visit"))
                        observation_visit[c.id] = c.fields["visit"].get<std::string>();
                    observation_seqs[c.id] = c.seq;
                    observation_schools[c.id] = c.school;
                }
                if (c.entity == "evidence" && c.fields.contains("sha256")) some_evidence = c.fields;
                if (c.entity == "user" && c.fields.value("email", "") == "lead2@demo.sitevisit")
                    leo = c.id;
                if (c.entity == "user" && c.id == leo) leo_seq = c.seq;
            }
            since = page->cursor;
            more = page->more;
        }
    }
    // Two observations of the draft visit: one to delete, one to hang evidence on.
    std::string draft_observation;
    for (const auto& [id, visit] : observation_visit)
        if (visit_status[visit] == "draft") {
            if (observation.empty()) {
                observation = id;
                observation_seq = observation_seqs[id];
                observation_school = observation_schools[id];
            } else if (draft_observation.empty()) {
                draft_observation = id;
            }
        }
    ASSERT_FALSE(draft_observation.empty());
    ASSERT_TRUE(some_evidence.is_object());
    // Evidence on the draft's observation and comments on it (its team's alone until the visit
    // is submitted), and a comment on a next step (newer than data schema 1: held back).
    User lead;
    for (const auto& u : *users)
        if (u.email == "lead@demo.sitevisit") lead = u;
    Json evidence_fields = {{"title", "Draft photo"},
                            {"kind", "photo"},
                            {"sha256", some_evidence["sha256"]},
                            {"size", some_evidence["size"]},
                            {"media_type", some_evidence["media_type"]},
                            {"observations", {draft_observation}}};
    auto evidence = p.service->admin_write(
        lead, {"evidence", "", observation_schools[draft_observation], evidence_fields});
    ASSERT_TRUE(evidence.ok()) << evidence.error().message;
    const std::string at = format_utc_ms(SystemClock::instance().now_ms());
    for (const char* body : {"Blurry; retake it", "Fine now"}) {
        auto comment = p.service->admin_write(lead, {"comment",
                                                     "",
                                                     "",
                                                     {{"target_entity", "evidence"},
                                                      {"target", *evidence},
                                                      {"author", lead.id},
                                                      {"body", body},
                                                      {"at", at}}});
        ASSERT_TRUE(comment.ok()) << comment.error().message;
    }
    ASSERT_FALSE(harbor.empty());
    ASSERT_FALSE(bayside.empty());
    ASSERT_FALSE(observation.empty());
    ASSERT_FALSE(leo.empty());

    // Leo's devices pull once before his caseload moves, so the move is a scope change.
    const Caller leo_device = caller_of("lead2@demo.sitevisit", "leo-1");
    const Caller leo_old_app = caller_of("lead2@demo.sitevisit", "leo-old");
    std::int64_t leo_cursor = 0, leo_old_cursor = 0;
    {
        Seen seen;
        leo_cursor = pull_all_both(*p.service, leo_device, 0, 500, kDataSchemaVersion, seen);
        leo_old_cursor = pull_all_both(*p.service, leo_old_app, 0, 500, 1, seen);
        EXPECT_GT(seen.held, 0) << "the demo data has changes a schema-1 device cannot read";
    }

    // A delete, and the lead moved from Bayside to Harbor City.
    auto hlc = [&](int n) {
        return Hlc{SystemClock::instance().now_ms(), static_cast<std::uint32_t>(n), "admin-1"}
            .to_string();
    };
    Change del;
    del.op = new_id();
    del.entity = "observation";
    del.id = observation;
    del.school = observation_school;
    del.kind = ChangeKind::Delete;
    del.hlc = hlc(1);
    del.base = observation_seq;
    del.dseq = 1;
    del.schema = kDataSchemaVersion;
    Change move;
    move.op = new_id();
    move.entity = "user";
    move.id = leo;
    move.kind = ChangeKind::Upsert;
    move.fields = {{"districts", {harbor}}};
    move.hlc = hlc(2);
    move.base = leo_seq;
    move.dseq = 2;
    move.schema = kDataSchemaVersion;
    auto pushed = p.service->push(admin, {"admin-1", {del, move}});
    ASSERT_TRUE(pushed.ok());
    ASSERT_EQ(pushed->results.size(), 2u);
    EXPECT_EQ(pushed->results[0].status, protocol::OpStatus::Applied) << pushed->results[0].error;
    EXPECT_EQ(pushed->results[1].status, protocol::OpStatus::Applied) << pushed->results[1].error;

    // Leo's caseload as the server now has it: his devices sign in and are read as the HTTP
    // route reads them.
    auto signed_in = [&](const std::string& device) {
        auto answer =
            p.service->login({"lead2@demo.sitevisit", "lead2-demo-2026", device, ""}, "127.0.0.1");
        EXPECT_TRUE(answer.ok()) << answer.error().message;
        auto caller = p.service->authenticate(answer->token);
        EXPECT_TRUE(caller.ok()) << caller.error().message;
        return *caller;
    };
    const Caller leo_moved = signed_in("leo-1");
    const Caller leo_old_moved = signed_in("leo-old");
    ASSERT_EQ(leo_moved.key, leo_device.key);
    ASSERT_EQ(leo_moved.user.districts, std::vector<std::string>{harbor});

    // Rows logged before the stored bytes existed have none: they are encoded when pulled.
    store_sql(p.folder, "UPDATE changes SET wire = NULL WHERE seq % 3 = 0");

    // Everyone, from the start, at both schemas, in pages cut by count; Leo's devices from
    // their cursors (the school gained comes as rows for that device, the one lost as a purge).
    Seen seen;
    for (const char* email :
         {"admin@demo.sitevisit", "lead@demo.sitevisit", "principal@demo.sitevisit",
          "principal2@demo.sitevisit", "receiver@demo.sitevisit", "director@demo.sitevisit"}) {
        bool known = false;
        for (const auto& u : *users)
            known = known || u.email == email;
        if (!known) continue;
        for (int schema : {1, kDataSchemaVersion})
            for (int limit : {37, 1000})
                pull_all_both(
                    *p.service,
                    caller_of(email, "d-" + std::to_string(schema) + "-" + std::to_string(limit)),
                    0, limit, schema, seen);
    }
    pull_all_both(*p.service, leo_moved, leo_cursor, 50, kDataSchemaVersion, seen);
    pull_all_both(*p.service, leo_old_moved, leo_old_cursor, 50, 1, seen);

    std::cout << "[ figures ] pages " << seen.pages << ", changes " << seen.ops << ", held "
              << seen.held << ", deletes " << seen.deletes << ", schools purged " << seen.purges
              << ", entities " << seen.entities.size() << "\n";
    EXPECT_GT(seen.held, 0);
    EXPECT_GT(seen.deletes, 0);
    EXPECT_GT(seen.purges, 0);
    for (const char* entity :
         {"visit", "observation", "evidence", "comment", "next_step", "plan", "school", "user"})
        EXPECT_TRUE(seen.entities.count(entity)) << entity;
}

TEST(PullBytes, PagesCutByTheByteBudgetEndAtTheSameChange) {
    server::ServiceOptions options;
    options.max_pull_bytes = 64 * 1024 + 6000; // about a dozen changes a page
    InProcess p(options);
    std::ostringstream out;
    ASSERT_TRUE(server::seed_demo(*p.service, *p.blobs, out).ok()) << out.str();
    auto users = p.service->list_users();
    ASSERT_TRUE(users.ok());
    Seen seen;
    for (const auto& u : *users)
        for (int schema : {1, kDataSchemaVersion})
            pull_all_both(
                *p.service,
                Caller{u, "b-" + std::to_string(schema), u.id + "/b-" + std::to_string(schema)}, 0,
                5000, schema, seen);
    EXPECT_GT(seen.pages, 20);
}

std::string gunzip(const std::string& in) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
    std::string out;
    char buf[65536];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
    }
    EXPECT_EQ(rc, Z_STREAM_END);
    inflateEnd(&z);
    return out;
}

TEST_F(Demo, PullPagesAreGzippedOnlyWhenAsked) {
    const std::string token = login(http(), "admin@demo.sitevisit", "admin-demo-2026", "gz-1");
    const std::string path = "/v1/sync/pull?since=0&limit=500&schema=2";
    auto plain = http().request("GET", path, {}, bearer(token));
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(plain.header("content-encoding"), "");
    EXPECT_EQ(plain.header("vary"), "Accept-Encoding");

    auto h = bearer(token);
    h.emplace_back("Accept-Encoding", "br;q=1.0, gzip;q=0.8");
    auto packed = http().request("GET", path, {}, h);
    ASSERT_EQ(packed.status, 200);
    EXPECT_EQ(packed.header("content-encoding"), "gzip");
    EXPECT_LT(packed.body.size(), plain.body.size() / 2);
    const std::string inflated = gunzip(packed.body);
    EXPECT_EQ(Json::parse(inflated, nullptr, false), plain.json());
    auto page = protocol::decode_pull_page(inflated);
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_GT(page->ops.size(), 100u);
    EXPECT_EQ(page->ops.size(), plain.json()["ops"].size());

    // gzip refused (q=0), or not named: plain.
    for (const char* refuse : {"gzip;q=0", "identity", "deflate", "gzip; q=0.000"}) {
        auto hh = bearer(token);
        hh.emplace_back("Accept-Encoding", refuse);
        auto r = http().request("GET", path, {}, hh);
        ASSERT_EQ(r.status, 200);
        EXPECT_EQ(r.header("content-encoding"), "") << refuse;
        EXPECT_EQ(r.body, plain.body) << refuse;
    }
}

} // namespace
} // namespace sitevisit::e2e
