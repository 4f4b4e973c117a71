// sitevisit-server end to end (the real binary on a loopback port, real HTTP, real files).
// Evidence files: resumable uploads, quotas, expiry, crash recovery and streamed downloads.
#include "server_fixture.h"
#include "sitevisit/server/demo.h"

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

using namespace sitevisit;
using namespace sitevisit::e2e;

TEST_F(Demo, BlobsUploadInResumableChunksAndAreReadOnlyByThoseWhoMaySeeThem) {
    const std::string principal =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p");
    auto options = http().request("OPTIONS", "/v1/blobs");
    EXPECT_EQ(options.status, 204);
    EXPECT_EQ(options.header("tus-version"), "1.0.0");
    EXPECT_EQ(options.header("tus-max-size"), "104857600");

    std::mt19937_64 rng(test_seed("upload bytes", 7));
    std::string bytes(300000, '\0');
    for (auto& c : bytes)
        c = static_cast<char>(rng());
    const std::string sha = server::sha256_hex(bytes);
    const std::string path = "/v1/blobs/" + sha;

    auto created = http().request(
        "POST", "/v1/blobs", {},
        tus(principal,
            {{"Upload-Length", std::to_string(bytes.size())},
             {"Upload-Metadata", "filename " + base64("notes.bin") + ",sha256 " + base64(sha)}}));
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.header("location"), path);
    EXPECT_EQ(created.header("tus-resumable"), "1.0.0");
    auto chunk = [&](std::size_t from, std::size_t n, std::size_t claimed) {
        return http().request(
            "PATCH", path, bytes.substr(from, n),
            tus(principal, {{"Upload-Offset", std::to_string(claimed)},
                            {"Content-Type", "application/offset+octet-stream"}}));
    };
    auto c1 = chunk(0, 100000, 0);
    ASSERT_EQ(c1.status, 204) << c1.body;
    EXPECT_EQ(c1.header("upload-offset"), "100000");
    auto wrong = chunk(0, 100000, 0); // resent after a lost answer: the offset moved on
    EXPECT_EQ(wrong.status, 409);
    EXPECT_EQ(wrong.header("upload-offset"), "100000");
    auto head = http().request("HEAD", path, {}, tus(principal));
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("upload-offset"), "100000");
    EXPECT_EQ(head.header("upload-length"), "300000");
    // Not visible before it is complete.
    const std::string receiver =
        login(http(), "receiver@demo.sitevisit", "receiver-demo-2026", "laptop-r");
    EXPECT_EQ(http().request("GET", path, {}, bearer(receiver)).status, 404);
    auto c2 = chunk(100000, 200000, 100000);
    ASSERT_EQ(c2.status, 204) << c2.body;
    EXPECT_EQ(c2.header("upload-offset"), "300000");

    // Evidence may now reference it; the receiver of that school can read it, others cannot.
    const std::string evidence = new_id();
    auto ev = push(principal, "laptop-p",
                   Json::array({change("evidence", evidence, lincoln,
                                       {{"title", "Walkthrough photos"},
                                        {"kind", "photo"},
                                        {"sha256", sha},
                                        {"size", 300000},
                                        {"media_type", "image/jpeg"}},
                                       1, "laptop-p")}));
    ASSERT_EQ(ev.status, 200) << ev.body;
    EXPECT_EQ(ev.json()["results"][0]["status"], "applied") << ev.body;
    auto got = http().request("GET", path, {}, bearer(receiver));
    ASSERT_EQ(got.status, 200);
    EXPECT_TRUE(got.body == bytes);
    auto part = http().request("GET", path, {},
                               {{"Authorization", "Bearer " + receiver}, {"Range", "bytes=10-19"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, bytes.substr(10, 10));
    EXPECT_EQ(part.header("content-range"), "bytes 10-19/300000");
    const std::string other =
        login(http(), "principal2@demo.sitevisit", "principal2-demo-2026", "laptop-q");
    EXPECT_EQ(http().request("GET", path, {}, bearer(other)).status, 404);

    // Knowing a hash is not owning the file.
    const std::string theirs = any_row("evidence", lincoln);
    ASSERT_FALSE(theirs.empty());
    const std::string demo_sha = everything["rows"]["evidence"][theirs]["fields"]["sha256"];
    auto borrowed = push(other, "laptop-q",
                         Json::array({change("evidence", new_id(), bayside_el,
                                             {{"title", "Not mine"},
                                              {"kind", "document"},
                                              {"sha256", demo_sha},
                                              {"size", 10},
                                              {"media_type", "text/plain"}},
                                             1, "laptop-q")}));
    EXPECT_EQ(borrowed.status, 400) << borrowed.body;
    EXPECT_NE(borrowed.body.find("was not uploaded in full by you"), std::string::npos)
        << borrowed.body;

    // Bytes that do not match their name are discarded (422), whole or created by a first PATCH.
    const std::string fake = std::string(63, '0') + "1";
    auto made =
        http().request("PATCH", "/v1/blobs/" + fake, "hello",
                       tus(principal, {{"Upload-Offset", "0"},
                                       {"Upload-Length", "5"},
                                       {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(made.status, 422) << made.body;
    EXPECT_EQ(http().request("HEAD", "/v1/blobs/" + fake, {}, tus(principal)).status, 404);
    // Too large: refused at creation.
    auto huge = http().request("POST", "/v1/blobs", {},
                               tus(principal, {{"Upload-Length", "104857601"},
                                               {"Upload-Metadata", "sha256 " + base64(sha)}}));
    EXPECT_EQ(huge.status, 413) << huge.body;
    EXPECT_NE(huge.body.find("the limit is 104857600 bytes"), std::string::npos);
}

// ---- hardening: uploads ----------------------------------------------------------------------

namespace {

std::string user_id_of(const Http& http, const std::string& email, const std::string& password,
                       const std::string& device, std::string* token) {
    auto r = login_request(http, email, password, device);
    EXPECT_EQ(r.status, 200) << r.body;
    *token = r.json().value("token", "");
    return r.json()["user"].value("id", "");
}

Response create_upload(const Http& http, const std::string& token, const std::string& sha,
                       std::int64_t length) {
    return http.request("POST", "/v1/blobs", {},
                        tus(token, {{"Upload-Length", std::to_string(length)},
                                    {"Upload-Metadata", "sha256 " + base64(sha)}}));
}

// An upload's last new byte, `days` earlier (the store keeps when each upload last moved).
void backdate(const ServerProcess& server, const std::string& sha, const std::string& user,
              int days) {
    store_sql(server, "UPDATE uploads SET touched_ms = touched_ms - " +
                          std::to_string(24LL * 3600 * 1000 * days) + " WHERE sha256 = '" + sha +
                          "' AND user_id = '" + user + "'");
}

// An unfinished upload as the store records it, with `file` as its partial file.
void leave_upload(const ServerProcess& server, const std::string& sha, const std::string& user,
                  std::int64_t length, std::int64_t committed, const std::string& file) {
    std::ofstream(server.data() / "blobs" / "partial" / (sha + "." + user), std::ios::binary)
        << file;
    store_sql(server, "INSERT INTO uploads (sha256, user_id, length, committed, touched_ms) "
                      "VALUES ('" +
                          sha + "', '" + user + "', " + std::to_string(length) + ", " +
                          std::to_string(committed) + ", " +
                          std::to_string(SystemClock::instance().now_ms()) + ")");
}

} // namespace

TEST(Uploads, PartialUploadsHaveAQuotaPerUserAndExpire) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start({"--partial-quota-bytes", "1000", "--partial-expiry-days", "2"});
    std::string token;
    const std::string uid =
        user_id_of(server.http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    const std::string a(600, 'a'), b(600, 'b');
    const std::string sha_a = server::sha256_hex(a), sha_b = server::sha256_hex(b);
    ASSERT_EQ(create_upload(server.http(), token, sha_a, 600).status, 201);
    ASSERT_EQ(server.http()
                  .request("PATCH", "/v1/blobs/" + sha_a, a.substr(0, 100),
                           tus(token, {{"Upload-Offset", "0"},
                                       {"Content-Type", "application/offset+octet-stream"}}))
                  .status,
              204);
    auto over = create_upload(server.http(), token, sha_b, 600);
    EXPECT_EQ(over.status, 413) << over.body;
    EXPECT_EQ(over.json()["error"]["code"], "partial_quota");
    EXPECT_NE(over.json()["error"]["message"].get<std::string>().find("the limit is 1000 bytes"),
              std::string::npos)
        << over.body;
    // Another user has a quota of their own.
    std::string other;
    user_id_of(server.http(), "lead@demo.sitevisit", "lead-demo-2026", "l", &other);
    EXPECT_EQ(create_upload(server.http(), other, sha_b, 600).status, 201);

    // Untouched for longer than the expiry: removed when the next upload is made...
    const auto partial = server.data() / "blobs" / "partial";
    backdate(server, sha_a, uid, 3);
    EXPECT_EQ(create_upload(server.http(), token, sha_b, 600).status, 201);
    EXPECT_FALSE(std::filesystem::exists(partial / (sha_a + "." + uid)));
    EXPECT_FALSE(std::filesystem::exists(partial / (sha_a + "." + uid + ".length")));
    EXPECT_EQ(server.http().request("HEAD", "/v1/blobs/" + sha_a, {}, tus(token)).status, 404);
    // ... and at start.
    server.stop();
    backdate(server, sha_b, uid, 3);
    server.start({"--partial-quota-bytes", "1000", "--partial-expiry-days", "2"});
    EXPECT_FALSE(std::filesystem::exists(partial / (sha_b + "." + uid)));
    EXPECT_EQ(server.http().request("HEAD", "/v1/blobs/" + sha_b, {}, tus(token)).status, 404);
    // What expired no longer counts against the quota.
    EXPECT_EQ(create_upload(server.http(), token, sha_a, 600).status, 201);
}

TEST(Uploads, AnUploadWhoseFileCannotBeMadeIsRefusedWith507AndLeavesNothing) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    std::string token;
    const std::string uid =
        user_id_of(server.http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    const std::string bytes(5000, 'z');
    const std::string sha = server::sha256_hex(bytes);
    // Where the upload's file would go, something that is not a file (a full or broken disk
    // looks the same to the server: making the file fails).
    const auto partial = server.data() / "blobs" / "partial";
    const auto in_the_way = partial / (sha + "." + uid);
    std::filesystem::create_directories(in_the_way / "in-the-way");
    auto refused = create_upload(server.http(), token, sha, 5000);
    EXPECT_EQ(refused.status, 507) << refused.body;
    auto by_patch =
        server.http().request("PATCH", "/v1/blobs/" + sha, bytes.substr(0, 1000),
                              tus(token, {{"Upload-Offset", "0"},
                                          {"Upload-Length", "5000"},
                                          {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(by_patch.status, 507) << by_patch.body;
    // No upload was recorded: nothing claims the quota, HEAD knows none.
    EXPECT_EQ(server.http().request("HEAD", "/v1/blobs/" + sha, {}, tus(token)).status, 404);
    for (const auto& e : std::filesystem::directory_iterator(partial))
        EXPECT_EQ(e.path(), in_the_way) << "left behind";
    // With room again the same upload is made and finished.
    std::filesystem::remove_all(in_the_way);
    ASSERT_EQ(create_upload(server.http(), token, sha, 5000).status, 201);
    auto whole = server.http().request(
        "PATCH", "/v1/blobs/" + sha, bytes,
        tus(token, {{"Upload-Offset", "0"}, {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(whole.status, 204) << whole.body;
    auto head = server.http().request("HEAD", "/v1/blobs/" + sha, {}, tus(token));
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("upload-offset"), "5000");
}

TEST(Uploads, AnUploadWithoutALengthNeverGrows) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start({"--max-blob-bytes", "2000"});
    std::string token;
    const std::string uid =
        user_id_of(server.http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    const std::string sha = std::string(63, 'c') + "d";
    // What an older server left when the disk was full at creation: bytes, no length.
    const auto p = server.data() / "blobs" / "partial" / (sha + "." + uid);
    std::ofstream(p, std::ios::binary) << std::string(1500, 'x');
    auto grow =
        server.http().request("PATCH", "/v1/blobs/" + sha, std::string(1000, 'y'),
                              tus(token, {{"Upload-Offset", "1500"},
                                          {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(grow.status, 404) << grow.body;
    EXPECT_FALSE(std::filesystem::exists(p) && std::filesystem::file_size(p) > 1500)
        << "it grew past --max-blob-bytes";
    // A declared length is kept to: no chunk runs past it.
    const std::string bytes(1000, 'q');
    const std::string good = server::sha256_hex(bytes);
    ASSERT_EQ(create_upload(server.http(), token, good, 1000).status, 201);
    auto past = server.http().request(
        "PATCH", "/v1/blobs/" + good, bytes + "extra",
        tus(token, {{"Upload-Offset", "0"}, {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(past.status, 400) << past.body;
    EXPECT_EQ(std::filesystem::file_size(server.data() / "blobs" / "partial" / (good + "." + uid)),
              0u);
}

TEST_F(Demo, AnUploadWithEveryByteIsRecordedAtTheNextHeadOrPatchAfterACrash) {
    std::string token;
    const std::string uid =
        user_id_of(http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    // The server was killed after the last chunk was on disk and its offset committed, before
    // the blob was recorded: the file and the store exactly as it leaves them.
    auto leave = [&](const std::string& bytes) {
        const std::string sha = server::sha256_hex(bytes);
        const auto n = static_cast<std::int64_t>(bytes.size());
        leave_upload(server, sha, uid, n, n, bytes);
        return sha;
    };
    server.kill9();
    const std::string by_head = leave("every byte arrived, then SIGKILL (head)");
    const std::string by_patch = leave("every byte arrived, then SIGKILL (patch)");
    // Killed later still: the checked file was kept under its name, the blob not yet recorded.
    const std::string kept_bytes = "every byte arrived and was kept, then SIGKILL";
    const std::string kept = leave(kept_bytes);
    std::filesystem::rename(server.data() / "blobs" / "partial" / (kept + "." + uid),
                            server.data() / "blobs" / kept);
    const std::string bad = server::sha256_hex("what the name says");
    leave_upload(server, bad, uid, 5, 5, "other");
    // Killed in the middle of a chunk: its bytes reached the file past the committed offset.
    const std::string cut_bytes = "the first ten, then the rest of the bytes";
    const std::string cut = server::sha256_hex(cut_bytes);
    leave_upload(server, cut, uid, static_cast<std::int64_t>(cut_bytes.size()), 10,
                 cut_bytes.substr(0, 10) + "written, never committed, longer");
    server.start();

    auto head = http().request("HEAD", "/v1/blobs/" + by_head, {}, tus(token));
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("upload-offset"), head.header("upload-length"));
    auto patch = http().request(
        "PATCH", "/v1/blobs/" + by_patch, {},
        tus(token, {{"Upload-Offset", "40"}, {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(patch.status, 204) << patch.body;
    auto kept_head = http().request("HEAD", "/v1/blobs/" + kept, {}, tus(token));
    EXPECT_EQ(kept_head.status, 200);
    EXPECT_EQ(kept_head.header("upload-offset"), std::to_string(kept_bytes.size()));
    EXPECT_EQ(http().request("HEAD", "/v1/blobs/" + bad, {}, tus(token)).status, 404)
        << "bytes that do not match are discarded";
    // The offset is the committed one, and the rest is written over what the cut chunk left.
    auto cut_head = http().request("HEAD", "/v1/blobs/" + cut, {}, tus(token));
    EXPECT_EQ(cut_head.status, 200);
    EXPECT_EQ(cut_head.header("upload-offset"), "10");
    auto rest = http().request(
        "PATCH", "/v1/blobs/" + cut, cut_bytes.substr(10),
        tus(token, {{"Upload-Offset", "10"}, {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(rest.status, 204) << rest.body;
    // "Complete" means recorded: evidence may now name every file.
    int dseq = 0;
    for (const auto& [sha, size] : {std::pair{by_head, 39}, std::pair{by_patch, 40},
                                    std::pair{kept, static_cast<int>(kept_bytes.size())},
                                    std::pair{cut, static_cast<int>(cut_bytes.size())}}) {
        auto ev = push(token, "p",
                       Json::array({change("evidence", new_id(), lincoln,
                                           {{"title", "Recovered"},
                                            {"kind", "document"},
                                            {"sha256", sha},
                                            {"size", size},
                                            {"media_type", "text/plain"}},
                                           ++dseq, "p")}));
        EXPECT_EQ(ev.status, 200) << ev.body;
        EXPECT_EQ(ev.json()["results"][0]["status"], "applied") << ev.body;
    }
    auto got = http().request("GET", "/v1/blobs/" + cut, {}, bearer(token));
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.body, cut_bytes);
}

TEST(Uploads, BlobDownloadsAreStreamedFromTheFile) {
    InProcess p;
    std::ostringstream out;
    ASSERT_TRUE(server::seed_demo(*p.service, *p.blobs, out));
    auto login = p.service->login(
        protocol::LoginRequest{"admin@demo.sitevisit", "admin-demo-2026", "d", ""}, "127.0.0.1");
    ASSERT_TRUE(login);
    auto caller = p.service->authenticate(login->token);
    ASSERT_TRUE(caller);
    const Json rows = (*p.service->export_for("admin@demo.sitevisit"))["rows"]["evidence"];
    ASSERT_FALSE(rows.empty());
    const std::string sha = rows.begin().value()["fields"]["sha256"];
    server::HttpRequest r;
    r.method = "GET";
    r.path = "/v1/blobs/" + sha;
    auto whole = p.blobs->handle(*caller, r);
    ASSERT_EQ(whole.status, 200) << whole.body;
    EXPECT_TRUE(whole.body.empty()) << "the bytes were read into memory";
    EXPECT_EQ(whole.file, (p.folder.data() / "blobs" / sha).string());
    EXPECT_EQ(whole.file_offset, 0);
    EXPECT_EQ(whole.file_length, static_cast<std::int64_t>(std::filesystem::file_size(whole.file)));
    r.headers["range"] = "bytes=2-5";
    auto part = p.blobs->handle(*caller, r);
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.file_offset, 2);
    EXPECT_EQ(part.file_length, 4);
}
