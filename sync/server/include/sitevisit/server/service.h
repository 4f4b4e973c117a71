#pragma once

// The server's behaviour, with no HTTP in it: handlers parse, call one of these, and encode.
// One facade, written in parts with one job each (docs/server.md, "Parts of the server"):
// sign_in.cpp, push.cpp, pull.cpp, admin.cpp, school_import.cpp, read_rule.cpp,
// change_log.cpp, and service.cpp (construction, clocks and ids); the merge rules of a push are
// plain functions in merge.h.

#include "sitevisit/core/clock.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/reference.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/protocol/limits.h"
#include "sitevisit/protocol/messages.h"
#include "sitevisit/server/merge.h"
#include "sitevisit/server/store.h"
#include "sitevisit/server/waiters.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>

namespace sitevisit::server {

class Metrics;

struct ServiceOptions {
    const Clock* clock = nullptr;         // default: system clock
    const Reference* reference = nullptr; // default: the reference data built in
    std::int64_t session_ms = 30LL * 24 * 3600 * 1000;
    int max_login_failures = 5; // per account ...
    // ... and per address, higher: a school's devices share one address, and five guesses at
    // any email there must not lock out everyone else's correct sign-ins.
    int max_address_failures = 50;
    std::int64_t failure_window_ms = 15 * 60 * 1000; // ... within this window
    int default_pull_limit = 1000;
    int max_pull_limit = 5000;
    // A pull page stops before its encoded changes pass this many bytes (`more` says go on).
    std::int64_t max_pull_bytes = protocol::kMaxPullPageBytes;
    // Password hashes computed at once (0: twice the cores); a sign-in waits up to
    // hash_wait_ms for a turn, then is answered 503 with Retry-After.
    int max_hashing = 0;
    int hash_wait_ms = 2000;
};

// The signed-in caller of a request.
struct Caller {
    User user;
    std::string device; // as the device names itself
    std::string key;    // user/device: what the server keys per-device state on, so one
                        // user's device id can never stand for another user's device
};

struct LoginAnswer {
    std::string token;
    std::int64_t expires_ms = 0;
    User user;
    std::vector<std::string> schools; // the schools in the user's scope
    std::string device_secret;        // set at a device's first sign-in (see LoginRequest)
};

struct NewUser {
    std::string email, name, role, region;
    std::vector<std::string> schools, districts;
};

class Service {
public:
    Service(Store& store, ServiceOptions options);
    // Answers every push still queued, then stops the push writer.
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    // Endpoints.
    Result<LoginAnswer> login(const protocol::LoginRequest& request, const std::string& address);
    Result<Caller> authenticate(std::string_view bearer_token);
    Json reference() const;
    Result<protocol::PushResponse> push(const Caller& caller, protocol::PushRequest request);
    // `schema`: the caller's data schema; changes it cannot read are held back and counted.
    // `encoded`: the changes come as the bytes stored for them (`encoded_ops`, for
    // protocol::encode_pull_body; what the HTTP route sends) instead of decoded into `ops`.
    // `scope`, when given, gets the schools in the caller's scope (sorted), for a held pull.
    Result<protocol::PullResponse> pull(const Caller& caller, std::int64_t since, int limit,
                                        int schema = 1, bool encoded = false,
                                        std::vector<std::string>* scope = nullptr);
    // Held pulls waiting for a change (woken after each commit that appended to the log).
    Waiters& waiters() { return waiters_; }

    // Administration (the sitevisit-server subcommands).
    Result<User> add_user(const NewUser& user, std::string_view password);
    Result<std::vector<User>> list_users();
    Result<int> revoke_user(const std::string& email);  // sessions ended
    Result<int> restore_user(const std::string& email); // undoes a revoke
    // A new password; ends every session of the user (the count).
    Result<int> set_password(const std::string& email, std::string_view password);
    // Clears the failed sign-ins counted against the account and its devices.
    Result<int> unlock_user(const std::string& email);
    // CSV: org code, name, district code, district name, region, level, designation.
    Result<int> import_schools(std::string_view csv);
    // A write made on the server itself (admin tools, demo data), through the same rules.
    Result<std::string> admin_write(const User& actor, const WriteRequest& request);
    // Every live row the user may read, sorted, for comparing with a device's export.
    Result<Json> export_for(const std::string& email);

    // The schools in the user's scope, sorted; with_districts adds the districts whose own rows
    // (data schema 6) the user reads: every scope key the user's device is sent rows of.
    std::vector<std::string> scope_schools(StoreTx& tx, const User& user,
                                           bool with_districts = false);
    const Clock& clock() const { return *clock_; }
    // May the user read this row now (scope, role, draft visits, draft-linked evidence)?
    bool may_read_row(StoreTx& tx, const User& user, const Row& row);
    // Password verifications run so far (unknown emails included), for tests.
    long verifications() const { return verifications_.load(); }
    // Pushes queued or being applied, not yet answered (for tests of the push queue).
    std::size_t pushes_waiting();

    std::function<void(const std::string&)> log;
    // Counters for operators (serve --metrics-listen); null when nobody reads them.
    Metrics* metrics = nullptr;

private:
    // push.cpp: the push writer, one thread taking queued pushes first come, first served and
    // committing those waiting together in one transaction, each in a savepoint of its own.
    struct PushJob;
    void writer_loop();
    void run_group(const std::vector<PushJob*>& group);
    void stop_writer();
    Result<std::unique_ptr<StoreTx>> begin_push_writer();
    // One push's batch inside the (group's) transaction.
    // `stale_bases`: the ops' bases come from an epoch a restore replaced (the push named it).
    // `restart`: the device recovers from a restore (a gap before its first change is taken
    // once per epoch).
    Result<protocol::PushResponse> apply_push(StoreTx& tx, const Caller& caller,
                                              const std::vector<Change>& ops,
                                              std::int64_t& conflicts, bool stale_bases = false,
                                              bool restart = false);
    // push.cpp: one op of a batch, as its signed-in user, inside the batch's transaction.
    // `conflicts`: how many conflict records the op made, added to. `revised`: the rows the
    // batch carries a plan_revision of (the server writes none of its own for those).
    Result<protocol::OpResult> apply_op(StoreTx& tx, const Caller& caller, const Change& change,
                                        std::int64_t& conflicts,
                                        const std::set<std::string>& revised = {});
    // pull.cpp: refuses a cursor past the end of the log (cursor_ahead); when the user's scope
    // changed since this device's last pull, sends the schools gained again and purges the
    // schools lost, for this device only. The schools in scope now, sorted.
    Result<std::vector<std::string>> follow_scope(const Caller& caller, std::int64_t since,
                                                  std::vector<std::string>& purge);

    // change_log.cpp: writing the change log.
    // `fields_json`, when given, is change.fields.dump() already made.
    std::int64_t append(StoreTx& tx, Change change, const std::string& author,
                        const std::string& device, const std::string& for_device = {},
                        std::string fields_json = {});
    // A conflict row about one field of a row, made by the server and logged.
    // The plan_revision of a change to a submitted plan that its device could not write
    // itself (written under a data schema before 5), in the writer's name.
    void record_revision(StoreTx& tx, const WriteRequest& revision, const User& by,
                         const std::string& school);
    void record_conflict(StoreTx& tx, const std::string& entity, const std::string& row_id,
                         const std::string& school, const merge::FieldConflict& conflict);
    void publish_visit(StoreTx& tx, const std::string& visit_id);
    // A visit and what hangs off it that its read rule governs (observations, next steps,
    // comments and conflicts about them, evidence linked to its observations), visit first.
    std::vector<Row> visit_rows(StoreTx& tx, const std::string& visit_id);
    // Deletes of these rows for one device only, in reverse order (what hangs off a row goes
    // before it): the device removes them, the store keeps them.
    void purge_for(StoreTx& tx, const std::vector<Row>& rows, const std::string& for_device);
    // A row's current state appended to the log again (for one device when `for_device`).
    std::int64_t resend(StoreTx& tx, const Row& row, const std::string& for_device);

    // read_rule.cpp: what the read rule needs to know about a row.
    std::string visit_of(StoreTx& tx, const Change& change, const Row* row);
    // The read rule's state for an evidence row (its uploader, the teams of draft visits its
    // observations belong to); `fields` may add observation ids from a change.
    void evidence_state(StoreTx& tx, const Row* row, const Json* fields, RowState& state,
                        std::map<std::string, std::optional<VisitContext>>* visits = nullptr);
    // For a comment on evidence (`row` stored, or `fields` of a new one): the evidence's
    // uploader and draft teams, so the comment is read as the evidence is.
    void comment_state(StoreTx& tx, const Row* row, const Json* fields, RowState& state,
                       std::map<std::string, std::optional<VisitContext>>* visits = nullptr);
    // The state of a stored row (its visit, what a conflict is about, evidence's uploader).
    RowState row_state(StoreTx& tx, const EntitySpec& spec, const Row& row);

    // service.cpp: the server's own clock and ids.
    std::string server_hlc();
    std::string next_id();

    Store& store_;
    Waiters waiters_;
    const Clock* clock_;
    const Reference* reference_;
    Validator validator_;
    ServiceOptions options_;
    std::mutex hlc_mutex_;
    HlcClock hlc_;
    UuidV7Generator uuids_;
    std::mutex uuid_mutex_;
    std::unique_ptr<std::counting_semaphore<4096>> hashing_;
    std::atomic<long> verifications_{0};

    std::mutex push_mutex_;
    std::condition_variable push_ready_;
    std::deque<PushJob*> push_queue_;
    std::size_t pushes_waiting_ = 0;
    bool stopping_ = false;
    std::once_flag writer_started_;
    std::thread writer_;
};

// HTTP status for an error code.
int http_status(ErrorCode code);

} // namespace sitevisit::server
