// Administration: the writes the server makes itself (admin tools, demo data) through the same
// rules as a device's, accounts (add, list, revoke, restore, password, unlock), and the export
// of what one user may see.

#include "service_common.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/validation.h"
#include "sitevisit/server/crypto.h"
#include "sitevisit/server/merge.h"

#include <algorithm>

namespace sitevisit::server {

using detail::lower;
using detail::storage_guarded;
using detail::system_admin;
using detail::trim;

namespace {

// 8 to 1024 characters, counted as characters, not bytes.
Status check_password(std::string_view password) {
    const std::size_t chars = count_code_points(password);
    if (chars < 8) return invalid("the password must be at least 8 characters", "password");
    if (chars > 1024) return invalid("the password must be at most 1024 characters", "password");
    return ok_status();
}

Error no_such_user(const std::string& email) {
    return Error{ErrorCode::NotFound, "no user has email " + email};
}

} // namespace

Result<std::string> Service::admin_write(const User& actor, const WriteRequest& request) {
    WriteRequest req = request;
    if (req.id.empty()) req.id = next_id();
    return storage_guarded([&]() -> Result<std::string> {
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        auto plan = plan_write(validator_, **tx, actor, req, format_utc_ms(clock_->now_ms()));
        if (!plan) return plan.error();
        if (plan->no_op()) return plan->id;
        Change c;
        c.op = next_id();
        c.entity = req.entity;
        c.id = plan->id;
        c.school = plan->school;
        c.fields = plan->changed;
        c.hlc = server_hlc();
        c.base = plan->existing ? plan->existing->seq : 0;
        c.dseq = 1;
        const std::int64_t seq = append(**tx, c, actor.id, detail::kServerDevice);
        Row row = plan->existing ? *plan->existing : Row{req.entity, plan->id, plan->school};
        merge::apply_fields(row.fields, c.fields);
        row.seq = seq;
        row.hlc = c.hlc;
        (*tx)->put_row(row);
        std::vector<std::string> names;
        for (auto it = c.fields.begin(); it != c.fields.end(); ++it)
            names.push_back(it.key());
        (*tx)->set_field_versions(c.entity, c.id, names,
                                  FieldVersion{seq, c.hlc, actor.id, detail::kServerDevice});
        (*tx)->commit();
        return plan->id;
    });
}

Result<User> Service::add_user(const NewUser& n, std::string_view password) {
    if (auto st = check_password(password); !st) return st.error();
    User u;
    u.id = next_id();
    u.email = lower(trim(n.email));
    u.name = trim(n.name);
    auto role = parse_role(n.role);
    if (!role)
        return invalid("role must be one of admin, regional_director, assistance_lead, principal, "
                       "receiver, district_leader, got \"" +
                           n.role + "\"",
                       "role");
    u.role = *role;
    u.region = n.region;
    u.schools = n.schools;
    u.districts = n.districts;
    return storage_guarded([&]() -> Result<User> {
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
    });
}

Result<std::vector<User>> Service::list_users() {
    return storage_guarded([&]() -> Result<std::vector<User>> {
        auto tx = store_.begin(false);
        if (!tx) return tx.error();
        std::vector<User> out;
        for (const auto& a : (*tx)->accounts())
            out.push_back(a.user);
        return out;
    });
}

Result<int> Service::revoke_user(const std::string& email) {
    return storage_guarded([&]() -> Result<int> {
        std::optional<Account> account;
        int ended = 0;
        {
            auto tx = store_.begin(true);
            if (!tx) return tx.error();
            account = (*tx)->account_by_email(lower(trim(email)));
            if (!account) return no_such_user(email);
            account->user.active = false;
            (*tx)->put_account(*account);
            ended = (*tx)->end_sessions(account->user.id);
            (*tx)->commit();
        }
        auto w = admin_write(system_admin(),
                             WriteRequest{"user", account->user.id, "", {{"active", false}}});
        if (!w) return w.error();
        return ended;
    });
}

Result<int> Service::restore_user(const std::string& email) {
    return storage_guarded([&]() -> Result<int> {
        std::optional<Account> account;
        {
            auto tx = store_.begin(true);
            if (!tx) return tx.error();
            account = (*tx)->account_by_email(lower(trim(email)));
            if (!account) return no_such_user(email);
            account->user.active = true;
            (*tx)->put_account(*account);
            (*tx)->commit();
        }
        auto w = admin_write(system_admin(),
                             WriteRequest{"user", account->user.id, "", {{"active", true}}});
        if (!w) return w.error();
        return 1;
    });
}

Result<int> Service::set_password(const std::string& email, std::string_view password) {
    if (auto st = check_password(password); !st) return st.error();
    return storage_guarded([&]() -> Result<int> {
        const std::string hash = hash_password(password);
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        auto account = (*tx)->account_by_email(lower(trim(email)));
        if (!account) return no_such_user(email);
        account->password_hash = hash;
        (*tx)->put_account(*account);
        const int ended = (*tx)->end_sessions(account->user.id);
        (*tx)->commit();
        return ended;
    });
}

Result<int> Service::unlock_user(const std::string& email) {
    return storage_guarded([&]() -> Result<int> {
        const std::string e = lower(trim(email));
        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        auto account = (*tx)->account_by_email(e);
        if (!account) return no_such_user(email);
        (*tx)->clear_failures("email:" + e);
        (*tx)->clear_failures_with_prefix("device:" + account->user.id + "/");
        // Counts per address are not tied to one account; the admin's word clears them too.
        (*tx)->clear_failures_with_prefix("addr:");
        (*tx)->commit();
        return 1;
    });
}

Result<Json> Service::export_for(const std::string& email) {
    return storage_guarded([&]() -> Result<Json> {
        auto tx = store_.begin(false);
        if (!tx) return tx.error();
        auto account = (*tx)->account_by_email(lower(trim(email)));
        if (!account) return no_such_user(email);
        const User user = detail::effective_user(**tx, *account);
        auto scope = scope_schools(**tx, user, true);
        Json rows = Json::object();
        for (const auto& spec : entity_specs()) {
            for (const auto& r : (*tx)->rows_of_entity(spec.name)) {
                if (r.deleted) continue;
                if (spec.scope == ScopeKind::School) {
                    if (!std::binary_search(scope.begin(), scope.end(), r.school)) continue;
                    auto place = (*tx)->place_of_school(r.school);
                    if (!decide(user, Access::Read, spec, place ? *place : Place{r.school},
                                row_state(**tx, spec, r)))
                        continue;
                }
                rows[spec.name][r.id] = {{"school", r.school}, {"fields", r.fields}};
            }
        }
        return Json{{"rows", rows}};
    });
}

} // namespace sitevisit::server
