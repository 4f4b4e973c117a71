#include "fixtures.h"
#include "sitevisit/core/reference.h"
#include "sitevisit/core/validation.h"

using namespace sitevisit;
using sitevisit::testing::indicator;

namespace {

std::string error_of(const Status& st) {
    return st.ok() ? "(ok)" : st.error().message;
}

Status fields(const char* entity, const Json& f) {
    static Validator v(Reference::builtin());
    return v.check_fields(*find_entity(entity), f);
}

Status row(const char* entity, const Json& r) {
    static Validator v(Reference::builtin());
    return v.check_row(*find_entity(entity), r);
}

} // namespace

TEST(Reference, BuiltinHasThePracticesRubricsAndContinuum) {
    const Reference& ref = Reference::builtin();
    ASSERT_EQ(ref.practices().size(), 4u);
    EXPECT_EQ(ref.practices()[3].number, 4);
    ASSERT_EQ(ref.continuum().size(), 4u);
    EXPECT_EQ(ref.rating_label(0), "No evidence");
    EXPECT_EQ(ref.rating_label(3), "Sustaining");
    ASSERT_EQ(ref.rubrics().size(), 2u);
    for (const auto& r : ref.rubrics())
        EXPECT_EQ(r.indicators.size(), 26u) << r.id;
    const Indicator* ind = ref.indicator(indicator(2, 1));
    ASSERT_NE(ind, nullptr);
    EXPECT_EQ(ind->name, "Use of student assessment data to inform classroom instruction");
    EXPECT_EQ(ind->practice, 2);
    EXPECT_EQ(ref.sources().size(), 5u);
    ASSERT_NE(ref.rubric_for_level("secondary"), nullptr);
    EXPECT_EQ(ref.rubric_for_level("secondary")->level, "secondary");
    EXPECT_EQ(ref.rubric_for_level("k-8")->level, "elementary");
}

TEST(Reference, TheShippedFileLoadsAndEqualsTheEmbeddedCopy) {
    auto loaded =
        Reference::load_file(std::string(SITEVISIT_ASSETS) + "/reference/reference-2026-2027.json");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->to_json(), Reference::builtin().to_json());
}

TEST(Reference, BadFilesAreRefusedWithTheReason) {
    EXPECT_EQ(Reference::parse("{").error().message, "reference data: not valid JSON");
    Json doc = Reference::builtin().to_json();
    doc["continuum"][1]["rating"] = 5;
    EXPECT_EQ(Reference::from_json(doc).error().message,
              "reference data: continuum ratings must be 0, 1, 2, ... in order");
    doc = Reference::builtin().to_json();
    doc["rubrics"][0]["indicators"][0]["practice"] = 9;
    auto bad = Reference::from_json(doc);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("names practice 9, which does not exist"),
              std::string::npos);
    EXPECT_EQ(Reference::load_file("/nonexistent/ref.json").error().code, ErrorCode::NotFound);
}

TEST(Validation, RatingOutsideTheContinuumNamesTheScale) {
    EXPECT_EQ(error_of(fields("observation", {{"rating", 7}})),
              "rating must be 0-3 (No evidence .. Sustaining), got 7");
    EXPECT_EQ(error_of(fields("observation", {{"rating", -1}})),
              "rating must be 0-3 (No evidence .. Sustaining), got -1");
    EXPECT_EQ(error_of(fields("observation", {{"rating", "2"}})),
              "rating must be null (unrated) or 0-3 (No evidence .. Sustaining), got \"2\"");
    EXPECT_EQ(error_of(fields("observation", {{"rating", 2.5}})),
              "rating must be null (unrated) or 0-3 (No evidence .. Sustaining), got 2.5");
    EXPECT_TRUE(fields("observation", {{"rating", nullptr}}).ok());
    EXPECT_TRUE(fields("observation", {{"rating", 3}}).ok());
}

TEST(Validation, TypesEnumsLengthsAndUnknownFields) {
    EXPECT_EQ(error_of(fields("observation", {{"mood", "good"}})).substr(0, 35),
              "observation has no field \"mood\" (fi");
    EXPECT_EQ(
        error_of(fields("observation", {{"source", "rumour"}})),
        "source must be one of classroom_observation, interview, focus_group, document_review, "
        "survey, got \"rumour\"");
    EXPECT_EQ(error_of(fields("observation", {{"indicator", "msv/9.9"}})),
              "indicator \"msv/9.9\" is not an indicator of reference data 2026-2027.1");
    EXPECT_EQ(error_of(fields("observation", {{"time", "25:00"}})),
              "time must be a time like 09:30, got \"25:00\"");
    EXPECT_EQ(error_of(fields("observation", {{"note", std::string(8001, 'x')}})),
              "note must be at most 8000 characters, got 8001");
    EXPECT_EQ(error_of(fields("observation", {{"visit", "not-a-uuid"}})),
              "visit must be the id (UUID) of a visit, got \"not-a-uuid\"");
    EXPECT_EQ(error_of(fields("visit", {{"start_date", "2026-02-30"}})),
              "start_date must be a date like 2026-11-23, got \"2026-02-30\"");
    EXPECT_EQ(error_of(fields("visit", {{"kind", "party"}})),
              "kind must be one of monitoring, targeted, progress_monitoring, walkthrough, got "
              "\"party\"");
    EXPECT_EQ(error_of(fields("school", {{"percentile", 100}})),
              "percentile must be 1 to 99, got 100");
    EXPECT_EQ(error_of(fields("school", {{"percentile", "high"}})),
              "percentile must be a whole number from 1 to 99, got \"high\"");
    EXPECT_EQ(error_of(fields("evidence", {{"sha256", "ABC"}})),
              "sha256 must be a SHA-256 of 64 lowercase hex digits, got \"ABC\"");
    EXPECT_EQ(error_of(fields("user", {{"email", "nobody"}})),
              "email must be an email address like name@example.org, got \"nobody\"");
    EXPECT_EQ(error_of(fields("plan", {{"title", "   "}})),
              "title is required and cannot be blank");
    EXPECT_EQ(error_of(fields("plan", {{"title", nullptr}})), "title is required");
    EXPECT_EQ(error_of(fields("plan", {{"title", std::string("bad \xff utf8")}})),
              "title must be valid UTF-8 text");
    EXPECT_EQ(error_of(fields("plan", Json::array())),
              "plan fields must be a JSON object, got a list");
    std::string u = "0190a000-0000-7000-8000-0000000000a1";
    EXPECT_EQ(error_of(fields("evidence", {{"benchmarks", {u, u}}})),
              "benchmarks lists " + u + " twice");
    EXPECT_EQ(error_of(fields("benchmark", {{"baseline", 1e300}})),
              "baseline must be -1000000000000 to 1000000000000, got 1e+300");
}

TEST(Validation, RowRulesAcrossFields) {
    const std::string uuid = "0190a000-0000-7000-8000-0000000000a1";
    EXPECT_EQ(error_of(row("observation", {{"visit", uuid}})), "observation needs indicator");
    EXPECT_EQ(error_of(row("plan", {{"kind", "sip"},
                                    {"title", "x"},
                                    {"first_year", "2026-2027"},
                                    {"last_year", "2027-2028"}})),
              "a plan covers three school years or more: last_year 2027-2028 is less than two "
              "years after 2026-2027");
    EXPECT_TRUE(row("plan", {{"kind", "sip"},
                             {"title", "x"},
                             {"first_year", "2026-2027"},
                             {"last_year", "2028-2029"}})
                    .ok());
    Json visit{{"kind", "monitoring"},
               {"rubric", "msv-2026-2027-elementary"},
               {"start_date", "2026-11-20"},
               {"end_date", "2026-11-19"},
               {"team", {uuid}}};
    EXPECT_EQ(error_of(row("visit", visit)), "end_date 2026-11-19 is before start_date 2026-11-20");
    visit["end_date"] = "2026-11-21";
    visit["team"] = Json::array();
    EXPECT_EQ(error_of(row("visit", visit)), "a visit's team needs at least one member");
    visit["team"] = {uuid};
    visit["rubric"] = "msv-1999";
    EXPECT_EQ(error_of(row("visit", visit)),
              "rubric \"msv-1999\" is not in reference data 2026-2027.1");
    Json bm{{"initiative", uuid}, {"type", "outcome"},   {"audience", "students"},
            {"measure", "m"},     {"baseline", 1},       {"baseline_date", "2026-09-01"},
            {"target", 2},        {"due", "2026-09-01"}, {"cadence", "weekly"}};
    EXPECT_EQ(error_of(row("benchmark", bm)),
              "due 2026-09-01 must come after baseline_date 2026-09-01");
    Json refl{{"plan", uuid}, {"year", "2026-2027"}, {"decisions", {{uuid, "maybe"}}}};
    EXPECT_EQ(error_of(row("reflection", refl)),
              "decision for " + uuid + " must be continue, revise or abandon, got \"maybe\"");
    refl["decisions"] = {{uuid, "revise"}};
    EXPECT_TRUE(row("reflection", refl).ok());
    Json lead{{"email", "l@x.org"},
              {"name", "L"},
              {"role", "assistance_lead"},
              {"districts",
               {uuid, "0190a000-0000-7000-8000-0000000000a2",
                "0190a000-0000-7000-8000-0000000000a3", "0190a000-0000-7000-8000-0000000000a4"}}};
    EXPECT_EQ(error_of(fields("user", lead)), "districts may hold at most 3 items, got 4");
    lead["districts"] = Json::array();
    EXPECT_EQ(error_of(row("user", lead)), "an assistance lead's caseload is 1 to 3 districts");
}

TEST(Validation, RowIdsFollowTheEntity) {
    EXPECT_TRUE(check_row_id(*find_entity("visit"), "0190a000-0000-7000-8000-0000000000a1").ok());
    EXPECT_EQ(check_row_id(*find_entity("visit"), "v1").error().message,
              "visit id must be a UUID like 0190a5c4-7b3e-7cc1-9d2a-4f1e2b3c4d5e, got \"v1\"");
    EXPECT_TRUE(check_row_id(*find_entity("indicator"), "msv-2026-2027-elementary/1.1").ok());
    EXPECT_FALSE(check_row_id(*find_entity("indicator"), "a b").ok());
}

TEST(Validation, TypedTextBecomesTheFieldsCheckedValue) {
    Validator v(Reference::builtin());
    const FieldSpec& rating = *find_entity("observation")->field("rating");
    EXPECT_EQ(*v.value_from_text(rating, " 2 "), Json(2));
    EXPECT_TRUE(v.value_from_text(rating, "").value().is_null());
    EXPECT_EQ(v.value_from_text(rating, "two").error().message,
              "rating must be 0-3 (No evidence .. Sustaining), got \"two\"");
    EXPECT_EQ(v.value_from_text(rating, "7").error().message,
              "rating must be 0-3 (No evidence .. Sustaining), got 7");
    EXPECT_FALSE(v.value_from_text(rating, "2.5"));
    FieldSpec whole{"count", FieldType::Integer, false, false, 1.0, 10.0};
    EXPECT_EQ(v.value_from_text(whole, "x").error().message,
              "count needs a whole number from 1 to 10, got \"x\"");
    EXPECT_FALSE(v.value_from_text(whole, "11"));
    FieldSpec real{"value", FieldType::Real};
    EXPECT_EQ(*v.value_from_text(real, "12.5"), Json(12.5));
    EXPECT_FALSE(v.value_from_text(real, "12,5"));
    FieldSpec yes{"flag", FieldType::Bool};
    EXPECT_EQ(*v.value_from_text(yes, "Yes"), Json(true));
    EXPECT_EQ(*v.value_from_text(yes, "false"), Json(false));
    EXPECT_FALSE(v.value_from_text(yes, "maybe"));
    FieldSpec list{"links", FieldType::TextList};
    EXPECT_EQ(*v.value_from_text(list, "[\"a\"]"), Json::array({"a"}));
    EXPECT_NE(v.value_from_text(list, "a, b").error().message.find("JSON list"), std::string::npos);
    FieldSpec note{"note", FieldType::Text};
    EXPECT_EQ(*v.value_from_text(note, "  kept as typed "), Json("  kept as typed "));
    FieldSpec required{"title", FieldType::Text, true};
    EXPECT_EQ(v.value_from_text(required, "  ").error().message, "title is required");
}

TEST(Validation, EvidenceLinksOnlyToKnownIndicators) {
    EXPECT_TRUE(fields("evidence", {{"indicators", {indicator(1, 1), indicator(2, 1)}}}).ok());
    EXPECT_EQ(error_of(fields("evidence", {{"indicators", {indicator(1, 1), "9.9"}}})),
              "indicators lists \"9.9\", which is not an indicator of reference data " +
                  Reference::builtin().version());
}

TEST(Validation, TextLimitsCountCharactersNotBytes) {
    // "at most 200 characters" means 200 of what a person types: é is one (two bytes in UTF-8),
    // 学 is one (three bytes), 😀 is one (four bytes).
    std::string e200, han200, emoji200;
    for (int i = 0; i < 200; ++i) {
        e200 += "\xC3\xA9";
        han200 += "\xE5\xAD\xA6";
        emoji200 += "\xF0\x9F\x98\x80";
    }
    EXPECT_EQ(error_of(fields("evidence", {{"title", e200}})), "(ok)");
    EXPECT_EQ(error_of(fields("evidence", {{"title", han200}})), "(ok)");
    EXPECT_EQ(error_of(fields("evidence", {{"title", emoji200}})), "(ok)");
    EXPECT_EQ(error_of(fields("evidence", {{"title", e200 + "x"}})),
              "title must be at most 200 characters, got 201");
    EXPECT_EQ(error_of(fields("evidence", {{"title", emoji200 + "\xF0\x9F\x98\x80"}})),
              "title must be at most 200 characters, got 201");
    EXPECT_EQ(count_code_points("a\xC3\xA9\xE5\xAD\xA6\xF0\x9F\x98\x80"), 4u);
}
