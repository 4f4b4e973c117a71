#pragma once

#include "sitevisit/server/http.h"
#include "sitevisit/server/service.h"

#include <filesystem>
#include <mutex>

namespace sitevisit::server {

// Evidence files over tus 1.0 (core + creation). Bytes live under DIR/blobs: complete files
// as DIR/blobs/<sha256>, uploads in progress per user under DIR/blobs/partial. A file becomes
// visible only when complete and its SHA-256 matches its name. One copy of identical bytes is
// kept, but each user proves they hold the bytes by uploading them in full.
class BlobService {
public:
    BlobService(Store& store, Service& service, std::filesystem::path dir, std::int64_t max_bytes);

    HttpResponse options() const;
    HttpResponse handle(const Caller& caller, const HttpRequest& request);

    std::int64_t max_bytes() const { return max_bytes_; }
    // Stores bytes the server itself holds (demo data) as uploaded by `user`.
    Status put_local(const std::string& user_id, const std::string& bytes, std::string* sha256_out);

private:
    HttpResponse create(const Caller& caller, const HttpRequest& request);
    HttpResponse head(const Caller& caller, const std::string& sha);
    HttpResponse patch(const Caller& caller, const std::string& sha, const HttpRequest& request);
    HttpResponse get(const Caller& caller, const std::string& sha, const HttpRequest& request);
    HttpResponse finish(const Caller& caller, const std::string& sha, std::int64_t length);
    bool may_read(const Caller& caller, const std::string& sha);
    std::filesystem::path partial(const std::string& sha, const std::string& user) const;

    Store& store_;
    Service& service_;
    std::filesystem::path dir_;
    std::int64_t max_bytes_;
    std::mutex mutex_; // one writer of upload files at a time
};

} // namespace sitevisit::server
