#pragma once

#include <string>
#include <string_view>

namespace sitevisit::server {

std::string sha256_hex(std::string_view bytes);
// 256 random bits from the OS's cryptographic generator, as 64 hex digits.
std::string random_token();
// argon2id (t=2, m=19 MiB, p=1), PHC-encoded with its salt.
std::string hash_password(std::string_view password);
bool verify_password(const std::string& encoded, std::string_view password);

// Incremental SHA-256 for blobs that arrive in chunks.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view bytes);
    std::string hex();

private:
    void* ctx_;
};

} // namespace sitevisit::server
