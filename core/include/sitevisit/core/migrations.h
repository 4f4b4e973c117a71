#pragma once

#include "sitevisit/core/database.h"
#include "sitevisit/core/result.h"

#include <vector>

namespace sitevisit {

// One step of the device store's schema, keyed on PRAGMA user_version. A step, once released,
// never changes: later needs get a new step.
struct Migration {
    int version;
    const char* description;
    const char* sql;
};

const std::vector<Migration>& store_migrations();
int latest_store_version();

// Brings the file up to `target` (default: the latest), one transaction per step. A file from
// a newer build is refused, never touched.
Status migrate_store(Database& db, int target = 0);
int user_version(Database& db);

} // namespace sitevisit
