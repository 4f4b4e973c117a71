#include "sitevisit/server/service.h"

#include "sitevisit/core/time_format.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/core/validation.h"
#include "sitevisit/server/crypto.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace sitevisit::server {

namespace {

// Writes the server makes itself (conflict records, replays, imports) carry this author.
const char* const kServerDevice = "server";

User system_admin() {
    User u;
    u.id = "00000000-0000-7000-8000-000000000000";
    u.email = "server@localhost";
    u.name = "Site Visit server";
    u.role = Role::Admin;
    return u;
}

// Backends throw on storage failures; the service answers with an error, never a crash.
Error storage(const std::exception& e) {
    return Error{ErrorCode::Storage, std::string("storage: ") + e.what()};
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(std::string s) {
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The directory row (entity `user`) is where role and scope live, so an admin's change to it,
// from any device, takes effect at the next request. The account adds the password.
User effective_user(StoreTx& tx, const Account& account) {
    User u = account.user;
    if (auto row = tx.row(*find_entity("user"), account.user.id); row && !row->deleted) {
        if (auto from_row = User::from_fields(account.user.id, row->fields)) {
            u = *from_row;
            u.email = account.user.email;
            u.active = u.active && account.user.active;
        }
    }
    return u;
}

} // namespace

int http_status(ErrorCode code) {
    switch (code) {
    case ErrorCode::Invalid:
        return 400;
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::TooLarge:
        return 413;
    case ErrorCode::Unprocessable:
        return 422;
    case ErrorCode::Unsupported:
        return 426;
    case ErrorCode::RateLimited:
        return 429;
    case ErrorCode::Storage:
        return 500;
    case ErrorCode::Busy:
        return 503;
    }
    return 500;
}

Service::Service(Store& store, ServiceOptions options)
    : store_(store), clock_(options.clock ? options.clock : &SystemClock::instance()),
      reference_(options.reference ? options.reference : &Reference::builtin()),
      validator_(*reference_), options_(options), hlc_(*clock_, kServerDevice), uuids_(*clock_) {
    int slots = options_.max_hashing;
    if (slots <= 0) slots = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    hashing_ = std::make_unique<std::counting_semaphore<4096>>(std::min(slots, 4096));
}

std::string Service::server_hlc() {
    std::lock_guard lock(hlc_mutex_);
    return hlc_.now().to_string();
}

Json Service::reference() const {
    return reference_->to_json();
}

std::vector<std::string> Service::scope_schools(StoreTx& tx, const User& user) {
    std::map<std::string, std::string> region_of_district;
    for (const auto& d : tx.rows_of_entity("district"))
        if (!d.deleted) region_of_district[d.id] = d.fields.value("region", "");
    std::vector<std::string> out;
    for (const auto& s : tx.rows_of_entity("school")) {
        if (s.deleted) continue;
        Place p{s.id, s.fields.value("district", ""), ""};
        p.region = region_of_district[p.district];
        if (in_scope(user, p)) out.push_back(s.id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// ---- sign-in ---------------------------------------------------------------------------------

namespace {

// An unknown email is checked against this, so it costs what a known one costs.
const std::string& dummy_hash() {
    static const std::string hash = hash_password("an unknown email costs the same as a known one");
    return hash;
}

} // namespace

Result<LoginAnswer> Service::login(const protocol::LoginRequest& request,
                                   const std::string& address) {
    if (request.device == kServerDevice)
        return invalid("\"server\" is reserved; name the device differently", "device");
    const std::string email = lower(trim(request.email));
    const std::int64_t now = clock_->now_ms();
    const std::int64_t window_start = now - options_.failure_window_ms;
    const std::string email_key = "email:" + email, addr_key = "addr:" + address;
    const Error locked{ErrorCode::RateLimited,
                       "too many failed sign-ins; wait " +
                           std::to_string(options_.failure_window_ms / 60000) +
                           " minutes and try again"};
    try {
        // The attempt is counted as a failure before the slow hash, in one write transaction,
        // so parallel guesses cannot all pass the check; a right password takes it back.
        std::optional<Account> account;
        std::vector<std::string> reserved;
        bool known_device = false, new_secret = false;
        {
            auto tx = store_.begin(true);
            if (!tx) return tx.error();
            StoreTx& t = **tx;
            account = t.account_by_email(email);
            std::string device_key;
            if (account) {
                device_key = "device:" + account->user.id + "/" + request.device;
                auto stored = t.device_secret(account->user.id, request.device);
                // A device id alone proves nothing (it travels in every clock): the secret does.
                known_device = stored && !request.device_secret.empty() &&
                               *stored == sha256_hex(request.device_secret);
                new_secret = !known_device && (!stored || request.device_secret.empty());
            }
            if (known_device) {
                // The owner's own device signs in during a lockout, with its own count.
                if (t.failures(device_key, window_start) >= options_.max_login_failures)
                    return locked;
                reserved = {device_key};
            } else {
                if (t.failures(email_key, window_start) >= options_.max_login_failures ||
                    t.failures(addr_key, window_start) >= options_.max_address_failures)
                    return locked;
                reserved = {email_key, addr_key};
            }
            for (const auto& k : reserved)
                t.add_failure(k, now);
            t.commit();
        }
        auto give_back = [&] {
            auto tx = store_.begin(true);
            if (!tx) return;
            for (const auto& k : reserved)
                (*tx)->remove_failure(k, now);
            (*tx)->commit();
        };
        // A few hashes at a time; the rest wait briefly, then are told to come back.
        if (!hashing_->try_acquire_for(std::chrono::milliseconds(options_.hash_wait_ms))) {
            give_back();
            return Error{ErrorCode::Busy,
                         "the server is busy checking other sign-ins; try again in a moment"};
        }
        bool good = false;
        try {
            ++verifications_;
            good = verify_password(account ? account->password_hash : dummy_hash(),
                                   request.password) &&
                   account;
        } catch (...) {
            hashing_->release();
            throw;
        }
        hashing_->release();
        if (!good) return Error{ErrorCode::Unauthorized, "the email or the password is wrong"};

        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        StoreTx& t = **tx;
        for (const auto& k : reserved)
            t.remove_failure(k, now);
        const User user = effective_user(t, *account);
        if (!user.active) {
            t.commit();
            return Error{ErrorCode::Unauthorized,
                         "the account of " + email + " is revoked; ask an admin"};
        }
        if (!known_device) t.clear_failures(email_key);
        LoginAnswer answer;
        answer.token = random_token();
        answer.expires_ms = now + options_.session_ms;
        answer.user = user;
        t.put_session(sha256_hex(answer.token),
                      Session{account->user.id, request.device, answer.expires_ms});
        if (new_secret) {
            answer.device_secret = random_token();
            t.put_device_secret(account->user.id, request.device, sha256_hex(answer.device_secret));
        }
        answer.schools = scope_schools(t, user);
        t.commit();
        return answer;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<Caller> Service::authenticate(std::string_view token) {
    if (token.size() != 64 || token.find_first_not_of("0123456789abcdef") != std::string_view::npos)
        return Error{ErrorCode::Unauthorized,
                     "sign in first: the request has no valid bearer token"};
    try {
        auto tx = store_.begin(false);
        if (!tx) return tx.error();
        auto session = (*tx)->session(sha256_hex(token));
        if (!session)
            return Error{ErrorCode::Unauthorized,
                         "the session is not known (signed out or revoked); sign in again"};
        if (session->expires_ms <= clock_->now_ms())
            return Error{ErrorCode::Unauthorized, "the session expired; sign in again"};
        auto account = (*tx)->account_by_id(session->user_id);
        if (!account) return Error{ErrorCode::Unauthorized, "the account is revoked; ask an admin"};
        User user = effective_user(**tx, *account);
        if (!user.active)
            return Error{ErrorCode::Unauthorized, "the account is revoked; ask an admin"};
        return Caller{user, session->device, user.id + "/" + session->device};
    } catch (const std::exception& e) {
        return storage(e);
    }
}

// ---- push ------------------------------------------------------------------------------------

std::int64_t Service::append(StoreTx& tx, Change change, const std::string& author,
                             const std::string& device, const std::string& for_device) {
    change.seq = tx.next_seq();
    LoggedChange logged{change, author, device, "", for_device};
    auto row = tx.row(*find_entity(change.entity), change.id);
    logged.visit = visit_of(tx, change, row ? &*row : nullptr);
    tx.append_change(logged);
    return change.seq;
}

std::string Service::visit_of(StoreTx& tx, const Change& c, const Row* row) {
    auto field = [&](const char* name) -> std::string {
        if (c.fields.contains(name) && c.fields[name].is_string())
            return c.fields[name].get<std::string>();
        if (row && row->fields.contains(name) && row->fields[name].is_string())
            return row->fields[name].get<std::string>();
        return {};
    };
    auto visit_of_observation = [&](const std::string& obs) -> std::string {
        auto r = tx.row(*find_entity("observation"), obs);
        return r ? r->fields.value("visit", "") : std::string();
    };
    if (c.entity == "visit") return c.id;
    if (c.entity == "observation") return field("visit");
    if (c.entity == "comment") {
        const std::string te = field("target_entity");
        if (te == "visit") return field("target");
        if (te == "observation") return visit_of_observation(field("target"));
    }
    if (c.entity == "conflict") {
        const std::string e = field("entity");
        if (e == "visit") return field("row");
        if (e == "observation") return visit_of_observation(field("row"));
    }
    return {};
}

void Service::record_conflict(StoreTx& tx, const Change& incoming, const std::string& field,
                              const Json& winner, const Json& loser,
                              const std::string& winner_author, const std::string& loser_author,
                              const std::string& winner_hlc, const std::string& loser_hlc) {
    Change c;
    {
        std::lock_guard lock(uuid_mutex_);
        c.op = uuids_.next();
        c.id = uuids_.next();
    }
    c.entity = "conflict";
    c.school = incoming.school;
    c.fields = {{"entity", incoming.entity},
                {"row", incoming.id},
                {"field", field},
                {"winner_value", winner},
                {"loser_value", loser},
                {"winner_author", winner_author},
                {"loser_author", loser_author},
                {"winner_hlc", winner_hlc},
                {"loser_hlc", loser_hlc},
                {"status", "open"}};
    c.hlc = server_hlc();
    c.dseq = 1;
    const std::int64_t seq = append(tx, c, system_admin().id, kServerDevice);
    Json stored = c.fields;
    for (auto it = stored.begin(); it != stored.end();)
        it = it.value().is_null() ? stored.erase(it) : std::next(it);
    tx.put_row(Row{"conflict", c.id, c.school, stored, seq, c.hlc, false});
}

void Service::evidence_state(StoreTx& tx, const Row* row, const Json* fields, RowState& state,
                             std::map<std::string, std::optional<VisitContext>>* visits) {
    std::set<std::string> observations;
    auto take = [&](const Json& f) {
        if (f.is_object() && f.contains("observations") && f["observations"].is_array())
            for (const auto& o : f["observations"])
                if (o.is_string()) observations.insert(o.get<std::string>());
    };
    if (row) {
        take(row->fields);
        state.evidence_uploader =
            row->fields.contains("uploaded_by") && row->fields["uploaded_by"].is_string()
                ? row->fields["uploaded_by"].get<std::string>()
                : std::string();
    }
    if (fields) {
        take(*fields);
        if (!state.evidence_uploader && fields->contains("uploaded_by") &&
            (*fields)["uploaded_by"].is_string())
            state.evidence_uploader = (*fields)["uploaded_by"].get<std::string>();
    }
    std::map<std::string, std::optional<VisitContext>> local;
    auto& cache = visits ? *visits : local;
    std::set<std::string> seen_visits;
    for (const auto& obs : observations) {
        auto o = tx.row(*find_entity("observation"), obs);
        if (!o) continue;
        const std::string visit = o->fields.value("visit", "");
        if (visit.empty() || !seen_visits.insert(visit).second) continue;
        auto it = cache.find(visit);
        if (it == cache.end()) it = cache.emplace(visit, tx.visit(visit)).first;
        if (it->second && !it->second->deleted && it->second->status == "draft")
            state.draft_teams.push_back(it->second->team);
    }
}

bool Service::may_read_row(StoreTx& tx, const User& user, const Row& r) {
    const EntitySpec* spec = find_entity(r.entity);
    if (!spec) return false;
    if (spec->scope != ScopeKind::School) return true;
    auto place = tx.place_of_school(r.school);
    if (!place) return false;
    RowState state;
    if (auto v = visit_of(tx, Change{"", r.entity, r.id, r.school}, &r); !v.empty())
        if (auto ctx = tx.visit(v)) {
            state.visit_status = ctx->status;
            state.visit_team = ctx->team;
        }
    if (spec->name == "conflict") state.conflicted_entity = r.fields.value("entity", "");
    if (spec->name == "evidence") evidence_state(tx, &r, nullptr, state);
    return static_cast<bool>(decide(user, Access::Read, *spec, *place, state));
}

void Service::publish_visit(StoreTx& tx, const std::string& visit_id) {
    // A submitted visit becomes visible to the school's people, who skipped its draft changes:
    // send its current state (and its observations) again.
    auto visit = tx.row(*find_entity("visit"), visit_id);
    if (!visit) return;
    std::vector<Row> rows{*visit};
    std::set<std::string> observations;
    const auto school_rows = tx.rows_of_school(visit->school);
    for (const auto& r : school_rows)
        if (!r.deleted && r.entity == "observation" && r.fields.value("visit", "") == visit_id) {
            rows.push_back(r);
            observations.insert(r.id);
        }
    // Comments and conflict records about the visit or any of its observations, and the
    // evidence linked to its observations (held back from the school while it was a draft).
    std::set<std::string> evidence;
    for (const auto& r : school_rows) {
        if (r.deleted) continue;
        const std::string about = r.entity == "comment"    ? r.fields.value("target", "")
                                  : r.entity == "conflict" ? r.fields.value("row", "")
                                                           : "";
        if (!about.empty() && (about == visit_id || observations.count(about))) rows.push_back(r);
        if (r.entity == "evidence" && r.fields.contains("observations") &&
            r.fields["observations"].is_array())
            for (const auto& o : r.fields["observations"])
                if (o.is_string() && observations.count(o.get<std::string>())) {
                    rows.push_back(r);
                    evidence.insert(r.id);
                    break;
                }
    }
    // Comments and conflict records about that evidence, too.
    for (const auto& r : school_rows) {
        if (r.deleted || evidence.empty()) continue;
        const std::string about = r.entity == "comment"    ? r.fields.value("target", "")
                                  : r.entity == "conflict" ? r.fields.value("row", "")
                                                           : "";
        if (!about.empty() && evidence.count(about)) rows.push_back(r);
    }
    for (Row r : rows) {
        r.seq = resend(tx, r, {});
        tx.put_row(r);
    }
}

std::int64_t Service::resend(StoreTx& tx, const Row& r, const std::string& for_device) {
    Change c;
    {
        std::lock_guard lock(uuid_mutex_);
        c.op = uuids_.next();
    }
    c.entity = r.entity;
    c.id = r.id;
    c.school = r.school;
    c.fields = r.fields;
    c.hlc = r.hlc.empty() ? server_hlc() : r.hlc;
    c.base = r.seq;
    c.dseq = 1;
    return append(tx, c, system_admin().id, kServerDevice, for_device);
}

Result<protocol::OpResult> Service::apply_op(StoreTx& tx, const Caller& caller, const Change& in) {
    protocol::OpResult result{in.op, protocol::OpStatus::Applied, 0, ""};
    auto reject = [&](const Error& e) {
        result.status = protocol::OpStatus::Rejected;
        result.error = e.message;
        result.forbidden = e.code == ErrorCode::Forbidden;
        result.code = result.forbidden ? "forbidden" : "invalid";
        return result;
    };
    const EntitySpec& spec = *find_entity(in.entity);
    const User& user = caller.user;

    // The device's clock orders conflicting edits; one far in the future is clamped.
    Hlc stamp = *Hlc::parse(in.hlc);
    const std::int64_t bound = clock_->now_ms() + HlcClock::kMaxAheadMs;
    if (stamp.wall_ms > bound) {
        if (log)
            log("device " + caller.device + " sent clock " + in.hlc + "; clamped to " +
                format_utc_ms(bound));
        stamp.wall_ms = bound;
        stamp.counter = 0;
    }
    {
        std::lock_guard lock(hlc_mutex_);
        hlc_.observe(stamp);
    }
    Change change = in;
    change.hlc = stamp.to_string();

    if (auto current = tx.row(spec, in.id); current && in.base > current->seq)
        return reject(invalid("base " + std::to_string(in.base) +
                                  " is ahead of the server's version " +
                                  std::to_string(current->seq) + " of this row",
                              "base"));
    if (in.kind == ChangeKind::Delete) {
        auto plan = plan_delete(tx, user, in.entity, in.id);
        if (!plan) return reject(plan.error());
        Row row = *plan->existing;
        if (row.deleted) {
            result.seq = row.seq;
            return result;
        }
        // Edits accepted after the device's base lose to the delete but are kept as conflicts.
        std::vector<std::string> names;
        for (auto it = row.fields.begin(); it != row.fields.end(); ++it)
            names.push_back(it.key());
        auto versions = tx.field_versions(in.entity, in.id, names);
        change.school = row.school;
        change.fields = Json::object();
        const std::int64_t seq = append(tx, change, user.id, caller.key);
        for (std::size_t i = 0; i < names.size(); ++i) {
            const FieldVersion& v = versions[i];
            if (v.seq > in.base && v.device != caller.key && !spec.conflict_free) {
                record_conflict(tx, change, names[i], nullptr, row.fields[names[i]], user.id,
                                v.author, change.hlc, v.hlc);
                result.status = protocol::OpStatus::Conflict;
            }
        }
        row.deleted = true;
        row.seq = seq;
        row.hlc = change.hlc;
        tx.put_row(row);
        result.seq = seq;
        return result;
    }

    WriteRequest request{in.entity, in.id, in.school, in.fields};
    auto plan = plan_write(validator_, tx, user, request, format_utc_ms(clock_->now_ms()));
    if (!plan) {
        auto existing = tx.row(spec, in.id);
        if (plan.error().code == ErrorCode::Conflict && existing && existing->deleted &&
            !spec.append_only) {
            // An edit concurrent with a delete: the delete stands, the edit is kept, if the
            // writer could have written the row at all.
            auto place = tx.place_of_school(existing->school);
            RowState state;
            if (auto v = tx.visit(visit_of(tx, in, &*existing)); v) {
                state.visit_status = v->status;
                state.visit_team = v->team;
            }
            if (!place || !decide(user, Access::Write, spec, *place, state))
                return reject(
                    Error{ErrorCode::Forbidden, "you may not change " + spec.name + " " + in.id});
            auto versions = tx.field_versions(in.entity, in.id, {"*"});
            for (auto it = in.fields.begin(); it != in.fields.end(); ++it)
                record_conflict(tx, Change{in.op, in.entity, in.id, existing->school}, it.key(),
                                nullptr, it.value(), "", user.id, existing->hlc, change.hlc);
            result.status = protocol::OpStatus::Conflict;
            return result;
        }
        return reject(plan.error());
    }
    if (plan->no_op()) {
        result.seq = plan->existing->seq;
        return result;
    }
    Json changed = plan->changed;
    const std::optional<Row>& existing = plan->existing;
    change.school = plan->school; // conflict records below take their school from here

    // Per field: did another device change it after this device's base?
    Json lost = Json::object(); // fields where the stored value beat the incoming one
    if (existing && !spec.append_only) {
        std::vector<std::string> names;
        for (auto it = changed.begin(); it != changed.end(); ++it)
            names.push_back(it.key());
        auto versions = tx.field_versions(in.entity, in.id, names);
        for (std::size_t i = 0; i < names.size(); ++i) {
            const FieldVersion& v = versions[i];
            if (v.seq <= in.base || v.device == caller.key) continue;
            const auto theirs = Hlc::parse(v.hlc);
            const bool incoming_wins = !theirs || stamp > *theirs;
            const Json current =
                existing->fields.contains(names[i]) ? existing->fields[names[i]] : Json();
            if (!spec.conflict_free) {
                if (incoming_wins)
                    record_conflict(tx, change, names[i], changed[names[i]], current, user.id,
                                    v.author, change.hlc, v.hlc);
                else
                    record_conflict(tx, change, names[i], current, changed[names[i]], v.author,
                                    user.id, v.hlc, change.hlc);
                result.status = protocol::OpStatus::Conflict;
            }
            if (!incoming_wins) {
                lost[names[i]] = current;
                changed.erase(names[i]);
            }
        }
    }
    // The sender kept its own value while its edit was waiting and skipped the winner when it
    // pulled: send the winning values again, after this change, so every device converges.
    auto resend_winners = [&](Row& row) {
        if (lost.empty()) return;
        Change again;
        {
            std::lock_guard lock(uuid_mutex_);
            again.op = uuids_.next();
        }
        again.entity = in.entity;
        again.id = in.id;
        again.school = row.school;
        again.fields = lost;
        again.hlc = row.hlc.empty() ? server_hlc() : row.hlc;
        again.base = row.seq;
        again.dseq = 1;
        row.seq = append(tx, again, system_admin().id, kServerDevice);
        tx.put_row(row);
    };
    if (existing && changed.empty()) {
        Row row = *existing;
        resend_winners(row);
        result.seq = row.seq;
        return result; // every field lost; the conflict records keep them
    }

    // Knowing a hash is not owning a file.
    if (spec.name == "evidence" && changed.contains("sha256")) {
        const std::string sha = changed["sha256"].get<std::string>();
        auto blob = tx.blob(sha);
        bool may = blob && blob->complete && tx.blob_owned_by(sha, user.id);
        if (!may && blob && blob->complete) {
            auto scope = scope_schools(tx, user);
            for (const auto& r : tx.evidence_referencing_blob(sha))
                if (contains(scope, r.school) && may_read_row(tx, user, r)) {
                    may = true;
                    break;
                }
        }
        if (!may)
            return reject(invalid("evidence refers to file " + sha.substr(0, 12) +
                                      "..., which was not uploaded in full by you; upload it first",
                                  "sha256"));
    }

    change.school = plan->school;
    change.fields = changed;
    const std::int64_t seq = append(tx, change, user.id, caller.key);
    Row row =
        existing ? *existing : Row{spec.name, in.id, plan->school, Json::object(), 0, "", false};
    for (auto it = changed.begin(); it != changed.end(); ++it) {
        if (it.value().is_null())
            row.fields.erase(it.key());
        else
            row.fields[it.key()] = it.value();
    }
    row.seq = seq;
    row.hlc = change.hlc;
    tx.put_row(row);
    std::vector<std::pair<std::string, FieldVersion>> versions;
    for (auto it = changed.begin(); it != changed.end(); ++it)
        versions.emplace_back(it.key(), FieldVersion{seq, change.hlc, user.id, caller.key});
    tx.set_field_versions(in.entity, in.id, versions);
    resend_winners(row);
    // Who may see the visit changed (submitted to the school, or new team members): send its
    // current state again for those who skipped its earlier changes.
    if (spec.name == "visit" &&
        (changed.value("status", "") == "submitted" || changed.contains("team")))
        publish_visit(tx, in.id);
    result.seq = seq;
    return result;
}

Result<protocol::PushResponse> Service::push(const Caller& caller,
                                             const protocol::PushRequest& request) {
    if (request.device != caller.device)
        return Error{ErrorCode::Forbidden,
                     "this session belongs to device " + caller.device + ", not " + request.device};
    for (const auto& op : request.ops)
        if (op.schema > kDataSchemaVersion)
            return Error{ErrorCode::Unsupported,
                         "upgrade required: change " + op.op + " uses data schema " +
                             std::to_string(op.schema) + "; this server knows schema " +
                             std::to_string(kDataSchemaVersion) + ". Nothing was applied."};
    std::vector<Change> ops = request.ops;
    std::stable_sort(ops.begin(), ops.end(),
                     [](const Change& a, const Change& b) { return a.dseq < b.dseq; });
    try {
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        protocol::PushResponse response;
        std::int64_t expected = (*tx)->device_dseq(caller.key);
        for (const Change& op : ops) {
            if (auto stored = (*tx)->op_result(op.op)) {
                // The result stored the first time; a change refused then is refused again.
                Json j = Json::parse(*stored, nullptr, false);
                const bool was_rejected = j.value("status", "") == "rejected";
                protocol::OpResult r{op.op,
                                     was_rejected ? protocol::OpStatus::Rejected
                                                  : protocol::OpStatus::Duplicate,
                                     j.value("seq", std::int64_t{0}),
                                     j.value("error", ""),
                                     j.value("forbidden", false),
                                     j.value("code", "")};
                response.results.push_back(r);
                continue;
            }
            if (op.dseq <= expected) {
                response.results.push_back(
                    {op.op, protocol::OpStatus::Rejected, 0,
                     "dseq " + std::to_string(op.dseq) +
                         " was already used by another change from this device",
                     false, "dseq_reused"});
                continue;
            }
            if (op.dseq > expected + 1) {
                response.results.push_back(
                    {op.op, protocol::OpStatus::Rejected, 0,
                     "dseq gap: the server expects change " + std::to_string(expected + 1) +
                         " from this device before " + std::to_string(op.dseq),
                     false, "dseq_gap"});
                continue;
            }
            Result<protocol::OpResult> r = Error{};
            try {
                r = apply_op(**tx, caller, op);
            } catch (const Json::exception& e) {
                // A bug meeting odd input must not block this device for good: refuse the op.
                r = protocol::OpResult{op.op, protocol::OpStatus::Rejected, 0,
                                       std::string("the server could not apply this change: ") +
                                           e.what()};
            }
            if (!r) return r.error();
            expected = op.dseq;
            Json stored{{"status", protocol::to_string(r->status)},
                        {"seq", r->seq},
                        {"error", r->error},
                        {"forbidden", r->forbidden},
                        {"code", r->code}};
            (*tx)->save_op_result(op.op, caller.key, stored.dump());
            response.results.push_back(*r);
        }
        (*tx)->set_device_dseq(caller.key, caller.user.id, expected);
        response.cursor = (*tx)->last_seq();
        (*tx)->commit();
        return response;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

// ---- pull ------------------------------------------------------------------------------------

Result<protocol::PullResponse> Service::pull(const Caller& caller, std::int64_t since, int limit) {
    if (since < 0) return invalid("since must be 0 or more");
    if (limit <= 0) limit = options_.default_pull_limit;
    limit = std::min(limit, options_.max_pull_limit);
    protocol::PullResponse response;
    try {
        std::vector<std::string> scope;
        {
            auto tx = store_.begin(false);
            if (!tx) return tx.error();
            // A cursor past the end of the log was not handed out by this store (a restore
            // from backup, or a confused device): it must start again from 0.
            if (const std::int64_t last = (*tx)->last_seq(); since > last)
                return Error{ErrorCode::Conflict,
                             "the cursor " + std::to_string(since) +
                                 " is ahead of this server's log (which ends at " +
                                 std::to_string(last) + "); pull again from 0",
                             "cursor_ahead"};
            scope = scope_schools(**tx, caller.user);
            auto served = (*tx)->device_schools(caller.key);
            std::sort(served.begin(), served.end());
            if (served != scope) {
                tx = Result<std::unique_ptr<StoreTx>>(Error{});
                auto w = store_.begin(true);
                if (!w) return w.error();
                StoreTx& t = **w;
                scope = scope_schools(t, caller.user);
                served = t.device_schools(caller.key);
                std::sort(served.begin(), served.end());
                if (since > 0) {
                    // Schools gained: their current state again, for this device only. Schools
                    // lost: a delete of the school row tells the device to purge it.
                    for (const auto& school : scope) {
                        if (std::binary_search(served.begin(), served.end(), school)) continue;
                        for (const auto& r : t.rows_of_school(school))
                            if (!r.deleted) resend(t, r, caller.key);
                    }
                    for (const auto& school : served) {
                        if (std::binary_search(scope.begin(), scope.end(), school)) continue;
                        Change c;
                        {
                            std::lock_guard lock(uuid_mutex_);
                            c.op = uuids_.next();
                        }
                        c.entity = "school";
                        c.id = school;
                        c.school = school;
                        c.kind = ChangeKind::Delete;
                        c.hlc = server_hlc();
                        c.dseq = 1;
                        append(t, c, system_admin().id, kServerDevice, caller.key);
                        response.purge.push_back(school);
                    }
                }
                t.set_device_schools(caller.key, scope);
                t.commit();
            }
        }

        auto tx = store_.begin(false);
        if (!tx) return tx.error();
        StoreTx& t = **tx;
        std::map<std::string, std::optional<Place>> places;
        std::map<std::string, std::optional<VisitContext>> visits;
        std::int64_t cursor = since;
        const int max_scan = limit * 20; // bound the work of one request; `more` says go on
        int scanned = 0;
        bool stopped = false;
        // The page's encoded size stays under max_pull_bytes (room kept for the envelope).
        const std::int64_t budget =
            std::max<std::int64_t>(1024, options_.max_pull_bytes - 64 * 1024);
        std::int64_t bytes = 0;
        for (const auto& school : response.purge)
            bytes += static_cast<std::int64_t>(school.size()) + 3;
        while (!stopped) {
            auto page = t.changes_after(cursor, limit);
            for (auto& logged : page) {
                if (static_cast<int>(response.ops.size()) >= limit || scanned >= max_scan) {
                    stopped = true;
                    break;
                }
                ++scanned;
                const std::int64_t before = cursor;
                cursor = logged.change.seq;
                // Adds the change unless the page would grow past its byte budget; then the
                // page ends before it and the next pull starts there.
                auto take = [&](Change&& c) {
                    const auto size = static_cast<std::int64_t>(c.to_json().dump().size()) + 1;
                    if (!response.ops.empty() && bytes + size > budget) {
                        cursor = before;
                        stopped = true;
                        return false;
                    }
                    bytes += size;
                    response.ops.push_back(std::move(c));
                    return true;
                };
                if (!logged.for_device.empty()) {
                    if (logged.for_device != caller.key) continue;
                    if (logged.change.kind == ChangeKind::Delete &&
                        logged.change.entity == "school") {
                        if (!take(std::move(logged.change))) break; // purge
                        continue;
                    }
                    // A replayed row still has to pass the read rule below.
                }
                const EntitySpec* spec = find_entity(logged.change.entity);
                if (!spec) continue;
                if (spec->scope != ScopeKind::School) {
                    if (!take(std::move(logged.change))) break;
                    continue;
                }
                const std::string& school = logged.change.school;
                if (!std::binary_search(scope.begin(), scope.end(), school)) continue;
                auto& place = places[school];
                if (!place) {
                    auto p = t.place_of_school(school);
                    place = p ? *p : Place{school, "", ""};
                }
                RowState state;
                if (!logged.visit.empty()) {
                    auto it = visits.find(logged.visit);
                    if (it == visits.end())
                        it = visits.emplace(logged.visit, t.visit(logged.visit)).first;
                    if (it->second) {
                        state.visit_status = it->second->status;
                        state.visit_team = it->second->team;
                    }
                }
                if (spec->name == "conflict") {
                    // A resolution carries only its status: what it is about is in the row.
                    auto stored = t.row(*spec, logged.change.id);
                    state.conflicted_entity = stored ? stored->fields.value("entity", "")
                                                     : logged.change.fields.value("entity", "");
                }
                if (spec->name == "evidence") {
                    // Evidence linked to a draft's observations waits for the visit to be
                    // submitted (publish_visit sends it then), unless this is its team or uploader.
                    auto stored = t.row(*spec, logged.change.id);
                    evidence_state(t, stored ? &*stored : nullptr, &logged.change.fields, state,
                                   &visits);
                }
                if (decide(caller.user, Access::Read, *spec, *place, state))
                    if (!take(std::move(logged.change))) break;
            }
            if (stopped) break;
            if (static_cast<int>(page.size()) < limit) break; // the end of the log
        }
        const std::int64_t last = t.last_seq();
        response.cursor = cursor;
        response.more = cursor < last;
        return response;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

// ---- administration --------------------------------------------------------------------------

Result<std::string> Service::admin_write(const User& actor, const WriteRequest& request) {
    WriteRequest req = request;
    if (req.id.empty()) {
        std::lock_guard lock(uuid_mutex_);
        req.id = uuids_.next();
    }
    try {
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        auto plan = plan_write(validator_, **tx, actor, req, format_utc_ms(clock_->now_ms()));
        if (!plan) return plan.error();
        if (plan->no_op()) return plan->id;
        Change c;
        {
            std::lock_guard lock(uuid_mutex_);
            c.op = uuids_.next();
        }
        c.entity = req.entity;
        c.id = plan->id;
        c.school = plan->school;
        c.fields = plan->changed;
        c.hlc = server_hlc();
        c.base = plan->existing ? plan->existing->seq : 0;
        c.dseq = 1;
        const std::int64_t seq = append(**tx, c, actor.id, kServerDevice);
        Row row = plan->existing ? *plan->existing : Row{req.entity, plan->id, plan->school};
        for (auto it = c.fields.begin(); it != c.fields.end(); ++it) {
            if (it.value().is_null())
                row.fields.erase(it.key());
            else
                row.fields[it.key()] = it.value();
        }
        row.seq = seq;
        row.hlc = c.hlc;
        (*tx)->put_row(row);
        std::vector<std::pair<std::string, FieldVersion>> versions;
        for (auto it = c.fields.begin(); it != c.fields.end(); ++it)
            versions.emplace_back(it.key(), FieldVersion{seq, c.hlc, actor.id, kServerDevice});
        (*tx)->set_field_versions(c.entity, c.id, versions);
        (*tx)->commit();
        return plan->id;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<User> Service::add_user(const NewUser& n, std::string_view password) {
    if (count_code_points(password) < 8)
        return invalid("the password must be at least 8 characters", "password");
    if (count_code_points(password) > 1024)
        return invalid("the password must be at most 1024 characters", "password");
    User u;
    {
        std::lock_guard lock(uuid_mutex_);
        u.id = uuids_.next();
    }
    u.email = lower(trim(n.email));
    u.name = trim(n.name);
    auto role = parse_role(n.role);
    if (!role)
        return invalid("role must be one of admin, regional_director, assistance_lead, principal, "
                       "receiver, got \"" +
                           n.role + "\"",
                       "role");
    u.role = *role;
    u.region = n.region;
    u.schools = n.schools;
    u.districts = n.districts;
    try {
        {
            auto tx = store_.begin(false);
            if (!tx) return tx.error();
            if ((*tx)->account_by_email(u.email))
                return Error{ErrorCode::Conflict,
                             "a user with email " + u.email + " exists already"};
            for (const auto& s : u.schools)
                if (!(*tx)->row(*find_entity("school"), s))
                    return Error{ErrorCode::NotFound, "school " + s + " does not exist", "school"};
            for (const auto& d : u.districts)
                if (!(*tx)->row(*find_entity("district"), d))
                    return Error{ErrorCode::NotFound, "district " + d + " does not exist",
                                 "district"};
            if (!u.region.empty() && !(*tx)->row(*find_entity("region"), u.region))
                return Error{ErrorCode::NotFound, "region " + u.region + " does not exist",
                             "region"};
        }
        Json fields = u.to_fields();
        if (u.region.empty()) fields.erase("region");
        auto written = admin_write(system_admin(), WriteRequest{"user", u.id, "", fields});
        if (!written) return written.error();
        const std::string hash = hash_password(password);
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        (*tx)->put_account(Account{u, hash});
        (*tx)->commit();
        return u;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<std::vector<User>> Service::list_users() {
    try {
        auto tx = store_.begin(false);
        if (!tx) return tx.error();
        std::vector<User> out;
        for (const auto& a : (*tx)->accounts())
            out.push_back(a.user);
        return out;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<int> Service::revoke_user(const std::string& email) {
    try {
        std::optional<Account> account;
        int ended = 0;
        {
            auto tx = store_.begin(true);
            if (!tx) return tx.error();
            account = (*tx)->account_by_email(lower(trim(email)));
            if (!account) return Error{ErrorCode::NotFound, "no user has email " + email};
            account->user.active = false;
            (*tx)->put_account(*account);
            ended = (*tx)->end_sessions(account->user.id);
            (*tx)->commit();
        }
        auto w = admin_write(system_admin(),
                             WriteRequest{"user", account->user.id, "", {{"active", false}}});
        if (!w) return w.error();
        return ended;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<int> Service::restore_user(const std::string& email) {
    try {
        std::optional<Account> account;
        {
            auto tx = store_.begin(true);
            if (!tx) return tx.error();
            account = (*tx)->account_by_email(lower(trim(email)));
            if (!account) return Error{ErrorCode::NotFound, "no user has email " + email};
            account->user.active = true;
            (*tx)->put_account(*account);
            (*tx)->commit();
        }
        auto w = admin_write(system_admin(),
                             WriteRequest{"user", account->user.id, "", {{"active", true}}});
        if (!w) return w.error();
        return 1;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<int> Service::set_password(const std::string& email, std::string_view password) {
    const std::size_t chars = count_code_points(password);
    if (chars < 8) return invalid("the password must be at least 8 characters", "password");
    if (chars > 1024) return invalid("the password must be at most 1024 characters", "password");
    try {
        const std::string hash = hash_password(password);
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        auto account = (*tx)->account_by_email(lower(trim(email)));
        if (!account) return Error{ErrorCode::NotFound, "no user has email " + email};
        account->password_hash = hash;
        (*tx)->put_account(*account);
        const int ended = (*tx)->end_sessions(account->user.id);
        (*tx)->commit();
        return ended;
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<int> Service::unlock_user(const std::string& email) {
    try {
        const std::string e = lower(trim(email));
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        auto account = (*tx)->account_by_email(e);
        if (!account) return Error{ErrorCode::NotFound, "no user has email " + email};
        (*tx)->clear_failures("email:" + e);
        (*tx)->clear_failures_with_prefix("device:" + account->user.id + "/");
        // Counts per address are not tied to one account; the admin's word clears them too.
        (*tx)->clear_failures_with_prefix("addr:");
        (*tx)->commit();
        return 1;
    } catch (const std::exception& ex) {
        return storage(ex);
    }
}

namespace {

// One CSV record; quotes may hold commas and doubled quotes.
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else if (c != '\r') {
            out.back() += c;
        }
    }
    for (auto& f : out)
        f = trim(f);
    return out;
}

const std::map<std::string, std::string> kDesignationWords = {
    {"none", "none"},
    {"focused/targeted support", "focused_targeted"},
    {"focused_targeted", "focused_targeted"},
    {"broad/comprehensive support", "broad_comprehensive"},
    {"broad_comprehensive", "broad_comprehensive"},
    {"underperforming", "underperforming"},
    {"chronically underperforming", "chronically_underperforming"},
    {"chronically_underperforming", "chronically_underperforming"},
};

} // namespace

Result<int> Service::import_schools(std::string_view csv) {
    struct Line {
        int number;
        std::string code, name, district_code, district_name, region, level, designation;
    };
    std::vector<Line> lines;
    std::size_t pos = 0;
    int number = 0;
    while (pos <= csv.size()) {
        std::size_t end = csv.find('\n', pos);
        if (end == std::string_view::npos) end = csv.size();
        std::string text(csv.substr(pos, end - pos));
        pos = end + 1;
        ++number;
        if (trim(text).empty()) {
            if (end == csv.size()) break;
            continue;
        }
        auto f = csv_fields(text);
        if (number == 1 && !f.empty() && lower(f[0]).find("org") != std::string::npos)
            continue; // header
        auto bad = [&](const std::string& why) {
            return invalid("line " + std::to_string(number) + ": " + why +
                           "; nothing was imported");
        };
        if (f.size() != 7)
            return bad(
                "expected 7 columns (org code, name, district code, district name, region, level, "
                "designation), got " +
                std::to_string(f.size()));
        Line l{number, f[0], f[1], f[2], f[3], f[4], lower(f[5]), lower(f[6])};
        auto digits = [](const std::string& s) {
            return !s.empty() && s.size() <= 8 &&
                   s.find_first_not_of("0123456789") == std::string::npos;
        };
        if (!digits(l.code)) return bad("org code must be up to 8 digits, got \"" + l.code + "\"");
        if (!digits(l.district_code))
            return bad("district code must be up to 8 digits, got \"" + l.district_code + "\"");
        if (l.name.empty()) return bad("the school name is empty");
        if (l.district_name.empty()) return bad("the district name is empty");
        if (l.region.empty()) return bad("the region is empty");
        if (l.level == "high" || l.level == "high school") l.level = "secondary";
        if (l.level == "k-12") l.level = "k12";
        Validator v(*reference_);
        if (auto st = v.check_value(*find_entity("school")->field("level"), l.level); !st)
            return bad(st.error().message);
        auto d = kDesignationWords.find(l.designation);
        if (d == kDesignationWords.end())
            return bad(
                "designation must be none, focused/targeted support, broad/comprehensive support, "
                "underperforming or chronically underperforming, got \"" +
                l.designation + "\"");
        l.designation = d->second;
        if (count_code_points(l.name) > 200 || count_code_points(l.district_name) > 200)
            return bad("a name is longer than 200 characters");
        if (count_code_points(l.region) > 100)
            return bad("the region's name is longer than 100 characters");
        lines.push_back(l);
    }
    if (lines.empty()) return invalid("the file has no school rows; nothing was imported");

    // All rows are good: write them, reusing regions, districts and schools by name or code.
    try {
        std::map<std::string, std::string> regions, districts, schools;
        {
            auto tx = store_.begin(false);
            if (!tx) return tx.error();
            for (const auto& r : (*tx)->rows_of_entity("region"))
                regions[lower(r.fields.value("name", ""))] = r.id;
            for (const auto& r : (*tx)->rows_of_entity("district"))
                districts[r.fields.value("code", "")] = r.id;
            for (const auto& r : (*tx)->rows_of_entity("school"))
                schools[r.fields.value("code", "")] = r.id;
        }
        const User admin = system_admin();
        for (const auto& l : lines) {
            std::string& region = regions[lower(l.region)];
            if (region.empty()) {
                // The first 20 characters (never half of one).
                std::string code;
                for (std::size_t i = 0, n = 0; i < l.region.size() && n <= 20; ++i) {
                    if ((static_cast<unsigned char>(l.region[i]) & 0xC0) != 0x80 && ++n > 20) break;
                    code += l.region[i];
                }
                auto r =
                    admin_write(admin, {"region", "", "", {{"name", l.region}, {"code", code}}});
                if (!r)
                    return invalid("line " + std::to_string(l.number) + ": " + r.error().message);
                region = *r;
            }
            std::string& district = districts[l.district_code];
            if (district.empty()) {
                auto r = admin_write(
                    admin,
                    {"district",
                     "",
                     "",
                     {{"region", region}, {"code", l.district_code}, {"name", l.district_name}}});
                if (!r)
                    return invalid("line " + std::to_string(l.number) + ": " + r.error().message);
                district = *r;
            }
            std::string& school = schools[l.code];
            Json fields{{"code", l.code},
                        {"name", l.name},
                        {"level", l.level},
                        {"designation", l.designation}};
            if (school.empty()) fields["district"] = district;
            auto r = admin_write(admin, {"school", school, "", fields});
            if (!r) return invalid("line " + std::to_string(l.number) + ": " + r.error().message);
            school = *r;
        }
        return static_cast<int>(lines.size());
    } catch (const std::exception& e) {
        return storage(e);
    }
}

Result<Json> Service::export_for(const std::string& email) {
    try {
        auto tx = store_.begin(false);
        if (!tx) return tx.error();
        auto account = (*tx)->account_by_email(lower(trim(email)));
        if (!account) return Error{ErrorCode::NotFound, "no user has email " + email};
        const User user = effective_user(**tx, *account);
        auto scope = scope_schools(**tx, user);
        Json rows = Json::object();
        for (const auto& spec : entity_specs()) {
            for (const auto& r : (*tx)->rows_of_entity(spec.name)) {
                if (r.deleted) continue;
                if (spec.scope == ScopeKind::School) {
                    if (!std::binary_search(scope.begin(), scope.end(), r.school)) continue;
                    auto place = (*tx)->place_of_school(r.school);
                    RowState state;
                    if (auto v = visit_of((**tx), Change{"", r.entity, r.id, r.school}, &r);
                        !v.empty())
                        if (auto ctx = (*tx)->visit(v)) {
                            state.visit_status = ctx->status;
                            state.visit_team = ctx->team;
                        }
                    if (spec.name == "conflict")
                        state.conflicted_entity = r.fields.value("entity", "");
                    if (spec.name == "evidence") evidence_state(**tx, &r, nullptr, state);
                    if (!decide(user, Access::Read, spec, place ? *place : Place{r.school}, state))
                        continue;
                }
                rows[spec.name][r.id] = {{"school", r.school}, {"fields", r.fields}};
            }
        }
        return Json{{"rows", rows}};
    } catch (const std::exception& e) {
        return storage(e);
    }
}

} // namespace sitevisit::server
