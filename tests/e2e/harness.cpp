#include "harness.h"

#include "sitevisit/core/database.h"

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <iostream>
#include <libpq-fe.h>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <random>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sitevisit::e2e {

namespace fs = std::filesystem;

std::string cli_binary() {
    if (const char* p = std::getenv("SITEVISIT_CLI")) return p;
    return SITEVISIT_CLI_BINARY;
}

std::string server_binary() {
    if (const char* p = std::getenv("SITEVISIT_SERVER")) return p;
    return SITEVISIT_SERVER_BINARY;
}

std::uint64_t test_seed(const std::string& test, std::uint64_t fixed) {
    std::uint64_t seed = fixed;
    if (const char* s = std::getenv("SITEVISIT_SEED"); s && *s) seed = std::stoull(s);
    std::cout << test << " seed: " << seed << " (replay with SITEVISIT_SEED=" << seed << ")"
              << std::endl;
    return seed;
}

Json Response::json() const {
    Json j = Json::parse(body, nullptr, false);
    return j.is_discarded() ? Json() : j;
}

std::string Response::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

namespace {

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Reads one response (Content-Length or until close).
Response read_response(int fd, int timeout_ms, bool head) {
    Response r;
    std::string buf;
    char chunk[65536];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::size_t header_end = std::string::npos;
    std::size_t need = std::string::npos;
    while (std::chrono::steady_clock::now() < deadline) {
        if (header_end != std::string::npos && need != std::string::npos &&
            buf.size() >= header_end + 4 + need)
            break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        buf.append(chunk, static_cast<std::size_t>(n));
        if (header_end == std::string::npos) {
            header_end = buf.find("\r\n\r\n");
            if (header_end != std::string::npos) {
                std::istringstream lines(buf.substr(0, header_end));
                std::string line;
                std::getline(lines, line);
                if (line.size() >= 12) r.status = std::atoi(line.substr(9, 3).c_str());
                while (std::getline(lines, line)) {
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    auto colon = line.find(':');
                    if (colon == std::string::npos) continue;
                    std::string v = line.substr(colon + 1);
                    while (!v.empty() && v.front() == ' ')
                        v.erase(0, 1);
                    r.headers[lower(line.substr(0, colon))] = v;
                }
                if (head || r.status == 204 || r.status == 304)
                    need = 0;
                else if (r.headers.count("content-length"))
                    need = std::stoul(r.headers["content-length"]);
            }
        }
    }
    if (header_end != std::string::npos)
        r.body = buf.substr(header_end + 4, need == std::string::npos ? std::string::npos : need);
    return r;
}

} // namespace

Response Http::request(const std::string& method, const std::string& path, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       int timeout_ms) const {
    return request_then(method, path, body, headers, {}, timeout_ms);
}

Response Http::request_then(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::function<void()>& sent, int timeout_ms) const {
    std::string req = method + " " + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                      "\r\nConnection: close\r\n";
    bool has_length = false;
    for (const auto& [k, v] : headers) {
        req += k + ": " + v + "\r\n";
        if (lower(k) == "content-length") has_length = true;
    }
    if (!has_length && (method == "POST" || method == "PATCH" || method == "PUT" || !body.empty()))
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    int fd = connect_to(port_);
    if (fd < 0) return {};
    Response r;
    if (send_all(fd, req)) {
        if (sent) sent();
        r = read_response(fd, timeout_ms, method == "HEAD");
    }
    ::close(fd);
    return r;
}

Response Http::raw(const std::string& bytes, int timeout_ms) const {
    int fd = connect_to(port_);
    if (fd < 0) return {};
    Response r;
    if (send_all(fd, bytes)) {
        ::shutdown(fd, SHUT_WR);
        r = read_response(fd, timeout_ms, false);
    }
    ::close(fd);
    return r;
}

bool on_postgresql() {
    const char* s = std::getenv("SITEVISIT_TEST_STORE");
    return s && std::string(s) == "postgresql";
}

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// One PostgreSQL cluster for the whole test binary run; each ServerProcess gets a database in
// it. The postgres process is a child of this one and gets SIGQUIT (an immediate stop) if this
// process dies, so a killed test run leaves no server behind.
class PgCluster {
public:
    static PgCluster& get() {
        static PgCluster cluster;
        return cluster;
    }

    // A new, empty database; its --store URL.
    std::string new_database(std::string* name) {
        std::lock_guard lock(mutex_);
        *name = "sitevisit_test_" + std::to_string(++databases_);
        exec("CREATE DATABASE " + *name);
        return url_head_ + *name + url_tail_;
    }

    void drop(const std::string& name) {
        std::lock_guard lock(mutex_);
        try {
            exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (const std::exception& e) {
            std::cerr << "dropping test database " << name << ": " << e.what() << std::endl;
        }
    }

    ~PgCluster() {
        if (admin_) PQfinish(admin_);
        if (pid_ > 0) {
            ::kill(pid_, SIGQUIT);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }

private:
    PgCluster() {
        if (const char* url = std::getenv("SITEVISIT_TEST_PG_URL"); url && *url) {
            use_server(url);
            return;
        }
        bindir_ = bindir();
        if (::geteuid() == 0) {
            // initdb and postgres refuse root: they run as the postgres user, in a folder it owns.
            const passwd* pw = ::getpwnam("postgres");
            if (!pw)
                throw std::runtime_error("the tests run as root and there is no postgres user to "
                                         "run PostgreSQL as: install postgresql-15");
            uid_ = pw->pw_uid;
            gid_ = pw->pw_gid;
            as_postgres_ = true;
        }
        sweep_stale();
        char tmpl[] = "/tmp/sitevisit-pg-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot make a folder for PostgreSQL");
        dir_ = tmpl;
        if (as_postgres_ && ::chown(dir_.c_str(), uid_, gid_) != 0)
            throw std::runtime_error("cannot give " + dir_.string() + " to the postgres user");
        const fs::path data = dir_ / "data", log = dir_ / "postgres.log";
        const int code =
            spawn({(bindir_ / "initdb").string(), "-D", data.string(), "-U", "postgres", "-A",
                   "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                  dir_ / "initdb.log");
        if (code != 0)
            throw std::runtime_error("initdb failed (" + std::to_string(code) +
                                     "): " + slurp(dir_ / "initdb.log"));
        port_ = free_port();
        // Durability is PostgreSQL's own business, not these tests': no waits for the disk.
        pid_ = spawn_child(
            {(bindir_ / "postgres").string(), "-D", data.string(), "-p", std::to_string(port_),
             "-k", dir_.string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
             "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"},
            log);
        const std::string conninfo =
            "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
        for (int i = 0; i < 600; ++i) {
            admin_ = PQconnectdb(conninfo.c_str());
            if (PQstatus(admin_) == CONNECTION_OK) break;
            PQfinish(admin_);
            admin_ = nullptr;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("postgres exited at start: " + slurp(log));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!admin_) throw std::runtime_error("postgres did not start within 30 s: " + slurp(log));
        url_head_ = "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/";
        std::cout << "PostgreSQL test cluster on 127.0.0.1:" << port_ << " in " << dir_.string()
                  << std::endl;
    }

    // A server that is running already (SITEVISIT_TEST_PG_URL, a user who may create
    // databases): the databases are made there, named as the URL's with the test's instead.
    void use_server(const std::string& url) {
        admin_ = PQconnectdb(url.c_str());
        if (PQstatus(admin_) != CONNECTION_OK)
            throw std::runtime_error("SITEVISIT_TEST_PG_URL: " + trim(PQerrorMessage(admin_)));
        const auto query = url.find('?');
        const auto path = url.rfind('/', query);
        url_head_ = url.substr(0, path + 1);
        url_tail_ = query == std::string::npos ? "" : url.substr(query);
    }

    // Folders of clusters whose run ended without its cleanup (a test binary killed): their
    // postgres stopped with it, the files stay.
    static void sweep_stale() {
        std::error_code ec;
        for (fs::directory_iterator it("/tmp", ec), end; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (name.rfind("sitevisit-pg-", 0) != 0) continue;
            std::ifstream pidfile(it->path() / "data" / "postmaster.pid");
            long pid = 0;
            if (pidfile >> pid && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;
            // No server, and not made in the last minute (another run may be starting it).
            const auto age = fs::file_time_type::clock::now() - fs::last_write_time(it->path(), ec);
            if (!ec && age > std::chrono::minutes(1)) fs::remove_all(it->path(), ec);
        }
    }

    static fs::path bindir() {
        if (const char* b = std::getenv("SITEVISIT_PG_BINDIR"); b && *b) return b;
        std::unique_ptr<FILE, int (*)(FILE*)> p(::popen("pg_config --bindir", "r"), ::pclose);
        std::string out;
        char buf[512];
        while (p && std::fgets(buf, sizeof buf, p.get()))
            out += buf;
        out = trim(out);
        if (out.empty() || !fs::exists(fs::path(out) / "initdb"))
            throw std::runtime_error("no PostgreSQL server binaries (pg_config --bindir gave \"" +
                                     out + "\"): install postgresql-15 and libpq-dev");
        return out;
    }

    static std::string slurp(const fs::path& p) {
        std::ifstream f(p);
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    }

    static int free_port() {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = 0;
        ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        socklen_t len = sizeof addr;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ::close(fd);
            throw std::runtime_error("no free port for PostgreSQL");
        }
        ::close(fd);
        return ntohs(addr.sin_port);
    }

    // A child running `argv` as the postgres user (when root), its output to `log`; it stops
    // at once (SIGQUIT) when this process ends.
    pid_t spawn_child(const std::vector<std::string>& argv, const fs::path& log) {
        // Everything the child needs is made before the fork: it only calls what is safe there.
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid == 0) {
            int o = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            int n = ::open("/dev/null", O_RDONLY);
            ::dup2(n, 0);
            ::dup2(o, 1);
            ::dup2(o, 2);
            if (as_postgres_ &&
                (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0))
                _exit(126);
            ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
            ::execv(args[0], args.data());
            _exit(127);
        }
        return pid;
    }

    // As spawn_child(), waiting for it to finish: its exit code.
    int spawn(const std::vector<std::string>& argv, const fs::path& log) {
        const pid_t pid = spawn_child(argv, log);
        int status = 0;
        ::waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    void exec(const std::string& sql) {
        PGresult* r = PQexec(admin_, sql.c_str());
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        const std::string why = trim(PQresultErrorMessage(r));
        PQclear(r);
        if (!ok) throw std::runtime_error(sql + ": " + why);
    }

    fs::path bindir_, dir_;
    bool as_postgres_ = false;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    pid_t pid_ = -1;
    int port_ = 0;
    PGconn* admin_ = nullptr;
    std::string url_head_, url_tail_; // a database's URL: head + name + tail
    std::mutex mutex_;
    int databases_ = 0;
};

} // namespace

ServerProcess::ServerProcess() {
    static std::mt19937_64 rng(std::random_device{}());
    root_ = fs::temp_directory_path() /
            ("sitevisit-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(rng()));
    data_ = root_ / "data";
    fs::create_directories(root_);
    if (on_postgresql()) {
        std::string name;
        store_url_ = PgCluster::get().new_database(&name);
        owns_database_ = true;
    }
}

void ServerProcess::renew_database() {
    if (store_url_.empty()) return;
    if (owns_database_) PgCluster::get().drop(store_url_.substr(store_url_.rfind('/') + 1));
    std::string name;
    store_url_ = PgCluster::get().new_database(&name);
    owns_database_ = true;
}

void ServerProcess::share_store_of(const ServerProcess& other) {
    if (owns_database_) PgCluster::get().drop(store_url_.substr(store_url_.rfind('/') + 1));
    owns_database_ = false;
    data_ = other.data_;
    store_url_ = other.store_url_;
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) kill9();
    std::error_code ec;
    fs::remove_all(root_, ec);
    if (owns_database_) PgCluster::get().drop(store_url_.substr(store_url_.rfind('/') + 1));
}

void store_sql(const ServerProcess& server, const std::string& sql) {
    if (server.store_url().empty()) {
        auto db = Database::open((server.data() / "server.db").string());
        if (!db) throw std::runtime_error(db.error().message);
        (*db)->exec(sql);
        return;
    }
    PGconn* c = PQconnectdb(server.store_url().c_str());
    PGresult* r = PQexec(c, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    const std::string why = trim(PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    if (!ok) throw std::runtime_error(sql + ": " + why);
}

std::vector<std::string> ServerProcess::store_args() const {
    std::vector<std::string> out{"--data", data_.string()};
    if (!store_url_.empty()) {
        out.push_back("--store");
        out.push_back(store_url_);
    }
    return out;
}

namespace {

Run run_process(const std::vector<std::string>& argv, const std::string& stdin_text,
                const fs::path& dir) {
    const fs::path in = dir / "stdin.txt", out = dir / "stdout.txt", err = dir / "stderr.txt";
    std::ofstream(in) << stdin_text;
    pid_t pid = ::fork();
    if (pid == 0) {
        int i = ::open(in.c_str(), O_RDONLY),
            o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644),
            e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(i, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    auto slurp = [](const fs::path& p) {
        std::ifstream f(p);
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    };
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out),
            slurp(err)};
}

} // namespace

Run run(const std::vector<std::string>& argv, const std::string& stdin_text) {
    static std::mt19937_64 rng(std::random_device{}());
    const fs::path dir =
        fs::temp_directory_path() /
        ("sitevisit-run-" + std::to_string(::getpid()) + "-" + std::to_string(rng()));
    fs::create_directories(dir);
    Run r = run_process(argv, stdin_text, dir);
    std::error_code ec;
    fs::remove_all(dir, ec);
    return r;
}

Run ServerProcess::admin(const std::vector<std::string>& args,
                         const std::string& stdin_text) const {
    std::vector<std::string> argv{server_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const auto& a : store_args())
        argv.push_back(a);
    return run_process(argv, stdin_text, root_);
}

void ServerProcess::start(const std::vector<std::string>& extra) {
    const fs::path out = root_ / "serve.out", err = root_ / "serve.err";
    std::error_code ec;
    fs::remove(out, ec);
    pid_ = ::fork();
    if (pid_ == 0) {
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        // The first start asks for port 0 (the kernel picks a free one, no probing); a restart
        // keeps the port the server had, as a real server would, so devices find it again.
        std::vector<std::string> argv{server_binary(), "serve", "--listen",
                                      "127.0.0.1:" + std::to_string(port_)};
        for (const auto& a : store_args())
            argv.push_back(a);
        argv.insert(argv.end(), extra.begin(), extra.end());
        std::vector<char*> args;
        for (auto& a : argv)
            args.push_back(a.data());
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        _exit(127);
    }
    // Ready when it prints "sitevisit-server listening on http[s]://HOST:PORT" (a whole line:
    // the port it reads back is the one the server bound).
    const std::string ready = "sitevisit-server listening on http";
    for (int i = 0; i < 1000; ++i) {
        std::ifstream f(out);
        std::string line;
        if (std::getline(f, line) && !f.eof() && line.rfind(ready, 0) == 0) {
            port_ = std::stoi(line.substr(line.rfind(':') + 1));
            return;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("sitevisit-server exited at start: " + stderr_text());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("sitevisit-server did not start within 10 s: " + stderr_text());
}

int ServerProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::signal_term() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
}

void ServerProcess::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string ServerProcess::stderr_text() const {
    std::ifstream f(root_ / "serve.err");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string ServerProcess::stdout_text() const {
    std::ifstream f(root_ / "serve.out");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

Response login_request(const Http& http, const std::string& email, const std::string& password,
                       const std::string& device, const std::string& device_secret) {
    Json body{{"email", email}, {"password", password}, {"device", device}};
    if (!device_secret.empty()) body["device_secret"] = device_secret;
    return http.request("POST", "/v1/auth/login", body.dump());
}

std::string login(const Http& http, const std::string& email, const std::string& password,
                  const std::string& device) {
    auto r =
        http.request("POST", "/v1/auth/login",
                     Json{{"email", email}, {"password", password}, {"device", device}}.dump());
    if (r.status != 200)
        throw std::runtime_error("sign-in of " + email + " failed (" + std::to_string(r.status) +
                                 "): " + r.body);
    return r.json().value("token", "");
}

} // namespace sitevisit::e2e

namespace sitevisit::e2e {

FaultProxy::FaultProxy(int server_port) : server_port_(server_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listener_, 16);
    thread_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (thread_.joinable()) thread_.join();
    for (auto& w : workers_)
        if (w.joinable()) w.join();
}

void FaultProxy::fault(Fault f, int bytes, int delay_ms) {
    std::lock_guard lock(mutex_);
    queue_.assign(1, Pending{f, bytes, delay_ms});
    budget_ = bytes;
    budget_active_ = f == Fault::Budget; // applies to connections already open, too
}

void FaultProxy::accept_loop() {
    while (!stop_) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int client = ::accept(listener_, nullptr, nullptr);
        if (client < 0) continue;
        Pending next{Fault::Pass, 0, 0};
        {
            std::lock_guard lock(mutex_);
            if (!queue_.empty()) next = queue_.front();
        }
        ++connections_;
        workers_.emplace_back([this, client, next] { serve(client, next); });
    }
}

void FaultProxy::serve(int client, Pending p) {
    int upstream = connect_to(server_port_);
    if (upstream < 0) {
        ::close(client);
        return;
    }
    char buf[16384];
    std::size_t sent_up = 0;
    bool cut = false;
    while (!stop_ && !cut) {
        pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
        if (::poll(fds, 2, 50) <= 0) continue;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::recv(client, buf, sizeof buf, 0);
            if (n <= 0) break;
            std::size_t give = static_cast<std::size_t>(n);
            if (p.fault == Fault::CutRequest &&
                sent_up + give >= static_cast<std::size_t>(p.bytes)) {
                give = static_cast<std::size_t>(p.bytes) - sent_up;
                cut = true;
            }
            if (budget_active_) {
                const long long left = budget_.fetch_sub(static_cast<long long>(give));
                if (left < static_cast<long long>(give)) {
                    give = static_cast<std::size_t>(std::max(0LL, left));
                    cut = true;
                }
            }
            if (give > 0 && !send_all(upstream, std::string(buf, give))) break;
            sent_up += give;
            bytes_up_ += static_cast<long long>(give);
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::recv(upstream, buf, sizeof buf, 0);
            if (n <= 0) break;
            bytes_down_ += n;
            if (p.fault == Fault::LoseReply) {
                // The server committed and answered; the device never hears it.
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                break;
            }
            if (p.fault == Fault::Slow) {
                for (ssize_t off = 0; off < n; off += 256) {
                    if (!send_all(client,
                                  std::string(buf + off, static_cast<std::size_t>(
                                                             std::min<ssize_t>(256, n - off)))))
                        break;
                    std::this_thread::sleep_for(std::chrono::milliseconds(p.delay_ms));
                }
            } else if (!send_all(client, std::string(buf, static_cast<std::size_t>(n)))) {
                break;
            }
        }
    }
    ::shutdown(client, SHUT_RDWR);
    ::shutdown(upstream, SHUT_RDWR);
    ::close(client);
    ::close(upstream);
}

} // namespace sitevisit::e2e
