#pragma once

// The limits both ends of the sync contract agree on, each written once. A server may be
// started with other values (its flags); a device takes the server's figures from the session
// (`max_blob_bytes`) and falls back to these.

#include <cstdint>

namespace sitevisit::protocol {

// The largest evidence file, unless the server says otherwise (Tus-Max-Size, sign-in answer).
inline constexpr std::int64_t kMaxBlobBytes = 100LL * 1024 * 1024;
// The most JSON one pull page carries; the server stops adding changes before it.
inline constexpr std::int64_t kMaxPullPageBytes = 8LL * 1024 * 1024;
// One upload chunk the device sends (what a cut connection can waste).
inline constexpr std::int64_t kUploadChunkBytes = 1024 * 1024;

} // namespace sitevisit::protocol
