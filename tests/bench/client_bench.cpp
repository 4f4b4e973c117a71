// client_bench: the device's sync engine against the real server over loopback.
//   initial sync of a caseload of N changes to a new device (changes/s, seconds, peak memory)
//   incremental sync of 10 changes (median of 20)
//   a 50 MB file uploaded while the connection is cut 5 times (bytes sent / file size)
// Usage: client_bench [--changes 100000] [--gzip] [--pouchdb-docs-per-s N | --pouchdb-results FILE]
//   --gzip: pull pages gzipped (off by default: on loopback it only costs)
//   --pouchdb-docs-per-s N, or POUCHDB_DOCS_PER_S=N: the PouchDB anchor's PULL_INITIAL figure
//   measured in the same session, printed beside the initial sync with the ratio;
//   --pouchdb-results FILE: read it from the anchor's results file
//   (../shared/anchors/pouchdb/results/run-*.results.txt, the N=100000 line)
#include "harness.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/client/malloc_heaps.h"
#include "sitevisit/client/sync_engine.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/protocol/messages.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <mutex>
#include <random>
#include <sys/resource.h>
#include <thread>

using namespace sitevisit;
using namespace sitevisit::e2e;
using client::SyncEngine;
using Steady = std::chrono::steady_clock;

namespace {

double ms_since(Steady::time_point t) {
    return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

std::mutex id_mutex;
std::string new_id() {
    static UuidV7Generator gen(SystemClock::instance());
    std::lock_guard lock(id_mutex);
    return gen.next();
}

bool sync(SyncEngine& e) {
    bool ok = false;
    QEventLoop loop;
    auto c = QObject::connect(&e, &SyncEngine::finished, &loop, [&](bool r) {
        ok = r;
        loop.quit();
    });
    QTimer::singleShot(600000, &loop, &QEventLoop::quit);
    e.syncNow();
    if (e.state() == SyncEngine::State::Syncing) loop.exec();
    QObject::disconnect(c);
    return ok;
}

std::unique_ptr<SyncEngine> signed_in(Store& store, QNetworkAccessManager& net, int port,
                                      const char* email, const char* pw, SyncEngine::Options o) {
    auto e = std::make_unique<SyncEngine>(store, net, o);
    QEventLoop loop;
    QString error = "no answer";
    e->signIn(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), email, pw, [&](QString err) {
        error = err;
        loop.quit();
    });
    loop.exec();
    if (!error.isEmpty()) throw std::runtime_error("sign-in: " + error.toStdString());
    return e;
}

// The docs_per_s of "RESULT N=100000 PULL_INITIAL ... docs_per_s=X" in the anchor's results.
double pouchdb_pull_figure(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("RESULT N=100000 PULL_INITIAL") != 0) continue;
        const auto at = line.find("docs_per_s=");
        if (at != std::string::npos) return std::atof(line.c_str() + at + 11);
    }
    throw std::runtime_error(path + " holds no RESULT N=100000 PULL_INITIAL line");
}

double peak_rss_mb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

// Whether the process allocates with jemalloc (linked when libjemalloc-dev is installed).
bool jemalloc() {
    return dlsym(RTLD_DEFAULT, "mallctl") != nullptr;
}

// A line of /proc/self/status (VmRSS, VmHWM), in MB; -1 when it cannot be read.
double status_mb(const std::string& name) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name + ":", 0) == 0)
            return std::atof(line.c_str() + name.size() + 1) / 1024.0;
    return -1;
}

// Starts the peak (VmHWM) again from what the process holds now, so the sync's own peak is seen
// apart from the seeding's; false where the kernel does not allow it.
bool reset_peak_rss() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

} // namespace

int main(int argc, char** argv) {
    // As the app does at its start (AppStartup::prepareProcess): at most two malloc heaps where
    // the allocator is glibc's (a build without jemalloc).
    // SITEVISIT_MALLOC_HEAPS=default leaves glibc's one heap per thread, to compare.
    const char* heaps = std::getenv("SITEVISIT_MALLOC_HEAPS");
    const bool limited = !(heaps && std::string(heaps) == "default");
    if (limited) client::limit_malloc_heaps();
    QCoreApplication app(argc, argv);
    int changes = 100000;
    bool gzip = false;
    double pouchdb = 0;
    if (const char* p = std::getenv("POUCHDB_DOCS_PER_S"); p && *p) pouchdb = std::atof(p);
    std::string pouchdb_results;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--changes") && i + 1 < argc)
            changes = std::max(1000, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--gzip"))
            gzip = true;
        else if (!std::strcmp(argv[i], "--pouchdb-docs-per-s") && i + 1 < argc)
            pouchdb = std::atof(argv[++i]);
        else if (!std::strcmp(argv[i], "--pouchdb-results") && i + 1 < argc)
            pouchdb_results = argv[++i];
        else {
            std::fprintf(stderr, "usage: client_bench [--changes N] [--gzip] "
                                 "[--pouchdb-docs-per-s N | --pouchdb-results FILE]\n");
            return 2;
        }
    }
    try {
        if (!pouchdb_results.empty()) pouchdb = pouchdb_pull_figure(pouchdb_results);
        ServerProcess server;
        if (server.admin({"demo"}).code != 0) throw std::runtime_error("demo failed");
        server.start();
        Json rows =
            Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out)["rows"];
        std::string school;
        for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
            if (it.value()["fields"]["code"] == "00350123") school = it.key();

        // A caseload of `changes` observations, pushed by 20 devices at once.
        const int devices = 20, batch = 500, batches = std::max(1, changes / (devices * batch));
        // Signed in one after another: the server counts a sign-in as a failure until its
        // password check ends, so 20 at once to one account would meet its limit of 5.
        std::vector<std::string> tokens;
        {
            Http http = server.http();
            for (int d = 0; d < devices; ++d)
                tokens.push_back(login(http, "lead@demo.sitevisit", "lead-demo-2026",
                                       "seed-" + std::to_string(d)));
        }
        std::vector<std::thread> threads;
        for (int d = 0; d < devices; ++d)
            threads.emplace_back([&, d] {
                Http http = server.http();
                const std::string device = "seed-" + std::to_string(d);
                const std::string token = tokens[d];
                const std::string visit = new_id();
                std::int64_t dseq = 0;
                auto hlc = [&] {
                    return Hlc{SystemClock::instance().now_ms(),
                               static_cast<std::uint32_t>(dseq % 60000), device}
                        .to_string();
                };
                Json first = Json::array({{{"op", new_id()},
                                           {"entity", "visit"},
                                           {"id", visit},
                                           {"school", school},
                                           {"kind", "upsert"},
                                           {"fields",
                                            {{"kind", "walkthrough"},
                                             {"rubric", "msv-2026-2027-elementary"},
                                             {"start_date", "2026-11-23"}}},
                                           {"hlc", hlc()},
                                           {"base", 0},
                                           {"dseq", ++dseq},
                                           {"schema", 1}}});
                http.request("POST", "/v1/sync/push",
                             Json{{"device", device}, {"ops", first}}.dump(), bearer(token));
                for (int b = 0; b < batches; ++b) {
                    Json ops = Json::array();
                    for (int i = 0; i < batch; ++i)
                        ops.push_back({{"op", new_id()},
                                       {"entity", "observation"},
                                       {"id", new_id()},
                                       {"school", school},
                                       {"kind", "upsert"},
                                       {"fields",
                                        {{"visit", visit},
                                         {"indicator", "msv-2026-2027-elementary/2.1"},
                                         {"rating", i % 4},
                                         {"note", "Observed in room " + std::to_string(i)},
                                         {"source", "classroom_observation"}}},
                                       {"hlc", hlc()},
                                       {"base", 0},
                                       {"dseq", ++dseq},
                                       {"schema", 1}});
                    auto r = http.request("POST", "/v1/sync/push",
                                          Json{{"device", device}, {"ops", ops}}.dump(),
                                          bearer(token), 600000);
                    if (r.status != 200) std::fprintf(stderr, "seed push failed: %d\n", r.status);
                }
            });
        for (auto& t : threads)
            t.join();

        QNetworkAccessManager net;
        const auto dir = server.data().parent_path();
        SyncEngine::Options o;
        o.interval_ms = 0;
        o.pull_limit = 5000;
        o.gzip_pulls = gzip;
        const bool peak_reset = reset_peak_rss();
        const double rss_before = peak_reset ? status_mb("VmRSS") : peak_rss_mb();
        auto store = std::move(Store::open({(dir / "new-device.db").string()})).value();
        auto engine =
            signed_in(*store, net, server.port(), "lead@demo.sitevisit", "lead-demo-2026", o);
        auto t0 = Steady::now();
        if (!sync(*engine))
            throw std::runtime_error("initial sync: " + engine->errorString().toStdString());
        const double initial_s = ms_since(t0) / 1000.0;
        const double rss_sync = peak_reset ? status_mb("VmHWM") : peak_rss_mb();
        std::int64_t held = 0;
        for (const auto& spec : entity_specs())
            held += static_cast<std::int64_t>(store->list(spec.name)->size());
        const double rate = static_cast<double>(store->cursor()) / initial_s;
        std::printf("initial sync to a new device: %lld rows held (%lld changes pulled) in %.2f s "
                    "= %.0f changes/s; peak RSS %.0f MB (%.0f MB %s); pages gzipped: %s\n",
                    static_cast<long long>(held), static_cast<long long>(store->cursor()),
                    initial_s, rate, rss_sync, rss_before,
                    peak_reset ? "held as it began" : "peak before it", gzip ? "yes" : "no");
        std::printf("  peak RSS once the bench listed the rows to count them: %.0f MB (the bench's "
                    "own listing, not the sync)\n",
                    peak_reset ? status_mb("VmHWM") : peak_rss_mb());
        if (jemalloc())
            std::printf("  allocator: jemalloc (as the app and sitevisit-cli)\n");
        else
            std::printf("  allocator: glibc's malloc, %s\n",
                        limited ? "at most two heaps (as the app)" : "one heap per thread");
        if (pouchdb > 0)
            std::printf("initial sync against the PouchDB anchor (PULL_INITIAL, N=100000, same "
                        "session): %.0f changes/s / %.0f docs/s = %.1fx (target 20x)\n",
                        rate, pouchdb, rate / pouchdb);
        else
            std::printf("  reference: CouchDB-style replication (PouchDB over HTTP) of 100,000 "
                        "records, about 1,900 records/s (give --pouchdb-docs-per-s N or "
                        "--pouchdb-results FILE for this session's figure and the ratio)\n");

        // Incremental: another device makes 10 changes; this one syncs.
        auto other_store = std::move(Store::open({(dir / "other.db").string()})).value();
        auto other =
            signed_in(*other_store, net, server.port(), "lead@demo.sitevisit", "lead-demo-2026", o);
        if (!sync(*other)) throw std::runtime_error("other sync");
        auto visit = other_store->put(*other->user(), {"visit",
                                                       "",
                                                       school,
                                                       {{"kind", "walkthrough"},
                                                        {"rubric", "msv-2026-2027-elementary"},
                                                        {"start_date", "2026-11-23"}}});
        std::vector<double> times;
        for (int rep = 0; rep < 20; ++rep) {
            for (int i = 0; i < 10; ++i)
                (void)other_store->put(*other->user(),
                                       {"observation",
                                        "",
                                        "",
                                        {{"visit", visit->id},
                                         {"indicator", "msv-2026-2027-elementary/1.1"},
                                         {"rating", i % 4}}});
            if (!sync(*other)) throw std::runtime_error("other push");
            auto t = Steady::now();
            if (!sync(*engine)) throw std::runtime_error("incremental sync");
            times.push_back(ms_since(t));
        }
        std::sort(times.begin(), times.end());
        std::printf("incremental sync of 10 changes: median %.2f ms, max %.2f ms (a full sync: "
                    "push nothing, pull 10, apply)\n",
                    times[times.size() / 2], times.back());
        std::printf("  reference: 20-40 ms for CouchDB-style replication\n");

        // Decoding one page of 5,000 changes, three ways, on this thread: the device's decoder
        // (protocol::read_json_events into Changes), nlohmann's SAX reader with nothing done
        // with what it reads (its lexer alone), and nlohmann's tree.
        {
            Http http = server.http();
            auto page = http.request("GET",
                                     "/v1/sync/pull?since=0&limit=5000&schema=" +
                                         std::to_string(kDataSchemaVersion),
                                     {}, bearer(tokens[0]), 600000);
            if (page.status != 200) throw std::runtime_error("pull for decoding failed");
            struct Nothing : nlohmann::json_sax<Json> {
                bool null() override { return true; }
                bool boolean(bool) override { return true; }
                bool number_integer(number_integer_t) override { return true; }
                bool number_unsigned(number_unsigned_t) override { return true; }
                bool number_float(number_float_t, const string_t&) override { return true; }
                bool string(string_t&) override { return true; }
                bool binary(binary_t&) override { return true; }
                bool start_object(std::size_t) override { return true; }
                bool key(string_t&) override { return true; }
                bool end_object() override { return true; }
                bool start_array(std::size_t) override { return true; }
                bool end_array() override { return true; }
                bool parse_error(std::size_t, const std::string&,
                                 const nlohmann::detail::exception&) override {
                    return false;
                }
            };
            auto median_ms = [](auto&& decode) {
                std::vector<double> t;
                for (int i = 0; i < 15; ++i) {
                    auto t0 = Steady::now();
                    decode();
                    t.push_back(ms_since(t0));
                }
                std::sort(t.begin(), t.end());
                return t[t.size() / 2];
            };
            std::size_t n = 0;
            const double ours = median_ms([&] {
                auto d = protocol::decode_pull_stream(page.body);
                if (!d) throw std::runtime_error("the page did not decode");
                n = d->ops.size();
            });
            const double lexer = median_ms([&] {
                Nothing nothing;
                if (!Json::sax_parse(page.body, &nothing)) throw std::runtime_error("sax");
            });
            std::size_t held = 0;
            const double tree = median_ms([&] { held += Json::parse(page.body)["ops"].size(); });
            if (held == 0) throw std::runtime_error("the tree held no changes");
            std::printf(
                "decoding a page of %zu changes (%.1f MB), median of 15: into Changes %.1f "
                "ms; nlohmann's SAX reader doing nothing %.1f ms; nlohmann's tree %.1f ms\n",
                n, static_cast<double>(page.body.size()) / 1e6, ours, lexer, tree);
        }

        // 50 MB upload, cut 5 times.
        FaultProxy proxy(server.port());
        const auto file = dir / "video.bin";
        {
            std::string bytes(50 * 1024 * 1024, '\0');
            std::mt19937_64 rng(3);
            for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
                auto v = rng();
                std::memcpy(&bytes[i], &v, 8);
            }
            std::ofstream(file, std::ios::binary) << bytes;
        }
        QFile f(QString::fromStdString(file.string()));
        f.open(QIODevice::ReadOnly);
        QCryptographicHash h(QCryptographicHash::Sha256);
        h.addData(&f);
        const std::string sha = h.result().toHex().toStdString();
        const std::int64_t size = f.size();
        const std::string db = (dir / "uploader.db").string();
        {
            auto s = std::move(Store::open({db})).value();
            auto e = signed_in(*s, net, proxy.port(), "principal@demo.sitevisit",
                               "principal-demo-2026", o);
            (void)client::DeviceState(*s).queue_blob({sha, file.string(), size, BlobDirection::Up});
        }
        const long long before = proxy.bytes_up();
        std::mt19937_64 rng(11);
        int attempts = 0;
        auto t1 = Steady::now();
        for (bool done = false; !done && attempts < 50;) {
            ++attempts;
            net.clearConnectionCache();
            auto s = std::move(Store::open({db})).value();
            auto e = std::make_unique<SyncEngine>(*s, net, o);
            if (attempts <= 5)
                proxy.fault(FaultProxy::Fault::Budget,
                            static_cast<int>(2 * 1024 * 1024 + rng() % (12 * 1024 * 1024)));
            else
                proxy.fault(FaultProxy::Fault::Pass);
            done = sync(*e);
        }
        const double up_s = ms_since(t1) / 1000.0;
        const double ratio =
            static_cast<double>(proxy.bytes_up() - before) / static_cast<double>(size);
        std::printf("50 MB upload cut 5 times: %d attempts (each a fresh start), %.1f s, bytes "
                    "sent / file size = %.3f (target below 1.1)\n",
                    attempts, up_s, ratio);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "client_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
