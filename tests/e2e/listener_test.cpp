// The server's listener under attack, before anyone signs in: oversized and numerous headers,
// bodies that are never sent or sent slowly, lying lengths, silent sockets by the thousand,
// unknown methods, and https. The real binary on a loopback port, raw sockets.
#include "harness.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/server/crypto.h"

#include <arpa/inet.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <gtest/gtest.h>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace sitevisit;
using namespace sitevisit::e2e;

namespace {

using Steady = std::chrono::steady_clock;

// A raw TCP connection to the server, for sending what no well-behaved client would.
class Socket {
public:
    // `from`: a loopback source address (127.0.0.2 ...), to look like another client.
    explicit Socket(int port, const char* from = nullptr) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (from) {
            sockaddr_in local{};
            local.sin_family = AF_INET;
            ::inet_pton(AF_INET, from, &local.sin_addr);
            ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

    bool ok() const { return fd_ >= 0; }
    // False once the peer stopped taking bytes.
    bool send(const std::string& bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }
    // What arrives within `timeout_ms`, until the peer closes or `until` appears.
    std::string receive(int timeout_ms, const std::string& until = {}) {
        std::string out;
        const auto end = Steady::now() + std::chrono::milliseconds(timeout_ms);
        closed_ = false;
        while (Steady::now() < end) {
            pollfd p{fd_, POLLIN, 0};
            int left = static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(end - Steady::now()).count());
            if (::poll(&p, 1, std::max(1, left)) <= 0) continue;
            char buf[65536];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                closed_ = true;
                break;
            }
            out.append(buf, static_cast<std::size_t>(n));
            if (!until.empty() && out.find(until) != std::string::npos) break;
        }
        return out;
    }
    // One read of at most 64 KB; empty when the peer closed or sent nothing within `timeout_ms`.
    std::string some(int timeout_ms) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return {};
        char buf[65536];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n <= 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
    }
    // True when the peer closes the connection within `timeout_ms`.
    bool closed_within(int timeout_ms) {
        receive(timeout_ms);
        return closed_;
    }

private:
    int fd_ = -1;
    bool closed_ = false;
};

int status_of(const std::string& answer) {
    if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12) return 0;
    return std::stoi(answer.substr(9, 3));
}

// Resident memory of a process, in kilobytes.
long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// File descriptors a process holds open (its sockets among them).
int open_fds(pid_t pid) {
    int n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

// Waits (up to 10 s) until the server holds at least / at most `n` descriptors; the count.
int wait_fds(pid_t pid, int n, bool at_least) {
    int now = open_fds(pid);
    for (int i = 0; i < 200 && (at_least ? now < n : now > n); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        now = open_fds(pid);
    }
    return now;
}

const std::string kSha(64, 'a');

struct Listener : ::testing::Test {
    ServerProcess server;
    void SetUp() override {
        auto r = server.admin({"demo"});
        ASSERT_EQ(r.code, 0) << r.err;
    }
    void start(const std::vector<std::string>& extra = {}) {
        server.start(extra);
        ASSERT_TRUE(server.running());
    }
    int health() { return server.http().request("GET", "/v1/health", {}, {}, 5000).status; }
};

} // namespace

TEST_F(Listener, HeadersPastTheLimitAre431AndLeaveMemoryFlat) {
    start();
    ASSERT_EQ(health(), 200);
    // Just under the limit still works.
    Socket fine(server.port());
    fine.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(12000, 'a') +
              "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(status_of(fine.receive(5000)), 200);

    const long before = rss_kb(server.pid());
    for (int i = 0; i < 20; ++i) {
        Socket s(server.port());
        ASSERT_TRUE(s.ok());
        // 2 MB of one header; the server stops reading at its limit and answers.
        s.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2 * 1024 * 1024, 'a') +
               "\r\n\r\n");
        const std::string answer = s.receive(10000, "}");
        ASSERT_EQ(status_of(answer), 431) << answer.substr(0, 200);
        EXPECT_NE(answer.find("\"request_id\""), std::string::npos);
    }
    const long after = rss_kb(server.pid());
    std::cout << "[ figures ] RSS before " << before / 1024 << " MB, after 20 x 2 MB headers "
              << after / 1024 << " MB\n";
    EXPECT_LT(after - before, 30 * 1024) << "40 MB of headers must not stay in memory";

    std::string many = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 150; ++i)
        many += "X-F" + std::to_string(i) + ": 1\r\n";
    Socket s(server.port());
    s.send(many + "\r\n");
    EXPECT_EQ(status_of(s.receive(5000, "}")), 431);
    EXPECT_EQ(health(), 200);
}

TEST_F(Listener, TheTokenIsCheckedBeforeAnyBodyByteIsRead) {
    start();
    // Headers only, announcing 32 MB: an answer must come without the body being sent.
    Socket s(server.port());
    s.send("PATCH /v1/blobs/" + kSha +
           " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
           "Content-Type: application/offset+octet-stream\r\nContent-Length: 33554432\r\n\r\n");
    const std::string answer = s.receive(5000, "}");
    EXPECT_EQ(status_of(answer), 401) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos)
        << "the unread body ends the connection";

    Socket p(server.port());
    p.send("POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           std::string(64, 'f') + "\r\nContent-Length: 9000000\r\n\r\n{\"device\":");
    EXPECT_EQ(status_of(p.receive(5000, "}")), 401);

    // 60 of them at once, each pushing a megabyte before giving up: memory stays flat.
    const long before = rss_kb(server.pid());
    std::vector<std::future<int>> all;
    for (int i = 0; i < 60; ++i)
        all.push_back(std::async(std::launch::async, [this] {
            Socket c(server.port());
            c.send("PATCH /v1/blobs/" + kSha +
                   " HTTP/1.1\r\nHost: x\r\nUpload-Offset: 0\r\n"
                   "Content-Type: application/offset+octet-stream\r\nContent-Length: "
                   "33554432\r\n\r\n");
            c.send(std::string(1024 * 1024, 'z'));
            return status_of(c.receive(10000, "}"));
        }));
    int refused = 0;
    for (auto& f : all)
        refused += f.get() == 401;
    const long after = rss_kb(server.pid());
    std::cout << "[ figures ] RSS before " << before / 1024
              << " MB, after 60 unauthenticated 32 MB PATCHes " << after / 1024 << " MB\n";
    EXPECT_GE(refused, 55)
        << "nearly all answered 401 (a few may see the connection reset after the answer)";
    EXPECT_LT(after - before, 60 * 1024);
    EXPECT_EQ(health(), 200);
}

TEST_F(Listener, TraceAndUnknownMethodsAre405AndNothingIsEchoed) {
    start();
    for (const std::string method : {"TRACE", "BREW", "DELETE", "PUT"}) {
        Socket s(server.port());
        s.send(method +
               " /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token-value\r\n"
               "Content-Length: 0\r\n\r\n");
        const std::string answer = s.receive(5000, "}");
        EXPECT_EQ(status_of(answer), 405) << method << ": " << answer;
        EXPECT_EQ(answer.find("secret-token-value"), std::string::npos) << method;
        EXPECT_NE(answer.find("Allow: POST"), std::string::npos) << method;
    }
}

TEST_F(Listener, LyingContentLengthsAreRefusedAtOnce) {
    start();
    const std::vector<std::pair<std::string, int>> cases = {
        {"Content-Length: 5\r\nContent-Length: 500\r\n", 400},
        {"Content-Length: -5\r\n", 400},
        {"Content-Length: 5x\r\n", 400},
        {"Content-Length: 99999999999999999999999\r\n", 400},
        {"Transfer-Encoding: chunked\r\n", 411},
        {"", 411},
    };
    for (const auto& [headers, status] : cases) {
        Socket s(server.port());
        s.send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
        const std::string answer = s.receive(5000, "}");
        EXPECT_EQ(status_of(answer), status) << headers << answer;
    }
    EXPECT_EQ(health(), 200);
}

TEST_F(Listener, SilentSlowAndStalledConnectionsAreClosed) {
    start({"--idle-timeout", "1", "--header-timeout", "2", "--body-timeout", "1"});
    {
        Socket silent(server.port());
        EXPECT_TRUE(silent.closed_within(6000))
            << "a socket that sends nothing is closed after the idle timeout";
    }
    {
        // Headers a line at a time, forever: cut at the header timeout.
        Socket slow(server.port());
        slow.send("GET /v1/health HTTP/1.1\r\n");
        bool closed = false;
        for (int i = 0; i < 40 && !closed; ++i) {
            if (!slow.send("X-Line-" + std::to_string(i) + ": 1\r\n"))
                closed = true;
            else
                closed = slow.closed_within(250);
        }
        EXPECT_TRUE(closed) << "10 s of trickled headers outlived the 2 s header timeout";
    }
    {
        Socket stalled(server.port());
        stalled.send(
            "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"email\":");
        EXPECT_TRUE(stalled.closed_within(6000)) << "a body that stops moving is cut";
    }
    {
        Socket kept(server.port());
        kept.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(status_of(kept.receive(3000, "}")), 200);
        EXPECT_TRUE(kept.closed_within(6000))
            << "a kept-alive connection that goes quiet is closed";
    }
    EXPECT_EQ(health(), 200);
}

TEST_F(Listener, ThousandsOfSilentSocketsDoNotStopTheService) {
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    rlimit want = lim;
    want.rlim_cur = std::min<rlim_t>(lim.rlim_max, 8192);
    ::setrlimit(RLIMIT_NOFILE, &want);
    ::getrlimit(RLIMIT_NOFILE, &want);
    const int n = static_cast<int>(std::min<rlim_t>(2100, want.rlim_cur - 100));
    start();
    const int base_fds = open_fds(server.pid());
    // From ten addresses, as many clients would (one address gets at most 256).
    std::vector<Socket> idle;
    std::vector<std::string> sources;
    for (int a = 2; a < 12; ++a)
        sources.push_back("127.0.0." + std::to_string(a));
    for (int i = 0; i < n; ++i) {
        idle.emplace_back(server.port(),
                          sources[static_cast<std::size_t>(i) % sources.size()].c_str());
        ASSERT_TRUE(idle.back().ok()) << "connection " << i;
    }
    // The server has taken every one of them (one descriptor each) before health is asked.
    ASSERT_GE(wait_fds(server.pid(), base_fds + n, true), base_fds + n);
    std::cout << "[ figures ] " << n << " silent connections open; server RSS "
              << rss_kb(server.pid()) / 1024 << " MB\n";
    EXPECT_EQ(health(), 200) << "with " << n << " silent connections open";
    ::setrlimit(RLIMIT_NOFILE, &lim);
}

TEST_F(Listener, PastTheConnectionCapNewConnectionsAreClosed) {
    start({"--max-connections", "10"});
    // Ten kept-alive connections, each proven open by an answer.
    std::vector<Socket> held;
    for (int i = 0; i < 10; ++i) {
        held.emplace_back(server.port());
        held.back().send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_EQ(status_of(held.back().receive(5000, "}")), 200) << "connection " << i;
    }
    Socket extra(server.port());
    extra.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string answer = extra.receive(3000, "}");
    EXPECT_EQ(status_of(answer), 0) << answer;
    held.clear();
    int status = 0;
    for (int i = 0; i < 50 && status != 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        status = health();
    }
    EXPECT_EQ(status, 200) << "room again once the held connections closed";
}

TEST_F(Listener, EveryAnswerCarriesARequestIdAndErrorsRepeatIt) {
    start();
    auto ok = server.http().request("GET", "/v1/health");
    ASSERT_EQ(ok.status, 200);
    EXPECT_EQ(ok.header("x-request-id").size(), 16u);
    auto refused = server.http().request("GET", "/v1/sync/pull?since=0", {},
                                         {{"Authorization", "Bearer nope"}});
    ASSERT_EQ(refused.status, 401);
    EXPECT_EQ(refused.json()["error"].value("request_id", ""), refused.header("x-request-id"));
    EXPECT_NE(refused.header("x-request-id"), ok.header("x-request-id"));
}

TEST_F(Listener, ABodyAfterExpectContinueIsInvitedOnlyOnceTheHeadersPass) {
    start();
    const std::string body =
        R"({"email":"lead@demo.sitevisit","password":"wrong-password","device":"dev-expect"})";
    Socket s(server.port());
    s.send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n");
    const std::string interim = s.receive(5000, "\r\n\r\n");
    ASSERT_EQ(interim.rfind("HTTP/1.1 100 Continue", 0), 0u) << interim;
    s.send(body);
    EXPECT_EQ(status_of(s.receive(10000, "}")), 401);

    Socket refused(server.port());
    refused.send("POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nExpect: "
                 "100-continue\r\nContent-Length: 5000\r\n\r\n");
    EXPECT_EQ(status_of(refused.receive(5000, "}")), 401) << "no invitation without a token";
}

TEST_F(Listener, HttpsServesWithTheGivenCertificateAndNothingElse) {
    const auto dir = server.data().parent_path();
    const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
    auto made = run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                     key, "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                     "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    ASSERT_EQ(made.code, 0) << made.err;

    auto half = server.admin({"serve", "--listen", "127.0.0.1:0", "--tls-cert", cert});
    EXPECT_EQ(half.code, 2) << "a certificate without its key is a usage error";
    auto missing = server.admin(
        {"serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key + ".gone"});
    EXPECT_NE(missing.code, 0);
    EXPECT_NE(missing.err.find(".gone"), std::string::npos) << missing.err;

    start({"--tls-cert", cert, "--tls-key", key});
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.load_verify_file(cert);
    tls.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<asio::ip::tcp::socket> stream(io, tls);
    asio::ip::tcp::resolver resolver(io);
    asio::connect(stream.next_layer(),
                  resolver.resolve("127.0.0.1", std::to_string(server.port())));
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    stream.handshake(asio::ssl::stream_base::client);
    const std::string request =
        "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    asio::write(stream, asio::buffer(request));
    std::string answer;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
        std::size_t n = stream.read_some(asio::buffer(buf), ec);
        answer.append(buf, n);
        if (ec) break;
    }
    EXPECT_EQ(status_of(answer), 200) << answer;
    EXPECT_NE(answer.find("\"status\":\"ok\""), std::string::npos);

    // Plain HTTP to the https port gets no HTTP answer.
    auto plain = server.http().request("GET", "/v1/health", {}, {}, 3000);
    EXPECT_NE(plain.status, 200);
}

// Peak resident memory of a process, in kilobytes.
static long peak_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

TEST_F(Listener, BlobDownloadsStreamFromDiskWithMemoryFlat) {
    start();
    auto answer = login_request(server.http(), "principal@demo.sitevisit", "principal-demo-2026",
                                "laptop-big");
    ASSERT_EQ(answer.status, 200) << answer.body;
    const std::string token = answer.json()["token"];
    const std::string school = answer.json()["user"]["schools"][0];

    // 64 MB of random bytes, uploaded in two 32 MB chunks.
    std::mt19937_64 rng(test_seed("64 MB upload bytes", 11));
    std::string bytes(64 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(bytes.data() + i, &v, 8);
    }
    const std::string sha = server::sha256_hex(bytes);
    const std::size_t half = bytes.size() / 2;
    for (std::size_t offset : {std::size_t{0}, half}) {
        auto h = bearer(token);
        h.insert(h.end(), {{"Tus-Resumable", "1.0.0"},
                           {"Upload-Offset", std::to_string(offset)},
                           {"Upload-Length", std::to_string(bytes.size())},
                           {"Content-Type", "application/offset+octet-stream"}});
        auto r = server.http().request("PATCH", "/v1/blobs/" + sha, bytes.substr(offset, half), h,
                                       60000);
        ASSERT_EQ(r.status, 204) << r.body;
    }
    UuidV7Generator ids(SystemClock::instance());
    const Json change{{"op", ids.next()},
                      {"entity", "evidence"},
                      {"id", ids.next()},
                      {"school", school},
                      {"kind", "upsert"},
                      {"fields",
                       {{"title", "Attendance data, all year"},
                        {"kind", "document"},
                        {"sha256", sha},
                        {"size", bytes.size()},
                        {"media_type", "application/pdf"}}},
                      {"hlc", Hlc{SystemClock::instance().now_ms(), 0, "laptop-big"}.to_string()},
                      {"base", 0},
                      {"dseq", 1},
                      {"schema", 1}};
    auto pushed = server.http().request("POST", "/v1/sync/push",
                                        Json{{"device", "laptop-big"}, {"ops", {change}}}.dump(),
                                        bearer(token));
    ASSERT_EQ(pushed.status, 200) << pushed.body;
    ASSERT_EQ(pushed.json()["results"][0]["status"], "applied") << pushed.body;
    bytes = {};

    // 20 readers at once, each reading the whole file slowly enough that it cannot all be
    // written at once: the server's peak memory barely moves.
    const long before = peak_kb(server.pid());
    std::vector<std::future<std::pair<std::size_t, std::string>>> readers;
    for (int i = 0; i < 20; ++i)
        readers.push_back(std::async(std::launch::async, [&] {
            Socket s(server.port());
            s.send("GET /v1/blobs/" + sha +
                   " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " + token +
                   "\r\n\r\n");
            server::Sha256 hash;
            std::size_t body = 0;
            std::string head;
            bool in_body = false;
            for (;;) {
                std::string piece = s.some(15000);
                if (piece.empty()) break;
                if (!in_body) {
                    head += piece;
                    auto end = head.find("\r\n\r\n");
                    if (end == std::string::npos) continue;
                    in_body = true;
                    piece = head.substr(end + 4);
                    head.resize(end);
                }
                body += piece.size();
                hash.update(piece);
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            return std::make_pair(body, hash.hex());
        }));
    int whole = 0;
    for (auto& r : readers) {
        auto [n, digest] = r.get();
        whole += n == 64u * 1024 * 1024 && digest == sha;
    }
    const long after = peak_kb(server.pid());
    std::cout << "[ figures ] server peak RSS before " << before / 1024
              << " MB, after 20 parallel downloads of 64 MB " << after / 1024 << " MB\n";
    EXPECT_EQ(whole, 20) << "every reader got every byte";
    EXPECT_LT(after - before, 100 * 1024) << "the file must not be held in memory per reader";

    auto part =
        server.http().request("GET", "/v1/blobs/" + sha, {},
                              {{"Authorization", "Bearer " + token}, {"Range", "bytes=100-199"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body.size(), 100u);
    EXPECT_EQ(part.header("content-range"), "bytes 100-199/67108864");
    // A range whose end is not a number is ignored: the whole file, 200.
    Socket odd(server.port());
    odd.send("GET /v1/blobs/" + sha +
             " HTTP/1.1\r\nHost: x\r\nRange: bytes=0--1\r\nAuthorization: Bearer " + token +
             "\r\n\r\n");
    EXPECT_EQ(status_of(odd.receive(5000, "\r\n\r\n")), 200);
}

TEST_F(Listener, TwoHundredParallelSignInsKeepMemoryBounded) {
    start();
    const long before = peak_kb(server.pid());
    std::vector<std::future<int>> all;
    for (int i = 0; i < 200; ++i)
        all.push_back(std::async(std::launch::async, [this, i] {
            const std::string body = Json{{"email", "lead@demo.sitevisit"},
                                          {"password", "lead-demo-2026"},
                                          {"device", "crowd-" + std::to_string(i)}}
                                         .dump();
            return server.http().request("POST", "/v1/auth/login", body, {}, 60000).status;
        }));
    std::map<int, int> count;
    for (auto& f : all)
        ++count[f.get()];
    const long after = peak_kb(server.pid());
    std::cout << "[ figures ] 200 parallel sign-ins:";
    for (const auto& [status, n] : count)
        std::cout << " " << n << " x " << status;
    std::cout << "; server peak RSS " << before / 1024 << " MB -> " << after / 1024 << " MB\n";
    // Every one answered, with a sign-in, a limit (429) or a busy server (503); none dropped.
    EXPECT_EQ(count[200] + count[429] + count[503], 200);
    EXPECT_GT(count[200], 0);
    // At most a few 19 MB password checks at once, never 200.
    EXPECT_LT(after - before, 200 * 1024);
    EXPECT_EQ(health(), 200);
}

TEST_F(Listener, SignInBodiesAreSmallAndOneAddressCannotTakeEveryConnection) {
    start({"--max-connections", "400"});
    const int base_fds = open_fds(server.pid());
    // Anyone may sign in, so a sign-in body is refused past 8 KB from its length alone.
    {
        Socket big(server.port());
        big.send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
        EXPECT_EQ(status_of(big.receive(5000, "}")), 413);
    }
    // That connection is closed and counted out before the address's share is measured.
    ASSERT_LE(wait_fds(server.pid(), base_fds, false), base_fds);

    // One address holds at most 256 connections, so the cap is never all one client's.
    std::vector<Socket> held;
    for (int i = 0; i < 300; ++i)
        held.emplace_back(server.port());
    int answered = 0;
    for (auto& s : held) {
        s.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    for (auto& s : held)
        answered += status_of(s.receive(3000, "}")) == 200;
    EXPECT_EQ(answered, 256) << "connections past the per-address share were served";
    Socket elsewhere(server.port(), "127.0.0.7");
    elsewhere.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(elsewhere.receive(3000, "}")), 200) << "another address is still served";
}

TEST_F(Listener, ABodyTrickledBelowTheMinimumRateIsCut) {
    start();
    auto answer =
        login_request(server.http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-trickle");
    ASSERT_EQ(answer.status, 200);
    const std::string token = answer.json()["token"];
    Socket s(server.port());
    s.send("POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
           "\r\nContent-Length: 5000000\r\n\r\n{");
    // A byte every 10 s never trips the 20 s gap, but averages far below 4 KB/s: after the
    // 30 s grace the connection is cut, not held for the 5 MB it declared (5 minutes).
    bool closed = false;
    const auto start = Steady::now();
    while (!closed && Steady::now() - start < std::chrono::seconds(60)) {
        if (!s.send(" "))
            closed = true;
        else
            closed = s.closed_within(10000);
    }
    EXPECT_TRUE(closed) << "a trickled body held its connection for a minute";
}
