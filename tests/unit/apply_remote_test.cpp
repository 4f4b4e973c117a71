#include "fixtures.h"

#include <limits>
#include <set>

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

struct ApplyTest : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<Store> store;
    const std::string server_device = "0190a000-0000-7000-8000-00000000de99";
    const std::string visit = "0190a000-0000-7000-8000-0000000000e1";
    std::int64_t next_seq = 1;

    void SetUp() override { store = open_store(dir, clock); }

    Change remote(const std::string& entity, const std::string& id, const std::string& school,
                  Json fields, ChangeKind kind = ChangeKind::Upsert) {
        Change c;
        c.op = "0190a000-0000-7000-8000-" + std::string(12 - std::to_string(next_seq).size(), '0') +
               std::to_string(next_seq);
        c.entity = entity;
        c.id = id;
        c.school = school;
        c.kind = kind;
        c.fields = std::move(fields);
        c.hlc = Hlc{kNov2026 - 1000 + next_seq, 0, server_device}.to_string();
        c.dseq = next_seq;
        c.seq = next_seq++;
        return c;
    }

    std::vector<Change> org_batch() {
        return {remote("region", org.region, org.region, {{"name", "Coastal"}, {"code", "COAST"}}),
                remote("district", org.district, org.district,
                       {{"region", org.region}, {"code", "00350000"}, {"name", "Harbor"}}),
                remote("school", org.school, org.school,
                       {{"district", org.district},
                        {"code", "00350123"},
                        {"name", "Lincoln"},
                        {"level", "elementary"},
                        {"designation", "underperforming"}}),
                remote("visit", visit, org.school,
                       {{"kind", "monitoring"},
                        {"rubric", kRubric},
                        {"start_date", "2026-11-20"},
                        {"team", {org.lead.id}},
                        {"status", "draft"}})};
    }
};

} // namespace

TEST_F(ApplyTest, AppliesRowsAndCursorWithoutEchoingThem) {
    auto batch = org_batch();
    auto r = store->apply_remote(batch, 4);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->applied, 4);
    EXPECT_EQ(store->cursor(), 4);
    EXPECT_EQ(*store->outbox_count(), 0);
    auto school = store->get("school", org.school);
    ASSERT_TRUE(*school);
    EXPECT_EQ((*school)->fields["name"], "Lincoln");
    EXPECT_EQ((*school)->seq, 3);
    // The device can now work on what it pulled, with the server's seq as the base.
    auto edit = store->put(org.lead, {"visit", visit, "", {{"end_date", "2026-11-21"}}});
    ASSERT_TRUE(edit.ok()) << edit.error().message;
    EXPECT_EQ(edit->change->base, 4);
    EXPECT_GT(*Hlc::parse(edit->change->hlc), *Hlc::parse(batch.back().hlc));
}

TEST_F(ApplyTest, TheSameBatchTwiceChangesNothing) {
    auto batch = org_batch();
    ASSERT_TRUE(store->apply_remote(batch, 4).ok());
    const std::string once = dump_database(store->database());
    auto again = store->apply_remote(batch, 4);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->applied, 0);
    EXPECT_EQ(again->stale, 4);
    EXPECT_EQ(dump_database(store->database()), once);
    // An older cursor never moves it back.
    ASSERT_TRUE(store->apply_remote({}, 2).ok());
    EXPECT_EQ(store->cursor(), 4);
}

TEST_F(ApplyTest, AnOlderVersionNeverOverwritesANewerOne) {
    ASSERT_TRUE(store->apply_remote(org_batch(), 4).ok());
    Change newer = remote("school", org.school, org.school, {{"name", "Lincoln Academy"}});
    Change older = newer;
    older.seq = 2;
    older.fields = {{"name", "Old Lincoln"}};
    ASSERT_TRUE(store->apply_remote({newer}, newer.seq).ok());
    auto r = store->apply_remote({older}, newer.seq);
    EXPECT_EQ(r->stale, 1);
    EXPECT_EQ((*store->get("school", org.school))->fields["name"], "Lincoln Academy");
}

TEST_F(ApplyTest, ADeletedRowStaysDeleted) {
    ASSERT_TRUE(store->apply_remote(org_batch(), 4).ok());
    const std::string obs = "0190a000-0000-7000-8000-0000000000f1";
    Change create = remote("observation", obs, org.school,
                           {{"visit", visit}, {"indicator", indicator(1, 1)}, {"rating", 2}});
    Change del = remote("observation", obs, org.school, Json::object(), ChangeKind::Delete);
    ASSERT_TRUE(store->apply_remote({create, del}, del.seq).ok());
    EXPECT_TRUE((*store->get("observation", obs))->deleted);
    // The create arriving again (a retried page) does not bring it back.
    ASSERT_TRUE(store->apply_remote({create}, del.seq).ok());
    EXPECT_TRUE((*store->get("observation", obs))->deleted);
    // A delete for a row this device never had leaves a tombstone that blocks older versions.
    const std::string ghost = "0190a000-0000-7000-8000-0000000000f2";
    Change ghost_create = remote("observation", ghost, org.school,
                                 {{"visit", visit}, {"indicator", indicator(1, 2)}});
    Change ghost_del = remote("observation", ghost, org.school, Json::object(), ChangeKind::Delete);
    ASSERT_TRUE(store->apply_remote({ghost_del}, ghost_del.seq).ok());
    ASSERT_TRUE(store->apply_remote({ghost_create}, ghost_del.seq).ok());
    EXPECT_TRUE((*store->get("observation", ghost))->deleted);
    EXPECT_TRUE(store->list("observation", "visit", visit)->empty());
}

TEST_F(ApplyTest, LocalEditsWaitingToBePushedAreKept) {
    ASSERT_TRUE(store->apply_remote(org_batch(), 4).ok());
    auto mine = store->put(org.lead, {"visit", visit, "", {{"end_date", "2026-11-22"}}});
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    Change theirs =
        remote("visit", visit, org.school, {{"end_date", "2026-11-25"}, {"kind", "targeted"}});
    auto r = store->apply_remote({theirs}, theirs.seq);
    ASSERT_TRUE(r.ok());
    auto row = *store->get("visit", visit);
    EXPECT_EQ(row->fields["end_date"], "2026-11-22"); // still mine until the server has seen it
    EXPECT_EQ(row->fields["kind"], "targeted");       // other fields follow the server
    EXPECT_EQ(row->seq, theirs.seq);
    EXPECT_EQ(*store->outbox_count(), 1);
}

TEST_F(ApplyTest, ChangesThisBuildCannotAcceptAreKeptAsideNotApplied) {
    auto batch = org_batch();
    batch.push_back(remote("observation", "0190a000-0000-7000-8000-0000000000f3", org.school,
                           {{"visit", visit}, {"indicator", indicator(1, 1)}, {"rating", 9}}));
    batch.push_back(
        remote("gizmo", "0190a000-0000-7000-8000-0000000000f4", org.school, {{"x", 1}}));
    auto r = store->apply_remote(batch, 6);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->applied, 4);
    EXPECT_EQ(r->rejected, 2);
    EXPECT_EQ(store->cursor(), 6);
    EXPECT_FALSE(*store->get("observation", "0190a000-0000-7000-8000-0000000000f3"));
    auto st = store->database().prepare("SELECT seq, reason FROM remote_reject ORDER BY seq");
    ASSERT_TRUE(st->step());
    EXPECT_EQ(st->int64(0), 5);
    EXPECT_EQ(st->text(1), "rating must be 0-3 (No evidence .. Sustaining), got 9");
    ASSERT_TRUE(st->step());
    EXPECT_EQ(st->text(1), "unknown entity gizmo");
    // Applying it again does not record it twice.
    ASSERT_TRUE(store->apply_remote(batch, 6).ok());
    auto n = store->database().prepare("SELECT count(*) FROM remote_reject");
    n->step();
    EXPECT_EQ(n->int64(0), 2);
}

TEST_F(ApplyTest, AServerClockFarAheadIsClampedAndLogged) {
    std::vector<std::string> logged;
    store->log = [&](const std::string& m) { logged.push_back(m); };
    auto batch = org_batch();
    batch[0].hlc = Hlc{kNov2026 + 86400000LL * 30, 0, server_device}.to_string();
    ASSERT_TRUE(store->apply_remote(batch, 4).ok());
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_LE(store->last_hlc().wall_ms, kNov2026 + HlcClock::kMaxAheadMs);
}

TEST_F(ApplyTest, AConflictOnARowDeletedSinceIsSettledWithoutTouchingTheRow) {
    const std::string obs = "0190a000-0000-7000-8000-0000000000e2";
    const std::string conflict = "0190a000-0000-7000-8000-0000000000e3";
    auto batch = org_batch();
    batch.push_back(remote("observation", obs, org.school,
                           {{"visit", visit}, {"indicator", indicator(1, 1)}, {"rating", 1}}));
    batch.push_back(remote("conflict", conflict, org.school,
                           {{"entity", "observation"},
                            {"row", obs},
                            {"field", "rating"},
                            {"winner_value", 1},
                            {"loser_value", 3},
                            {"winner_author", org.lead.id},
                            {"loser_author", org.lead.id},
                            {"status", "open"}}));
    batch.push_back(remote("observation", obs, org.school, Json::object(), ChangeKind::Delete));
    ASSERT_TRUE(store->apply_remote(batch, next_seq).ok());
    ASSERT_TRUE((*store->get("observation", obs))->deleted);
    auto r = store->resolve_conflict(org.lead, conflict, 3);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ((*store->get("conflict", conflict))->fields["status"], "resolved");
    EXPECT_TRUE((*store->get("observation", obs))->deleted);
    EXPECT_EQ((*store->get("observation", obs))->fields["rating"], 1);
    // Settled once: a second answer is refused and changes nothing.
    const auto pending = *store->outbox_count();
    EXPECT_EQ(store->resolve_conflict(org.lead, conflict, 2).error().message,
              "this conflict is already resolved");
    EXPECT_EQ(*store->outbox_count(), pending);
}

TEST_F(ApplyTest, UndecodableChangesAreSetAsideWithTheRestOfTheirPage) {
    auto batch = org_batch();
    std::vector<Store::SetAside> aside = {
        {7, R"({"op":"x","seq":7})", "ops[4] could not be read: change op must be a UUID"},
        {0, R"("junk")", "ops[5] could not be read: a change must be a JSON object"}};
    auto r = store->apply_remote(batch, 8, aside);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->applied, 4);
    EXPECT_EQ(r->rejected, 2);
    EXPECT_EQ(store->cursor(), 8);
    auto kept = store->remote_rejects();
    ASSERT_TRUE(kept.ok());
    ASSERT_EQ(kept->size(), 2u);
    std::set<std::string> reasons;
    for (const auto& [seq, reason] : *kept)
        reasons.insert(reason);
    EXPECT_TRUE(reasons.count("ops[4] could not be read: change op must be a UUID"));
    EXPECT_TRUE(reasons.count("ops[5] could not be read: a change must be a JSON object"));
    // The one without a seq took a key of its own that no real seq can take.
    auto st = store->database().prepare("SELECT seq FROM remote_reject ORDER BY seq");
    ASSERT_TRUE(st->step());
    EXPECT_LT(st->int64(0), 0);
}

TEST_F(ApplyTest, ACursorAheadOfTheServerGoesBackToTheStartAndApplyingAgainChangesNothing) {
    auto batch = org_batch();
    ASSERT_TRUE(store->apply_remote(batch, std::numeric_limits<std::int64_t>::max()).ok());
    ASSERT_TRUE(store->reset_cursor().ok());
    EXPECT_EQ(store->cursor(), 0);
    auto again = store->apply_remote(batch, 4);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->applied, 0);
    EXPECT_EQ(store->cursor(), 4);
    store.reset();
    store = open_store(dir, clock);
    EXPECT_EQ(store->cursor(), 4);
}
