#include "fixtures.h"

#include <sqlite3.h>
#include <unistd.h>

namespace sitevisit::testing {

TempDir::TempDir() {
    static std::mt19937_64 rng(std::random_device{}());
    path_ = std::filesystem::temp_directory_path() /
            ("sitevisit-test-" + std::to_string(::getpid()) + "-" + std::to_string(rng()));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string dump_database(Database& db) {
    std::string out;
    std::vector<std::string> tables;
    {
        auto st = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        while (st->step())
            tables.push_back(st->text(0));
    }
    for (const auto& t : tables) {
        out += "== " + t + "\n";
        auto st = db.prepare("SELECT * FROM \"" + t + "\" ORDER BY rowid");
        while (st->step()) {
            for (int c = 0; c < st->columns(); ++c)
                out += (st->is_null(c) ? "NULL" : st->text(c)) + "|";
            out += "\n";
        }
    }
    return out;
}

namespace {
User make(const std::string& id, const std::string& name, Role role) {
    User u;
    u.id = id;
    u.name = name;
    u.email = name + "@example.org";
    u.role = role;
    return u;
}
} // namespace

Org::Org() {
    admin = make("0190a000-0000-7000-8000-000000000001", "admin", Role::Admin);
    lead = make("0190a000-0000-7000-8000-000000000004", "lead", Role::AssistanceLead);
    lead.districts = {district};
    other_lead = make("0190a000-0000-7000-8000-000000000005", "lead2", Role::AssistanceLead);
    other_lead.districts = {district};
    principal = make("0190a000-0000-7000-8000-000000000003", "principal", Role::Principal);
    principal.schools = {school};
    other_principal = make("0190a000-0000-7000-8000-000000000006", "principal2", Role::Principal);
    other_principal.schools = {other_school};
    receiver = make("0190a000-0000-7000-8000-000000000002", "receiver", Role::Receiver);
    receiver.schools = {school};
    director = make("0190a000-0000-7000-8000-000000000007", "director", Role::RegionalDirector);
    director.region = region;
}

void seed_org(Store& store, const Org& org) {
    auto must = [](Result<WriteResult> r) { ASSERT_TRUE(r.ok()) << r.error().message; };
    must(
        store.put(org.admin, {"region", org.region, "", {{"name", "Coastal"}, {"code", "COAST"}}}));
    must(
        store.put(org.admin, {"district",
                              org.district,
                              "",
                              {{"region", org.region}, {"code", "00350000"}, {"name", "Harbor"}}}));
    must(store.put(org.admin,
                   {"district",
                    org.other_district,
                    "",
                    {{"region", org.region}, {"code", "00360000"}, {"name", "Bayside"}}}));
    must(store.put(org.admin, {"school",
                               org.school,
                               "",
                               {{"district", org.district},
                                {"code", "00350123"},
                                {"name", "Lincoln"},
                                {"level", "elementary"},
                                {"designation", "underperforming"}}}));
    must(store.put(org.admin, {"school",
                               org.other_school,
                               "",
                               {{"district", org.other_district},
                                {"code", "00360123"},
                                {"name", "Adams"},
                                {"level", "elementary"},
                                {"designation", "none"}}}));
}

std::unique_ptr<Store> open_store(const TempDir& dir, ManualClock& clock, const std::string& name) {
    StoreOptions o;
    o.path = dir.file(name);
    o.clock = &clock;
    o.device_id = "0190a000-0000-7000-8000-00000000de01";
    auto s = Store::open(o);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : nullptr;
}

} // namespace sitevisit::testing

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
