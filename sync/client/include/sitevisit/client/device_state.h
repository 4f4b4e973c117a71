#pragma once

// What the device keeps about syncing, apart from the data itself: the signed-in session, the
// owner, the last sign-in, the trusted certificate authority, the device secret, the last sync
// and the evidence file queue. It lives in the store's SQLite file (store.database()) in the
// tables core's migrations create (session, device_state, blob_queue; store versions 3 to 6):
// existing device files keep working. The tables stay created by core until its migrations
// hand them over; core's Store::start_over() still clears them when the device starts over.
// Used on the thread that owns the store.

#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"
#include "sitevisit/core/values.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sitevisit {
class Database;
class Store;
} // namespace sitevisit

namespace sitevisit::client {

class DeviceState {
public:
    explicit DeviceState(Store& store);
    explicit DeviceState(Database& db) : db_(db) {}

    // The signed-in session (server URL, token, expiry, user as JSON); empty when signed out.
    struct Session {
        std::string server, token, expires;
        Json user;
    };
    Result<std::optional<Session>> session() const;
    // Storing a session makes its user the device's owner; clearing it (sign-out) keeps the
    // owner, whose data stays on the device for their next sign-in.
    Status set_session(const std::optional<Session>& session);
    // The id of the user whose data this device holds ("" for a new device).
    Result<std::string> owner() const;
    // The server and email of the last sign-in, kept after sign-out to fill in the next one.
    Result<std::pair<std::string, std::string>> last_sign_in() const;
    // A private certificate authority to trust for the server (a PEM file path; "" for none).
    Result<std::string> ca_file() const;
    Status set_ca_file(const std::string& path);
    // The device secret the server gave at this device's first sign-in, as JSON
    // {"server","secret","keyring"} (empty object for none).
    Result<Json> device_secret() const;
    Status set_device_secret(const Json& secret);
    // When the device last finished a sync (ISO 8601 UTC, "" for never).
    Result<std::string> last_sync() const;
    Status set_last_sync(const std::string& when);

    // Changes the server held back because this device's data schema could not read them:
    // how many, the cursor to pull again from once the app is updated, and the data schema
    // the device had then (since = -1 and schema = 0 when nothing is held).
    struct Held {
        std::int64_t count = 0;
        std::int64_t since = -1;
        int schema = 0;
    };
    Result<Held> held() const;
    // Adds a pull page's held changes (the lowest cursor stays).
    Status add_held(std::int64_t count, std::int64_t since, int schema);
    Status clear_held();

    // Evidence files: queued for upload (a local file) or download (to a local path).
    struct BlobJob {
        std::string sha256, path;
        std::int64_t size = 0;
        BlobDirection direction = BlobDirection::Up;
        std::int64_t sent = 0; // bytes the server has confirmed
        BlobState state = BlobState::Pending;
        std::string error;
    };
    Status queue_blob(const BlobJob& job);
    Status update_blob(const std::string& sha256, std::int64_t sent, BlobState state,
                       const std::string& error = {});
    // The queued files in a state; a row with a direction or state word this build does not
    // know is an error from the call.
    Result<std::vector<BlobJob>> blob_jobs(BlobState state = BlobState::Pending) const;

private:
    Result<std::string> text(const char* column) const;
    Status set_text(const char* column, const std::string& value);
    Database& db_;
};

} // namespace sitevisit::client
