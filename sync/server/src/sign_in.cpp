// Sign-in: passwords checked a few at a time, failures counted per account, address and
// device before the slow hash, device secrets, and the bearer tokens of sessions.

#include "service_common.h"
#include "sitevisit/server/crypto.h"

#include <chrono>

namespace sitevisit::server {

using detail::storage_guarded;

namespace {

// An unknown email is checked against this, so it costs what a known one costs.
const std::string& dummy_hash() {
    static const std::string hash = hash_password("an unknown email costs the same as a known one");
    return hash;
}

// A turn at password hashing, given back however the check ends.
class HashingTurn {
public:
    explicit HashingTurn(std::counting_semaphore<4096>& slots) : slots_(slots) {}
    ~HashingTurn() {
        if (held_) slots_.release();
    }
    HashingTurn(const HashingTurn&) = delete;
    HashingTurn& operator=(const HashingTurn&) = delete;
    bool wait(int ms) { return held_ = slots_.try_acquire_for(std::chrono::milliseconds(ms)); }
    void release() {
        if (held_) slots_.release();
        held_ = false;
    }

private:
    std::counting_semaphore<4096>& slots_;
    bool held_ = false;
};

} // namespace

Result<LoginAnswer> Service::login(const protocol::LoginRequest& request,
                                   const std::string& address) {
    if (request.device == detail::kServerDevice)
        return invalid("\"server\" is reserved; name the device differently", "device");
    const std::string email = detail::lower(detail::trim(request.email));
    const std::int64_t now = clock_->now_ms();
    const std::int64_t window_start = now - options_.failure_window_ms;
    const std::string email_key = "email:" + email, addr_key = "addr:" + address;
    const Error locked{ErrorCode::RateLimited,
                       "too many failed sign-ins; wait " +
                           std::to_string(options_.failure_window_ms / 60000) +
                           " minutes and try again"};
    return storage_guarded([&]() -> Result<LoginAnswer> {
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
        HashingTurn turn(*hashing_);
        if (!turn.wait(options_.hash_wait_ms)) {
            give_back();
            return Error{ErrorCode::Busy,
                         "the server is busy checking other sign-ins; try again in a moment"};
        }
        ++verifications_;
        const bool good =
            verify_password(account ? account->password_hash : dummy_hash(), request.password) &&
            account;
        turn.release();
        if (!good) return Error{ErrorCode::Unauthorized, "the email or the password is wrong"};

        auto tx = store_.begin(true);
        if (!tx) return tx.error();
        StoreTx& t = **tx;
        for (const auto& k : reserved)
            t.remove_failure(k, now);
        const User user = detail::effective_user(t, *account);
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
    });
}

Result<Caller> Service::authenticate(std::string_view token) {
    if (token.size() != 64 || token.find_first_not_of("0123456789abcdef") != std::string_view::npos)
        return Error{ErrorCode::Unauthorized,
                     "sign in first: the request has no valid bearer token"};
    return storage_guarded([&]() -> Result<Caller> {
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
        User user = detail::effective_user(**tx, *account);
        if (!user.active)
            return Error{ErrorCode::Unauthorized, "the account is revoked; ask an admin"};
        return Caller{user, session->device, user.id + "/" + session->device};
    });
}

} // namespace sitevisit::server
