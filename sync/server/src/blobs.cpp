#include "sitevisit/server/blobs.h"

#include "sitevisit/server/crypto.h"
#include "sitevisit/server/metrics.h"

#include <charconv>
#include <chrono>
#include <fcntl.h>
#include <fstream>
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

bool append_durably(const fs::path& p, const std::string& bytes) {
    int fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) return false;
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            ::close(fd);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    bool ok = ::fsync(fd) == 0;
    return ::close(fd) == 0 && ok;
}

// A rename is durable once its folder is synced.
void sync_folder(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::string hash_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    Sha256 h;
    std::string buf(1 << 20, '\0');
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0)
            h.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
    }
    return h.hex();
}

} // namespace

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

int BlobService::sweep_locked() {
    int removed = 0;
    std::error_code ec;
    const auto now = fs::file_time_type::clock::now();
    const auto expiry = std::chrono::milliseconds(limits_.partial_expiry_ms);
    std::vector<fs::path> doomed;
    for (fs::directory_iterator it(dir_ / "partial", ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const fs::path p = it->path();
        const std::string name = p.filename().string();
        auto ends = [&](const std::string& tail) {
            return name.size() > tail.size() &&
                   name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
        };
        if (ends(".tmp") || ends(".local")) {
            doomed.push_back(p); // a write cut short by a crash
        } else if (ends(".length")) {
            // A length whose upload was never made (a crash between the two).
            const fs::path data = p.parent_path() / name.substr(0, name.size() - 7);
            if (!fs::exists(data, ec)) doomed.push_back(p);
        } else {
            auto at = fs::last_write_time(p, ec);
            if (!ec && now - at > expiry) {
                doomed.push_back(p);
                doomed.push_back(p.string() + ".length");
                ++removed;
            }
        }
    }
    for (const auto& p : doomed)
        fs::remove(p, ec);
    if (!doomed.empty()) sync_folder(dir_ / "partial");
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
    const std::string tail = "." + caller.user.id + ".length";
    std::error_code ec;
    for (fs::directory_iterator it(dir_ / "partial", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= tail.size() ||
            name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        std::int64_t n = 0;
        if (std::ifstream(it->path()) >> n) claimed += n;
    }
    if (claimed + length > limits_.partial_quota_bytes)
        return tus_error(413, "partial_quota",
                         "your unfinished uploads claim " + std::to_string(claimed) +
                             " bytes and this one " + std::to_string(length) +
                             " more; the limit is " + std::to_string(limits_.partial_quota_bytes) +
                             " bytes. Finish those uploads first (unfinished ones expire after " +
                             std::to_string(limits_.partial_expiry_ms / (24 * 3600 * 1000)) +
                             " days)");
    // The length is on disk before the upload exists, so no upload is ever without one.
    const fs::path p = partial(sha, caller.user.id);
    const fs::path length_file = p.string() + ".length", tmp = p.string() + ".length.tmp";
    auto undo = [&] {
        std::error_code e;
        fs::remove(tmp, e);
        fs::remove(p, e);
        if (fs::is_regular_file(length_file, e)) fs::remove(length_file, e);
        return tus_error(
            507, "insufficient_storage",
            "the server could not make room for this upload; nothing was kept, try again later");
    };
    fs::remove(tmp, ec);
    if (!append_durably(tmp, std::to_string(length))) return undo();
    fs::rename(tmp, length_file, ec);
    if (ec) return undo();
    if (!append_durably(p, {})) return undo();
    sync_folder(dir_ / "partial");
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
    const fs::path p = partial(sha, caller.user.id);
    if (size_of_file(p) < 0)
        if (auto refused = start_upload(caller, sha, *length)) return *refused;
    HttpResponse resp;
    resp.status = 201;
    resp.headers = {{"Location", "/v1/blobs/" + sha},
                    {"Upload-Offset", std::to_string(std::max<std::int64_t>(0, size_of_file(p)))}};
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

// The declared length of an upload in progress, or -1 when its length file is missing.
std::int64_t declared_length(const fs::path& p) {
    std::int64_t length = -1;
    std::ifstream in(p.string() + ".length");
    if (!(in >> length) || length < 0) return -1;
    return length;
}

} // namespace

HttpResponse BlobService::head(const Caller& caller, const std::string& sha) {
    {
        auto tx = store_.begin(false);
        if (!tx) return storage_failure(tx.error().message);
        auto blob = (*tx)->blob(sha);
        if (blob && blob->complete && (*tx)->blob_owned_by(sha, caller.user.id)) {
            HttpResponse r;
            r.headers = {{"Upload-Offset", std::to_string(blob->length)},
                         {"Upload-Length", std::to_string(blob->length)},
                         {"Cache-Control", "no-store"}};
            return tus(r);
        }
    }
    std::lock_guard lock(mutex_);
    const fs::path p = partial(sha, caller.user.id);
    const std::int64_t size = size_of_file(p);
    if (size < 0)
        return tus_error(404, "not_found", "no upload of " + sha.substr(0, 12) + "... by you");
    const std::int64_t length = declared_length(p);
    if (length < 0 || size > length) {
        // No length (left by an older server): it cannot be finished safely; start again.
        std::error_code ec;
        fs::remove(p, ec);
        fs::remove(p.string() + ".length", ec);
        return tus_error(404, "not_found",
                         "no usable upload of " + sha.substr(0, 12) + "... by you; start again");
    }
    if (size == length) {
        // Every byte is here but it was never recorded (the server stopped in between): record
        // it now, so "complete" always means the evidence may use it.
        HttpResponse done = finish(caller, sha, length);
        if (done.status == 422)
            return tus_error(404, "not_found",
                             "the upload of " + sha.substr(0, 12) +
                                 "... did not match its name; start again");
        if (done.status != 204) return done;
    }
    HttpResponse r;
    r.headers = {{"Upload-Offset", std::to_string(size)},
                 {"Upload-Length", std::to_string(length)},
                 {"Cache-Control", "no-store"}};
    return tus(r);
}

HttpResponse BlobService::patch(const Caller& caller, const std::string& sha,
                                const HttpRequest& r) {
    const std::string type = r.header("content-type");
    if (!type.empty() && type != "application/offset+octet-stream")
        return tus_error(415, "media_type", "send chunks as application/offset+octet-stream");
    auto offset = number(r.header("upload-offset"));
    if (!offset)
        return tus_error(400, "invalid", "Upload-Offset must be the byte offset of this chunk");
    std::lock_guard lock(mutex_);
    const fs::path p = partial(sha, caller.user.id);
    std::int64_t size = size_of_file(p);
    const auto declared = number(r.header("upload-length"));
    if (size < 0) {
        // The first PATCH may create the upload when it carries Upload-Length.
        if (!declared)
            return tus_error(404, "not_found",
                             "no upload of " + sha.substr(0, 12) + "... by you; create it first");
        if (auto refused = start_upload(caller, sha, *declared)) return *refused;
        size = 0;
    }
    const std::int64_t length = declared_length(p);
    if (length < 0 || size > length || length > max_bytes_) {
        // An upload without a length (left by an older server) could grow without bound.
        std::error_code ec;
        fs::remove(p, ec);
        fs::remove(p.string() + ".length", ec);
        return tus_error(404, "not_found",
                         "no usable upload of " + sha.substr(0, 12) + "... by you; start again");
    }
    if (declared && *declared != length)
        return tus_error(400, "invalid",
                         "the upload's length is " + std::to_string(length) + " bytes, not " +
                             std::to_string(*declared));
    // Every byte arrived before, but the server stopped before recording it: record it now.
    if (size == length) return finish(caller, sha, length);
    if (*offset != size) {
        auto resp = tus_error(409, "conflict",
                              "the upload is at byte " + std::to_string(size) + ", not " +
                                  std::to_string(*offset) + "; resume from there");
        resp.headers.emplace_back("Upload-Offset", std::to_string(size));
        return resp;
    }
    if (size + static_cast<std::int64_t>(r.body.size()) > length)
        return tus_error(400, "invalid",
                         "the chunk runs past the declared length of " + std::to_string(length) +
                             " bytes");
    if (!append_durably(p, r.body))
        return tus_error(507, "insufficient_storage",
                         "the chunk could not be written (the server is out of room); resume from "
                         "the offset HEAD gives");
    size += static_cast<std::int64_t>(r.body.size());
    if (service_.metrics) service_.metrics->blob_bytes(static_cast<std::int64_t>(r.body.size()));
    if (size == length) return finish(caller, sha, length);
    HttpResponse resp;
    resp.status = 204;
    resp.headers = {{"Upload-Offset", std::to_string(size)}};
    return tus(resp);
}

// Called with mutex_ held, once every byte is in.
HttpResponse BlobService::finish(const Caller& caller, const std::string& sha,
                                 std::int64_t length) {
    const fs::path p = partial(sha, caller.user.id);
    const std::string actual = hash_file(p);
    std::error_code ec;
    if (actual != sha) {
        fs::remove(p, ec);
        fs::remove(p.string() + ".length", ec);
        return tus_error(422, "unprocessable",
                         "the bytes hash to " + actual + ", not " + sha +
                             "; the upload was discarded, start again");
    }
    const fs::path final_path = dir_ / sha;
    if (size_of_file(final_path) == length) {
        fs::remove(p, ec); // one copy of identical bytes
    } else {
        fs::rename(p, final_path, ec);
        if (ec) return storage_failure("keeping " + final_path.string() + ": " + ec.message());
        sync_folder(dir_);
    }
    fs::remove(p.string() + ".length", ec);
    auto tx = store_.begin(true);
    if (!tx) return storage_failure(tx.error().message);
    if (!(*tx)->blob(sha)) (*tx)->put_blob(BlobInfo{sha, length, length, true, caller.user.id});
    (*tx)->add_blob_owner(sha, caller.user.id);
    (*tx)->commit();
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
