#pragma once

#include "sitevisit/server/http.h"
#include "sitevisit/server/service.h"

#include <filesystem>
#include <mutex>

namespace sitevisit::server {

// Evidence files over tus 1.0 (core + creation). Bytes live under DIR/blobs: complete files
// as DIR/blobs/<sha256>, uploads in progress per user under DIR/blobs/partial. An upload's
// bookkeeping (declared length, committed offset, last touched) lives in the store, so servers
// sharing the store and the folder share uploads. A file becomes visible only when complete and
// its SHA-256 matches its name. One copy of identical bytes is kept, but each user proves they
// hold the bytes by uploading them in full.
struct BlobLimits {
    // Bytes one user's unfinished uploads may claim (their declared lengths, summed).
    std::int64_t partial_quota_bytes = 1024LL * 1024 * 1024;
    // An upload with no new byte for this long is removed (at start and when uploads are made).
    std::int64_t partial_expiry_ms = 7LL * 24 * 3600 * 1000;
};

class BlobService {
public:
    BlobService(Store& store, Service& service, std::filesystem::path dir, std::int64_t max_bytes,
                BlobLimits limits = {});
    // Removes expired uploads and the leftovers of a crash mid-creation; the number removed.
    int sweep_partials();

    HttpResponse options() const;
    HttpResponse handle(const Caller& caller, const HttpRequest& request);

    std::int64_t max_bytes() const { return max_bytes_; }
    // Stores bytes the server itself holds (demo data) as uploaded by `user`.
    Status put_local(const std::string& user_id, const std::string& bytes, std::string* sha256_out);

private:
    HttpResponse handle_checked(const Caller& caller, const HttpRequest& request);
    HttpResponse storage_failure(const std::string& details) const;
    HttpResponse create(const Caller& caller, const HttpRequest& request);
    HttpResponse head(const Caller& caller, const std::string& sha);
    HttpResponse patch(const Caller& caller, const std::string& sha, const HttpRequest& request);
    HttpResponse get(const Caller& caller, const std::string& sha, const HttpRequest& request);
    class LockedFile;
    HttpResponse finish(const Caller& caller, const std::string& sha, std::int64_t length,
                        LockedFile* file);
    std::unique_ptr<StoreTx> begin(bool write); // throws on a storage failure
    std::optional<Upload> stored_upload(const std::string& sha, const std::string& user);
    // The length of a complete blob the user uploaded in full.
    std::optional<std::int64_t> owned_length(const std::string& sha, const std::string& user);
    void forget_upload(const std::string& sha, const std::string& user);
    std::int64_t now_ms() const;
    bool may_read(const Caller& caller, const std::string& sha);
    std::filesystem::path partial(const std::string& sha, const std::string& user) const;
    // Makes an upload with its length (mutex_ held): nullopt when made, else the answer.
    std::optional<HttpResponse> start_upload(const Caller& caller, const std::string& sha,
                                             std::int64_t length);
    int sweep_locked();

    Store& store_;
    Service& service_;
    std::filesystem::path dir_;
    std::int64_t max_bytes_;
    BlobLimits limits_;
    std::mutex mutex_; // one upload call at a time in this process (files: their locks)
};

} // namespace sitevisit::server
