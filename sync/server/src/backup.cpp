#include "sitevisit/server/backup.h"

#include "sitevisit/core/time_format.h"
#include "sitevisit/server/crypto.h"
#include "sitevisit/server/sqlite_store.h"

#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace sitevisit::server {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "sitevisit-backup";
constexpr int kFormatVersion = 1;
constexpr std::size_t kLoadBatch = 2000;
constexpr std::int64_t kProgressEvery = 50000;

Error failed(std::string message) {
    return Error{ErrorCode::Storage, std::move(message)};
}

// Flushes a file (or folder) to the disk, so a backup reported done survives a power cut.
bool sync_path(const fs::path& p, bool folder = false) {
    const int fd = ::open(p.c_str(), folder ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

bool is_sha256(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// The SHA-256 of a file's bytes, read in 1 MB pieces; empty when it cannot be read.
std::string hash_of_file(const fs::path& p, std::int64_t* bytes = nullptr) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return {};
    Sha256 h;
    std::string buf(1 << 20, '\0');
    std::int64_t n = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto got = in.gcount();
        if (got <= 0) break;
        h.update(std::string_view(buf.data(), static_cast<std::size_t>(got)));
        n += got;
    }
    if (in.bad()) return {};
    if (bytes) *bytes = n;
    return h.hex();
}

std::string now_utc() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return format_utc_ms(ms);
}

} // namespace

Result<BackupSummary> backup_store(Store& store, const fs::path& blob_dir, const fs::path& out,
                                   const BackupProgress& progress) {
    std::error_code ec;
    if (fs::exists(out, ec))
        return invalid(out.string() + " exists already; a backup is written to a new folder");
    const fs::path partial = out.string() + ".partial";
    // Left by a backup that stopped part way: never a whole backup, so made again.
    fs::remove_all(partial, ec);
    fs::create_directories(partial / "tables", ec);
    if (!ec) fs::create_directories(partial / "blobs", ec);
    if (ec) return invalid("cannot create " + partial.string() + ": " + ec.message());
    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };

    BackupSummary summary;
    Json manifest{{"format", kFormat},
                  {"version", kFormatVersion},
                  {"made", now_utc()},
                  {"schema", server_schema_version()}};
    Json tables = Json::object();
    std::vector<std::pair<std::string, std::int64_t>> complete_blobs;
    try {
        // One read transaction: every table as of one moment, while pushes go on.
        auto tx = store.begin(false);
        if (!tx) return tx.error();
        const Epoch epoch = store.epoch();
        summary.epoch = epoch.id;
        summary.last_seq = (*tx)->last_seq();
        for (const char* table : kBackupTables) {
            const fs::path file = partial / "tables" / (std::string(table) + ".jsonl");
            std::ofstream o(file, std::ios::binary);
            if (!o) return failed("cannot write " + file.string());
            Sha256 hash;
            std::int64_t n = 0;
            (*tx)->dump(table, [&](const Json& record) {
                std::string line = record.dump(-1, ' ', false, Json::error_handler_t::replace);
                line += '\n';
                hash.update(line);
                o.write(line.data(), static_cast<std::streamsize>(line.size()));
                if (std::string_view(table) == "blobs" && record.value("complete", 0) == 1)
                    complete_blobs.emplace_back(record.value("sha256", ""),
                                                record.value("length", std::int64_t{0}));
                if (++n % kProgressEvery == 0)
                    say(std::string(table) + ": " + std::to_string(n) + " records");
            });
            o.close();
            if (!o || !sync_path(file)) return failed("writing " + file.string() + " failed");
            tables[table] = {{"records", n}, {"sha256", hash.hex()}};
            summary.records[table] = n;
            say(std::string(table) + ": " + std::to_string(n) + " records");
        }
        manifest["epoch"] = epoch.id;
        manifest["epoch_base"] = epoch.base;
        manifest["last_seq"] = summary.last_seq;
    } catch (const std::exception& e) {
        return failed(std::string("reading the store failed: ") + e.what());
    }
    manifest["tables"] = tables;

    // Complete blobs never change (named by their hash), so copying them after the snapshot
    // is still a copy of that moment.
    for (const auto& [sha, length] : complete_blobs) {
        if (!is_sha256(sha)) return failed("the store lists a blob named \"" + sha + "\"");
        const fs::path from = blob_dir / sha;
        const fs::path to = partial / "blobs" / sha;
        fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
        if (ec)
            return failed("copying blob " + sha + " from " + from.string() +
                          " failed: " + ec.message() + " (the store lists it as complete)");
        if (!sync_path(to)) return failed("writing " + to.string() + " failed");
        ++summary.blobs;
        summary.blob_bytes += length;
        if (summary.blobs % 1000 == 0) say("blobs: " + std::to_string(summary.blobs) + " files");
    }
    say("blobs: " + std::to_string(summary.blobs) + " files, " +
        std::to_string(summary.blob_bytes) + " bytes");
    manifest["blobs"] = {{"files", summary.blobs}, {"bytes", summary.blob_bytes}};

    const fs::path manifest_file = partial / "manifest.json";
    {
        std::ofstream o(manifest_file, std::ios::binary);
        o << manifest.dump(2) << "\n";
        o.close();
        if (!o || !sync_path(manifest_file))
            return failed("writing " + manifest_file.string() + " failed");
    }
    sync_path(partial / "tables", true);
    sync_path(partial / "blobs", true);
    sync_path(partial, true);
    fs::rename(partial, out, ec);
    if (ec)
        return failed("renaming " + partial.string() + " to " + out.string() + ": " + ec.message());
    sync_path(out.parent_path().empty() ? fs::path(".") : out.parent_path(), true);
    return summary;
}

Result<BackupSummary> restore_store(Store& store, const fs::path& blob_dir, const fs::path& from,
                                    const BackupProgress& progress) {
    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };
    auto broken = [&](const std::string& what) {
        return invalid(from.string() + " is not a whole backup: " + what);
    };
    // The manifest first: what the backup says it holds.
    const fs::path manifest_file = from / "manifest.json";
    Json manifest;
    {
        std::ifstream in(manifest_file, std::ios::binary);
        if (!in)
            return invalid("cannot read " + manifest_file.string() +
                           " (a backup is the folder `sitevisit-server backup` wrote)");
        manifest = Json::parse(in, nullptr, false);
    }
    if (!manifest.is_object() || manifest.value("format", "") != kFormat)
        return broken("manifest.json is not a sitevisit backup's");
    if (!manifest.contains("version") || !manifest["version"].is_number_integer() ||
        manifest["version"].get<int>() > kFormatVersion)
        return invalid(from.string() + " was written in backup format " +
                       manifest.value("version", Json()).dump() + "; this build reads format " +
                       std::to_string(kFormatVersion) + " (restore it with a newer server)");
    const Json& tables = manifest.value("tables", Json::object());
    if (!tables.is_object()) return broken("the manifest lists no tables");
    if (!manifest.contains("last_seq") || !manifest["last_seq"].is_number_integer())
        return broken("the manifest has no last_seq");
    const std::int64_t last_seq = manifest["last_seq"].get<std::int64_t>();

    BackupSummary summary;
    summary.last_seq = last_seq;
    // Every table file against its hash and count before anything is stored.
    for (const char* table : kBackupTables) {
        const Json& t = tables.value(table, Json());
        if (!t.is_object() || !t.contains("sha256") || !t.contains("records"))
            return broken("the manifest does not list table " + std::string(table));
        const fs::path file = from / "tables" / (std::string(table) + ".jsonl");
        if (hash_of_file(file) != t.value("sha256", ""))
            return broken(file.string() + " is missing or differs from what the manifest says "
                                          "(its SHA-256 does not match)");
    }
    // The blobs: each named by its hash, checked, then copied in (files the server may already
    // hold are left as they are).
    std::error_code ec;
    fs::create_directories(blob_dir, ec);
    if (ec) return invalid("cannot create " + blob_dir.string() + ": " + ec.message());
    for (fs::directory_iterator it(from / "blobs", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!is_sha256(name)) return broken("blobs/" + name + " is not named by a SHA-256");
        std::int64_t bytes = 0;
        if (hash_of_file(it->path(), &bytes) != name)
            return broken("blobs/" + name + " does not hash to its name");
        const fs::path to = blob_dir / name;
        if (!fs::exists(to)) {
            const fs::path tmp = blob_dir / (name + ".restoring");
            fs::copy_file(it->path(), tmp, fs::copy_options::overwrite_existing, ec);
            if (ec || !sync_path(tmp))
                return failed("copying " + name + " into " + blob_dir.string() +
                              " failed: " + ec.message());
            fs::rename(tmp, to, ec);
            if (ec) return failed("storing blob " + name + ": " + ec.message());
        }
        ++summary.blobs;
        summary.blob_bytes += bytes;
        if (summary.blobs % 1000 == 0) say("blobs: " + std::to_string(summary.blobs) + " files");
    }
    if (ec) return failed("reading " + (from / "blobs").string() + ": " + ec.message());
    sync_path(blob_dir, true);
    say("blobs: " + std::to_string(summary.blobs) + " files, " +
        std::to_string(summary.blob_bytes) + " bytes");

    try {
        {
            auto tx = store.begin(false);
            if (!tx) return tx.error();
            if ((*tx)->last_seq() > 0 || !(*tx)->accounts().empty())
                return invalid("the store is not empty; a restore fills a new store (`init` one "
                               "in a new --data folder, or restore into an empty one)");
        }
        auto tx = store.begin(true);
        if (!tx) return tx.error();
        for (const char* table : kBackupTables) {
            const fs::path file = from / "tables" / (std::string(table) + ".jsonl");
            std::ifstream in(file, std::ios::binary);
            std::vector<Json> batch;
            std::string line;
            std::int64_t n = 0, line_no = 0;
            while (std::getline(in, line)) {
                ++line_no;
                if (line.empty()) continue;
                Json record = Json::parse(line, nullptr, false);
                if (!record.is_object())
                    return broken(file.string() + " line " + std::to_string(line_no) +
                                  " is not a JSON object");
                batch.push_back(std::move(record));
                if (batch.size() >= kLoadBatch) {
                    (*tx)->load(table, batch);
                    n += static_cast<std::int64_t>(batch.size());
                    batch.clear();
                    if (n % kProgressEvery < static_cast<std::int64_t>(kLoadBatch))
                        say(std::string(table) + ": " + std::to_string(n) + " records");
                }
            }
            (*tx)->load(table, batch);
            n += static_cast<std::int64_t>(batch.size());
            const std::int64_t expected = tables[table].value("records", std::int64_t{-1});
            if (n != expected)
                return broken(file.string() + " holds " + std::to_string(n) +
                              " records; the manifest says " + std::to_string(expected));
            summary.records[table] = n;
            say(std::string(table) + ": " + std::to_string(n) + " records");
        }
        if ((*tx)->last_seq() != last_seq)
            return broken("its change log ends at " + std::to_string((*tx)->last_seq()) +
                          "; the manifest says " + std::to_string(last_seq));
        // A new epoch: devices that synced with the replaced store learn of the restore.
        Epoch epoch{random_token().substr(0, 32), last_seq};
        (*tx)->set_epoch(epoch);
        (*tx)->commit();
        summary.epoch = epoch.id;
    } catch (const std::invalid_argument& e) {
        return broken(e.what());
    } catch (const std::exception& e) {
        return failed(std::string("loading the backup into the store failed: ") + e.what());
    }
    return summary;
}

} // namespace sitevisit::server
