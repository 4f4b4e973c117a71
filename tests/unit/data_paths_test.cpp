#include "fixtures.h"
#include "sitevisit/platform/data_paths.h"

#include <QFileInfo>

using sitevisit::platform::DataPaths;

TEST(DataPaths, FollowTheOverrideAndCreateTheFolders) {
    sitevisit::testing::TempDir dir;
    const std::string root = dir.file("profile/a");
    qputenv("SITEVISIT_DATA_DIR", QByteArray::fromStdString(root));
    QString error;
    EXPECT_EQ(DataPaths::storeFile(&error).toStdString(), root + "/sitevisit.db");
    EXPECT_TRUE(error.isEmpty());
    EXPECT_TRUE(QFileInfo(DataPaths::blobDir()).isDir());
    // Only the owner may enter the folders that hold their data.
    for (const QString& folder : {QString::fromStdString(root), DataPaths::blobDir()}) {
        const auto p = QFileInfo(folder).permissions();
        EXPECT_EQ(int(p & 0x00FF), 0) << folder.toStdString() << ": group or others may enter";
        EXPECT_TRUE(p.testFlag(QFileDevice::ExeOwner) && p.testFlag(QFileDevice::WriteOwner))
            << folder.toStdString();
    }
    qputenv("SITEVISIT_DATA_DIR", "/proc/cannot/write/here");
    EXPECT_TRUE(DataPaths::dataDir(&error).isEmpty());
    EXPECT_EQ(error.toStdString(), "cannot create the data folder /proc/cannot/write/here");
    qunsetenv("SITEVISIT_DATA_DIR");
}
