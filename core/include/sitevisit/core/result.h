#pragma once

#include <string>
#include <utility>
#include <variant>

namespace sitevisit {

// What went wrong, in words a person can act on. `field` names the offending field, if any.
enum class ErrorCode {
    Invalid,       // bad input: type, range, enum, required, length
    NotFound,      // the row or entity does not exist
    Forbidden,     // outside the user's role or scope
    Conflict,      // the row is in a state that does not allow this (deleted, submitted)
    Unsupported,   // a newer schema or an unknown kind
    Storage,       // SQLite said no (disk full, corrupt file)
    Unauthorized,  // no, bad or expired credentials
    RateLimited,   // too many attempts; try again later
    TooLarge,      // a body or file over the limit
    Unprocessable, // well-formed but wrong (a blob whose bytes do not match its hash)
    Busy,          // the server is at capacity for this work now; try again in a moment
};

const char* to_string(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Invalid;
    std::string message;
    std::string field;
};

inline Error invalid(std::string message, std::string field = {}) {
    return {ErrorCode::Invalid, std::move(message), std::move(field)};
}

// A value or an Error; no exceptions cross layer boundaries.
template <class T> class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    // By value, so `for (auto& x : *store.list(...))` keeps the list alive for the loop.
    T value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T operator*() && { return std::move(*this).value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
    return Ok{};
}

} // namespace sitevisit
