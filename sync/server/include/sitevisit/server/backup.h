#pragma once

// Backup and restore of a whole server: the store's lasting tables and the complete blobs, in
// a folder any backend reads (docs/server.md, "Backup and restore"):
//
//   OUT/manifest.json         what the backup holds, with a SHA-256 per table file
//   OUT/tables/<table>.jsonl  one JSON object per record, column to value
//   OUT/blobs/<sha256>        each complete file, named by its hash
//
// A backup is taken from one read transaction while the server runs; it is written under
// OUT.partial and renamed to OUT only when whole. A restore fills an empty store and gives it
// a new epoch, so devices that synced with the replaced store recover (SYNC.md).

#include "sitevisit/core/result.h"
#include "sitevisit/server/store.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace sitevisit::server {

struct BackupSummary {
    std::string epoch;                           // the store's epoch (after a restore: the new one)
    std::int64_t last_seq = 0;                   // the end of the change log it holds
    std::map<std::string, std::int64_t> records; // per table
    std::int64_t blobs = 0;                      // files
    std::int64_t blob_bytes = 0;                 // their bytes
};

// Progress in words, one line at a time ("rows: 12000 records").
using BackupProgress = std::function<void(const std::string&)>;

// `blob_dir`: the server's DIR/blobs. `out` must not exist.
Result<BackupSummary> backup_store(Store& store, const std::filesystem::path& blob_dir,
                                   const std::filesystem::path& out,
                                   const BackupProgress& progress = {});

// `store` must be empty (no change logged, no account). Everything is checked before anything
// is stored: the manifest, each table file against its hash and count, each blob against its
// name. The blobs are copied into `blob_dir`, then the tables loaded in one transaction.
Result<BackupSummary> restore_store(Store& store, const std::filesystem::path& blob_dir,
                                    const std::filesystem::path& from,
                                    const BackupProgress& progress = {});

} // namespace sitevisit::server
