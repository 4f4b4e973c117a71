// The push: a device's batch of changes in one transaction, taken in dseq order, each op
// idempotent by its id, checked by core's plan_write/plan_delete as its signed-in user, and
// decided against the stored row by the merge rules (merge.h).

#include "service_common.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/server/merge.h"
#include "sitevisit/server/metrics.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>
#include <unordered_map>

namespace sitevisit::server {

using detail::kServerDevice;
using detail::system_admin;

namespace {

// The data schema whose devices write a plan_revision beside each change to a submitted plan.
constexpr int kPlanRevisionSchema = 5;

// Whether a change was written by a device that writes no plan revisions: one of a data
// schema before 5 (judged by what the change carries too, as its label alone is the sender's
// word), whose batch carries no revision of this row.
bool from_older_device(const Change& in, const std::set<std::string>& revised) {
    if (in.schema >= kPlanRevisionSchema || revised.count(in.id)) return false;
    const EntitySpec* spec = find_entity(in.entity);
    static const Json kNoFields;
    const Json& fields = in.kind == ChangeKind::Delete ? kNoFields : in.fields; // not a copy
    return !spec || schema_needed(*spec, fields) < kPlanRevisionSchema;
}

// Whether a write to this entity can leave a plan revision (plan_revision_for): its plan, or a
// part of one.
bool part_of_a_plan(const EntitySpec& spec) {
    return spec.kind == EntityKind::Plan || spec.kind == EntityKind::Objective ||
           spec.kind == EntityKind::Initiative || spec.kind == EntityKind::Benchmark;
}

// A change to a submitted plan from such a device leaves no revision of its own: the server
// writes it, so the plan's history has every change.
std::optional<WriteRequest> revision_for_older_device(StoreTx& tx, const Change& in,
                                                      const std::set<std::string>& revised,
                                                      const WritePlan& plan) {
    if (!plan.spec || !part_of_a_plan(*plan.spec) || !from_older_device(in, revised))
        return std::nullopt;
    return plan_revision_for(tx, plan);
}

} // namespace

Result<protocol::OpResult> Service::apply_op(StoreTx& tx, const Caller& caller, const Change& in,
                                             std::int64_t& conflicts,
                                             const std::set<std::string>& revised) {
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
    const merge::Stamp stamp = merge::clamp_stamp(*Hlc::parse(in.hlc), clock_->now_ms());
    if (stamp.clamped && log)
        log("device " + caller.device + " sent clock " + in.hlc + "; clamped to " +
            format_utc_ms(stamp.hlc.wall_ms));
    {
        std::lock_guard lock(hlc_mutex_);
        hlc_.observe(stamp.hlc);
    }
    // The change as logged: the device's, on the server's clock, with the fields that stand
    // (set below; the incoming ones are not copied for it).
    Change change;
    change.op = in.op;
    change.entity = in.entity;
    change.id = in.id;
    change.school = in.school;
    change.kind = in.kind;
    change.hlc = stamp.hlc.to_string();
    change.base = in.base;
    change.dseq = in.dseq;
    change.schema = in.schema;
    // Only an edit or delete of a stored row is merged: most changes make new rows.
    auto incoming = [&] {
        return merge::Incoming{in.base,   caller.key, user.id,
                               stamp.hlc, change.hlc, spec.conflict_free};
    };
    auto record = [&](const std::string& school, const std::vector<merge::FieldConflict>& found) {
        for (const auto& c : found)
            record_conflict(tx, in.entity, in.id, school, c);
        conflicts += static_cast<std::int64_t>(found.size());
        if (!found.empty()) result.status = protocol::OpStatus::Conflict;
    };

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
        const auto revision = revision_for_older_device(tx, in, revised, *plan);
        // Edits accepted after the device's base lose to the delete but are kept as conflicts.
        std::vector<std::string> names;
        for (auto it = row.fields.begin(); it != row.fields.end(); ++it)
            names.push_back(it.key());
        auto versions = tx.field_versions(in.entity, in.id, names);
        change.school = row.school;
        change.fields = Json::object();
        const std::int64_t seq = append(tx, change, user.id, caller.key);
        record(row.school, merge::delete_conflicts(row.fields, names, versions, incoming()));
        row.deleted = true;
        row.seq = seq;
        row.hlc = change.hlc;
        tx.put_row(row);
        if (revision) record_revision(tx, *revision, user, row.school);
        result.seq = seq;
        return result;
    }

    // The time as text, for defaults such as a comment's: made once a millisecond, not once a
    // change (a function of the milliseconds alone, so one text serves every clock).
    thread_local std::int64_t now_text_ms = -1;
    thread_local std::string now_text;
    if (const std::int64_t ms = clock_->now_ms(); ms != now_text_ms) {
        now_text = format_utc_ms(ms);
        now_text_ms = ms;
    }
    auto plan = plan_write_of(validator_, tx, user,
                              WriteView{in.entity, in.id, in.school, in.fields}, now_text);
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
            record(existing->school,
                   merge::edit_of_deleted_conflicts(in.fields, incoming(), existing->hlc));
            result.status = protocol::OpStatus::Conflict;
            return result;
        }
        return reject(plan.error());
    }
    if (plan->no_op()) {
        result.seq = plan->existing->seq;
        return result;
    }
    const std::optional<Row>& existing = plan->existing;
    change.school = plan->school; // conflict records below take their school from here

    // Per field: did another device change it after this device's base?
    merge::FieldMerge merged;
    if (existing && !spec.append_only) {
        std::vector<std::string> names;
        for (auto it = plan->changed.begin(); it != plan->changed.end(); ++it)
            names.push_back(it.key());
        auto versions = tx.field_versions(in.entity, in.id, names);
        merged = merge::merge_fields(std::move(plan->changed), existing->fields, names, versions,
                                     incoming());
        record(change.school, merged.conflicts);
    } else {
        merged.changed = std::move(plan->changed);
    }
    const Json& changed = merged.changed;
    // The sender kept its own value while its edit was waiting and skipped the winner when it
    // pulled: send the winning values again, after this change, so every device converges.
    auto resend_winners = [&](Row& row) {
        if (merged.lost.empty()) return;
        Change again;
        again.op = next_id();
        again.entity = in.entity;
        again.id = in.id;
        again.school = row.school;
        again.fields = merged.lost;
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
                if (detail::contains(scope, r.school) && may_read_row(tx, user, r)) {
                    may = true;
                    break;
                }
        }
        if (!may)
            return reject(invalid("evidence refers to file " + sha.substr(0, 12) +
                                      "..., which was not uploaded in full by you; upload it first",
                                  "sha256"));
    }

    std::optional<WriteRequest> revision;
    if (part_of_a_plan(spec) && from_older_device(in, revised)) {
        WritePlan taken = *plan;
        taken.changed = changed; // what stands after the merge
        revision = plan_revision_for(tx, taken);
    }
    // What the steps after the log need of the fields, which move into the log.
    std::vector<std::string> names;
    names.reserve(changed.size());
    for (auto it = changed.begin(); it != changed.end(); ++it)
        names.push_back(it.key());
    const bool team_changed = changed.contains("team");
    // Who may see the visit changed (submitted to the school, or new team members): its
    // current state is sent again for those who skipped its earlier changes.
    const bool publish =
        spec.name == "visit" && (changed.value("status", "") == "submitted" || team_changed);
    // A rater who marks their ratings done: the other raters skipped those ratings until now.
    const bool marks_done =
        spec.is(EntityKind::Rater) && changed.contains("done") && changed["done"] == true;
    // The row is kept here only while a step below still reads it.
    const bool row_read_again =
        !merged.lost.empty() || revision || spec.name == "visit" || marks_done;
    // A new row's fields are the change's: encoded once for the log and the row, which keeps
    // them as that text when nothing below reads it (most of what a push brings).
    std::string fields_json;
    if (!existing &&
        std::none_of(changed.begin(), changed.end(), [](const Json& v) { return v.is_null(); }))
        fields_json = changed.dump();
    const bool fields_as_text = !fields_json.empty() && !row_read_again;
    Row row =
        existing ? *existing : Row{spec.name, in.id, plan->school, Json::object(), 0, "", false};
    if (!fields_as_text) merge::apply_fields(row.fields, changed);
    row.hlc = change.hlc;
    change.fields = std::move(merged.changed);
    const std::int64_t seq = append(tx, std::move(change), user.id, caller.key, {}, fields_json);
    row.seq = seq;
    tx.set_field_versions(in.entity, in.id, names, FieldVersion{seq, row.hlc, user.id, caller.key});
    if (!row_read_again) {
        if (fields_as_text)
            tx.put_row(std::move(row), std::move(fields_json));
        else
            tx.put_row(std::move(row));
        result.seq = seq;
        return result;
    }
    tx.put_row(row);
    resend_winners(row);
    if (revision) record_revision(tx, *revision, user, row.school);
    if (publish) publish_visit(tx, in.id);
    if (marks_done) {
        const std::string visit = row.fields.value("visit", "");
        const std::string person = row.fields.value("user", "");
        for (Row r : visit_rows(tx, visit))
            if (r.entity == "rating" && r.fields.value("rater", "") == person) {
                r.seq = resend(tx, r, {});
                tx.put_row(r);
            }
    }
    // Those taken off a draft's team may no longer read it: their devices are told to remove
    // it and what hangs off it (the store keeps them; adding them back sends them again).
    if (spec.name == "visit" && existing && team_changed &&
        row.fields.value("status", "") == "draft") {
        std::set<std::string> now;
        if (row.fields["team"].is_array())
            for (const auto& m : row.fields["team"])
                if (m.is_string()) now.insert(m.get<std::string>());
        std::vector<Row> rows;
        if (existing->fields.contains("team") && existing->fields["team"].is_array())
            for (const auto& m : existing->fields["team"]) {
                if (!m.is_string() || now.count(m.get<std::string>())) continue;
                auto account = tx.account_by_id(m.get<std::string>());
                if (!account || may_read_row(tx, account->user, row)) continue;
                if (rows.empty()) rows = visit_rows(tx, in.id);
                for (const auto& device : tx.devices_of_user(account->user.id))
                    purge_for(tx, rows, device);
            }
    }
    result.seq = seq;
    return result;
}

// The push writer. Every push is queued; one thread takes the queue first come, first served,
// and applies the pushes waiting together in one transaction (group commit: one wait for the
// disk for them all), each push in a savepoint of its own, and answers each only after the
// commit. A push that fails (not an op refused: an error) is undone alone by its savepoint;
// when the transaction fails as a whole, every push of the group is applied again in a
// transaction of its own, so no push is lost with another's failure.
struct Service::PushJob {
    const Caller& caller;
    std::vector<Change> ops;
    bool stale_bases = false;
    bool restart = false;
    std::promise<Result<protocol::PushResponse>> answer;
};

namespace {
// Changes taken into one transaction at most (a push larger than this goes alone). A push that
// arrives just after a group was taken waits for that group and then for its own turn: with
// groups of a whole round of 20 pushes of 500, the slowest pushes waited about two rounds;
// with five, about 1.3; with ten, 1.2 to 1.5. Each commit writes every page the group changed
// to the log, and changes with random (v4) ids change pages all over the row and op indexes:
// groups of ten took a sixth off the writer's time for them (docs/performance.md).
constexpr std::size_t kGroupOps = 5000;
} // namespace

Result<protocol::PushResponse> Service::push(const Caller& caller, protocol::PushRequest request) {
    if (request.device != caller.device)
        return Error{ErrorCode::Forbidden,
                     "this session belongs to device " + caller.device + ", not " + request.device};
    for (const auto& op : request.ops)
        if (op.schema > kDataSchemaVersion)
            return Error{ErrorCode::Unsupported,
                         "upgrade required: change " + op.op + " uses data schema " +
                             std::to_string(op.schema) + "; this server knows schema " +
                             std::to_string(kDataSchemaVersion) + ". Nothing was applied."};
    // Bases numbered in an epoch a restore replaced (the device has not pulled since).
    const bool stale = !request.epoch.empty() && request.epoch != store_.epoch().id;
    PushJob job{caller, std::move(request.ops), stale, request.restart, {}};
    std::stable_sort(job.ops.begin(), job.ops.end(),
                     [](const Change& a, const Change& b) { return a.dseq < b.dseq; });
    auto answer = job.answer.get_future();
    std::call_once(writer_started_, [this] { writer_ = std::thread([this] { writer_loop(); }); });
    {
        std::lock_guard lock(push_mutex_);
        push_queue_.push_back(&job);
        ++pushes_waiting_;
    }
    push_ready_.notify_one();
    return answer.get();
}

std::size_t Service::pushes_waiting() {
    std::lock_guard lock(push_mutex_);
    return pushes_waiting_;
}

void Service::stop_writer() {
    {
        std::lock_guard lock(push_mutex_);
        stopping_ = true;
    }
    push_ready_.notify_all();
    if (writer_.joinable()) writer_.join();
}

void Service::writer_loop() {
    for (;;) {
        std::vector<PushJob*> group;
        {
            std::unique_lock lock(push_mutex_);
            push_ready_.wait(lock, [&] { return stopping_ || !push_queue_.empty(); });
            if (push_queue_.empty()) return; // stopping, and every push answered
            std::size_t ops = 0;
            while (!push_queue_.empty() &&
                   (group.empty() || ops + push_queue_.front()->ops.size() <= kGroupOps)) {
                ops += push_queue_.front()->ops.size();
                group.push_back(push_queue_.front());
                push_queue_.pop_front();
            }
        }
        run_group(group);
    }
}

Result<std::unique_ptr<StoreTx>> Service::begin_push_writer() {
    // Another process (a `school import`) may hold the write lock past SQLite's wait: a push
    // waits on, it never fails for a busy database.
    for (int attempt = 0;; ++attempt) {
        auto tx = store_.begin(true);
        if (tx || tx.error().code != ErrorCode::Busy) return tx;
        if (log && attempt % 20 == 0)
            log("pushes wait for the store's write lock, held by another process: " +
                tx.error().message);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void Service::run_group(const std::vector<PushJob*>& group) {
    std::vector<std::optional<Result<protocol::PushResponse>>> answers(group.size());
    std::vector<std::int64_t> conflicts(group.size(), 0);
    // What the transaction read and kept: freed once every push is answered (freeing a group's
    // rows took a sixth of the writer's time, and the devices wait for none of it).
    std::shared_ptr<void> kept;
    bool done = false;
    try {
        auto tx = begin_push_writer();
        if (!tx) {
            for (auto& a : answers)
                a = tx.error();
            done = true;
        } else {
            StoreTx& t = **tx;
            for (std::size_t i = 0; i < group.size(); ++i) {
                t.savepoint();
                Result<protocol::PushResponse> r = Error{};
                try {
                    conflicts[i] = 0;
                    r = apply_push(t, group[i]->caller, group[i]->ops, conflicts[i],
                                   group[i]->stale_bases, group[i]->restart);
                } catch (const std::exception& e) {
                    r = detail::storage(e);
                }
                if (r)
                    t.release_savepoint();
                else
                    t.rollback_to_savepoint(); // throws when the failure ended the transaction
                answers[i] = std::move(r);
            }
            t.commit();
            done = true; // committed: never applied again below
            kept = t.take_kept();
        }
    } catch (const std::exception& e) {
        if (log)
            log(std::string("a group of pushes failed as a whole, applying each alone: ") +
                e.what());
    }
    if (!done)
        for (std::size_t i = 0; i < group.size(); ++i)
            answers[i] = detail::storage_guarded([&]() -> Result<protocol::PushResponse> {
                auto tx = begin_push_writer();
                if (!tx) return tx.error();
                conflicts[i] = 0;
                auto r = apply_push(**tx, group[i]->caller, group[i]->ops, conflicts[i],
                                    group[i]->stale_bases, group[i]->restart);
                if (r) (*tx)->commit();
                return r;
            });
    for (std::size_t i = 0; i < group.size(); ++i) {
        {
            std::lock_guard lock(push_mutex_);
            --pushes_waiting_;
        }
        // Counted once committed.
        if (metrics && *answers[i]) {
            for (const auto& r : (*answers[i])->results)
                metrics->push_result(r.status);
            metrics->conflicts(conflicts[i]);
        }
        group[i]->answer.set_value(std::move(*answers[i]));
    }
}

Result<protocol::PushResponse> Service::apply_push(StoreTx& tx, const Caller& caller,
                                                   const std::vector<Change>& ops,
                                                   std::int64_t& conflicts, bool stale_bases,
                                                   bool restart) {
    protocol::PushResponse response;
    const Epoch epoch = store_.epoch();
    response.epoch = epoch.id;
    std::int64_t expected = tx.device_dseq(caller.key);
    const std::int64_t expected_before = expected;
    // A device that met this epoch sends again what it kept: the changes it sent between the
    // backup and the restore that it no longer keeps are gone, so its numbering may start
    // past the server's (once per epoch; SYNC.md, "Restores and epochs").
    bool may_skip = restart && tx.device_epoch(caller.key) != epoch.id;
    std::vector<std::string> ids;
    ids.reserve(ops.size());
    for (const Change& op : ops)
        ids.push_back(op.op);
    // Replayed op ids: one look-up for the batch, then the ones this batch stores itself.
    const auto stored = tx.op_results(ids);
    {
        std::vector<std::pair<std::string, std::string>> rows;
        rows.reserve(ops.size());
        for (const Change& op : ops)
            rows.emplace_back(op.entity, op.id);
        tx.prefetch_rows(rows);
    }
    // The rows this batch carries its own plan revisions of.
    std::set<std::string> revised;
    for (const Change& op : ops)
        if (op.entity == "plan_revision" && op.kind == ChangeKind::Upsert &&
            op.fields.contains("row") && op.fields["row"].is_string())
            revised.insert(op.fields["row"].get<std::string>());
    std::unordered_map<std::string, std::string> here;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const Change& op = ops[i];
        std::optional<std::string> prior;
        if (stored[i]) {
            if (stored[i]->device != caller.key) {
                // Only the device that sent an op may send it again: another device's change
                // under the same id was never applied, and its result is not this device's.
                response.results.push_back(merge::op_reused(op.op));
                continue;
            }
            prior = stored[i]->result;
        } else if (auto it = here.find(op.op); it != here.end()) {
            prior = it->second;
        }
        if (prior) {
            // The result stored the first time; a change refused then is refused again.
            response.results.push_back(merge::replayed_result(op.op, *prior));
            continue;
        }
        auto order = merge::check_dseq(op.dseq, expected);
        if (order == merge::Sequence::Gap && may_skip) {
            if (log)
                log("device " + caller.device + " sends again after a restore: changes " +
                    std::to_string(expected + 1) + " to " + std::to_string(op.dseq - 1) +
                    " are lost");
            expected = op.dseq - 1;
            order = merge::Sequence::Next;
        }
        if (order != merge::Sequence::Next) {
            response.results.push_back(merge::sequence_refusal(op.op, op.dseq, expected, order));
            continue;
        }
        may_skip = false;
        Result<protocol::OpResult> r = Error{};
        try {
            if (stale_bases) {
                // The base counts in the replaced log: what this server holds of the row is at
                // most what the restore brought back, so edits since then are concurrent.
                Change rebased = op;
                rebased.base = std::min(op.base, epoch.base);
                if (const EntitySpec* spec = find_entity(op.entity))
                    if (auto current = tx.row(*spec, op.id))
                        rebased.base = std::min(rebased.base, current->seq);
                r = apply_op(tx, caller, rebased, conflicts, revised);
            } else {
                r = apply_op(tx, caller, op, conflicts, revised);
            }
        } catch (const Json::exception& e) {
            // A bug meeting odd input must not block this device for good: refuse the op.
            r = protocol::OpResult{op.op, protocol::OpStatus::Rejected, 0,
                                   std::string("the server could not apply this change: ") +
                                       e.what()};
        }
        if (!r) return r.error();
        expected = op.dseq;
        std::string result = merge::stored_result(*r);
        tx.save_op_result(op.op, caller.key, result);
        here.emplace(op.op, std::move(result));
        response.results.push_back(*r);
    }
    // Only a change taken moves the device into this epoch (a push refused for a gap leaves
    // it free to restart).
    if (expected != expected_before) tx.set_device_dseq(caller.key, caller.user.id, expected);
    response.cursor = tx.last_seq();
    return response;
}

} // namespace sitevisit::server
