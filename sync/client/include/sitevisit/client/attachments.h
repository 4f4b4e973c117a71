#pragma once

#include "sitevisit/core/clock.h"
#include "sitevisit/core/result.h"

#include <QObject>
#include <QString>
#include <cstdint>
#include <functional>
#include <string>

namespace sitevisit::client {

struct Attachment {
    std::string path; // the file to upload (the original, or its downscaled copy)
    std::string sha256;
    std::string media_type;
    std::int64_t size = 0;
    bool downscaled = false;
};

// Gets a file ready for upload at capture time: a photo whose long edge is over `long_edge`
// pixels is downscaled and re-encoded (JPEG, quality 85) into `work_dir` (the original is left
// where it is); a file over `max_bytes` is refused with its size and the limit. The clock names
// the downscaled copy. Blocks while it reads, scales and hashes: for workers and the CLI.
Result<Attachment> prepare_attachment(const QString& file, const QString& work_dir,
                                      std::int64_t max_bytes, int long_edge = 2048,
                                      const Clock& clock = SystemClock::instance());

// The same on a worker thread (QtConcurrent); `done` runs on `context`'s thread with the
// answer, unless `context` is gone by then. The GUI thread never reads or hashes the file.
void prepare_attachment_async(const QString& file, const QString& work_dir, std::int64_t max_bytes,
                              QObject* context, std::function<void(Result<Attachment>)> done,
                              const Clock& clock = SystemClock::instance());

} // namespace sitevisit::client
