#include "sitevisit/server/blobs.h"

#include "sitevisit/server/crypto.h"
#include "sitevisit/server/metrics.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace sitevisit::server {

namespace fs = std::filesystem;

namespace {

bool is_sha256(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::optional<std::int64_t> number(const std::string& text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < 0)
        return std::nullopt;
    return v;
}

std::string base64_decode(const std::string& in) {
    static const std::string chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -8;
    for (char c : in) {
        if (c == '=') break;
        auto pos = chars.find(c);
        if (pos == std::string::npos) return {};
        val = (val << 6) + static_cast<int>(pos);
        bits += 6;
        if (bits >= 0) {
            out.push_back(static_cast<char>((val >> bits) & 0xff));
            bits -= 8;
        }
    }
    return out;
}

HttpResponse tus(HttpResponse r) {
    r.headers.emplace_back("Tus-Resumable", "1.0.0");
    return r;
}

HttpResponse tus_error(int status, const std::string& code, const std::string& message) {
    return tus(HttpResponse::error(status, code, message));
}

std::int64_t size_of_file(const fs::path& p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? -1 : static_cast<std::int64_t>(n);
}

bool write_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool append_durably(const fs::path& p, const std::string& bytes) {
    int fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    if (!write_all(fd, bytes)) {
        ::close(fd);
        return false;
    }
    bool ok = ::fsync(fd) == 0;
    return ::close(fd) == 0 && ok;
}

// Writes `bytes` at `offset` and flushes them to disk.
bool write_durably_at(int fd, const std::string& bytes, std::int64_t offset) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                             static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return ::fsync(fd) == 0;
}

// A rename is durable once its folder is synced.
void sync_folder(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// The SHA-256 of the first `length` bytes of an open file; empty when fewer can be read.
std::string hash_fd(int fd, std::int64_t length) {
    Sha256 h;
    std::string buf(1 << 20, '\0');
    std::int64_t at = 0;
    while (at < length) {
        const auto want = static_cast<std::size_t>(
            std::min<std::int64_t>(static_cast<std::int64_t>(buf.size()), length - at));
        ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(at));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return {};
        h.update(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        at += n;
    }
    return h.hex();
}

#ifdef F_OFD_SETLKW
constexpr int kSetLockWait = F_OFD_SETLKW; // per open file: threads exclude each other too
#else
constexpr int kSetLockWait = F_SETLKW;
#endif

// Files in DIR/blobs/partial that no upload in the store names (a crash between making the
// file and recording the upload, an upload of an older server) are removed once untouched for
// this long; younger ones may be an upload another server is making right now.
constexpr auto kOrphanAge = std::chrono::hours(1);

} // namespace

// An upload's partial file, open and locked against every other writer of it: other threads
// and other servers on the shared folder (an fcntl lock, which NFS takes to its server). After
// the lock is granted the path must still name the locked file (a finish may have renamed it
// to the complete file, a sweep removed it), else it is opened and locked again.
class BlobService::LockedFile {
public:
    LockedFile() = default;
    LockedFile(const LockedFile&) = delete;
    LockedFile& operator=(const LockedFile&) = delete;
    ~LockedFile() { close(); }

    // 0 when open and locked, else the errno (ENOENT: there is no file and `create` is false).
    int open(const fs::path& p, bool create) {
        for (int attempt = 0; attempt < 100; ++attempt) {
            fd_ = ::open(p.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
            if (fd_ < 0) return errno;
            struct flock l {};
            l.l_type = F_WRLCK;
            l.l_whence = SEEK_SET;
            int rc = 0;
            do {
                rc = ::fcntl(fd_, kSetLockWait, &l);
            } while (rc < 0 && errno == EINTR);
            if (rc < 0) {
                const int e = errno;
                close();
                return e;
            }
            struct stat held {
            }, named{};
            if (::fstat(fd_, &held) == 0 && ::stat(p.c_str(), &named) == 0 &&
                held.st_ino == named.st_ino && held.st_dev == named.st_dev)
                return 0;
            close();
        }
        return EAGAIN;
    }
    int fd() const { return fd_; }
    // Closing releases the lock.
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

BlobService::BlobService(Store& store, Service& service, fs::path dir, std::int64_t max_bytes,
                         BlobLimits limits)
    : store_(store), service_(service), dir_(std::move(dir)), max_bytes_(max_bytes),
      limits_(limits) {
    fs::create_directories(dir_ / "partial");
}

int BlobService::sweep_partials() {
    std::lock_guard lock(mutex_);
    return sweep_locked();
}

std::unique_ptr<StoreTx> BlobService::begin(bool write) {
    auto tx = store_.begin(write);
    if (!tx) throw std::runtime_error(tx.error().message);
    return std::move(*tx);
}

std::optional<Upload> BlobService::stored_upload(const std::string& sha, const std::string& user) {
    return begin(false)->upload(sha, user);
}

std::optional<std::int64_t> BlobService::owned_length(const std::string& sha,
                                                      const std::string& user) {
    auto tx = begin(false);
    auto blob = tx->blob(sha);
    if (blob && blob->complete && tx->blob_owned_by(sha, user)) return blob->length;
    return std::nullopt;
}

void BlobService::forget_upload(const std::string& sha, const std::string& user) {
    auto tx = begin(true);
    tx->remove_upload(sha, user);
    tx->commit();
}

std::int64_t BlobService::now_ms() const {
    return service_.clock().now_ms();
}

int BlobService::sweep_locked() {
    // Uploads with no new byte for the expiry: the row goes first (only if no server moved the
    // upload meanwhile), then its file, both under the file's lock so that an upload made again
    // at once never loses its file.
    const std::int64_t before = now_ms() - limits_.partial_expiry_ms;
    int removed = 0;
    std::set<std::string> live; // file names of the uploads the store holds
    for (const Upload& u : begin(false)->uploads("")) {
        const fs::path p = partial(u.sha256, u.user);
        if (u.touched_ms < before) {
            LockedFile f;
            const int e = f.open(p, false);
            if (e == 0 || e == ENOENT) {
                auto tx = begin(true);
                const bool gone = tx->remove_upload(u.sha256, u.user, before);
                tx->commit();
                if (gone) {
                    std::error_code ec;
                    if (e == 0) fs::remove(p, ec);
                    ++removed;
                    continue;
                }
            }
        }
        live.insert(p.filename().string());
    }
    // Files no upload names, once old enough (kOrphanAge).
    std::error_code ec;
    const auto now = fs::file_time_type::clock::now();
    std::vector<fs::path> doomed;
    for (fs::directory_iterator it(dir_ / "partial", ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const fs::path p = it->path();
        if (live.count(p.filename().string())) continue;
        auto at = fs::last_write_time(p, ec);
        if (!ec && now - at > kOrphanAge) doomed.push_back(p);
    }
    for (const auto& p : doomed)
        fs::remove(p, ec);
    if (removed || !doomed.empty()) sync_folder(dir_ / "partial");
    return removed;
}

std::optional<HttpResponse> BlobService::start_upload(const Caller& caller, const std::string& sha,
                                                      std::int64_t length) {
    if (length > max_bytes_)
        return tus_error(413, "too_large",
                         "the file is " + std::to_string(length) + " bytes; the limit is " +
                             std::to_string(max_bytes_) + " bytes");
    sweep_locked();
    // What this user's unfinished uploads claim already.
    std::int64_t claimed = 0;
    for (const Upload& u : begin(false)->uploads(caller.user.id))
        claimed += u.length;
    if (claimed + length > limits_.partial_quota_bytes)
        return tus_error(413, "partial_quota",
                         "your unfinished uploads claim " + std::to_string(claimed) +
                             " bytes and this one " + std::to_string(length) +
                             " more; the limit is " + std::to_string(limits_.partial_quota_bytes) +
                             " bytes. Finish those uploads first (unfinished ones expire after " +
                             std::to_string(limits_.partial_expiry_ms / (24 * 3600 * 1000)) +
                             " days)");
    // The empty file is on disk before the upload is recorded, so a recorded upload always has
    // its file; under the file's lock, so another server making the same upload waits, and one
    // that made it first keeps its bytes.
    const fs::path p = partial(sha, caller.user.id);
    auto refuse = [&](const std::string& why) {
        if (service_.log) service_.log("blobs: making " + p.string() + ": " + why);
        return tus_error(
            507, "insufficient_storage",
            "the server could not make room for this upload; nothing was kept, try again later");
    };
    LockedFile f;
    if (const int e = f.open(p, true); e != 0) return refuse(std::strerror(e));
    if (stored_upload(sha, caller.user.id)) return std::nullopt; // made meanwhile
    if (::ftruncate(f.fd(), 0) != 0 || ::fsync(f.fd()) != 0) {
        const std::string why = std::strerror(errno);
        std::error_code ec;
        fs::remove(p, ec);
        return refuse(why);
    }
    sync_folder(dir_ / "partial");
    try {
        auto tx = begin(true);
        tx->add_upload(Upload{sha, caller.user.id, length, 0, now_ms()});
        tx->commit();
    } catch (...) {
        std::error_code ec;
        fs::remove(p, ec);
        throw;
    }
    return std::nullopt;
}

fs::path BlobService::partial(const std::string& sha, const std::string& user) const {
    return dir_ / "partial" / (sha + "." + user);
}

HttpResponse BlobService::options() const {
    HttpResponse r;
    r.status = 204;
    r.headers = {{"Tus-Resumable", "1.0.0"},
                 {"Tus-Version", "1.0.0"},
                 {"Tus-Max-Size", std::to_string(max_bytes_)},
                 {"Tus-Extension", "creation"}};
    return r;
}

// Storage failures carry the backend's own words (SQL, paths): those go to the server log, the
// caller gets a plain sentence.
HttpResponse BlobService::storage_failure(const std::string& details) const {
    if (service_.log) service_.log("blobs: " + details);
    return tus_error(500, "storage",
                     "the server could not read or write its files; try again later");
}

HttpResponse BlobService::handle(const Caller& caller, const HttpRequest& r) {
    try {
        return handle_checked(caller, r);
    } catch (const std::exception& e) {
        return storage_failure(r.method + " " + r.path + ": " + e.what());
    }
}

HttpResponse BlobService::handle_checked(const Caller& caller, const HttpRequest& r) {
    const std::string version = r.header("tus-resumable");
    if (!version.empty() && version != "1.0.0") {
        auto resp = tus_error(412, "precondition",
                              "this server speaks tus 1.0.0, not " + version.substr(0, 20));
        resp.headers.emplace_back("Tus-Version", "1.0.0");
        return resp;
    }
    if (r.path == "/v1/blobs") {
        if (r.method != "POST") return tus_error(405, "method", "use POST to create an upload");
        return create(caller, r);
    }
    const std::string sha = r.path.substr(std::string("/v1/blobs/").size());
    if (!is_sha256(sha))
        return tus_error(400, "invalid", "a blob is named by its SHA-256: 64 lowercase hex digits");
    if (r.method == "HEAD") return head(caller, sha);
    if (r.method == "PATCH") return patch(caller, sha, r);
    if (r.method == "GET") return get(caller, sha, r);
    return tus_error(405, "method", "use HEAD, PATCH or GET on a blob");
}

HttpResponse BlobService::create(const Caller& caller, const HttpRequest& r) {
    auto length = number(r.header("upload-length"));
    if (!length) return tus_error(400, "invalid", "Upload-Length must be the file's size in bytes");
    if (*length > max_bytes_)
        return tus_error(413, "too_large",
                         "the file is " + std::to_string(*length) + " bytes; the limit is " +
                             std::to_string(max_bytes_) + " bytes");
    // Upload-Metadata: "sha256 <base64 of the hex digest>" (other keys are ignored).
    std::string sha;
    const std::string meta = r.header("upload-metadata");
    std::size_t start = 0;
    while (start < meta.size()) {
        std::size_t end = meta.find(',', start);
        if (end == std::string::npos) end = meta.size();
        std::string pair = meta.substr(start, end - start);
        while (!pair.empty() && pair.front() == ' ')
            pair.erase(0, 1);
        if (pair.rfind("sha256 ", 0) == 0) sha = base64_decode(pair.substr(7));
        start = end + 1;
    }
    if (!is_sha256(sha))
        return tus_error(400, "invalid",
                         "Upload-Metadata must carry \"sha256 <base64 of the 64 hex digits>\"");
    std::lock_guard lock(mutex_);
    auto upload = stored_upload(sha, caller.user.id);
    if (!upload) {
        if (auto refused = start_upload(caller, sha, *length)) return *refused;
        upload = stored_upload(sha, caller.user.id);
        if (!upload) return storage_failure("the upload of " + sha + " was not recorded");
    }
    HttpResponse resp;
    resp.status = 201;
    resp.headers = {{"Location", "/v1/blobs/" + sha},
                    {"Upload-Offset", std::to_string(upload->offset)}};
    return tus(resp);
}

bool BlobService::may_read(const Caller& caller, const std::string& sha) {
    // Someone may read the bytes when they may read an evidence row naming them (so not while
    // that evidence waits for its draft visit to be submitted, unless they are its team).
    auto tx = store_.begin(false);
    if (!tx) return false;
    auto scope = service_.scope_schools(**tx, caller.user);
    for (const auto& row : (*tx)->evidence_referencing_blob(sha))
        if (std::binary_search(scope.begin(), scope.end(), row.school) &&
            service_.may_read_row(**tx, caller.user, row))
            return true;
    return false;
}

namespace {

HttpResponse offset_answer(std::int64_t offset, std::int64_t length) {
    HttpResponse r;
    r.headers = {{"Upload-Offset", std::to_string(offset)},
                 {"Upload-Length", std::to_string(length)},
                 {"Cache-Control", "no-store"}};
    return tus(r);
}

HttpResponse conflict(std::int64_t at, std::int64_t offset) {
    auto resp = tus_error(409, "conflict",
                          "the upload is at byte " + std::to_string(at) + ", not " +
                              std::to_string(offset) + "; resume from there");
    resp.headers.emplace_back("Upload-Offset", std::to_string(at));
    return resp;
}

HttpResponse unusable(const std::string& sha) {
    return tus_error(404, "not_found",
                     "no usable upload of " + sha.substr(0, 12) + "... by you; start again");
}

} // namespace

HttpResponse BlobService::head(const Caller& caller, const std::string& sha) {
    if (auto length = owned_length(sha, caller.user.id)) return offset_answer(*length, *length);
    std::lock_guard lock(mutex_);
    auto upload = stored_upload(sha, caller.user.id);
    if (!upload)
        return tus_error(404, "not_found", "no upload of " + sha.substr(0, 12) + "... by you");
    if (upload->offset >= upload->length) {
        // Every byte is here but it was never recorded (the server stopped in between): record
        // it now, so "complete" always means the evidence may use it.
        LockedFile f;
        const int e = f.open(partial(sha, caller.user.id), false);
        if (e != 0 && e != ENOENT)
            return storage_failure("opening the upload of " + sha + ": " + std::strerror(e));
        upload = stored_upload(sha, caller.user.id); // as it is now that the file is ours
        if (!upload) {
            // Another server finished (or removed) it meanwhile.
            if (auto length = owned_length(sha, caller.user.id))
                return offset_answer(*length, *length);
            return tus_error(404, "not_found", "no upload of " + sha.substr(0, 12) + "... by you");
        }
        if (upload->offset >= upload->length) {
            HttpResponse done = finish(caller, sha, upload->length, e == 0 ? &f : nullptr);
            if (done.status == 422)
                return tus_error(404, "not_found",
                                 "the upload of " + sha.substr(0, 12) +
                                     "... did not match its name; start again");
            if (done.status != 204) return done;
        }
    }
    return offset_answer(upload->offset, upload->length);
}

HttpResponse BlobService::patch(const Caller& caller, const std::string& sha,
                                const HttpRequest& r) {
    const std::string type = r.header("content-type");
    if (!type.empty() && type != "application/offset+octet-stream")
        return tus_error(415, "media_type", "send chunks as application/offset+octet-stream");
    auto offset = number(r.header("upload-offset"));
    if (!offset)
        return tus_error(400, "invalid", "Upload-Offset must be the byte offset of this chunk");
    const std::string& user = caller.user.id;
    std::lock_guard lock(mutex_);
    auto upload = stored_upload(sha, user);
    const auto declared = number(r.header("upload-length"));
    if (!upload) {
        // The first PATCH may create the upload when it carries Upload-Length.
        if (!declared)
            return tus_error(404, "not_found",
                             "no upload of " + sha.substr(0, 12) + "... by you; create it first");
        if (auto refused = start_upload(caller, sha, *declared)) return *refused;
        upload = stored_upload(sha, user);
        if (!upload) return storage_failure("the upload of " + sha + " was not recorded");
    }
    if (upload->length > max_bytes_) {
        // Declared under a larger limit: it could grow past this server's.
        forget_upload(sha, user);
        std::error_code ec;
        fs::remove(partial(sha, user), ec);
        return unusable(sha);
    }
    if (declared && *declared != upload->length)
        return tus_error(400, "invalid",
                         "the upload's length is " + std::to_string(upload->length) +
                             " bytes, not " + std::to_string(*declared));
    // The file and the stored offset are read and moved under the file's lock: one writer of
    // an upload at a time, over every server.
    LockedFile f;
    const int e = f.open(partial(sha, user), upload->offset == 0);
    if (e == ENOENT) {
        // Every byte was written and the file kept under its name, but not recorded: finish.
        if (upload->offset >= upload->length) return finish(caller, sha, upload->length, nullptr);
        forget_upload(sha, user); // its bytes are gone
        return unusable(sha);
    }
    if (e != 0) return storage_failure("opening the upload of " + sha + ": " + std::strerror(e));
    upload = stored_upload(sha, user); // as it is now that the file is ours
    if (!upload) {
        // Another server finished or removed it while this one waited for the file.
        if (auto length = owned_length(sha, user)) return conflict(*length, *offset);
        return tus_error(404, "not_found",
                         "no upload of " + sha.substr(0, 12) + "... by you; create it first");
    }
    // Every byte arrived before, but the server stopped before recording it: record it now.
    if (upload->offset >= upload->length) return finish(caller, sha, upload->length, &f);
    if (*offset != upload->offset) return conflict(upload->offset, *offset);
    const auto n = static_cast<std::int64_t>(r.body.size());
    if (upload->offset + n > upload->length)
        return tus_error(400, "invalid",
                         "the chunk runs past the declared length of " +
                             std::to_string(upload->length) + " bytes");
    // At the stored offset: bytes a cut-short attempt left past it are written over.
    if (!write_durably_at(f.fd(), r.body, upload->offset))
        return tus_error(507, "insufficient_storage",
                         "the chunk could not be written (the server is out of room); resume from "
                         "the offset HEAD gives");
    // The offset moves only once the bytes are on disk, and only from where this chunk began.
    const std::int64_t moved_to = upload->offset + n;
    bool moved = false;
    {
        auto tx = begin(true);
        moved = tx->advance_upload(sha, user, upload->offset, moved_to, now_ms());
        tx->commit();
    }
    if (!moved) {
        auto now = stored_upload(sha, user);
        if (!now) return unusable(sha);
        return conflict(now->offset, *offset);
    }
    if (service_.metrics) service_.metrics->blob_bytes(n);
    if (moved_to == upload->length) return finish(caller, sha, upload->length, &f);
    HttpResponse resp;
    resp.status = 204;
    resp.headers = {{"Upload-Offset", std::to_string(moved_to)}};
    return tus(resp);
}

// Called with mutex_ held, once every byte is in: with the partial file open and locked, or
// null when it is no longer there (a finish renamed it and stopped before recording it).
HttpResponse BlobService::finish(const Caller& caller, const std::string& sha, std::int64_t length,
                                 LockedFile* file) {
    const std::string& user = caller.user.id;
    const fs::path p = partial(sha, user);
    const fs::path final_path = dir_ / sha;
    std::error_code ec;
    if (!file) {
        // Only checked bytes are ever kept under their name.
        if (size_of_file(final_path) != length) {
            forget_upload(sha, user);
            return unusable(sha);
        }
    } else {
        struct stat st {};
        if (::fstat(file->fd(), &st) == 0 && st.st_size > length)
            if (::ftruncate(file->fd(), static_cast<off_t>(length)) != 0)
                return storage_failure("truncating " + p.string() + ": " + std::strerror(errno));
        const std::string actual = hash_fd(file->fd(), length);
        if (actual != sha) {
            // The upload goes before its file, so no upload is left without its bytes.
            forget_upload(sha, user);
            fs::remove(p, ec);
            return tus_error(422, "unprocessable",
                             "the bytes hash to " + (actual.empty() ? "(fewer bytes)" : actual) +
                                 ", not " + sha + "; the upload was discarded, start again");
        }
        if (size_of_file(final_path) == length) {
            fs::remove(p, ec); // one copy of identical bytes
        } else {
            fs::rename(p, final_path, ec);
            if (ec) return storage_failure("keeping " + final_path.string() + ": " + ec.message());
            sync_folder(dir_);
        }
    }
    auto tx = begin(true);
    if (!tx->blob(sha)) tx->put_blob(BlobInfo{sha, length, length, true, user});
    tx->add_blob_owner(sha, user);
    tx->remove_upload(sha, user);
    tx->commit();
    HttpResponse resp;
    resp.status = 204;
    resp.headers = {{"Upload-Offset", std::to_string(length)}};
    return tus(resp);
}

HttpResponse BlobService::get(const Caller& caller, const std::string& sha, const HttpRequest& r) {
    std::optional<BlobInfo> blob;
    {
        auto tx = store_.begin(false);
        if (!tx) return storage_failure(tx.error().message);
        blob = (*tx)->blob(sha);
    }
    if (!blob || !blob->complete || !may_read(caller, sha))
        return tus_error(404, "not_found",
                         "no file " + sha.substr(0, 12) +
                             "... is referenced by anything you can see");
    std::ifstream in(dir_ / sha, std::ios::binary);
    if (!in) return storage_failure((dir_ / sha).string() + " is missing");
    std::int64_t first = 0, last = blob->length - 1;
    bool ranged = false;
    const std::string range = r.header("range");
    if (range.rfind("bytes=", 0) == 0 && range.find(',') == std::string::npos) {
        const std::string spec = range.substr(6);
        const auto dash = spec.find('-');
        auto a = number(spec.substr(0, dash));
        auto b = dash == std::string::npos ? std::nullopt : number(spec.substr(dash + 1));
        // An end that is there but not a number ("0--1") makes the range unreadable: ignored,
        // as RFC 9110 says, and the whole file is sent with 200.
        const bool bad_end = dash != std::string::npos && dash + 1 < spec.size() && !b;
        if (a && dash != std::string::npos && !bad_end) {
            first = *a;
            if (b) last = std::min(*b, blob->length - 1);
            ranged = true;
        } else if (!a && b && dash == 0) { // the last N bytes
            first = std::max<std::int64_t>(0, blob->length - *b);
            ranged = true;
        }
        if (ranged && (first > last || first >= blob->length)) {
            auto resp =
                tus_error(416, "range", "the file has " + std::to_string(blob->length) + " bytes");
            resp.headers.emplace_back("Content-Range", "bytes */" + std::to_string(blob->length));
            return resp;
        }
    }
    // The listener streams the bytes from the file in small pieces; none are held here.
    HttpResponse resp;
    resp.status = ranged ? 206 : 200;
    resp.content_type = "application/octet-stream";
    resp.file = (dir_ / sha).string();
    resp.file_offset = first;
    resp.file_length = last - first + 1;
    resp.headers = {{"Accept-Ranges", "bytes"}, {"ETag", "\"" + sha + "\""}};
    if (ranged)
        resp.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                       std::to_string(last) + "/" +
                                                       std::to_string(blob->length));
    return resp;
}

Status BlobService::put_local(const std::string& user_id, const std::string& bytes,
                              std::string* sha256_out) {
    const std::string sha = sha256_hex(bytes);
    if (sha256_out) *sha256_out = sha;
    std::lock_guard lock(mutex_);
    const fs::path final_path = dir_ / sha;
    if (size_of_file(final_path) != static_cast<std::int64_t>(bytes.size())) {
        const fs::path tmp = dir_ / "partial" / (sha + ".local");
        std::error_code ec;
        fs::remove(tmp, ec);
        if (!append_durably(tmp, bytes))
            return Error{ErrorCode::Storage, "cannot write " + tmp.string()};
        fs::rename(tmp, final_path, ec);
        if (ec)
            return Error{ErrorCode::Storage,
                         "cannot keep " + final_path.string() + ": " + ec.message()};
        sync_folder(dir_);
    }
    auto tx = store_.begin(true);
    if (!tx) return tx.error();
    if (!(*tx)->blob(sha))
        (*tx)->put_blob(BlobInfo{sha, static_cast<std::int64_t>(bytes.size()),
                                 static_cast<std::int64_t>(bytes.size()), true, user_id});
    (*tx)->add_blob_owner(sha, user_id);
    (*tx)->commit();
    return ok_status();
}

} // namespace sitevisit::server
