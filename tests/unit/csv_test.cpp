// The CSV reader of the school import (sync/server/src/csv.cpp), what it does today pinned.

#include "sitevisit/server/csv.h"

#include <gtest/gtest.h>

using namespace sitevisit::server;

using Fields = std::vector<std::string>;

TEST(Csv, PlainFieldsAreSplitAtCommasAndTrimmed) {
    EXPECT_EQ(csv::fields("00350123, Lincoln ,00350000"),
              (Fields{"00350123", "Lincoln", "00350000"}));
    EXPECT_EQ(csv::fields(""), (Fields{""}));
    EXPECT_EQ(csv::fields("a,,b,"), (Fields{"a", "", "b", ""}));
}

TEST(Csv, QuotedFieldsMayHoldCommasAndDoubledQuotes) {
    EXPECT_EQ(csv::fields(R"("Lincoln, Abraham",x)"), (Fields{"Lincoln, Abraham", "x"}));
    EXPECT_EQ(csv::fields(R"("the ""Old"" School",x)"), (Fields{"the \"Old\" School", "x"}));
    EXPECT_EQ(csv::fields(R"("")"), (Fields{""}));
}

TEST(Csv, AQuoteOpensAndClosesQuotingAnywhereInAField) {
    EXPECT_EQ(csv::fields(R"(ab"c,d"e,f)"), (Fields{"abc,de", "f"}));
    // Spaces inside quotes at a field's edge are trimmed like any others.
    EXPECT_EQ(csv::fields(R"(" padded ",x)"), (Fields{"padded", "x"}));
}

TEST(Csv, AQuoteLeftOpenTakesTheRestOfTheLineWithoutAnError) {
    EXPECT_EQ(csv::fields(R"(a,"open, still open)"), (Fields{"a", "open, still open"}));
}

TEST(Csv, CarriageReturnsOutsideQuotesAreDropped) {
    EXPECT_EQ(csv::fields("a,b\r"), (Fields{"a", "b"}));
    EXPECT_EQ(csv::fields("a\rb"), (Fields{"ab"}));
    // Inside quotes it stays, unless it ends up at the field's edge.
    EXPECT_EQ(csv::fields("\"a\rb\",\"c\r\""), (Fields{"a\rb", "c"}));
}

TEST(Csv, RecordsKeepTheirLineNumbersAndSkipBlankLines) {
    const auto records = csv::records("org,name\r\n\r\n1,Lincoln\r\n   \n2,\"Adams, John\"");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].line, 1);
    EXPECT_EQ(records[0].fields, (Fields{"org", "name"}));
    EXPECT_EQ(records[1].line, 3);
    EXPECT_EQ(records[1].fields, (Fields{"1", "Lincoln"}));
    EXPECT_EQ(records[2].line, 5);
    EXPECT_EQ(records[2].fields, (Fields{"2", "Adams, John"}));
}

TEST(Csv, AFinalLineEndAddsNoRecord) {
    EXPECT_EQ(csv::records("a\nb\n").size(), 2u);
    EXPECT_TRUE(csv::records("").empty());
    EXPECT_TRUE(csv::records("\n\n").empty());
}

TEST(Csv, ALineEndInsideQuotesEndsTheRecord) {
    // Fields spanning lines are not supported: each line is its own record.
    const auto records = csv::records("1,\"two\nlines\",3");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].fields, (Fields{"1", "two"}));
    EXPECT_EQ(records[1].line, 2);
    EXPECT_EQ(records[1].fields, (Fields{"lines,3"}));
}
