#pragma once

#include "sitevisit/core/result.h"

#include <QString>
#include <cstdint>
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
// where it is); a file over `max_bytes` is refused with its size and the limit.
Result<Attachment> prepare_attachment(const QString& file, const QString& work_dir,
                                      std::int64_t max_bytes, int long_edge = 2048);

} // namespace sitevisit::client
