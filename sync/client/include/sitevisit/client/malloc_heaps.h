#pragma once

namespace sitevisit::client {

// Process-wide, at the start of main before any thread is made: at most two malloc heaps
// (glibc; nothing elsewhere). glibc gives each thread that allocates its own heap and keeps
// each heap's high mark resident, so the decoder thread's pages of changes (and any worker's)
// added their own high mark to the main thread's: client_bench's peak was 149-157 MB with a
// heap per thread against 142 MB with two (docs/performance.md).
void limit_malloc_heaps();

} // namespace sitevisit::client
