// Team visits: the calibration figures against hand-worked examples, the ids a rater's rows
// take, and the rules: a rating is its rater's own, withheld from the other raters until that
// rater marks their ratings done, and final after.

#include "fixtures.h"
#include "sitevisit/core/calibration.h"
#include "sitevisit/core/store.h"
#include "sitevisit/core/uuid.h"

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

// Two raters over the same indicators, levels in order.
std::vector<RaterRating> two(const std::vector<int>& a, const std::vector<int>& b) {
    std::vector<RaterRating> out;
    for (std::size_t i = 0; i < a.size(); ++i)
        out.push_back({"rater-a", "ind-" + std::to_string(i), a[i]});
    for (std::size_t i = 0; i < b.size(); ++i)
        out.push_back({"rater-b", "ind-" + std::to_string(i), b[i]});
    return out;
}

} // namespace

TEST(Calibration, AgreementAndQuadraticKappaMatchHandWorkedFigures) {
    // A: 0 1 2 3, B: 0 1 2 2. Pairs (0,0) (1,1) (2,2) (3,2), a quarter each. Weighted
    // disagreement: (1/9)(1/4) = 1/36. Chance: the first rater's shares are 1/4 at each level,
    // the second's 1/4, 1/4, 1/2, 0; sum of p_i q_j (i-j)^2 = (2.25 + .75 + 1.25 + 3.75) / 4 = 2,
    // over 9: 2/9. kappa = 1 - (1/36) / (2/9) = 0.875.
    Calibration c = calibrate(two({0, 1, 2, 3}, {0, 1, 2, 2}));
    EXPECT_EQ(c.raters, (std::vector<std::string>{"rater-a", "rater-b"}));
    EXPECT_EQ(c.pairs, 4);
    EXPECT_DOUBLE_EQ(*c.exact, 0.75);
    EXPECT_DOUBLE_EQ(*c.adjacent, 1.0);
    ASSERT_TRUE(c.kappa);
    EXPECT_NEAR(*c.kappa, 0.875, 1e-12);

    // A: 2 3 0, B: 2 2 3. Disagreement (1/9 + 1)/3 = 10/27; chance 20/81; kappa = -0.5.
    c = calibrate(two({2, 3, 0}, {2, 2, 3}));
    EXPECT_EQ(c.pairs, 3);
    EXPECT_NEAR(*c.exact, 1.0 / 3, 1e-12);
    EXPECT_NEAR(*c.adjacent, 2.0 / 3, 1e-12);
    EXPECT_NEAR(*c.kappa, -0.5, 1e-12);

    // Opposite ends every time: as far from agreement as chance allows.
    c = calibrate(two({0, 0, 3, 3}, {3, 3, 0, 0}));
    EXPECT_DOUBLE_EQ(*c.exact, 0.0);
    EXPECT_DOUBLE_EQ(*c.adjacent, 0.0);
    EXPECT_NEAR(*c.kappa, -1.0, 1e-12);
}

TEST(Calibration, TotalAgreementIsOneAndOneLevelEverywhereIsUndefined) {
    Calibration c = calibrate(two({0, 1, 2, 3, 1}, {0, 1, 2, 3, 1}));
    EXPECT_DOUBLE_EQ(*c.exact, 1.0);
    EXPECT_DOUBLE_EQ(*c.adjacent, 1.0);
    EXPECT_NEAR(*c.kappa, 1.0, 1e-12);

    // Everyone at one level: nothing to expect by chance, so kappa has no value.
    c = calibrate(two({2, 2, 2}, {2, 2, 2}));
    EXPECT_EQ(c.pairs, 3);
    EXPECT_DOUBLE_EQ(*c.exact, 1.0);
    EXPECT_FALSE(c.kappa);
    EXPECT_TRUE(c.to_json()["kappa"].is_null());

    // One rater, or raters on different indicators: no pair, no figure.
    c = calibrate({{"rater-a", "ind-1", 2}, {"rater-b", "ind-2", 2}});
    EXPECT_EQ(c.pairs, 0);
    EXPECT_FALSE(c.exact);
    EXPECT_FALSE(c.kappa);
    EXPECT_EQ(c.to_json().dump(), R"({"adjacent":null,"exact":null,"kappa":null,"pairs":0,)"
                                  R"("raters":["rater-a","rater-b"]})");
}

TEST(Calibration, ThreeRatersPoolEveryPairAndARepeatCountsOnce) {
    // Indicator 1: a 1, b 1, c 2 -> pairs (a,b) (a,c) (b,c) = (1,1) (1,2) (1,2).
    // Indicator 2: a 3, c 3 -> (3,3). Four pairs: exact 2/4, adjacent 4/4.
    std::vector<RaterRating> r = {{"c", "i1", 2}, {"a", "i1", 0}, {"a", "i1", 1}, {"b", "i1", 1},
                                  {"a", "i2", 3}, {"c", "i2", 3}, {"b", "i3", 7}};
    Calibration c = calibrate(r);
    EXPECT_EQ(c.raters, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(c.pairs, 4);
    EXPECT_DOUBLE_EQ(*c.exact, 0.5);
    EXPECT_DOUBLE_EQ(*c.adjacent, 1.0);
    // Observed: (1,1) (1,2) (1,2) (3,3), a quarter each. First shares: 1 at 3/4, 3 at 1/4;
    // second: 1 at 1/4, 2 at 1/2, 3 at 1/4. Disagreement 2 * (1/9) / 4 = 1/18. Chance:
    // (3/4)(1/4 * 0 + 1/2 * 1 + 1/4 * 4) + (1/4)(1/4 * 4 + 1/2 * 1 + 0) = 9/8 + 3/8 = 3/2,
    // over 9: 1/6. kappa = 1 - (1/18) / (1/6) = 2/3.
    EXPECT_NEAR(*c.kappa, 2.0 / 3, 1e-12);
}

TEST(Calibration, ARatersRowsHaveTheIdsTheirFieldsMake) {
    const Json f{{"visit", "v-1"}, {"indicator", "msv/1.1"}};
    const auto id = team_row_id("rating", f, "user-1");
    ASSERT_TRUE(id);
    EXPECT_TRUE(is_uuid(*id));
    EXPECT_EQ((*id)[14], '8'); // version 8
    EXPECT_EQ(*id,
              *team_row_id("rating",
                           Json{{"visit", "v-1"}, {"indicator", "msv/1.1"}, {"rater", "user-1"}},
                           "someone-else"));
    EXPECT_NE(*id, *team_row_id("rating", f, "user-2"));
    EXPECT_NE(*id,
              *team_row_id("rating", Json{{"visit", "v-1"}, {"indicator", "msv/1.2"}}, "user-1"));
    EXPECT_NE(*team_row_id("rater", Json{{"visit", "v-1"}}, "user-1"),
              *team_row_id("rater", Json{{"visit", "v-2"}}, "user-1"));
    EXPECT_FALSE(team_row_id("rating", Json{{"visit", "v-1"}}, "user-1"));
    EXPECT_FALSE(team_row_id("observation", f, "user-1"));
}

namespace {

struct TeamVisit : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<sitevisit::Store> store;
    std::string visit; // the lead's draft, with the other lead on its team

    void SetUp() override {
        store = open_store(dir, clock);
        ASSERT_TRUE(store);
        seed_org(*store, org);
        auto v = store->put(org.lead, {"visit",
                                       "",
                                       org.school,
                                       {{"kind", "monitoring"},
                                        {"rubric", kRubric},
                                        {"start_date", "2026-11-20"},
                                        {"team", {org.lead.id, org.other_lead.id}}}});
        ASSERT_TRUE(v.ok()) << v.error().message;
        visit = v->id;
    }
    Result<WriteResult> rate(const User& u, const std::string& ind, int level) {
        return store->put(
            u, {"rating", "", "", {{"visit", visit}, {"indicator", ind}, {"level", level}}});
    }
    Result<WriteResult> done(const User& u) {
        return store->put(u, {"rater", "", "", {{"visit", visit}, {"done", true}}});
    }
};

} // namespace

TEST_F(TeamVisit, EachRaterRatesForThemselvesAndDoneIsFinal) {
    auto first = rate(org.lead, indicator(1, 1), 2);
    ASSERT_TRUE(first.ok()) << first.error().message;
    // The same indicator again is the same row, changed.
    auto again = rate(org.lead, indicator(1, 1), 3);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ((*store->get("rating", first->id))->fields["level"], 3);
    ASSERT_TRUE(rate(org.other_lead, indicator(1, 1), 1).ok());

    // Nobody rates for someone else, or under an id of their choosing.
    auto forged = store->put(
        org.other_lead,
        {"rating",
         "",
         "",
         {{"visit", visit}, {"indicator", indicator(1, 2)}, {"rater", org.lead.id}, {"level", 0}}});
    ASSERT_FALSE(forged.ok());
    EXPECT_EQ(forged.error().message, "rater must be the writer (" + org.other_lead.id + ")");
    auto chosen =
        store->put(org.lead, {"rating",
                              "0190a000-0000-7000-8000-0000000000f1",
                              "",
                              {{"visit", visit}, {"indicator", indicator(1, 2)}, {"level", 0}}});
    ASSERT_FALSE(chosen.ok());
    EXPECT_NE(chosen.error().message.find("should have the id"), std::string::npos)
        << chosen.error().message;
    // Off the team, or an indicator of another rubric: refused.
    auto outsider = store->put(
        org.admin,
        {"rating", "", "", {{"visit", visit}, {"indicator", indicator(1, 2)}, {"level", 0}}});
    ASSERT_FALSE(outsider.ok());
    EXPECT_EQ(outsider.error().message, "only the visit's team rates it");
    auto other_rubric = store->put(
        org.lead, {"rating",
                   "",
                   "",
                   {{"visit", visit}, {"indicator", "msv-2026-2027-secondary/1.1"}, {"level", 0}}});
    EXPECT_FALSE(other_rubric.ok());

    // Done: the lead's ratings are final, and done cannot be taken back.
    ASSERT_TRUE(done(org.lead).ok());
    auto late = rate(org.lead, indicator(1, 1), 0);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().message,
              "your ratings of this visit are marked done; they can no longer change");
    EXPECT_FALSE(rate(org.lead, indicator(2, 1), 0).ok());
    EXPECT_FALSE(store->put(org.lead, {"rater", "", "", {{"visit", visit}, {"done", false}}}).ok());
    EXPECT_EQ((*store->get("rating", first->id))->fields["level"], 3);
    // The other rater goes on until they are done.
    EXPECT_TRUE(rate(org.other_lead, indicator(2, 1), 2).ok());
}

TEST(TeamVisitRules, ARatingIsWithheldFromOtherRatersUntilItsRaterIsDone) {
    Org org;
    const Place place{org.school, org.district, org.region};
    RowState s;
    s.visit_status = "draft";
    s.visit_team = {org.lead.id, org.other_lead.id};
    s.rater = org.lead.id;
    const EntitySpec& rating = *find_entity("rating");
    EXPECT_TRUE(decide(org.lead, Access::Read, rating, place, s));
    auto hidden = decide(org.other_lead, Access::Read, rating, place, s);
    EXPECT_FALSE(hidden);
    EXPECT_EQ(hidden.reason, "a rater's ratings are withheld from the other raters until that "
                             "rater marks them done");
    EXPECT_FALSE(decide(org.admin, Access::Read, rating, place, s));
    // Whether a rater is done is no secret.
    EXPECT_TRUE(decide(org.other_lead, Access::Read, *find_entity("rater"), place, s));
    s.rater_done = true;
    EXPECT_TRUE(decide(org.other_lead, Access::Read, rating, place, s));
    EXPECT_FALSE(decide(org.lead, Access::Write, rating, place, s));
    // A submitted visit's ratings are its readers'.
    s.rater_done = false;
    s.visit_status = "submitted";
    EXPECT_TRUE(decide(org.principal, Access::Read, rating, place, s));
    EXPECT_TRUE(decide(org.other_lead, Access::Read, rating, place, s));
}

// Per pair of raters over time: ratings pair only within a visit, and each pair of raters
// pools every visit both rated.
TEST(Calibration, EachPairOfRatersIsPooledOverTheVisitsBothRated) {
    auto r = [](const char* visit, const char* date, const char* rater, const char* ind,
                int level) {
        return VisitRating{visit, date, RaterRating{rater, ind, level}};
    };
    const std::vector<VisitRating> ratings = {
        r("v1", "2026-10-05", "a", "i1", 2), r("v1", "2026-10-05", "a", "i2", 3),
        r("v1", "2026-10-05", "b", "i1", 2), r("v1", "2026-10-05", "b", "i2", 1),
        r("v1", "2026-10-05", "c", "i1", 0), r("v2", "2026-11-20", "a", "i1", 1),
        r("v2", "2026-11-20", "b", "i1", 1), r("v2", "2026-11-20", "b", "i3", 2),
        r("v2", "2026-11-20", "c", "i3", 2),
        // c's i2 at v2 meets a's i2 at v1 only across visits: no pair.
        r("v2", "2026-11-20", "c", "i2", 3)};
    const auto lines = calibrate_pairs(ratings);
    ASSERT_EQ(lines.size(), 3u);
    // a and b: (2,2) and (3,1) at v1, (1,1) at v2. Hand-worked: observed weighted disagreement
    // 4/27 equals the expected 4/27, so kappa is 0.
    EXPECT_EQ(lines[0].first, "a");
    EXPECT_EQ(lines[0].second, "b");
    EXPECT_EQ(lines[0].visits, 2);
    EXPECT_EQ(lines[0].from, "2026-10-05");
    EXPECT_EQ(lines[0].to, "2026-11-20");
    EXPECT_EQ(lines[0].figures.pairs, 3);
    EXPECT_DOUBLE_EQ(*lines[0].figures.exact, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(*lines[0].figures.adjacent, 2.0 / 3.0);
    EXPECT_NEAR(*lines[0].figures.kappa, 0.0, 1e-12);
    // a and c: (2,0) at v1 only.
    EXPECT_EQ(lines[1].second, "c");
    EXPECT_EQ(lines[1].visits, 1);
    EXPECT_EQ(lines[1].figures.pairs, 1);
    EXPECT_DOUBLE_EQ(*lines[1].figures.adjacent, 0.0);
    EXPECT_EQ(lines[1].to, "2026-10-05");
    // b and c: (2,0) at v1, (2,2) at v2.
    EXPECT_EQ(lines[2].first, "b");
    EXPECT_EQ(lines[2].visits, 2);
    EXPECT_EQ(lines[2].figures.pairs, 2);
    EXPECT_DOUBLE_EQ(*lines[2].figures.exact, 0.5);
    const Json j = lines[2].to_json();
    EXPECT_EQ(j["raters"], Json({"b", "c"}));
    EXPECT_EQ(j["visits"], 2);
    EXPECT_EQ(j["pairs"], 2);
    EXPECT_TRUE(calibrate_pairs({}).empty());
}
