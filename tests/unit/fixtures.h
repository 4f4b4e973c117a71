#pragma once

#include "sitevisit/core/store.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <string>

namespace sitevisit::testing {

// A folder under the system temp dir, removed when the test ends.
class TempDir {
public:
    TempDir();
    ~TempDir();
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Every row of every table, as text: two equal dumps mean nothing was changed.
std::string dump_database(Database& db);

// Fixed ids so failures read well.
struct Org {
    std::string region = "0190a000-0000-7000-8000-0000000000a1";
    std::string district = "0190a000-0000-7000-8000-0000000000d1";
    std::string other_district = "0190a000-0000-7000-8000-0000000000d2";
    std::string school = "0190a000-0000-7000-8000-0000000000c1";
    std::string other_school = "0190a000-0000-7000-8000-0000000000c2";
    User admin, lead, other_lead, principal, other_principal, receiver, director;
    Org();
};

// Creates the region, both districts and both schools through the store as the admin.
void seed_org(Store& store, const Org& org);

// A store on a fresh file in `dir`, on a manual clock.
std::unique_ptr<Store> open_store(const TempDir& dir, ManualClock& clock,
                                  const std::string& name = "device.db");

inline constexpr std::int64_t kNov2026 = 1795392000000; // 2026-11-23T00:00:00Z
inline const char* kRubric = "msv-2026-2027-elementary";
inline std::string indicator(int practice, int n) {
    return std::string(kRubric) + "/" + std::to_string(practice) + "." + std::to_string(n);
}

} // namespace sitevisit::testing
