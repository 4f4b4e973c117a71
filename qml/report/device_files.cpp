// Where this device keeps evidence files: the sync client's file queue knows each file it
// downloaded or uploaded, by its sha256.
#include "sitevisit/client/device_state.h"
#include "visit_report.h"

#include <QFileInfo>
#include <map>

namespace sitevisit::report {

FileLookup device_files(Store& store) {
    std::map<std::string, QString> local;
    client::DeviceState state(store);
    for (BlobState s : {BlobState::Pending, BlobState::Done, BlobState::Failed})
        if (auto jobs = state.blob_jobs(s))
            for (const auto& j : *jobs) {
                // A download is there once done; an upload's file was there from the start.
                if (j.direction == BlobDirection::Down && s != BlobState::Done) continue;
                const QString path = QString::fromStdString(j.path);
                if (QFileInfo::exists(path)) local[j.sha256] = path;
            }
    return [local = std::move(local)](const std::string& sha256) {
        auto it = local.find(sha256);
        return it == local.end() ? QString() : it->second;
    };
}

} // namespace sitevisit::report
