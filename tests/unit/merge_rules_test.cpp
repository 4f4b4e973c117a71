// The server's merge rules (sync/server/src/merge.cpp) on their own: how a pushed change is
// decided against the stored row, field by field.

#include "sitevisit/server/merge.h"

#include <gtest/gtest.h>

using namespace sitevisit;
using namespace sitevisit::server;
using namespace sitevisit::server::merge;

namespace {

const std::int64_t kNoon = 1795867200000; // 2026-11-28T12:00:00Z
const std::string kMine = "user-a/device-a";
const std::string kTheirs = "user-b/device-b";

Hlc at(std::int64_t wall_ms, std::uint32_t counter = 0, const std::string& device = "device-a") {
    return Hlc{wall_ms, counter, device};
}

// An edit by user-a on device-a at `stamp`, made on top of seq `base`.
Incoming edit(std::int64_t base, const Hlc& stamp, bool conflict_free = false) {
    return Incoming{base, kMine, "user-a", stamp, stamp.to_string(), conflict_free};
}

FieldVersion version(std::int64_t seq, const Hlc& stamp, const std::string& device = kTheirs,
                     const std::string& author = "user-b") {
    return FieldVersion{seq, stamp.to_string(), author, device};
}

} // namespace

TEST(MergeRules, AClockWithinFiveMinutesAheadIsKept) {
    const Stamp s = clamp_stamp(at(kNoon + HlcClock::kMaxAheadMs, 7), kNoon);
    EXPECT_FALSE(s.clamped);
    EXPECT_EQ(s.hlc, at(kNoon + HlcClock::kMaxAheadMs, 7));
}

TEST(MergeRules, AClockFurtherAheadIsClampedToTheBoundWithCounterZero) {
    const Stamp s = clamp_stamp(at(kNoon + 3600000, 9, "far"), kNoon);
    EXPECT_TRUE(s.clamped);
    EXPECT_EQ(s.hlc.wall_ms, kNoon + HlcClock::kMaxAheadMs);
    EXPECT_EQ(s.hlc.counter, 0u);
    EXPECT_EQ(s.hlc.device, "far");
}

TEST(MergeRules, OnlyAnotherDevicesWriteAfterTheBaseIsConcurrent) {
    const Incoming in = edit(10, at(kNoon));
    EXPECT_FALSE(concurrent(version(10, at(kNoon)), in)); // the version the device saw
    EXPECT_FALSE(concurrent(version(9, at(kNoon)), in));
    EXPECT_TRUE(concurrent(version(11, at(kNoon)), in));
    EXPECT_FALSE(concurrent(version(11, at(kNoon), kMine), in)); // its own earlier edit
}

TEST(MergeRules, FieldsNobodyElseChangedAreTakenWithoutConflict) {
    const Json changed{{"note", "new"}, {"rating", 2}};
    const FieldMerge m =
        merge_fields(changed, {{"note", "old"}, {"rating", 1}}, {"note", "rating"},
                     {version(3, at(kNoon - 1000)), version(5, at(kNoon))}, edit(5, at(kNoon + 1)));
    EXPECT_EQ(m.changed, changed);
    EXPECT_TRUE(m.lost.empty());
    EXPECT_TRUE(m.conflicts.empty());
}

TEST(MergeRules, TheHigherClockWinsAConcurrentFieldAndTheLoserIsRecorded) {
    const Hlc mine = at(kNoon + 10), theirs = at(kNoon, 0, "device-b");
    const FieldMerge m = merge_fields({{"note", "mine"}}, {{"note", "theirs"}}, {"note"},
                                      {version(8, theirs)}, edit(5, mine));
    EXPECT_EQ(m.changed, (Json{{"note", "mine"}}));
    EXPECT_TRUE(m.lost.empty());
    ASSERT_EQ(m.conflicts.size(), 1u);
    const FieldConflict& c = m.conflicts[0];
    EXPECT_EQ(c.field, "note");
    EXPECT_EQ(c.winner, "mine");
    EXPECT_EQ(c.loser, "theirs");
    EXPECT_EQ(c.winner_author, "user-a");
    EXPECT_EQ(c.loser_author, "user-b");
    EXPECT_EQ(c.winner_hlc, mine.to_string());
    EXPECT_EQ(c.loser_hlc, theirs.to_string());
}

TEST(MergeRules, AnIncomingValueWithALowerClockLosesAndTheWinnerIsSentAgain) {
    const Hlc mine = at(kNoon), theirs = at(kNoon, 1, "device-b");
    const FieldMerge m = merge_fields(
        {{"note", "mine"}, {"rating", 3}}, {{"note", "theirs"}, {"rating", 1}}, {"note", "rating"},
        {version(8, theirs), version(2, at(kNoon - 5))}, edit(5, mine));
    EXPECT_EQ(m.changed, (Json{{"rating", 3}})); // the note lost, the rating was not concurrent
    EXPECT_EQ(m.lost, (Json{{"note", "theirs"}}));
    ASSERT_EQ(m.conflicts.size(), 1u);
    EXPECT_EQ(m.conflicts[0].winner, "theirs");
    EXPECT_EQ(m.conflicts[0].loser, "mine");
    EXPECT_EQ(m.conflicts[0].winner_author, "user-b");
    EXPECT_EQ(m.conflicts[0].loser_author, "user-a");
    EXPECT_EQ(m.conflicts[0].winner_hlc, theirs.to_string());
}

TEST(MergeRules, AStoredClockThatCannotBeReadLoses) {
    FieldVersion unreadable = version(8, at(kNoon + 99999));
    unreadable.hlc = "not a clock";
    const FieldMerge m = merge_fields({{"note", "mine"}}, {{"note", "theirs"}}, {"note"},
                                      {unreadable}, edit(5, at(kNoon)));
    EXPECT_EQ(m.changed, (Json{{"note", "mine"}}));
    ASSERT_EQ(m.conflicts.size(), 1u);
    EXPECT_EQ(m.conflicts[0].loser_hlc, "not a clock");
}

TEST(MergeRules, AConcurrentFieldTheRowNoLongerHoldsLosesAsNull) {
    const FieldMerge m =
        merge_fields({{"note", "mine"}}, Json::object(), {"note"},
                     {version(8, at(kNoon, 0, "device-b"))}, edit(5, at(kNoon + 1)));
    ASSERT_EQ(m.conflicts.size(), 1u);
    EXPECT_TRUE(m.conflicts[0].loser.is_null());
}

TEST(MergeRules, ConflictFreeEntitiesResolveByClockWithoutRecords) {
    const FieldMerge m =
        merge_fields({{"title", "mine"}, {"links", "x"}}, {{"title", "theirs"}, {"links", "y"}},
                     {"links", "title"}, {version(8, at(kNoon - 1)), version(8, at(kNoon + 1))},
                     edit(5, at(kNoon), /*conflict_free=*/true));
    EXPECT_TRUE(m.conflicts.empty());
    EXPECT_EQ(m.changed, (Json{{"links", "x"}}));
    EXPECT_EQ(m.lost, (Json{{"title", "theirs"}}));
}

TEST(MergeRules, ADeleteStandsAndConcurrentEditsAreKeptAsConflicts) {
    const Hlc edited = at(kNoon - 10, 0, "device-b");
    const std::vector<FieldConflict> found = delete_conflicts(
        {{"note", "edited"}, {"rating", 2}, {"visit", "v1"}}, {"note", "rating", "visit"},
        {version(9, edited), version(3, at(kNoon - 99)), version(9, edited, kMine)},
        edit(5, at(kNoon)));
    ASSERT_EQ(found.size(), 1u); // rating is older than the base; visit was this device's
    EXPECT_EQ(found[0].field, "note");
    EXPECT_TRUE(found[0].winner.is_null());
    EXPECT_EQ(found[0].loser, "edited");
    EXPECT_EQ(found[0].winner_author, "user-a");
    EXPECT_EQ(found[0].loser_author, "user-b");
    EXPECT_EQ(found[0].winner_hlc, at(kNoon).to_string());
    EXPECT_EQ(found[0].loser_hlc, edited.to_string());
}

TEST(MergeRules, ADeleteOfAConflictFreeRowRecordsNothing) {
    EXPECT_TRUE(delete_conflicts({{"title", "t"}}, {"title"}, {version(9, at(kNoon))},
                                 edit(5, at(kNoon + 1), true))
                    .empty());
}

TEST(MergeRules, AnEditOfADeletedRowBecomesConflictsAndDoesNotBringItBack) {
    const Hlc deleted = at(kNoon - 1, 0, "device-b");
    const std::vector<FieldConflict> found = edit_of_deleted_conflicts(
        {{"note", "late"}, {"rating", 1}}, edit(5, at(kNoon)), deleted.to_string());
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].field, "note");
    EXPECT_EQ(found[1].field, "rating");
    for (const auto& c : found) {
        EXPECT_TRUE(c.winner.is_null());
        EXPECT_EQ(c.winner_author, "");
        EXPECT_EQ(c.loser_author, "user-a");
        EXPECT_EQ(c.winner_hlc, deleted.to_string());
        EXPECT_EQ(c.loser_hlc, at(kNoon).to_string());
    }
    EXPECT_EQ(found[1].loser, 1);
}

TEST(MergeRules, NullRemovesAFieldFromTheStoredRow) {
    Json row{{"note", "a"}, {"rating", 1}};
    apply_fields(row, {{"note", nullptr}, {"rating", 2}, {"indicator", "1.1"}});
    EXPECT_EQ(row, (Json{{"rating", 2}, {"indicator", "1.1"}}));
}

TEST(MergeRules, AConflictRowNamesTheRowFieldBothSidesAndIsOpen) {
    const FieldConflict c{"note", nullptr, "late", "", "user-a", "h1", "h2"};
    const Json f = conflict_fields("observation", "row-1", c);
    EXPECT_EQ(f["entity"], "observation");
    EXPECT_EQ(f["row"], "row-1");
    EXPECT_EQ(f["field"], "note");
    EXPECT_TRUE(f["winner_value"].is_null());
    EXPECT_EQ(f["loser_value"], "late");
    EXPECT_EQ(f["status"], "open");
    const Json stored = without_nulls(f);
    EXPECT_FALSE(stored.contains("winner_value"));
    EXPECT_EQ(stored.size(), f.size() - 1);
}

TEST(MergeRules, DeviceNumbersComeOneAfterAnotherWithoutReuseOrGaps) {
    EXPECT_EQ(check_dseq(5, 4), Sequence::Next);
    EXPECT_EQ(check_dseq(4, 4), Sequence::Reused);
    EXPECT_EQ(check_dseq(1, 4), Sequence::Reused);
    EXPECT_EQ(check_dseq(6, 4), Sequence::Gap); // one skipped is a gap
    EXPECT_EQ(check_dseq(7, 4), Sequence::Gap);
    EXPECT_EQ(check_dseq(1, 0), Sequence::Next);

    const auto reused = sequence_refusal("op", 4, 4, Sequence::Reused);
    EXPECT_EQ(reused.status, protocol::OpStatus::Rejected);
    EXPECT_EQ(reused.code, "dseq_reused");
    EXPECT_EQ(reused.error, "dseq 4 was already used by another change from this device");
    const auto gap = sequence_refusal("op", 7, 4, Sequence::Gap);
    EXPECT_EQ(gap.code, "dseq_gap");
    EXPECT_EQ(gap.error, "dseq gap: the server expects change 5 from this device before 7");
    EXPECT_FALSE(gap.forbidden);
}

TEST(MergeRules, ARepeatedOpAnswersItsFirstResult) {
    const protocol::OpResult applied{"op-1", protocol::OpStatus::Applied, 42, ""};
    const auto again = replayed_result("op-1", stored_result(applied));
    EXPECT_EQ(again.status, protocol::OpStatus::Duplicate);
    EXPECT_EQ(again.seq, 42);

    const protocol::OpResult conflict{"op-2", protocol::OpStatus::Conflict, 43, ""};
    EXPECT_EQ(replayed_result("op-2", stored_result(conflict)).status,
              protocol::OpStatus::Duplicate);

    const protocol::OpResult refused{
        "op-3", protocol::OpStatus::Rejected, 0, "you may not change visit v", true, "forbidden"};
    const auto refused_again = replayed_result("op-3", stored_result(refused));
    EXPECT_EQ(refused_again.op, "op-3");
    EXPECT_EQ(refused_again.status, protocol::OpStatus::Rejected);
    EXPECT_EQ(refused_again.error, "you may not change visit v");
    EXPECT_TRUE(refused_again.forbidden);
    EXPECT_EQ(refused_again.code, "forbidden");
}

TEST(MergeRules, AStoredResultIsItsFiveKeysAsJsonAndKeepsACutCharacter) {
    const std::vector<protocol::OpResult> results{{"op-1", protocol::OpStatus::Applied, 42, ""},
                                                  {"op-2", protocol::OpStatus::Conflict, 43, ""},
                                                  {"op-3", protocol::OpStatus::Rejected, 0,
                                                   "you may not change \"visit\" v", true,
                                                   "forbidden"}};
    for (const auto& r : results)
        EXPECT_EQ(stored_result(r), (Json{{"status", protocol::to_string(r.status)},
                                          {"seq", r.seq},
                                          {"error", r.error},
                                          {"forbidden", r.forbidden},
                                          {"code", r.code}}
                                         .dump()));
    // A message that quotes the start of a value may end inside a character: the result is
    // still stored, with a replacement mark where the character was cut.
    const protocol::OpResult cut{
        "op-4", protocol::OpStatus::Rejected, 0, "unknown school caf\xc3", false, "invalid"};
    std::string stored;
    ASSERT_NO_THROW(stored = stored_result(cut));
    const auto again = replayed_result("op-4", stored);
    EXPECT_EQ(again.status, protocol::OpStatus::Rejected);
    EXPECT_EQ(again.error, "unknown school caf\xef\xbf\xbd");
}
