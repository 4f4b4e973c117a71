// server_bench: sitevisit-server over real HTTP on loopback, beside raw SQLite in the same run.
//   push throughput: D devices pushing batches of B observation changes at once, as a share
//   of raw SQLite and with p99 in rounds; the same with random (v4) ids beside time-ordered;
//   each of these R times (--repeat, 3), each time beside its own raw baseline, and the medians
//   pull: a new device pulling the whole school (the pushed changes) from seq 0
//   incremental pull: 10 new changes pulled from a store of S changes vs one of 10,000
//   blob upload: a 50 MB file in 4 MB tus chunks
//   decoding a push body of many small objects ("{}" x N), beside a plain parse of the same
//   bytes: the server's decoder must stay linear in the body's size
//   small requests: 2,000 GET /v1/health one after another (the per-request cost of the
//   listener, the gate, the request log line and, with --server-arg, the metrics)
//   with --postgresql (a cluster of its own) or --store URL, first the push and pull figures of
//   SQLite and PostgreSQL side by side in the same run, and of two servers on PostgreSQL; then
//   the rest on PostgreSQL (--stores-only stops after the first part)
// Usage: server_bench [--devices 20] [--batches 10] [--batch 500] [--repeat 3]
//                     [--big-changes 1000000]
//                     [--server-arg ARG]... (more flags for `serve`, e.g. --metrics-listen)
//                     [--postgresql | --store postgresql://USER@HOST:PORT/DB] [--stores-only]
#include "harness.h"
#include "sitevisit/core/database.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/protocol/messages.h"
#include "sitevisit/server/crypto.h"
#include "sitevisit/server/metrics.h"
#include "sitevisit/server/service.h"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <random>
#include <sstream>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace sitevisit;
using namespace sitevisit::e2e;
using Steady = std::chrono::steady_clock;

namespace {

double ms_since(Steady::time_point t0) {
    return std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

std::mutex id_mutex;
std::string new_id() {
    static UuidV7Generator gen(SystemClock::instance());
    std::lock_guard lock(id_mutex);
    return gen.next();
}

// A random (version 4) UUID, which SYNC.md lets a device use for ids and op ids.
std::string new_v4_id() {
    static std::mt19937_64 rng(7);
    std::lock_guard lock(id_mutex);
    const std::uint64_t hi = (rng() & ~0xf000ULL) | 0x4000ULL;
    const std::uint64_t lo = (rng() & ~(3ULL << 62)) | (2ULL << 62);
    char out[37];
    std::snprintf(out, sizeof out, "%08llx-%04llx-%04llx-%04llx-%012llx",
                  static_cast<unsigned long long>(hi >> 32),
                  static_cast<unsigned long long>((hi >> 16) & 0xffff),
                  static_cast<unsigned long long>(hi & 0xffff),
                  static_cast<unsigned long long>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return out;
}

// Which ids the devices make for their rows and ops.
enum class Ids { TimeOrdered, Random };
std::string make_id(Ids ids) {
    return ids == Ids::Random ? new_v4_id() : new_id();
}

Json change(const std::string& entity, const std::string& id, const std::string& school,
            Json fields, std::int64_t dseq, const std::string& device, Ids ids = Ids::TimeOrdered) {
    return {{"op", make_id(ids)},
            {"entity", entity},
            {"id", id},
            {"school", school},
            {"kind", "upsert"},
            {"fields", fields},
            {"hlc",
             Hlc{SystemClock::instance().now_ms(), static_cast<std::uint32_t>(dseq % 60000), device}
                 .to_string()},
            {"base", 0},
            {"dseq", dseq},
            {"schema", 1}};
}

std::vector<std::string> serve_args; // --server-arg

// CPU time a process has used (user and system), from /proc; 0 when it cannot be read.
// With `of`, `pid` is a thread of that process.
double cpu_seconds(pid_t pid, pid_t of = 0) {
    std::ifstream in(of ? "/proc/" + std::to_string(of) + "/task/" + std::to_string(pid) + "/stat"
                        : "/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')'); // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    double utime = 0, stime = 0;
    for (int i = 3; fields >> f; ++i) { // field 3 is the state; 14 and 15 the times
        if (i == 14) utime = std::atof(f.c_str());
        if (i == 15) {
            stime = std::atof(f.c_str());
            break;
        }
    }
    return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// CPU seconds of each thread of a process, by thread id.
std::map<std::string, double> thread_cpu_seconds(pid_t pid) {
    std::map<std::string, double> out;
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    for (const auto& t : std::filesystem::directory_iterator(tasks, ec)) {
        const std::string tid = t.path().filename().string();
        out[tid] = cpu_seconds(static_cast<pid_t>(std::stol(tid)), pid);
    }
    return out;
}

struct Fleet {
    ServerProcess server;
    std::unique_ptr<ServerProcess> second; // on one PostgreSQL store with `server`
    std::string school;
    std::vector<std::string> tokens;
    std::vector<std::int64_t> dseq;
    std::vector<std::string> visits;
    Ids ids = Ids::TimeOrdered;
    int failed = 0;         // pushes not answered 200 (each is also printed once)
    double server_cpu = 0;  // CPU seconds the server used in the last push_all
    double busiest_cpu = 0; // of which its busiest thread (the push writer)

    explicit Fleet(int devices, Ids id_kind = Ids::TimeOrdered) : ids(id_kind) {
        auto r = server.admin({"demo"});
        if (r.code != 0) throw std::runtime_error(r.err);
        server.start(serve_args);
        auto ex = server.admin({"export", "--user", "admin@demo.sitevisit"});
        Json rows = Json::parse(ex.out)["rows"];
        for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
            if (it.value()["fields"]["code"] == "00350123") school = it.key();
        Http http = server.http();
        for (int d = 0; d < devices; ++d) {
            const std::string device = "bench-" + std::to_string(d);
            tokens.push_back(login(http, "lead@demo.sitevisit", "lead-demo-2026", device));
            visits.push_back(new_id());
            Json v = change("visit", visits.back(), school,
                            {{"kind", "walkthrough"},
                             {"rubric", "msv-2026-2027-elementary"},
                             {"start_date", "2026-11-23"}},
                            1, device);
            auto p = http.request("POST", "/v1/sync/push",
                                  Json{{"device", device}, {"ops", Json::array({v})}}.dump(),
                                  bearer(tokens.back()));
            if (p.status != 200) throw std::runtime_error("push failed: " + p.body);
            dseq.push_back(1);
        }
    }

    // A second server on the same store: odd devices push to it from now on.
    void add_second_server() {
        second = std::make_unique<ServerProcess>();
        second->share_store_of(server);
        second->start(serve_args);
    }

    std::string body(int d, int n) {
        const std::string device = "bench-" + std::to_string(d);
        Json ops = Json::array();
        for (int i = 0; i < n; ++i)
            ops.push_back(change("observation", make_id(ids), school,
                                 {{"visit", visits[d]},
                                  {"indicator", "msv-2026-2027-elementary/2.1"},
                                  {"rating", i % 4},
                                  {"note", "Observed in room " + std::to_string(i)},
                                  {"source", "classroom_observation"}},
                                 ++dseq[d], device, ids));
        return Json{{"device", device}, {"ops", ops}}.dump();
    }

    // Every device pushes `batches` batches of `batch` changes at once.
    void push_all(int batches, int batch, std::vector<double>* latencies, double* seconds) {
        const int devices = static_cast<int>(tokens.size());
        std::vector<std::vector<std::string>> bodies(devices);
        for (int d = 0; d < devices; ++d)
            for (int b = 0; b < batches; ++b)
                bodies[d].push_back(body(d, batch));
        std::mutex m;
        std::atomic<int> failures{0};
        const double cpu0 = cpu_seconds(server.pid());
        const auto threads0 = thread_cpu_seconds(server.pid());
        auto t0 = Steady::now();
        std::vector<std::thread> threads;
        for (int d = 0; d < devices; ++d)
            threads.emplace_back([&, d] {
                Http http = second && d % 2 ? second->http() : server.http();
                for (const auto& b : bodies[d]) {
                    auto t = Steady::now();
                    auto r = http.request("POST", "/v1/sync/push", b, bearer(tokens[d]), 120000);
                    const double ms = ms_since(t);
                    std::lock_guard lock(m);
                    if (r.status != 200 && failures++ < 3)
                        std::printf("  a push failed: %d %s\n", r.status,
                                    r.body.substr(0, 200).c_str());
                    if (latencies) latencies->push_back(ms);
                }
            });
        for (auto& t : threads)
            t.join();
        if (seconds) *seconds = ms_since(t0) / 1000.0;
        server_cpu = cpu_seconds(server.pid()) - cpu0;
        busiest_cpu = 0;
        for (const auto& [tid, cpu] : thread_cpu_seconds(server.pid())) {
            auto before = threads0.find(tid);
            busiest_cpu =
                std::max(busiest_cpu, cpu - (before == threads0.end() ? 0 : before->second));
        }
        failed += failures.load();
    }

    // Pulls from `since` until done; returns the number of ops and the new cursor.
    std::pair<std::size_t, std::int64_t> pull(const std::string& token, std::int64_t since,
                                              int limit) {
        Http http = server.http();
        std::size_t n = 0;
        for (;;) {
            auto r = http.request("GET",
                                  "/v1/sync/pull?since=" + std::to_string(since) +
                                      "&limit=" + std::to_string(limit),
                                  {}, bearer(token), 120000);
            if (r.status != 200) throw std::runtime_error("pull failed: " + r.body);
            Json j = Json::parse(r.body);
            n += j["ops"].size();
            since = j["cursor"];
            if (!j["more"].get<bool>()) break;
        }
        return {n, since};
    }

    // Median time of: one device pushes 10 changes, another pulls just those.
    double incremental_ms(int reps) {
        Http http = server.http();
        const std::string reader =
            login(http, "lead@demo.sitevisit", "lead-demo-2026", "reader-" + std::to_string(reps));
        auto [n, cursor] = pull(reader, server_last_seq(http, reader), 5000);
        (void)n;
        std::vector<double> times;
        for (int i = 0; i < reps; ++i) {
            auto b = body(0, 10);
            if (http.request("POST", "/v1/sync/push", b, bearer(tokens[0])).status != 200)
                throw std::runtime_error("push");
            auto t = Steady::now();
            auto [got, next] = pull(reader, cursor, 1000);
            times.push_back(ms_since(t));
            if (got != 10) throw std::runtime_error("incremental pull got " + std::to_string(got));
            cursor = next;
        }
        return percentile(times, 0.5);
    }

    // The cursor at the end of the log: a push of nothing answers it.
    std::int64_t server_last_seq(const Http& http, const std::string& token) {
        const std::string device = login(http, "lead@demo.sitevisit", "lead-demo-2026", "probe");
        (void)token;
        auto r =
            http.request("POST", "/v1/sync/push",
                         Json{{"device", "probe"}, {"ops", Json::array()}}.dump(), bearer(device));
        return Json::parse(r.body)["cursor"];
    }
};

double raw_sqlite_rows_per_s(std::size_t rows, int batch) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("server-bench-raw-" + std::to_string(::getpid()) + ".db");
    auto db = std::move(Database::open(path.string())).value();
    db->exec("CREATE TABLE changes (seq INTEGER PRIMARY KEY, op TEXT, entity TEXT, row_id TEXT, "
             "school TEXT, fields TEXT, hlc TEXT)");
    const std::string fields =
        R"({"visit":"01a20852-4e8c-74d3-bdbc-f897d1e6c13c","indicator":"msv-2026-2027-elementary/2.1","rating":2,"note":"Observed in room 7","source":"classroom_observation"})";
    auto t0 = Steady::now();
    std::int64_t seq = 0;
    for (std::size_t i = 0; i < rows; i += static_cast<std::size_t>(batch)) {
        Transaction tx(*db);
        auto& st =
            db->cached("INSERT INTO changes VALUES (?, ?, 'observation', ?, 'school', ?, 'hlc')");
        for (int k = 0; k < batch; ++k) {
            st.bind(1, ++seq).bind(2, new_id()).bind(3, new_id()).bind(4, fields);
            st.run();
        }
        tx.commit();
    }
    const double s = ms_since(t0) / 1000.0;
    db.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path.string() + suffix);
    return static_cast<double>(rows) / s;
}

} // namespace

// Pulls held open at the server: `n` connections, each with GET /v1/sync/pull?wait=60 sent,
// from 127.0.0.2 and up (the server lets one address hold at most 256 connections).
struct HeldPulls {
    std::vector<int> fds;
    HeldPulls(int port, const std::vector<std::string>& tokens, std::int64_t since, int n) {
        rlimit lim{};
        if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
            lim.rlim_cur = lim.rlim_max;
            ::setrlimit(RLIMIT_NOFILE, &lim);
        }
        for (int i = 0; i < n; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw std::runtime_error("cannot open a socket for a held pull");
            sockaddr_in from{};
            from.sin_family = AF_INET;
            from.sin_addr.s_addr = htonl(0x7f000002 + static_cast<std::uint32_t>(i / 200));
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_port = htons(static_cast<std::uint16_t>(port));
            to.sin_addr.s_addr = htonl(0x7f000001);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
                ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
                ::close(fd);
                throw std::runtime_error("cannot connect a held pull");
            }
            const std::string request =
                "GET /v1/sync/pull?since=" + std::to_string(since) +
                "&wait=60 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                tokens[static_cast<std::size_t>(i) % tokens.size()] + "\r\n\r\n";
            if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(request.size()))
                throw std::runtime_error("cannot send a held pull");
            fds.push_back(fd);
        }
    }
    // Connections that have had no answer yet.
    int still_waiting() const {
        int n = 0;
        for (int fd : fds) {
            char c;
            const ssize_t got = ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ++n;
        }
        return n;
    }
    ~HeldPulls() {
        for (int fd : fds)
            ::close(fd);
    }
};

// One store's push and pull figures: `devices` devices push `batches` batches at once, then a
// new device pulls everything; with `two_servers`, odd devices push to a second server on the
// same store.
struct StoreFigures {
    double push_rate = 0, p50 = 0, p99 = 0, pull_rate = 0;
    int failed = 0;
};

StoreFigures measure_store(bool postgresql, bool two_servers, int devices, int batches, int batch) {
    if (postgresql)
        ::setenv("SITEVISIT_TEST_STORE", "postgresql", 1);
    else
        ::unsetenv("SITEVISIT_TEST_STORE");
    StoreFigures f;
    {
        Fleet fleet(devices);
        if (two_servers) fleet.add_second_server();
        std::vector<double> latencies;
        double seconds = 0;
        fleet.push_all(batches, batch, &latencies, &seconds);
        f.push_rate = static_cast<double>(devices) * batches * batch / seconds;
        f.p50 = percentile(latencies, 0.5);
        f.p99 = percentile(latencies, 0.99);
        f.failed = fleet.failed;
        const std::string fresh =
            login(fleet.server.http(), "lead@demo.sitevisit", "lead-demo-2026", "fresh-device");
        auto t0 = Steady::now();
        auto [pulled, cursor] = fleet.pull(fresh, 0, 5000);
        (void)cursor;
        f.pull_rate = static_cast<double>(pulled) / (ms_since(t0) / 1000.0);
    }
    ::setenv("SITEVISIT_TEST_STORE", "postgresql", 1);
    return f;
}

// SQLite and PostgreSQL one after the other in this run, then two servers on PostgreSQL.
void stores_side_by_side(int devices, int batches, int batch) {
    std::printf("stores side by side: %d devices x %d batches x %d changes, then a new device "
                "pulls everything\n",
                devices, batches, batch);
    const StoreFigures lite = measure_store(false, false, devices, batches, batch);
    const StoreFigures pg = measure_store(true, false, devices, batches, batch);
    const StoreFigures pg2 = measure_store(true, true, devices, batches, batch);
    auto line = [](const char* name, const StoreFigures& f) {
        std::printf("  %-28s push %6.0f changes/s, p50 %5.0f ms, p99 %5.0f ms, %d failed; pull "
                    "to an empty device %6.0f changes/s\n",
                    name, f.push_rate, f.p50, f.p99, f.failed, f.pull_rate);
    };
    line("SQLite", lite);
    line("PostgreSQL", pg);
    line("PostgreSQL, two servers", pg2);
    std::printf("  PostgreSQL / SQLite: push %.2f (target at least 0.5), pull %.2f; two servers "
                "/ one on PostgreSQL: push %.2f\n\n",
                pg.push_rate / lite.push_rate, pg.pull_rate / lite.pull_rate,
                pg2.push_rate / pg.push_rate);
}

int main(int argc, char** argv) {
    int devices = 20, batches = 10, batch = 500, repeat = 3;
    std::int64_t big = 0;
    bool stores_only = false, push_only = false;
    for (int i = 1; i < argc; ++i) {
        auto arg = [&](const char* n) { return !std::strcmp(argv[i], n) && i + 1 < argc; };
        if (arg("--devices"))
            devices = std::max(1, std::atoi(argv[++i]));
        else if (arg("--batches"))
            batches = std::max(1, std::atoi(argv[++i]));
        else if (arg("--batch"))
            batch = std::max(1, std::atoi(argv[++i]));
        else if (arg("--repeat"))
            repeat = std::max(1, std::atoi(argv[++i]));
        else if (arg("--big-changes"))
            big = std::atoll(argv[++i]);
        else if (arg("--server-arg"))
            serve_args.push_back(argv[++i]);
        else if (arg("--store")) {
            // Each server of the bench gets a database of its own on that PostgreSQL server.
            ::setenv("SITEVISIT_TEST_STORE", "postgresql", 1);
            ::setenv("SITEVISIT_TEST_PG_URL", argv[++i], 1);
        } else if (!std::strcmp(argv[i], "--postgresql")) {
            // A PostgreSQL cluster of the bench's own (postgresql-15), as the tests start.
            ::setenv("SITEVISIT_TEST_STORE", "postgresql", 1);
        } else if (!std::strcmp(argv[i], "--stores-only")) {
            stores_only = true;
        } else if (!std::strcmp(argv[i], "--push-only")) {
            push_only = true; // the pushes beside raw SQLite, v7 and v4 ids; nothing after
        } else {
            std::cerr
                << "usage: server_bench [--devices N] [--batches N] [--batch N] [--repeat N] "
                   "[--big-changes N] [--server-arg ARG]... [--push-only] [--postgresql | --store "
                   "postgresql://USER@HOST:PORT/DB [--stores-only]]\n";
            return 2;
        }
    }
    // On PostgreSQL: both stores' push and pull figures in this run first.
    if (on_postgresql()) {
        try {
            stores_side_by_side(devices, batches, batch);
        } catch (const std::exception& e) {
            std::cerr << "server_bench: " << e.what() << "\n";
            return 1;
        }
        if (stores_only) return 0;
    }
    try {
        const std::size_t total = static_cast<std::size_t>(devices) * batches * batch;
        std::printf("server_bench: %d devices x %d batches x %d changes = %zu changes, server %s, "
                    "store %s\n\n",
                    devices, batches, batch, total, server_binary().c_str(),
                    on_postgresql() ? std::getenv("SITEVISIT_TEST_PG_URL") : "SQLite");

        // The machine's speed drifts from second to second (a shared virtual machine), so the
        // pushes are measured `repeat` times, each round beside its own raw SQLite baseline, and
        // the figures the targets name are the medians of the rounds' figures.
        std::vector<double> shares, p99_rounds, v7_v4s, rates;
        std::unique_ptr<Fleet> fleet;
        for (int round = 1; round <= repeat; ++round) {
            std::printf("round %d of %d\n", round, repeat);
            const double raw = raw_sqlite_rows_per_s(total, batch);
            std::printf("raw SQLite baseline: prepared INSERT of %zu change rows in batches of %d: "
                        "%.0f rows/s\n",
                        total, batch, raw);

            fleet.reset(); // the last round's server stops before this round measures
            fleet = std::make_unique<Fleet>(devices);
            std::vector<double> latencies;
            double seconds = 0;
            fleet->push_all(batches, batch, &latencies, &seconds);
            const double rate = total / seconds;
            std::printf("push: %zu changes in %.2f s = %.0f changes/s accepted; per push of %d: "
                        "p50 %.0f ms, p99 %.0f ms\n",
                        total, seconds, rate, batch, percentile(latencies, 0.5),
                        percentile(latencies, 0.99));
            // A round: every device's batch once. With first come, first served a push waits
            // for about one round; p99 in rounds says how far from that the slowest pushes are.
            const double round_ms = seconds * 1000.0 / batches;
            std::printf("push: %.1f%% of raw SQLite (target at least 10%%); one round of %d "
                        "batches %.0f ms, p99 %.2f rounds (target at most 1.5); %d pushes failed\n",
                        100.0 * rate / raw, devices, round_ms,
                        percentile(latencies, 0.99) / round_ms, fleet->failed);
            std::printf(
                "push: the server used %.2f s of CPU, %.1f us a change; its busiest thread (the "
                "push writer) %.2f s, %.1f us a change, busy %.0f%% of the pushes\n",
                fleet->server_cpu, fleet->server_cpu * 1e6 / static_cast<double>(total),
                fleet->busiest_cpu, fleet->busiest_cpu * 1e6 / static_cast<double>(total),
                100.0 * fleet->busiest_cpu / seconds);

            // The same pushes with random (v4) ids and op ids, on a fresh server.
            Fleet random(devices, Ids::Random);
            std::vector<double> v4_latencies;
            double v4_seconds = 0;
            random.push_all(batches, batch, &v4_latencies, &v4_seconds);
            const double v4_rate = total / v4_seconds;
            std::printf("push with random v4 ids: %.0f changes/s, p99 %.0f ms (%.2f rounds); "
                        "time-ordered v7 ids %.0f changes/s; v7 / v4 = %.2f (target at most "
                        "1.5); %d pushes failed\n",
                        v4_rate, percentile(v4_latencies, 0.99),
                        percentile(v4_latencies, 0.99) / (v4_seconds * 1000.0 / batches), rate,
                        rate / v4_rate, random.failed);
            std::printf("push with random v4 ids: the server used %.1f us a change; the push "
                        "writer %.1f us a change, busy %.0f%% of the pushes\n\n",
                        random.server_cpu * 1e6 / static_cast<double>(total),
                        random.busiest_cpu * 1e6 / static_cast<double>(total),
                        100.0 * random.busiest_cpu / v4_seconds);
            shares.push_back(100.0 * rate / raw);
            p99_rounds.push_back(percentile(latencies, 0.99) / round_ms);
            v7_v4s.push_back(rate / v4_rate);
            rates.push_back(rate);
        }
        auto each = [](const std::vector<double>& v, const char* format) {
            std::string out;
            for (double x : v) {
                char b[32];
                std::snprintf(b, sizeof b, format, x);
                out += out.empty() ? b : std::string(", ") + b;
            }
            return out;
        };
        auto median = [](std::vector<double> v) {
            std::sort(v.begin(), v.end());
            const std::size_t n = v.size();
            return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        };
        std::printf("push, median of %d rounds: %.1f%% of raw SQLite (target at least 10%%; "
                    "rounds %s); p99 %.2f rounds (target at most 1.5; rounds %s); v7 / v4 %.2f "
                    "(target at most 1.5; rounds %s)\n",
                    repeat, median(shares), each(shares, "%.1f%%").c_str(), median(p99_rounds),
                    each(p99_rounds, "%.2f").c_str(), median(v7_v4s), each(v7_v4s, "%.2f").c_str());
        const double rate = median(rates);
        if (push_only) return 0;

        // The same pushes with 1,000 pulls held open by devices of another school (a principal
        // at Bayside): they must not slow the pushes.
        {
            Fleet crowd(devices);
            Http h = crowd.server.http();
            std::vector<std::string> tokens;
            for (int i = 0; i < 10; ++i)
                tokens.push_back(login(h, "principal2@demo.sitevisit", "principal2-demo-2026",
                                       "waiting-" + std::to_string(i)));
            auto [n0, since] = crowd.pull(tokens[0], 0, 5000);
            (void)n0;
            for (std::size_t i = 1; i < tokens.size(); ++i)
                crowd.pull(tokens[i], 0, 5000);
            HeldPulls held(crowd.server.port(), tokens, since, 1000);
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            const int before = held.still_waiting();
            std::vector<double> held_latencies;
            double held_seconds = 0;
            crowd.push_all(batches, batch, &held_latencies, &held_seconds);
            const double held_rate = total / held_seconds;
            std::printf("push with %d pulls held open (devices of another school): %.0f "
                        "changes/s, p99 %.0f ms; without %.0f changes/s; ratio %.2f; %d still "
                        "held after the pushes; %d pushes failed\n",
                        before, held_rate, percentile(held_latencies, 0.99), rate, held_rate / rate,
                        held.still_waiting(), crowd.failed);
        }

        Http http = fleet->server.http();
        const std::string fresh =
            login(http, "lead@demo.sitevisit", "lead-demo-2026", "fresh-device");
        auto t0 = Steady::now();
        auto [pulled, cursor] = fleet->pull(fresh, 0, 5000);
        const double pull_s = ms_since(t0) / 1000.0;
        (void)cursor;
        std::printf("pull to an empty device: %zu changes in %.2f s = %.0f changes/s\n", pulled,
                    pull_s, pulled / pull_s);

        // Small requests, one after another: what each request costs beyond its handler.
        {
            const int n = 2000;
            auto t = Steady::now();
            for (int i = 0; i < n; ++i)
                if (http.request("GET", "/v1/health").status != 200)
                    throw std::runtime_error("health");
            const double s = ms_since(t) / 1000.0;
            std::printf("small requests: %d GET /v1/health in %.2f s = %.0f requests/s\n", n, s,
                        n / s);
        }

        // Incremental pull: this store against a small one.
        const double here = fleet->incremental_ms(20);
        std::int64_t here_changes = static_cast<std::int64_t>(total);
        if (big > here_changes) {
            const int more_batches = static_cast<int>((big - here_changes) /
                                                      (static_cast<std::int64_t>(devices) * batch));
            double s = 0;
            fleet->push_all(more_batches, batch, nullptr, &s);
            here_changes += static_cast<std::int64_t>(more_batches) * devices * batch;
            std::printf("(grew the store to %lld changes in %.1f s)\n",
                        static_cast<long long>(here_changes), s);
        }
        const double big_ms = big > 0 ? fleet->incremental_ms(20) : here;
        Fleet small(devices);
        small.push_all(1, 10000 / devices, nullptr, nullptr);
        const double small_ms = small.incremental_ms(20);
        std::printf("incremental pull of 10 changes: %.2f ms from %lld changes, %.2f ms from "
                    "10,000; ratio %.2f (target under 1.5)\n",
                    big_ms, static_cast<long long>(here_changes), small_ms, big_ms / small_ms);

        // Blob upload.
        std::string bytes(50 * 1024 * 1024, '\0');
        std::mt19937_64 rng(1);
        for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
            std::uint64_t v = rng();
            std::memcpy(&bytes[i], &v, 8);
        }
        const std::string sha = server::sha256_hex(bytes);
        const std::string principal =
            login(http, "principal@demo.sitevisit", "principal-demo-2026", "blob-bench");
        static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string meta;
        {
            int val = 0, bits = -6;
            for (unsigned char c : sha) {
                val = (val << 8) + c;
                bits += 8;
                while (bits >= 0) {
                    meta.push_back(b64[(val >> bits) & 0x3f]);
                    bits -= 6;
                }
            }
            if (bits > -6) meta.push_back(b64[((val << 8) >> (bits + 8)) & 0x3f]);
            while (meta.size() % 4)
                meta.push_back('=');
        }
        auto headers = bearer(principal);
        headers.emplace_back("Tus-Resumable", "1.0.0");
        auto t1 = Steady::now();
        auto created = http.request("POST", "/v1/blobs", {}, [&] {
            auto h = headers;
            h.emplace_back("Upload-Length", std::to_string(bytes.size()));
            h.emplace_back("Upload-Metadata", "sha256 " + meta);
            return h;
        }());
        if (created.status != 201) throw std::runtime_error("blob create: " + created.body);
        const std::size_t chunk = 4 * 1024 * 1024;
        for (std::size_t off = 0; off < bytes.size(); off += chunk) {
            auto h = headers;
            h.emplace_back("Upload-Offset", std::to_string(off));
            h.emplace_back("Content-Type", "application/offset+octet-stream");
            auto r = http.request("PATCH", "/v1/blobs/" + sha, bytes.substr(off, chunk), h, 120000);
            if (r.status != 204)
                throw std::runtime_error("blob patch: " + std::to_string(r.status) + " " + r.body);
        }
        const double blob_s = ms_since(t1) / 1000.0;
        std::printf("blob upload: 50 MB in 4 MB chunks in %.2f s = %.1f MB/s (SHA-256 checked at "
                    "the end)\n",
                    blob_s, 50.0 / blob_s);

        // What each answered request adds, in this process: counting it and its JSON log line
        // written to a file, as the server's answered hook does.
        {
            server::Metrics metrics;
            server::HttpRequest request;
            request.method = "POST";
            request.path = "/v1/sync/push";
            request.request_id = "0123456789abcdef";
            server::Caller caller;
            caller.user.id = new_id();
            request.context = caller;
            const auto log_path = std::filesystem::temp_directory_path() /
                                  ("server-bench-log-" + std::to_string(::getpid()) + ".log");
            const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            auto observe = server::request_observer(&metrics, [fd](const std::string& line) {
                const std::string whole = line + "\n";
                if (::write(fd, whole.data(), whole.size()) < 0) std::abort();
            });
            const int n = 200000;
            auto t = Steady::now();
            for (int i = 0; i < n; ++i)
                observe(request, server::HttpAnswered{
                                     200, std::chrono::microseconds(300 + i % 5000), 4096, 512});
            const double with_log_us = ms_since(t) * 1000.0 / n;
            t = Steady::now();
            for (int i = 0; i < n; ++i)
                metrics.request(server::Metrics::Route::Push, 200,
                                std::chrono::microseconds(300 + i % 5000));
            const double counters_us = ms_since(t) * 1000.0 / n;
            ::close(fd);
            std::filesystem::remove(log_path);
            std::printf("per request: counters %.3f us, counters and the JSON log line written to "
                        "a file %.2f us (in this process)\n",
                        counters_us, with_log_us);
        }

        for (int n : {320000, 1600000}) {
            std::string body = R"({"device":"d","ops":[],"pad":[)";
            for (int i = 0; i < n; ++i)
                body += i ? ",{}" : "{}";
            body += "]}";
            auto t2 = std::chrono::steady_clock::now();
            auto decoded = protocol::decode_push_request(body);
            const double decode_ms = ms_since(t2);
            if (!decoded) throw std::runtime_error("decode: " + decoded.error().message);
            t2 = std::chrono::steady_clock::now();
            const bool plain = !Json::parse(body, nullptr, false).is_discarded();
            const double plain_ms = ms_since(t2);
            std::printf("decode a push of %d empty objects (%zu KB): %.0f ms; plain nlohmann parse "
                        "of the same bytes %.0f ms%s\n",
                        n, body.size() / 1024, decode_ms, plain_ms, plain ? "" : " (failed)");
        }
    } catch (const std::exception& e) {
        std::cerr << "server_bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
