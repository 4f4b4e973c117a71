// sitevisit-server: the central server and its admin commands.
#include "sitevisit/protocol/limits.h"
#include "sitevisit/server/backup.h"
#include "sitevisit/server/blobs.h"
#include "sitevisit/server/demo.h"
#include "sitevisit/server/metrics.h"
#include "sitevisit/server/pg_store.h"
#include "sitevisit/server/routes.h"
#include "sitevisit/server/sqlite_store.h"

#include <arpa/inet.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <signal.h>
#include <sstream>
#include <unistd.h>

using namespace sitevisit;
using namespace sitevisit::server;

namespace {

// One line to standard error in one write, so lines from several threads never interleave.
void write_log_line(const std::string& line) {
    std::string whole = line + "\n";
    std::size_t done = 0;
    while (done < whole.size()) {
        const ssize_t n = ::write(2, whole.data() + done, whole.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

const char* const kUsage = R"(usage:
  sitevisit-server init --data DIR                     (a new, empty store in DIR)
  sitevisit-server serve --data DIR --listen HOST:PORT [--max-blob-bytes N] [--max-body-bytes N]
                   [--partial-quota-bytes N] [--partial-expiry-days N] [--max-connections N]
                   [--tls-cert FILE --tls-key FILE] [--idle-timeout S] [--header-timeout S] [--body-timeout S]
                   [--metrics-listen HOST:PORT]  (Prometheus /metrics on a second, private listener)
                   [--trusted-proxy ADDR]...  (take the caller's address from X-Forwarded-For on its connections)
  sitevisit-server user add --data DIR --email E --name N --role ROLE [--school ID]... [--district ID]... [--region ID]
                   (the password is read from standard input)
  sitevisit-server user list --data DIR
  sitevisit-server user revoke --data DIR --email E    (ends every session at once)
  sitevisit-server user restore --data DIR --email E   (undoes a revoke)
  sitevisit-server user password --data DIR --email E  (the new password from standard input; ends their sessions)
  sitevisit-server user unlock --data DIR --email E    (clears their failed sign-ins)
  sitevisit-server school import --data DIR FILE.csv
  sitevisit-server demo --data DIR
  sitevisit-server export --data DIR --user EMAIL
  sitevisit-server backup --data DIR OUT      (a consistent copy while the server runs: store and blobs)
  sitevisit-server restore --data DIR FROM    (fills an empty store from a backup; devices recover)
Every command also takes --store postgresql://USER@HOST:PORT/DB[?sslmode=...]: the store is
  that PostgreSQL database instead of DIR/server.db (DIR then holds the evidence files only, and
  only serve, demo, backup and restore need it); the password comes from PGPASSFILE or ~/.pgpass.
roles: admin, regional_director, assistance_lead, principal, receiver, district_leader
exit codes: 0 done, 1 bad input, 2 usage, 3 storage (a missing or damaged store: the message says what to do)
)";

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::vector<std::string>> options;
    std::string one(const std::string& k) const {
        auto it = options.find(k);
        return it == options.end() || it->second.empty() ? std::string() : it->second.back();
    }
    const std::vector<std::string>& many(const std::string& k) const {
        static const std::vector<std::string> none;
        auto it = options.find(k);
        return it == options.end() ? none : it->second;
    }
};

int usage(const std::string& why) {
    std::cerr << "sitevisit-server: " << why << "\n" << kUsage;
    return 2;
}

int fail(const Error& e) {
    std::cerr << "sitevisit-server: " << e.message << "\n";
    return e.code == ErrorCode::Invalid || e.code == ErrorCode::NotFound ||
                   e.code == ErrorCode::Conflict
               ? 1
               : 3;
}

struct Opened {
    std::unique_ptr<Store> store;
    std::unique_ptr<Service> service;
    std::unique_ptr<BlobService> blobs;
};

enum class Open {
    Existing, // the store must be there, whole (serve, user, school, export)
    Create,   // made when missing (demo)
    New,      // made, and refused if one exists (init)
};

Error store_error(std::string message) {
    return Error{ErrorCode::Storage, std::move(message)};
}

Result<std::unique_ptr<Store>> open_sqlite(const std::string& dir, Open mode,
                                           Database::Durability durability) {
    if (dir.empty()) return invalid("--data DIR is required (or --store URL)");
    namespace fs = std::filesystem;
    const fs::path db = fs::path(dir) / "server.db";
    std::error_code ec;
    const bool exists = fs::exists(db, ec);
    if (mode == Open::New && exists)
        return invalid(db.string() +
                       " exists already; init makes a new store only where there is none");
    if (mode == Open::Existing) {
        // An empty server answering "ok" would tell every device its data is gone.
        if (!exists)
            return store_error(
                "there is no store at " + db.string() + ": run `sitevisit-server init --data " +
                dir + "` to start an empty one, or restore server.db from a backup into " + dir);
        if (fs::file_size(db, ec) == 0 || ec)
            return store_error(
                db.string() +
                " is empty (0 bytes): restore it from a backup, or move it away and run "
                "`sitevisit-server init --data " +
                dir + "` to start an empty store");
    } else {
        fs::create_directories(dir, ec);
        if (ec) return invalid("cannot create the data folder " + dir + ": " + ec.message());
    }
    auto store = SqliteStore::open(db.string(), 4, durability);
    if (!store) {
        if (mode == Open::Existing)
            return store_error(db.string() + " cannot be opened (" + store.error().message +
                               "): it is damaged or not a store; restore it from a backup");
        return store.error();
    }
    if (mode == Open::Existing) {
        // A damaged store is found now (PRAGMA quick_check), not by the first device that
        // reads the bad page.
        if (auto problems = (*store)->quick_check(); !problems.empty())
            return store_error(
                db.string() + " is damaged (integrity check: " + problems.front().substr(0, 300) +
                (problems.size() > 1 ? ", ..." : "") + "): restore it from a backup");
    }
    return std::unique_ptr<Store>(std::move(store).value());
}

Result<std::unique_ptr<Store>> open_postgresql(const std::string& url, Open mode,
                                               Database::Durability durability) {
    const auto pg_mode = mode == Open::New      ? PgStore::Mode::New
                         : mode == Open::Create ? PgStore::Mode::Create
                                                : PgStore::Mode::Existing;
    auto store = PgStore::open(url, pg_mode, 4, durability);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(store).value());
}

// The store: --store names a PostgreSQL database, else --data DIR holds server.db.
Result<std::unique_ptr<Store>>
open_store(const Args& a, Open mode, Database::Durability durability = Database::Durability::Full) {
    if (!a.one("store").empty()) return open_postgresql(a.one("store"), mode, durability);
    return open_sqlite(a.one("data"), mode, durability);
}

// The store and the service on it. `dir` (--data) holds the evidence files; `with_blobs`: the
// command needs them (serve, demo). `max_blob`: the largest upload (serve's --max-blob-bytes);
// other commands upload nothing. `durability`: Normal only where a new store is filled in one go
// and a crash leaves nothing anyone was told was kept (demo).
Result<Opened> open_data(const Args& a, Open mode, bool with_blobs = false,
                         std::int64_t max_blob = protocol::kMaxBlobBytes,
                         BlobLimits blob_limits = {},
                         Database::Durability durability = Database::Durability::Full) {
    const std::string dir = a.one("data");
    const std::string url = a.one("store");
    if (!url.empty() && with_blobs && dir.empty())
        return invalid("--data DIR is required: the folder for evidence files (the store itself "
                       "is the --store database)");
    auto store = open_store(a, mode, durability);
    if (!store) return store.error();
    Opened o;
    o.store = std::move(store).value();
    o.service = std::make_unique<Service>(*o.store, ServiceOptions{});
    o.service->log = [](const std::string& m) { write_log_line("sitevisit-server: " + m); };
    if (with_blobs)
        o.blobs = std::make_unique<BlobService>(
            *o.store, *o.service, std::filesystem::path(dir) / "blobs", max_blob, blob_limits);
    return o;
}

std::optional<std::int64_t> positive(const std::string& text) {
    try {
        std::size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used != text.size() || v <= 0) return std::nullopt;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}

// HOST:PORT (port 0: a free one); nullopt when it is not that.
std::optional<std::pair<std::string, int>> host_port(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    auto port = positive(text.substr(colon + 1));
    if (text.substr(colon + 1) == "0") port = 0;
    if (!port || *port > 65535) return std::nullopt;
    return std::pair{text.substr(0, colon), static_cast<int>(*port)};
}

// An IP address in the form the listener reports a peer's (inet_ntop's), or nothing.
std::optional<std::string> ip_address(const std::string& text) {
    char out[INET6_ADDRSTRLEN] = {};
    unsigned char bytes[sizeof(in6_addr)];
    if (inet_pton(AF_INET, text.c_str(), bytes) == 1 && inet_ntop(AF_INET, bytes, out, sizeof out))
        return std::string(out);
    if (inet_pton(AF_INET6, text.c_str(), bytes) == 1 &&
        inet_ntop(AF_INET6, bytes, out, sizeof out))
        return std::string(out);
    return std::nullopt;
}

int serve(const Args& a) {
    const std::string listen = a.one("listen");
    if (listen.empty()) return usage("--listen HOST:PORT is required");
    const auto main_address = host_port(listen);
    if (!main_address) return usage("--listen must be HOST:PORT with a port from 0 to 65535");
    const std::string host = main_address->first;
    const int port = main_address->second;
    std::optional<std::pair<std::string, int>> metrics_address;
    if (a.options.count("metrics-listen")) {
        metrics_address = host_port(a.one("metrics-listen"));
        if (!metrics_address)
            return usage("--metrics-listen must be HOST:PORT with a port from 0 to 65535");
    }
    std::int64_t max_blob = protocol::kMaxBlobBytes;
    HttpLimits limits;
    if (!a.one("max-blob-bytes").empty()) {
        auto v = positive(a.one("max-blob-bytes"));
        if (!v) return usage("--max-blob-bytes must be a positive number of bytes");
        max_blob = *v;
    }
    if (!a.one("max-body-bytes").empty()) {
        auto v = positive(a.one("max-body-bytes"));
        if (!v) return usage("--max-body-bytes must be a positive number of bytes");
        limits.max_body = static_cast<std::uint64_t>(*v);
    }
    BlobLimits blob_limits;
    if (!a.one("partial-quota-bytes").empty()) {
        auto v = positive(a.one("partial-quota-bytes"));
        if (!v) return usage("--partial-quota-bytes must be a positive number of bytes");
        blob_limits.partial_quota_bytes = *v;
    }
    if (!a.one("partial-expiry-days").empty()) {
        auto v = positive(a.one("partial-expiry-days"));
        if (!v || *v > 3650)
            return usage("--partial-expiry-days must be a whole number of days from 1 to 3650");
        blob_limits.partial_expiry_ms = *v * 24 * 3600 * 1000;
    }
    // Timeouts in seconds: a silent connection, the headers of a request, a stalled body.
    struct Setting {
        const char* flag;
        int* value;
        int scale;
    };
    for (const Setting& s : {Setting{"max-connections", &limits.max_connections, 1},
                             Setting{"idle-timeout", &limits.idle_ms, 1000},
                             Setting{"header-timeout", &limits.header_ms, 1000},
                             Setting{"body-timeout", &limits.body_gap_ms, 1000}}) {
        if (a.one(s.flag).empty()) continue;
        auto v = positive(a.one(s.flag));
        if (!v || *v > 1000000)
            return usage(std::string("--") + s.flag + " must be a whole number from 1 to 1000000");
        *s.value = static_cast<int>(*v * s.scale);
    }
    for (const auto& proxy : a.many("trusted-proxy")) {
        auto address = ip_address(proxy);
        if (!address)
            return usage("--trusted-proxy must be an IP address (the proxy's, as this server "
                         "sees its connections), got \"" +
                         proxy.substr(0, 100) + "\"");
        limits.trusted_proxies.push_back(*address);
    }
    limits.tls_cert = a.one("tls-cert");
    limits.tls_key = a.one("tls-key");
    if (limits.tls_cert.empty() != limits.tls_key.empty())
        return usage("--tls-cert and --tls-key go together: give both (https) or neither (http)");
    for (const auto& [flag, file] :
         {std::pair{"--tls-cert", limits.tls_cert}, std::pair{"--tls-key", limits.tls_key}}) {
        if (file.empty()) continue;
        std::ifstream in(file, std::ios::binary);
        if (!in || !std::filesystem::is_regular_file(file))
            return fail(invalid(std::string("cannot read ") + flag + " " + file +
                                ": give a readable PEM file"));
    }
    auto opened = open_data(a, Open::Existing, true, max_blob, blob_limits);
    if (!opened) return fail(opened.error());
    // Expired uploads in progress are removed at start (and as new ones are made).
    opened->blobs->sweep_partials();
    const int fd_limit = raise_open_file_limit(limits.max_connections + 64);
    if (fd_limit < limits.max_connections + 64) {
        std::cerr << "sitevisit-server: the open-file limit is " << fd_limit << ", below the "
                  << limits.max_connections + 64 << " that --max-connections "
                  << limits.max_connections << " needs; serving at most "
                  << std::max(16, fd_limit - 64)
                  << " connections (raise the hard limit: ulimit -Hn)\n";
        limits.max_connections = std::max(16, fd_limit - 64);
    }

    // Signals are taken by sigwait below, not by whichever thread they land on.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    // Counted only when someone can read them; the request log line is written either way.
    std::unique_ptr<Metrics> metrics;
    if (metrics_address) metrics = std::make_unique<Metrics>();
    opened->service->metrics = metrics.get();
    // Pulls held here wake for pushes to any server sharing the store.
    opened->store->watch_other_writers(true);
    HttpRoutes routes = make_routes(*opened->service, opened->blobs.get());
    routes.answered = request_observer(metrics.get(), write_log_line);
    auto server = make_http_server(std::move(routes), limits);
    if (auto st = server->start(host, port); !st) return fail(st.error());
    // The metrics listener: plain http, GET /metrics only, a few connections and one worker.
    std::unique_ptr<HttpServer> metrics_server;
    if (metrics) {
        HttpLimits metrics_limits;
        metrics_limits.max_connections = 64;
        metrics_limits.max_connections_per_address = 16;
        metrics_limits.workers = 1;
        metrics_server = make_http_server(metrics_routes(*metrics), metrics_limits);
        if (auto st = metrics_server->start(metrics_address->first, metrics_address->second); !st)
            return fail(st.error());
    }
    // The first line names the main listener (tests and scripts read it); the metrics
    // listener, when there is one, on a line of its own after it, both in one write.
    std::ostringstream ready;
    ready << "sitevisit-server listening on " << (limits.tls_cert.empty() ? "http://" : "https://")
          << host << ":" << server->port() << "\n";
    if (metrics_server)
        ready << "sitevisit-server metrics on http://" << metrics_address->first << ":"
              << metrics_server->port() << "/metrics\n";
    std::cout << ready.str() << std::flush;
    int sig = 0;
    sigwait(&signals, &sig);
    write_log_line("sitevisit-server: stopping (signal " + std::to_string(sig) +
                   "), finishing requests in flight");
    if (metrics_server) metrics_server->stop();
    if (!server->stop()) {
        // Something held a request past 30 s: the store is transactional, so stopping here
        // loses nothing that was acknowledged.
        write_log_line("sitevisit-server: stopped with requests still running");
        std::_Exit(0);
    }
    write_log_line("sitevisit-server: stopped");
    return 0;
}

void print_summary(const BackupSummary& s) {
    std::int64_t records = 0;
    for (const auto& [table, n] : s.records)
        records += n;
    std::cout << records << " records (" << s.records.at("changes") << " changes, "
              << s.records.at("rows") << " rows, " << s.records.at("accounts") << " accounts), "
              << s.blobs << " blob(s) of " << s.blob_bytes << " bytes; change log ends at "
              << s.last_seq << "; epoch " << s.epoch << "\n";
}

int backup_command(const Args& a, const std::string& out) {
    // The store only: the running server's uploads in progress are left alone.
    if (a.one("data").empty())
        return fail(invalid("--data DIR is required: its blobs are backed up"));
    auto store = open_store(a, Open::Existing);
    if (!store) return fail(store.error());
    const auto started = std::chrono::steady_clock::now();
    auto summary =
        backup_store(**store, std::filesystem::path(a.one("data")) / "blobs", out,
                     [](const std::string& line) { std::cerr << "backup: " << line << "\n"; });
    if (!summary) return fail(summary.error());
    std::cout << "backed up to " << out << " in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count()
              << " ms: ";
    print_summary(*summary);
    return 0;
}

int restore_command(const Args& a, const std::string& from) {
    namespace fs = std::filesystem;
    const std::string dir = a.one("data");
    if (dir.empty()) return fail(invalid("--data DIR is required"));
    const fs::path db = fs::path(dir) / "server.db";
    std::error_code ec;
    // A PostgreSQL database gets its tables here when it has none; the restore itself refuses
    // a store that holds anything.
    const bool on_postgresql = !a.one("store").empty();
    const bool made = !on_postgresql && !fs::exists(db, ec);
    // On PostgreSQL, the tables there before: a failed restore drops the ones it made.
    std::vector<std::string> tables_before;
    if (on_postgresql) {
        auto names = pg_table_names(a.one("store"));
        if (!names) return fail(names.error());
        tables_before = std::move(*names);
    }
    auto store = open_store(a, on_postgresql ? Open::Create : made ? Open::New : Open::Existing);
    if (!store) return fail(store.error());
    auto summary =
        restore_store(**store, fs::path(dir) / "blobs", from,
                      [](const std::string& line) { std::cerr << "restore: " << line << "\n"; });
    store->reset();
    if (!summary) {
        // A store this command made and could not fill is not left to look like a server's.
        if (made)
            for (const char* suffix : {"", "-wal", "-shm"})
                fs::remove(db.string() + suffix, ec);
        if (on_postgresql)
            if (auto st = pg_drop_tables_made_since(a.one("store"), tables_before); !st)
                std::cerr << "sitevisit-server: " << st.error().message << "\n";
        return fail(summary.error());
    }
    std::cout << "restored " << from << " into "
              << (on_postgresql ? parse_store_url(a.one("store"))->text() : db.string()) << ": ";
    print_summary(*summary);
    std::cout << "devices that synced with the replaced store send again what it lacks when "
                 "they next sync\n";
    return 0;
}

std::string read_password() {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

int user_command(const std::string& verb, const Args& a) {
    static const std::set<std::string> verbs = {"add",     "list",     "revoke",
                                                "restore", "password", "unlock"};
    if (!verbs.count(verb)) return usage("unknown user command \"" + verb + "\"");
    if (verb != "add" && verb != "list" && a.one("email").empty())
        return usage("user " + verb + " needs --email");
    auto opened = open_data(a, Open::Existing);
    if (!opened) return fail(opened.error());
    Service& service = *opened->service;
    if (verb == "add") {
        NewUser n{a.one("email"),  a.one("name"),    a.one("role"),
                  a.one("region"), a.many("school"), a.many("district")};
        if (n.email.empty() || n.name.empty() || n.role.empty())
            return usage("user add needs --email, --name and --role");
        auto u = service.add_user(n, read_password());
        if (!u) return fail(u.error());
        std::cout << "added " << u->email << " (" << to_string(u->role) << "), id " << u->id
                  << "\n";
        return 0;
    }
    if (verb == "list") {
        auto users = service.list_users();
        if (!users) return fail(users.error());
        for (const auto& u : *users) {
            std::cout << u.id << "  " << u.email << "  " << to_string(u.role) << "  " << u.name
                      << (u.active ? "" : "  (revoked)");
            for (const auto& s : u.schools)
                std::cout << "  school:" << s;
            for (const auto& d : u.districts)
                std::cout << "  district:" << d;
            if (!u.region.empty()) std::cout << "  region:" << u.region;
            std::cout << "\n";
        }
        return 0;
    }
    if (verb == "revoke") {
        auto n = service.revoke_user(a.one("email"));
        if (!n) return fail(n.error());
        std::cout << "revoked " << a.one("email") << "; ended " << *n << " session(s)\n";
        return 0;
    }
    if (verb == "restore") {
        auto n = service.restore_user(a.one("email"));
        if (!n) return fail(n.error());
        std::cout << "restored " << a.one("email") << "; they can sign in again\n";
        return 0;
    }
    if (verb == "password") {
        auto n = service.set_password(a.one("email"), read_password());
        if (!n) return fail(n.error());
        std::cout << "set a new password for " << a.one("email") << "; ended " << *n
                  << " session(s)\n";
        return 0;
    }
    if (verb == "unlock") {
        auto n = service.unlock_user(a.one("email"));
        if (!n) return fail(n.error());
        std::cout << "cleared the failed sign-ins of " << a.one("email") << "\n";
        return 0;
    }
    return usage("unknown user command \"" + verb + "\"");
}

} // namespace

int main(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg.rfind("--", 0) == 0) {
            if (i + 1 >= argc) return usage(arg + " needs a value");
            a.options[arg.substr(2)].push_back(argv[++i]);
        } else {
            a.positional.push_back(arg);
        }
    }
    static const std::set<std::string> known = {"data",
                                                "store",
                                                "listen",
                                                "max-blob-bytes",
                                                "max-body-bytes",
                                                "email",
                                                "name",
                                                "role",
                                                "school",
                                                "district",
                                                "region",
                                                "user",
                                                "partial-quota-bytes",
                                                "partial-expiry-days",
                                                "max-connections",
                                                "tls-cert",
                                                "tls-key",
                                                "idle-timeout",
                                                "header-timeout",
                                                "body-timeout",
                                                "metrics-listen",
                                                "trusted-proxy"};
    for (const auto& [k, v] : a.options)
        if (!known.count(k)) return usage("unknown option --" + k);
    if (a.options.count("store"))
        if (auto target = parse_store_url(a.one("store")); !target)
            return usage(target.error().message);
    const auto& p = a.positional;
    if (p.empty()) return usage("say what to do");
    try {
        if (p[0] == "serve" && p.size() == 1) return serve(a);
        if (p[0] == "init" && p.size() == 1) {
            auto opened = open_data(a, Open::New);
            if (!opened) return fail(opened.error());
            if (!a.one("store").empty()) {
                std::cout << "made an empty store in the PostgreSQL database "
                          << parse_store_url(a.one("store"))->text()
                          << "; add an admin with `sitevisit-server user add --store URL --email "
                             "E --name N --role admin`\n";
                return 0;
            }
            std::cout << "made an empty store in "
                      << (std::filesystem::path(a.one("data")) / "server.db").string()
                      << "; add an admin with `sitevisit-server user add --data " << a.one("data")
                      << " --email E --name N --role admin`\n";
            return 0;
        }
        if (p[0] == "user" && p.size() == 2) return user_command(p[1], a);
        if (p[0] == "school" && p.size() == 3 && p[1] == "import") {
            std::ifstream in(p[2], std::ios::binary);
            if (!in) return fail(invalid("cannot read " + p[2]));
            std::stringstream text;
            text << in.rdbuf();
            auto opened = open_data(a, Open::Existing);
            if (!opened) return fail(opened.error());
            auto n = opened->service->import_schools(text.str());
            if (!n) return fail(Error{n.error().code, p[2] + ": " + n.error().message});
            std::cout << "imported " << *n << " school(s) from " << p[2] << "\n";
            return 0;
        }
        if (p[0] == "demo" && p.size() == 1) {
            // Hundreds of small writes to a new store: none waits for the disk on its own;
            // closing the store at the end checkpoints and syncs it.
            auto opened = open_data(a, Open::Create, true, protocol::kMaxBlobBytes, {},
                                    Database::Durability::Normal);
            if (!opened) return fail(opened.error());
            if (auto st = seed_demo(*opened->service, *opened->blobs, std::cout); !st)
                return fail(st.error());
            return 0;
        }
        if (p[0] == "backup" && p.size() == 2) return backup_command(a, p[1]);
        if (p[0] == "restore" && p.size() == 2) return restore_command(a, p[1]);
        if (p[0] == "export" && p.size() == 1) {
            if (a.one("user").empty()) return usage("export needs --user EMAIL");
            auto opened = open_data(a, Open::Existing);
            if (!opened) return fail(opened.error());
            auto j = opened->service->export_for(a.one("user"));
            if (!j) return fail(j.error());
            std::cout << j->dump(1) << "\n";
            return 0;
        }
    } catch (const std::exception& e) {
        std::cerr << "sitevisit-server: " << e.what() << "\n";
        return 3;
    }
    return usage("unknown command");
}
