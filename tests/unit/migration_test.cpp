#include "fixtures.h"
#include "sitevisit/core/migrations.h"

#include <fstream>
#include <sstream>

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

// Builds a database file from a checked-in SQL dump.
void make_from_dump(const std::string& path, const std::string& dump_file) {
    std::ifstream in(dump_file);
    ASSERT_TRUE(in) << dump_file;
    std::stringstream sql;
    sql << in.rdbuf();
    auto db = Database::open(path);
    ASSERT_TRUE(db.ok());
    (*db)->exec(sql.str());
}

} // namespace

TEST(Migration, AFileFromTheFirstSchemaOpensWithTheLatestCode) {
    TempDir dir;
    const std::string path = dir.file("v1.db");
    make_from_dump(path, std::string(SITEVISIT_TEST_DATA) + "/store-v1.sql");
    {
        auto db = Database::open(path);
        EXPECT_EQ(user_version(**db), 1);
    }
    ManualClock clock(kNov2026);
    StoreOptions o;
    o.path = path;
    o.clock = &clock;
    auto opened = Store::open(o);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Store& store = **opened;
    EXPECT_EQ(user_version(store.database()), latest_store_version());
    // Signed out when it was upgraded: the device's owner is whoever last wrote on it.
    // (The sync client reads these columns: sitevisit/client/device_state.h.)
    auto state = store.database().prepare("SELECT owner, last_sync, ca_file FROM device_state");
    ASSERT_TRUE(state->step());
    EXPECT_EQ(state->text(0), "0190a000-0000-7000-8000-000000000004");
    // Version 5: never synced; version 6: no certificate authority of its own.
    EXPECT_EQ(state->text(1), "");
    EXPECT_EQ(state->text(2), "");

    // What the old file held is all there.
    const std::string obs = "0190a000-0000-7000-8000-0000000000f1";
    auto row = store.get("observation", obs);
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ((*row)->fields["rating"], 2);
    EXPECT_EQ((*row)->fields["note"], "Objectives posted in every room.");
    EXPECT_EQ(store.device_id(), "0190a000-0000-7000-8000-000000000de1");
    EXPECT_EQ(store.last_dseq(), 2);
    EXPECT_EQ(store.cursor(), 5);
    auto out = store.outbox();
    ASSERT_EQ(out->size(), 2u);
    EXPECT_EQ((*out)[1].change.fields["rating"], 2);
    EXPECT_EQ((*out)[1].attempts, 0); // the column version 2 added

    // And it takes new work, numbered after the old.
    Org org;
    User lead = org.lead;
    auto r = store.put(lead, {"observation", obs, "", {{"rating", 3}}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->change->dseq, 3);
    auto applied = store.apply_remote({}, 9);
    ASSERT_TRUE(applied.ok()) << applied.error().message; // uses remote_reject's table from v2
    EXPECT_EQ(store.cursor(), 9);
}

TEST(Migration, EachStepIsOneTransactionAndStepsAreOrdered) {
    const auto& steps = store_migrations();
    for (std::size_t i = 0; i < steps.size(); ++i)
        EXPECT_EQ(steps[i].version, static_cast<int>(i + 1));
    TempDir dir;
    auto db = Database::open(dir.file("partial.db"));
    ASSERT_TRUE(migrate_store(**db, 1).ok());
    EXPECT_EQ(user_version(**db), 1);
    ASSERT_TRUE(migrate_store(**db).ok());
    EXPECT_EQ(user_version(**db), latest_store_version());
    ASSERT_TRUE(migrate_store(**db).ok()); // a second run is a no-op
}

TEST(Migration, AFailingStepLeavesTheFileAsItWas) {
    TempDir dir;
    const std::string path = dir.file("clash.db");
    make_from_dump(path, std::string(SITEVISIT_TEST_DATA) + "/store-v1.sql");
    auto db = Database::open(path);
    (*db)->exec("CREATE TABLE remote_reject (x)"); // step 2 will collide with this
    const std::string before = dump_database(**db);
    auto st = migrate_store(**db);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::Storage);
    EXPECT_EQ(user_version(**db), 1);
    EXPECT_EQ(dump_database(**db), before);
}

TEST(Migration, AFileFromANewerBuildIsRefusedAndUntouched) {
    TempDir dir;
    const std::string path = dir.file("future.db");
    {
        auto db = Database::open(path);
        ASSERT_TRUE(migrate_store(**db).ok());
        (*db)->exec("PRAGMA user_version = 99");
    }
    StoreOptions o;
    o.path = path;
    auto s = Store::open(o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::Unsupported);
    EXPECT_NE(s.error().message.find("newer Site Visit (schema 99)"), std::string::npos)
        << s.error().message;
    auto db = Database::open(path);
    EXPECT_EQ(user_version(**db), 99);
}
