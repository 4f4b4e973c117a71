#include "fixtures.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/uuid.h"

using namespace sitevisit;
using sitevisit::testing::kNov2026;

TEST(TimeFormat, RoundTripsMillisecondsAndRejectsNonsense) {
    EXPECT_EQ(format_utc_ms(kNov2026 + 123), "2026-11-23T00:00:00.123Z");
    EXPECT_EQ(parse_utc_ms("2026-11-23T00:00:00.123Z"), kNov2026 + 123);
    EXPECT_EQ(parse_utc_ms("2026-11-23T00:00:00Z"), kNov2026);
    EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
    for (const char* bad :
         {"2026-11-23", "2026-11-23T25:00:00Z", "2026-11-23T00:00:00", "2026-13-01T00:00:00Z",
          "2026-11-23T00:00:00.12Z", "x026-11-23T00:00:00Z", ""})
        EXPECT_FALSE(parse_utc_ms(bad)) << bad;
}

TEST(TimeFormat, DatesKnowTheirMonthsAndLeapYears) {
    EXPECT_TRUE(parse_date_days("2028-02-29"));
    EXPECT_FALSE(parse_date_days("2026-02-29"));
    EXPECT_FALSE(parse_date_days("2026-04-31"));
    EXPECT_FALSE(parse_date_days("2026-4-30"));
    EXPECT_EQ(format_date_days(*parse_date_days("2026-11-23")), "2026-11-23");
    EXPECT_EQ(*parse_date_days("2026-11-23"), kNov2026 / 86400000);
    EXPECT_EQ(parse_school_year("2026-2027"), 2026);
    EXPECT_FALSE(parse_school_year("2026-2028"));
    EXPECT_FALSE(parse_school_year("2026/2027"));
}

TEST(Uuid, V7HasVersionVariantAndSortsInCreationOrder) {
    ManualClock clock(kNov2026);
    UuidV7Generator gen(clock, 42);
    std::string prev = gen.next();
    EXPECT_TRUE(is_uuid(prev));
    EXPECT_EQ(prev[14], '7');
    EXPECT_TRUE(std::string("89ab").find(prev[19]) != std::string::npos);
    EXPECT_EQ(prev.substr(0, 8), "01a205b3"); // 48-bit ms timestamp leads
    for (int i = 0; i < 10000; ++i) {
        if (i == 5000) clock.advance(-60000); // the wall clock steps back a minute
        if (i % 7 == 0) clock.advance(1);
        std::string next = gen.next();
        ASSERT_LT(prev, next) << "at " << i;
        prev = next;
    }
}

TEST(Uuid, RecognisesOnlyTheCanonicalForm) {
    EXPECT_TRUE(is_uuid("0190a000-0000-7000-8000-0000000000a1"));
    EXPECT_FALSE(
        is_uuid("0190a000-0000-7000-8000-0000000000A1")); // upper case would make a second row
    EXPECT_FALSE(is_uuid("0190a000000070008000000000000000a1"));
    EXPECT_FALSE(is_uuid("0190a000-0000-7000-8000-0000000000a"));
    EXPECT_FALSE(is_uuid("0190a000-0000-7000-8000-0000000000g1"));
    EXPECT_FALSE(is_uuid("{0190a000-0000-7000-8000-0000000000a}"));
}

TEST(Hlc, TextFormRoundTripsAndSortsLikeTheClock) {
    Hlc a{kNov2026 + 123, 3, "dev-a"};
    EXPECT_EQ(a.to_string(), "2026-11-23T00:00:00.123Z-0003-dev-a");
    EXPECT_EQ(Hlc::parse(a.to_string()), a);
    Hlc b{kNov2026 + 123, 0x1a, "dev-a"};
    Hlc c{kNov2026 + 124, 0, "dev-a"};
    Hlc d{kNov2026 + 124, 0, "dev-b"};
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_LT(c, d);
    EXPECT_LT(a.to_string(), b.to_string());
    EXPECT_LT(b.to_string(), c.to_string());
    EXPECT_LT(c.to_string(), d.to_string());
    for (const char* bad : {"", "2026-11-23T00:00:00.123Z", "2026-11-23T00:00:00.123Z-003-x",
                            "2026-11-23T00:00:00.123Z-00g3-x", "2026-11-23T00:00:00.123Z-0003-",
                            "garbage-in-here-that-is-long-enough"})
        EXPECT_FALSE(Hlc::parse(bad)) << bad;
}

TEST(Hlc, StaysMonotonicWhenTheWallClockStepsBack) {
    ManualClock clock(kNov2026);
    HlcClock hlc(clock, "dev");
    Hlc first = hlc.now();
    EXPECT_EQ(first.wall_ms, kNov2026);
    EXPECT_EQ(first.counter, 0u);
    Hlc prev = first;
    clock.advance(-3600 * 1000); // an hour back (a time zone or NTP correction)
    for (int i = 0; i < 100; ++i) {
        Hlc next = hlc.now();
        ASSERT_LT(prev, next);
        EXPECT_EQ(next.wall_ms, kNov2026); // holds the later wall time, counts instead
        prev = next;
    }
    EXPECT_EQ(prev.counter, 100u);
    clock.set(kNov2026 + 5);
    EXPECT_EQ(hlc.now(), (Hlc{kNov2026 + 5, 0, "dev"}));
}

TEST(Hlc, CounterOverflowMovesToTheNextMillisecond) {
    ManualClock clock(kNov2026);
    HlcClock hlc(clock, "dev", Hlc{kNov2026, 0xffff, "dev"});
    Hlc next = hlc.now();
    EXPECT_EQ(next.wall_ms, kNov2026 + 1);
    EXPECT_EQ(next.counter, 0u);
}

TEST(Hlc, AdoptsARemoteClockAheadAndClampsOneFarAhead) {
    ManualClock clock(kNov2026);
    HlcClock hlc(clock, "dev");
    int clamps = 0;
    hlc.on_clamp = [&](const Hlc&, std::int64_t) { ++clamps; };

    hlc.observe(Hlc{kNov2026 + 60000, 7, "other"}); // a minute ahead: fine
    Hlc after = hlc.now();
    EXPECT_EQ(after.wall_ms, kNov2026 + 60000);
    EXPECT_EQ(after.counter, 8u);
    EXPECT_EQ(after.device, "dev");
    EXPECT_EQ(clamps, 0);

    hlc.observe(Hlc{kNov2026 + 365LL * 86400000, 0, "broken"}); // a year ahead
    EXPECT_EQ(clamps, 1);
    Hlc clamped = hlc.now();
    EXPECT_LE(clamped.wall_ms, kNov2026 + HlcClock::kMaxAheadMs);
    EXPECT_GT(clamped, after);

    hlc.observe(Hlc{kNov2026 - 1000, 0, "old"}); // behind: ignored
    EXPECT_GT(hlc.now(), clamped);
}
