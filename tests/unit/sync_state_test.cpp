#include "fixtures.h"
#include "sitevisit/core/migrations.h"

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

struct SyncStateTest : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<Store> store;
    std::string visit;
    void SetUp() override {
        store = open_store(dir, clock);
        seed_org(*store, org);
        visit =
            store
                ->put(org.lead,
                      {"visit",
                       "",
                       org.school,
                       {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-20"}}})
                ->id;
    }
};

} // namespace

TEST_F(SyncStateTest, AcknowledgedChangesLeaveTheOutboxAndRefusedOnesStayWithTheirReason) {
    auto pending = store->pending_changes(100);
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 6u); // region, 2 districts, 2 schools, the visit
    std::vector<Store::Ack> acks;
    for (std::size_t i = 0; i < pending->size(); ++i)
        acks.push_back({(*pending)[i].op, i == 5 ? "rejected" : "applied",
                        static_cast<std::int64_t>(i + 1),
                        i == 5 ? "the visit is outside your caseload" : ""});
    ASSERT_TRUE(store->acknowledge(acks).ok());
    EXPECT_TRUE(store->pending_changes(100)->empty());
    auto refused = store->rejected_changes();
    ASSERT_EQ(refused->size(), 1u);
    EXPECT_EQ((*refused)[0].change.id, visit);
    EXPECT_EQ((*refused)[0].error, "the visit is outside your caseload");
    // The row itself stays as the user left it.
    EXPECT_TRUE(*store->get("visit", visit));
    // Numbering goes on after the outbox emptied, across a reopen.
    const auto dseq = store->last_dseq();
    store.reset();
    store = open_store(dir, clock);
    auto next = store->put(org.lead, {"visit", visit, "", {{"end_date", "2026-11-21"}}});
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_EQ(next->change->dseq, dseq + 1);
}

// The session and file queue are the sync client's: tests/client (DeviceStateTest).

TEST_F(SyncStateTest, ADeletedSchoolRowFromTheServerPurgesTheSchool) {
    ASSERT_TRUE(
        store
            ->put(org.lead, {"observation",
                             "",
                             "",
                             {{"visit", visit}, {"indicator", indicator(1, 1)}, {"rating", 2}}})
            .ok());
    Change purge;
    purge.op = "0190a000-0000-7000-8000-0000000000b7";
    purge.entity = "school";
    purge.id = org.school;
    purge.school = org.school;
    purge.kind = ChangeKind::Delete;
    purge.hlc = Hlc{kNov2026, 0, "server"}.to_string();
    purge.dseq = 1;
    purge.seq = 500;
    ASSERT_TRUE(store->apply_remote({purge}, 500).ok());
    EXPECT_FALSE(*store->get("visit", visit));
    EXPECT_TRUE(store->list("observation")->empty());
    EXPECT_TRUE((*store->get("school", org.school))->deleted);
    EXPECT_FALSE(store->list("school")->empty()); // the other school stays
}
