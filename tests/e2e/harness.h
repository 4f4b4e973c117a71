#pragma once

// Real processes and real HTTP for end-to-end tests: the sitevisit-server binary started on a
// free loopback port with a temporary data folder, and a small blocking HTTP/1.1 client that
// can also send what no well-behaved client would (lying lengths, cut bodies).

#include "sitevisit/core/json.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace sitevisit::e2e {

struct Response {
    int status = 0;                             // 0: no answer (connection refused or cut)
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    Json json() const;
    std::string header(const std::string& name) const;
};

class Http {
public:
    explicit Http(int port) : port_(port) {}
    Response request(const std::string& method, const std::string& path,
                     const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     int timeout_ms = 30000) const;
    // As request(), calling `sent` once every byte of the request is handed to the kernel and
    // before the answer is read (to act while the server holds the whole request).
    Response request_then(const std::string& method, const std::string& path,
                          const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::function<void()>& sent, int timeout_ms = 30000) const;
    // Sends exactly these bytes and reads whatever comes back.
    Response raw(const std::string& bytes, int timeout_ms = 10000) const;
    int port() const { return port_; }

private:
    int port_;
};

std::string server_binary();

// The seed of a test's random choices: SITEVISIT_SEED when set, else `fixed`. Printed with
// the test's name, so a failure replays with SITEVISIT_SEED=<seed>.
std::uint64_t test_seed(const std::string& test, std::uint64_t fixed);
std::string cli_binary();

// Runs a program to completion with `stdin_text` on its standard input.
struct Run {
    int code;
    std::string out, err;
};
Run run(const std::vector<std::string>& argv, const std::string& stdin_text = {});

// The store the tests run against: SQLite in each server's data folder (the default), or, with
// SITEVISIT_TEST_STORE=postgresql, a PostgreSQL database of its own for each ServerProcess, in
// one cluster this test binary starts on first use (initdb and postgres from `pg_config
// --bindir`, as the postgres user when run as root, in a temp folder on a free port) and stops
// at exit. SITEVISIT_TEST_PG_URL=postgresql://USER@HOST:PORT/DB uses that server instead (the
// databases are made there).
bool on_postgresql();

// Skips a test that is about the SQLite file itself (server.db) when the store is PostgreSQL.
#define SITEVISIT_SQLITE_ONLY(why)                                                                 \
    do {                                                                                           \
        if (::sitevisit::e2e::on_postgresql()) GTEST_SKIP() << "SQLite only: " << why;             \
    } while (0)

class ServerProcess {
public:
    // A new data folder under a fresh temp dir (and a new database, on PostgreSQL).
    ServerProcess();
    ~ServerProcess();

    // On PostgreSQL, a new empty database in place of this server's (the old one dropped), as
    // a new data folder is on SQLite; nothing on SQLite.
    void renew_database();

    // From now on this server uses `other`'s data folder and store (two servers behind one
    // load balancer); `other` keeps them.
    void share_store_of(const ServerProcess& other);

    // Runs `sitevisit-server ARGS --data DIR [--store URL]`, returning exit code and output.
    Run admin(const std::vector<std::string>& args, const std::string& stdin_text = {}) const;

    void start(const std::vector<std::string>& extra = {});
    int stop();         // SIGTERM, wait; the exit code (128 + signal if killed)
    void kill9();       // SIGKILL, wait
    void signal_term(); // SIGTERM without waiting
    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    int port() const { return port_; }
    Http http() const { return Http(port_); }
    const std::filesystem::path& data() const { return data_; }
    // The --store URL of this server's database; empty on SQLite.
    const std::string& store_url() const { return store_url_; }
    // What every command line of this server adds: --data DIR, and --store URL on PostgreSQL.
    std::vector<std::string> store_args() const;
    std::string stderr_text() const;
    std::string stdout_text() const; // of the last start

private:
    std::filesystem::path root_, data_;
    std::string store_url_;
    bool owns_database_ = false;
    pid_t pid_ = -1;
    int port_ = 0;
};

// Runs SQL on a server's store, whichever it is (SQL both understand): for tests that make a
// store look as an older server left it.
void store_sql(const ServerProcess& server, const std::string& sql);

// Signs in with an optional device secret; the whole answer (status and body).
Response login_request(const Http& http, const std::string& email, const std::string& password,
                       const std::string& device, const std::string& device_secret = {});
// Signs in; the token, or fails the test.
std::string login(const Http& http, const std::string& email, const std::string& password,
                  const std::string& device);
std::vector<std::pair<std::string, std::string>> bearer(const std::string& token);

} // namespace sitevisit::e2e

namespace sitevisit::e2e {

// A loopback TCP proxy in front of the server that misbehaves on purpose: every connection
// opened while a fault is set suffers it.
class FaultProxy {
public:
    enum class Fault {
        Pass,       // forward both ways
        LoseReply,  // forward the request, let the server answer, never hand the answer back
        CutRequest, // forward only the first `bytes` of the request, then cut both sides
        Slow,       // forward the answer in small pieces with `delay_ms` between them
        Budget,     // forward `bytes` more request bytes over all connections, then cut every one
    };
    explicit FaultProxy(int server_port);
    ~FaultProxy();
    int port() const { return port_; }
    void fault(Fault f, int bytes = 0, int delay_ms = 0);
    int connections() const { return connections_; }
    long long bytes_up() const { return bytes_up_; }     // bytes forwarded to the server so far
    long long bytes_down() const { return bytes_down_; } // bytes forwarded from the server

private:
    struct Pending {
        Fault fault;
        int bytes, delay_ms;
    };
    void accept_loop();
    void serve(int client, Pending p);

    int server_port_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::atomic<long long> bytes_up_{0};
    std::atomic<long long> bytes_down_{0};
    std::atomic<long long> budget_{0};
    std::atomic<bool> budget_active_{false};
    std::mutex mutex_;
    std::vector<Pending> queue_;
    std::thread thread_;
    std::vector<std::thread> workers_;
};

} // namespace sitevisit::e2e
