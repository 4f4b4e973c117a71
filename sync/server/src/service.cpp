#include "sitevisit/server/service.h"

#include "service_common.h"

#include <algorithm>
#include <thread>

namespace sitevisit::server {

namespace detail {

User system_admin() {
    User u;
    u.id = "00000000-0000-7000-8000-000000000000";
    u.email = "server@localhost";
    u.name = "Site Visit server";
    u.role = Role::Admin;
    return u;
}

Error storage(const std::exception& e) {
    return Error{ErrorCode::Storage, std::string("storage: ") + e.what()};
}

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

} // namespace detail

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
      validator_(*reference_), options_(options), hlc_(*clock_, detail::kServerDevice),
      uuids_(*clock_) {
    int slots = options_.max_hashing;
    if (slots <= 0) slots = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    hashing_ = std::make_unique<std::counting_semaphore<4096>>(std::min(slots, 4096));
    store_.on_commit = [this](const Appended& appended) { waiters_.committed(appended); };
}

Service::~Service() {
    stop_writer();
    store_.watch_other_writers(false);
    store_.on_commit = nullptr;
}

std::string Service::server_hlc() {
    std::lock_guard lock(hlc_mutex_);
    return hlc_.now().to_string();
}

std::string Service::next_id() {
    std::lock_guard lock(uuid_mutex_);
    return uuids_.next();
}

Json Service::reference() const {
    return reference_->to_json();
}

} // namespace sitevisit::server
