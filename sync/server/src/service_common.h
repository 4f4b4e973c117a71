#pragma once

// What the parts of the service (sign_in, push, pull, admin) share; private to the server
// library.

#include "sitevisit/server/service.h"
#include "text.h"

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

namespace sitevisit::server::detail {

// Writes the server makes itself (conflict records, replays, imports) carry this device.
inline constexpr const char* kServerDevice = "server";

// The author of those writes.
User system_admin();

// Backends throw on storage failures; the service answers with an error, never a crash.
Error storage(const std::exception& e);

// Runs `body`, a function returning a Result, and turns a storage exception into that error.
template <class Body> auto storage_guarded(Body&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const std::exception& e) {
        return storage(e);
    }
}

inline bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// The directory row (entity `user`) is where role and scope live, so an admin's change to it,
// from any device, takes effect at the next request. The account adds the password.
User effective_user(StoreTx& tx, const Account& account);

} // namespace sitevisit::server::detail
