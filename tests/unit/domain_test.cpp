#include "fixtures.h"
#include "sitevisit/core/domain.h"

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

template <class T> T stored(Store& store, const std::string& id) {
    auto row = store.get(domain::entity_of<T>(), id);
    EXPECT_TRUE(row.ok() && *row);
    auto v = domain::from_row<T>(**row);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
    return v.ok() ? *v : T{};
}

} // namespace

TEST(Domain, TypedValuesGoThroughTheStoreAndComeBackTheSame) {
    TempDir dir;
    ManualClock clock(kNov2026);
    Org org;
    auto store = open_store(dir, clock);
    seed_org(*store, org);

    domain::Visit visit;
    visit.school = org.school;
    visit.kind = "monitoring";
    visit.rubric = kRubric;
    visit.start_date = "2026-11-20";
    auto v = store->put(org.lead, domain::to_request(visit));
    ASSERT_TRUE(v.ok()) << v.error().message;
    domain::Visit back = stored<domain::Visit>(*store, v->id);
    EXPECT_EQ(back.status, "draft");
    EXPECT_EQ(back.team, domain::Ids{org.lead.id});
    EXPECT_FALSE(back.end_date);

    domain::Observation obs;
    obs.visit = v->id;
    obs.indicator = indicator(3, 4);
    obs.rating = 2;
    obs.note = "Tier 2 groups meet daily.";
    obs.source = "interview";
    auto o = store->put(org.lead, domain::to_request(obs));
    ASSERT_TRUE(o.ok()) << o.error().message;
    domain::Observation got = stored<domain::Observation>(*store, o->id);
    EXPECT_EQ(got.school, org.school);
    EXPECT_EQ(got.rating, 2);
    EXPECT_EQ(got.note, obs.note);
    EXPECT_EQ(got.source, "interview");
    EXPECT_FALSE(got.time);

    // Editing the typed value sends only what changed.
    got.rating.reset();
    auto edit = store->put(org.lead, domain::to_request(got));
    ASSERT_TRUE(edit.ok()) << edit.error().message;
    EXPECT_EQ(edit->change->fields, (Json{{"rating", nullptr}}));
    EXPECT_FALSE(stored<domain::Observation>(*store, o->id).rating);

    // Validation is the store's, whatever the type lets you write.
    got.rating = 11;
    EXPECT_EQ(store->put(org.lead, domain::to_request(got)).error().message,
              "rating must be 0-3 (No evidence .. Sustaining), got 11");

    auto wrong = domain::from_row<domain::Plan>(**store->get("visit", v->id));
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().message, "a visit row is not a plan");
}
