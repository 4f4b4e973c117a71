// The server behind Debian's nginx, as docs/deploy.md sets it up: TLS at nginx, waiting pulls
// let through, file chunks up to the chunk size, and `serve --trusted-proxy` taking the
// caller's address from X-Forwarded-For only on the proxy's connections.
#include "devices.h"
#include "server_fixture.h"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace sitevisit;
using namespace sitevisit::e2e;
namespace fs = std::filesystem;

namespace {

const char* const kNginx = "/usr/sbin/nginx";

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(fd);
    return ntohs(a.sin_port);
}

bool accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// nginx in a folder of its own, in front of the given servers, with TLS on its listener: the
// site file the project ships (deploy/nginx/sitevisit.conf), with this test's paths and ports.
class Nginx {
public:
    Nginx(const fs::path& dir, const std::vector<int>& upstreams) : dir_(dir) {
        fs::create_directories(dir_ / "tmp");
        cert_ = (dir_ / "cert.pem").string();
        const std::string key = (dir_ / "key.pem").string();
        auto made = run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                         "-keyout", key, "-out", cert_, "-days", "2", "-subj", "/CN=localhost",
                         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
        if (made.code != 0) throw std::runtime_error("openssl: " + made.err);
        port_ = free_port();
        // deploy/nginx/sitevisit.conf as shipped, with this test's port, certificate and
        // servers in place of the example ones.
        std::ifstream shipped(fs::path(SITEVISIT_TEST_DATA) / ".." / ".." / "deploy" / "nginx" /
                              "sitevisit.conf");
        if (!shipped) throw std::runtime_error("deploy/nginx/sitevisit.conf is missing");
        std::string site, line;
        bool servers_written = false;
        while (std::getline(shipped, line)) {
            const auto text = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
            if (text.rfind("server 127.0.0.1:", 0) == 0) {
                if (!servers_written)
                    for (int p : upstreams)
                        site += "    server 127.0.0.1:" + std::to_string(p) +
                                " max_fails=1 fail_timeout=2s;\n";
                servers_written = true;
                continue;
            }
            if (text.rfind("listen ", 0) == 0)
                line = "    listen 127.0.0.1:" + std::to_string(port_) + " ssl;";
            else if (text.rfind("ssl_certificate ", 0) == 0)
                line = "    ssl_certificate " + cert_ + ";";
            else if (text.rfind("ssl_certificate_key ", 0) == 0)
                line = "    ssl_certificate_key " + key + ";";
            site += line + "\n";
        }
        if (!servers_written) throw std::runtime_error("no upstream servers in the shipped file");
        std::ofstream(dir_ / "sitevisit.conf") << site;
        const std::string t = (dir_ / "tmp").string();
        std::ofstream(dir_ / "nginx.conf")
            << "user root;\nworker_processes 1;\npid " << (dir_ / "nginx.pid").string()
            << ";\nerror_log " << (dir_ / "error.log").string() << " warn;\n"
            << "events { worker_connections 1024; }\n"
            << "http {\n  access_log off;\n"
            << "  client_body_temp_path " << t << "/body;\n  proxy_temp_path " << t
            << "/proxy;\n  fastcgi_temp_path " << t << "/fastcgi;\n  uwsgi_temp_path " << t
            << "/uwsgi;\n  scgi_temp_path " << t << "/scgi;\n"
            << "  include " << (dir_ / "sitevisit.conf").string() << ";\n}\n";
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string conf = (dir_ / "nginx.conf").string(), prefix = dir_.string() + "/";
            ::execl(kNginx, kNginx, "-p", prefix.c_str(), "-c", conf.c_str(), "-g", "daemon off;",
                    static_cast<char*>(nullptr));
            _exit(127);
        }
        for (int i = 0; i < 500 && !accepts(port_); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!accepts(port_)) throw std::runtime_error("nginx did not start: " + error_log());
    }
    ~Nginx() {
        if (pid_ > 0) {
            ::kill(pid_, SIGQUIT);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    int port() const { return port_; }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
    const std::string& cert() const { return cert_; }
    std::string error_log() const {
        std::ifstream in(dir_ / "error.log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

private:
    fs::path dir_;
    std::string cert_;
    int port_ = 0;
    pid_t pid_ = -1;
};

bool have_nginx() {
    return fs::exists(kNginx);
}

// Signs in with a wrong password from the address `forwarded` claims; the HTTP status.
int wrong_sign_in(const Http& http, const std::string& email, const std::string& forwarded) {
    return http
        .request(
            "POST", "/v1/auth/login",
            Json{{"email", email}, {"password", "not-the-password"}, {"device", "tab-1"}}.dump(),
            {{"X-Forwarded-For", forwarded}})
        .status;
}

int right_sign_in(const Http& http, const std::string& forwarded) {
    return http
        .request("POST", "/v1/auth/login",
                 Json{{"email", "lead@demo.sitevisit"},
                      {"password", "lead-demo-2026"},
                      {"device", "tab-2"}}
                     .dump(),
                 {{"X-Forwarded-For", forwarded}})
        .status;
}

struct TrustedProxy : Demo {
    void SetUp() override {
        serve_args = {"--trusted-proxy", "127.0.0.1"};
        Demo::SetUp();
    }
};

} // namespace

TEST_F(Devices, ADeviceSyncsThroughNginxWithTlsAndSendsFilesInChunks) {
    if (!have_nginx()) GTEST_SKIP() << "nginx is not installed (scripts/install-deps.sh)";
    Nginx nginx(dir / "nginx", {server.port()});
    Device d{(dir / "via-nginx.db").string()};
    auto login = d.cli({"login", nginx.url(), "lead@demo.sitevisit", "--ca", nginx.cert()},
                       "lead-demo-2026\n");
    ASSERT_EQ(login.code, 0) << login.err << nginx.error_log();
    ASSERT_EQ(d.sync(), 0);
    const std::string v = visit_on(d);
    ASSERT_EQ(d.sync(), 0);
    EXPECT_TRUE(server_view("lead@demo.sitevisit")["rows"]["visit"].contains(v));
    EXPECT_EQ(d.exported(), server_view("lead@demo.sitevisit"));

    // A file in chunks through the proxy (1 MB chunks; nginx lets up to 33 MB through).
    Device p{(dir / "principal-via-nginx.db").string()};
    ASSERT_EQ(p.cli({"login", nginx.url(), "principal@demo.sitevisit", "--ca", nginx.cert()},
                    "principal-demo-2026\n")
                  .code,
              0);
    ASSERT_EQ(p.sync(), 0);
    const fs::path file = dir / "scan.bin";
    {
        std::ofstream out(file, std::ios::binary);
        for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i)
            out.put(static_cast<char>((i * 131) % 251));
    }
    Json att = Json::parse(p.cli({"attach", file.string()}).out);
    p.put("evidence", {{"school", lincoln},
                       {"title", "Scanned sign-in sheets"},
                       {"kind", "document"},
                       {"sha256", att["sha256"]},
                       {"size", att["size"]},
                       {"media_type", "application/octet-stream"}});
    ASSERT_EQ(p.sync(), 0) << nginx.error_log();
    EXPECT_EQ(fs::file_size(server.data() / "blobs" / att["sha256"].get<std::string>()),
              fs::file_size(file));
}

TEST_F(TrustedProxy, AWaitingPullIsHeldThroughNginxUntilAPushLands) {
    if (!have_nginx()) GTEST_SKIP() << "nginx is not installed (scripts/install-deps.sh)";
    Nginx nginx(server.data().parent_path() / "nginx", {server.port()});
    // Straight to the server for the push; the pull waits at nginx's port over TLS, read with
    // the system's TLS client (curl's --cacert), as a device would.
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-9");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    const auto started = std::chrono::steady_clock::now();
    const std::string visit = new_id();
    std::thread later([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        auto r = push(token, "tab-9",
                      Json::array({change("visit", visit, lincoln,
                                          {{"kind", "walkthrough"},
                                           {"rubric", "msv-2026-2027-elementary"},
                                           {"start_date", "2026-11-23"}},
                                          1, "tab-9")}));
        EXPECT_EQ(r.status, 200) << r.body;
    });
    auto held = run({"/usr/bin/curl", "-sS", "--max-time", "30", "--cacert", nginx.cert(), "-H",
                     "Authorization: Bearer " + token,
                     nginx.url() + "/v1/sync/pull?since=" + std::to_string(cursor) + "&wait=20"});
    later.join();
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    ASSERT_EQ(held.code, 0) << held.err << nginx.error_log();
    Json answer = Json::parse(held.out, nullptr, false);
    ASSERT_TRUE(answer.is_object()) << held.out;
    bool found = false;
    for (const auto& op : answer["ops"])
        found = found || op["id"] == visit;
    EXPECT_TRUE(found) << held.out;
    EXPECT_GE(waited, 1400) << "answered before the push landed";
    EXPECT_LT(waited, 15000) << "not woken by the push";
}

TEST_F(TrustedProxy, SignInLimitsCountTheAddressTheProxySawNotTheProxy) {
    // Fifty failures from one address behind the proxy lock that address only.
    int status = 0;
    for (int i = 0; i < 50; ++i)
        status =
            wrong_sign_in(http(), "nobody" + std::to_string(i) + "@example.org", "203.0.113.7");
    EXPECT_EQ(status, 401);
    EXPECT_EQ(wrong_sign_in(http(), "nobody-else@example.org", "203.0.113.7"), 429);
    EXPECT_EQ(right_sign_in(http(), "203.0.113.8"), 200) << "another person behind the proxy";
    // What a client wrote before the proxy's own entry proves nothing: the last entry counts.
    EXPECT_EQ(right_sign_in(http(), "203.0.113.8, 203.0.113.7"), 429);
    EXPECT_EQ(right_sign_in(http(), "203.0.113.7, 203.0.113.9"), 200);
    // Not an address: the proxy's own is counted (it has no failures yet).
    EXPECT_EQ(right_sign_in(http(), "somewhere"), 200);
}

TEST_F(Demo, WithoutTrustedProxyForwardedForIsIgnored) {
    for (int i = 0; i < 50; ++i)
        wrong_sign_in(http(), "nobody" + std::to_string(i) + "@example.org", "203.0.113.7");
    // Every attempt counted against the connection's own address.
    EXPECT_EQ(right_sign_in(http(), "203.0.113.8"), 429);
    auto bad = server.admin({"serve", "--listen", "127.0.0.1:0", "--trusted-proxy", "nginx"});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("--trusted-proxy must be an IP address"), std::string::npos) << bad.err;
}

namespace {

// How many requests a server's log shows on a route (one JSON line per request).
int requests_on(const ServerProcess& s, const std::string& route) {
    const std::string text = s.stderr_text(), key = "\"route\":\"" + route + "\"";
    int n = 0;
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + 1))
        ++n;
    return n;
}

} // namespace

// The deployment docs/deploy.md describes: nginx in front of two servers on one PostgreSQL
// store. Requests (a file's chunks too) spread over both; when one server dies, nginx sends
// the devices to the other and they go on.
TEST_F(Devices, TwoServersBehindNginxShareTheWorkAndOneMayFall) {
    if (!on_postgresql()) GTEST_SKIP() << "two servers share a store on PostgreSQL";
    if (!have_nginx()) GTEST_SKIP() << "nginx is not installed (scripts/install-deps.sh)";
    ServerProcess second;
    second.share_store_of(server);
    second.start();
    ASSERT_TRUE(second.running()) << second.stderr_text();
    Nginx nginx(dir / "nginx", {server.port(), second.port()});

    auto through_nginx = [&](const std::string& name, const std::string& email,
                             const std::string& password) {
        Device d{(dir / (name + ".db")).string()};
        auto r = d.cli({"login", nginx.url(), email, "--ca", nginx.cert()}, password + "\n");
        EXPECT_EQ(r.code, 0) << r.err << nginx.error_log();
        EXPECT_EQ(d.sync(), 0);
        return d;
    };
    Device lead = through_nginx("lead", "lead@demo.sitevisit", "lead-demo-2026");
    Device principal =
        through_nginx("principal", "principal@demo.sitevisit", "principal-demo-2026");
    Device laptop = through_nginx("laptop", "lead@demo.sitevisit", "lead-demo-2026");

    // Work from each device, synced a few times over.
    std::vector<std::string> visits;
    for (int round = 0; round < 3; ++round) {
        visits.push_back(visit_on(lead));
        ASSERT_EQ(lead.sync(), 0) << nginx.error_log();
        ASSERT_EQ(laptop.sync(), 0);
    }
    // A file of four 1 MB chunks: round robin sends them to both servers.
    const fs::path file = dir / "data.bin";
    {
        std::ofstream out(file, std::ios::binary);
        for (int i = 0; i < 4 * 1024 * 1024 - 5; ++i)
            out.put(static_cast<char>((i * 37) % 253));
    }
    Json att = Json::parse(principal.cli({"attach", file.string()}).out);
    const std::string evidence = principal.put("evidence", {{"school", lincoln},
                                                            {"title", "Assessment data"},
                                                            {"kind", "data"},
                                                            {"sha256", att["sha256"]},
                                                            {"size", att["size"]},
                                                            {"media_type", "text/csv"}});
    ASSERT_EQ(principal.sync(), 0) << nginx.error_log();
    EXPECT_EQ(fs::file_size(server.data() / "blobs" / att["sha256"].get<std::string>()),
              fs::file_size(file));
    for (const ServerProcess* s : {&server, &second}) {
        EXPECT_GT(requests_on(*s, "/v1/sync/push") + requests_on(*s, "/v1/sync/pull"), 0)
            << "one server took no sync request";
        EXPECT_GT(requests_on(*s, "/v1/blobs/{sha256}"), 0)
            << "one server took no chunk of the file";
    }

    // The first server dies; nginx marks it failed and sends everything to the second.
    server.kill9();
    visits.push_back(visit_on(lead));
    ASSERT_EQ(lead.sync(), 0) << nginx.error_log();
    ASSERT_EQ(laptop.sync(), 0) << nginx.error_log();
    ASSERT_EQ(principal.sync(), 0) << nginx.error_log();

    // Every device holds what the store holds for it; the lead's laptop has every visit from
    // the tablet and the principal's file record.
    EXPECT_EQ(lead.exported(), server_view("lead@demo.sitevisit"));
    EXPECT_EQ(principal.exported(), server_view("principal@demo.sitevisit"));
    const Json seen = laptop.exported();
    EXPECT_EQ(seen, server_view("lead@demo.sitevisit"));
    for (const auto& v : visits)
        EXPECT_TRUE(seen["rows"]["visit"].contains(v)) << v;
    EXPECT_TRUE(seen["rows"]["evidence"].contains(evidence));
    // The laptop fetches the file through nginx from the server left.
    const fs::path copy = dir / "fetched.bin";
    ASSERT_EQ(laptop.cli({"fetch", att["sha256"].get<std::string>(), copy.string()}).code, 0);
    ASSERT_EQ(laptop.sync(), 0) << nginx.error_log();
    std::ifstream a(file, std::ios::binary), b(copy, std::ios::binary);
    const std::string sent(std::istreambuf_iterator<char>(a), {}),
        got(std::istreambuf_iterator<char>(b), {});
    EXPECT_EQ(got.size(), sent.size());
    EXPECT_TRUE(got == sent) << "the fetched file differs";
}
