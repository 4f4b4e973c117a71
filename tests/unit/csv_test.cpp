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

// The CSV writer of reports (core's rows_to_csv).
#include "sitevisit/core/csv_export.h"

TEST(CsvExport, RowsBecomeQuotedCellsUnderTheEntitysFields) {
    const sitevisit::EntitySpec& step = *sitevisit::find_entity("next_step");
    std::vector<sitevisit::Row> rows = {
        {"next_step",
         "b-2",
         "school-1",
         {{"title", "Post, then \"check\""}, {"due_date", "2026-12-01"}}},
        {"next_step",
         "a-1",
         "school-1",
         {{"title", "=HYPERLINK(\"x\")"},
          {"description", "two\nlines"},
          {"due_date", "2026-12-02"}}},
        {"next_step", "c-3", "school-1", {{"title", "gone"}}, 0, "", true},
    };
    const std::string out = sitevisit::rows_to_csv(step, rows);
    std::vector<std::string> lines;
    std::size_t pos = 0;
    for (std::size_t end; (end = out.find("\r\n", pos)) != std::string::npos; pos = end + 2)
        lines.push_back(out.substr(pos, end - pos));
    ASSERT_EQ(pos, out.size()) << "every line ends in CRLF";
    ASSERT_EQ(lines.size(), 3u) << out; // the header, two rows: the deleted one is left out
    EXPECT_EQ(lines[0], "id,school,title,description,owner,due_date,status,return_note,visit,"
                        "indicator,benchmark");
    // Sorted by id; a formula is defused with a quote; a line break is kept inside quotes.
    EXPECT_EQ(lines[1], "a-1,school-1,\"'=HYPERLINK(\"\"x\"\")\",\"two\nlines\",,2026-12-02,,,,,");
    EXPECT_EQ(lines[2], "b-2,school-1,\"Post, then \"\"check\"\"\",,,2026-12-01,,,,,");
    // The import's reader takes a one-line cell back as it was written.
    EXPECT_EQ(csv::fields(lines[2])[2], "Post, then \"check\"");

    const sitevisit::EntitySpec& user = *sitevisit::find_entity("user");
    const std::string people = sitevisit::rows_to_csv(user, {{"user",
                                                              "u-1",
                                                              "",
                                                              {{"email", "a@b.c"},
                                                               {"name", "-1 Ann"},
                                                               {"role", "admin"},
                                                               {"districts", {"d-1", "d-2"}},
                                                               {"active", false}}}});
    EXPECT_EQ(people.substr(people.find("\r\n") + 2),
              "u-1,,a@b.c,'-1 Ann,admin,,\"[\"\"d-1\"\",\"\"d-2\"\"]\",,false\r\n");
}
