// core_bench: the device store's cost next to raw SQLite on the same machine, in one run.
//   capture latency: one observation edit through Store::put (validate, permission, row,
//                    outbox entry, audit row, one transaction) vs a raw one-row INSERT transaction.
//   apply throughput: 100,000 remote changes through Store::apply_remote in batches of 1,000
//                    vs raw prepared-statement inserts of the same rows.
// Usage: core_bench [--edits N] [--changes N] [--dir DIR]
#include "sitevisit/core/store.h"
#include "sitevisit/core/time_format.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace sitevisit;
using Steady = std::chrono::steady_clock;

namespace {

const char* sqlite_version() {
    return sqlite3_libversion();
}

double us_since(Steady::time_point t0) {
    return std::chrono::duration<double, std::micro>(Steady::now() - t0).count();
}

struct Stats {
    double median, p99, mean;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v)
        sum += x;
    return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], sum / v.size()};
}

void remove_db(const std::string& path) {
    for (const char* s : {"", "-wal", "-shm"})
        std::filesystem::remove(path + s);
}

const std::string kRegion = "0190a000-0000-7000-8000-0000000000a1";
const std::string kDistrict = "0190a000-0000-7000-8000-0000000000d1";
const std::string kSchool = "0190a000-0000-7000-8000-0000000000c1";
const char* kRubric = "msv-2026-2027-elementary";

User lead() {
    User u;
    u.id = "0190a000-0000-7000-8000-000000000004";
    u.email = "lead@example.org";
    u.role = Role::AssistanceLead;
    u.districts = {kDistrict};
    return u;
}

std::unique_ptr<Store> fresh_store(const std::string& path, Database::Durability d) {
    remove_db(path);
    StoreOptions o;
    o.path = path;
    o.durability = d;
    auto s = Store::open(o);
    if (!s) {
        std::cerr << s.error().message << "\n";
        std::exit(1);
    }
    return std::move(s).value();
}

void seed(Store& store) {
    User admin;
    admin.id = "0190a000-0000-7000-8000-000000000001";
    admin.role = Role::Admin;
    for (const WriteRequest& r :
         {WriteRequest{"region", kRegion, "", {{"name", "Coastal"}, {"code", "C"}}},
          WriteRequest{"district",
                       kDistrict,
                       "",
                       {{"region", kRegion}, {"code", "00350000"}, {"name", "Harbor"}}},
          WriteRequest{"school",
                       kSchool,
                       "",
                       {{"district", kDistrict},
                        {"code", "00350123"},
                        {"name", "Lincoln"},
                        {"level", "elementary"},
                        {"designation", "none"}}}}) {
        if (auto w = store.put(admin, r); !w) {
            std::cerr << "seeding failed: " << w.error().message << "\n";
            std::exit(1);
        }
    }
}

const char* mode_name(Database::Durability d) {
    return d == Database::Durability::Full ? "FULL" : "NORMAL";
}

void capture_latency(const std::string& dir, int edits, Database::Durability durability) {
    // Raw baseline: one-row INSERT in its own transaction, same file settings.
    std::vector<double> raw;
    {
        const std::string path = dir + "/raw-capture.db";
        remove_db(path);
        auto db = std::move(Database::open(path)).value();
        db->set_durability(durability);
        db->exec("CREATE TABLE obs (id TEXT PRIMARY KEY, visit TEXT, indicator TEXT, rating "
                 "INTEGER, note TEXT)");
        ManualClock c(0);
        UuidV7Generator ids(SystemClock::instance());
        for (int i = 0; i < edits; ++i) {
            const std::string id = ids.next();
            auto t0 = Steady::now();
            Transaction tx(*db);
            auto& st = db->cached("INSERT INTO obs VALUES (?, ?, ?, ?, ?)");
            st.bind(1, id)
                .bind(2, kSchool)
                .bind(3, "msv/1.1")
                .bind(4, i % 4)
                .bind(5, "Observed in room " + std::to_string(i));
            st.run();
            tx.commit();
            raw.push_back(us_since(t0));
        }
    }
    // Through the store: half new observations, half edits of existing ones.
    std::vector<double> ours;
    {
        auto store = fresh_store(dir + "/capture.db", durability);
        seed(*store);
        User who = lead();
        auto visit = store->put(
            who, {"visit",
                  "",
                  kSchool,
                  {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-20"}}});
        const auto& indicators = store->reference().rubric(kRubric)->indicators;
        std::vector<std::string> rows;
        for (int i = 0; i < edits; ++i) {
            WriteRequest req{
                "observation",
                "",
                "",
                {{"note", "Observed in room " + std::to_string(i)}, {"rating", i % 4}}};
            if (i % 2 == 0 || rows.empty()) {
                req.fields["visit"] = visit->id;
                req.fields["indicator"] = indicators[i % indicators.size()].id;
            } else {
                req.id = rows[static_cast<std::size_t>(i) % rows.size()];
            }
            auto t0 = Steady::now();
            auto r = store->put(who, req);
            ours.push_back(us_since(t0));
            if (!r) {
                std::cerr << "capture failed: " << r.error().message << "\n";
                std::exit(1);
            }
            if (req.id.empty()) rows.push_back(r->id);
        }
    }
    Stats a = stats(raw), b = stats(ours);
    std::printf("capture latency, synchronous=%s, %d edits\n", mode_name(durability), edits);
    std::printf("  raw one-row insert transaction   median %8.1f us   p99 %8.1f us\n", a.median,
                a.p99);
    std::printf("  Store::put (row+outbox+audit)    median %8.1f us   p99 %8.1f us\n", b.median,
                b.p99);
    std::printf("  ratio (median)                   %.2fx   (target: within 3x)\n\n",
                b.median / a.median);
}

std::vector<Change> remote_changes(int n) {
    std::vector<Change> out;
    out.reserve(static_cast<std::size_t>(n));
    ManualClock clock(1795392000000);
    UuidV7Generator ids(clock, 7);
    const std::string visit = "0190a000-0000-7000-8000-0000000000e1";
    const auto& indicators = Reference::builtin().rubric(kRubric)->indicators;
    for (int i = 0; i < n; ++i) {
        clock.advance(1);
        Change c;
        c.op = ids.next();
        c.entity = "observation";
        c.id = ids.next();
        c.school = kSchool;
        c.fields = {{"visit", visit},
                    {"indicator", indicators[static_cast<std::size_t>(i) % indicators.size()].id},
                    {"rating", i % 4},
                    {"note", "Observed in room " + std::to_string(i)},
                    {"source", "classroom_observation"}};
        c.hlc = Hlc{clock.now_ms(), 0, "0190a000-0000-7000-8000-00000000de99"}.to_string();
        c.dseq = i + 1;
        c.seq = i + 1;
        out.push_back(std::move(c));
    }
    return out;
}

void apply_throughput(const std::string& dir, int n, int batch, Database::Durability durability) {
    auto changes = remote_changes(n);
    // Raw baseline: the same rows through one prepared INSERT, same batching.
    double raw_s = 0, raw_one_s = 0;
    {
        const std::string path = dir + "/raw-apply.db";
        for (int pass = 0; pass < 2; ++pass) {
            remove_db(path);
            auto db = std::move(Database::open(path)).value();
            db->set_durability(durability);
            db->exec("CREATE TABLE obs (id TEXT PRIMARY KEY, school TEXT, visit TEXT, indicator "
                     "TEXT, rating INTEGER, "
                     "note TEXT, source TEXT, _seq INTEGER, _hlc TEXT)");
            const int per_tx = pass == 0 ? batch : n;
            auto t0 = Steady::now();
            for (int i = 0; i < n; i += per_tx) {
                Transaction tx(*db);
                auto& st = db->cached("INSERT INTO obs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
                for (int k = i; k < std::min(n, i + per_tx); ++k) {
                    const Change& c = changes[static_cast<std::size_t>(k)];
                    st.bind(1, c.id)
                        .bind(2, c.school)
                        .bind(3, c.fields["visit"].get_ref<const std::string&>());
                    st.bind(4, c.fields["indicator"].get_ref<const std::string&>())
                        .bind(5, c.fields["rating"].get<std::int64_t>());
                    st.bind(6, c.fields["note"].get_ref<const std::string&>())
                        .bind(7, c.fields["source"].get_ref<const std::string&>());
                    st.bind(8, c.seq).bind(9, c.hlc);
                    st.run();
                }
                tx.commit();
            }
            (pass == 0 ? raw_s : raw_one_s) = us_since(t0) / 1e6;
        }
    }
    double ours_s;
    {
        auto store = fresh_store(dir + "/apply.db", durability);
        auto t0 = Steady::now();
        for (int i = 0; i < n; i += batch) {
            std::vector<Change> page(changes.begin() + i, changes.begin() + std::min(n, i + batch));
            auto r = store->apply_remote(page, page.back().seq);
            if (!r || r->applied != static_cast<int>(page.size())) {
                std::cerr << "apply failed\n";
                std::exit(1);
            }
        }
        ours_s = us_since(t0) / 1e6;
    }
    std::printf("apply throughput, synchronous=%s, %d changes in batches of %d\n",
                mode_name(durability), n, batch);
    std::printf("  raw prepared insert, same batches  %10.0f rows/s   (%.2f s)\n", n / raw_s,
                raw_s);
    std::printf("  raw prepared insert, one tx        %10.0f rows/s   (%.2f s)\n", n / raw_one_s,
                raw_one_s);
    std::printf("  Store::apply_remote                %10.0f changes/s (%.2f s)\n", n / ours_s,
                ours_s);
    std::printf("  share of raw (same batches)        %.0f%%   (target: at least 25%%)\n",
                100.0 * raw_s / ours_s);
    std::printf("  share of raw (one tx)              %.0f%%\n\n", 100.0 * raw_one_s / ours_s);
}

} // namespace

int main(int argc, char** argv) {
    int edits = 2000, changes = 100000, batch = 1000;
    std::string dir;
    for (int i = 1; i < argc; ++i) {
        auto arg = [&](const char* name) { return !std::strcmp(argv[i], name) && i + 1 < argc; };
        if (arg("--edits"))
            edits = std::max(10, std::atoi(argv[++i]));
        else if (arg("--changes"))
            changes = std::max(1000, std::atoi(argv[++i]));
        else if (arg("--dir"))
            dir = argv[++i];
        else {
            std::cerr << "usage: core_bench [--edits N] [--changes N] [--dir DIR]\n";
            return 2;
        }
    }
    bool own_dir = dir.empty();
    if (own_dir)
        dir = (std::filesystem::temp_directory_path() /
               ("sitevisit-bench-" + std::to_string(::getpid())))
                  .string();
    std::filesystem::create_directories(dir);
    std::printf("core_bench: SQLite %s, files in %s\n\n", sqlite_version(), dir.c_str());
    for (auto d : {Database::Durability::Normal, Database::Durability::Full})
        capture_latency(dir, edits, d);
    apply_throughput(dir, changes, batch, Database::Durability::Normal);
    apply_throughput(dir, changes, batch, Database::Durability::Full);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS %.1f MB\n", ru.ru_maxrss / 1024.0);
    if (own_dir) std::filesystem::remove_all(dir);
    return 0;
}
