#pragma once

// How rows of an entity are read from and written to its SQLite table (inside core only).

#include "sitevisit/core/database.h"
#include "sitevisit/core/write_plan.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sitevisit::store_sql {

std::string quote(std::string_view name);
void bind_field(Statement& st, int index, const FieldSpec& f, const Json& v);
Json read_field(const Statement& st, int col, const FieldSpec& f);
std::string select_sql(const EntitySpec& spec);
Row read_row(const EntitySpec& spec, const Statement& st);
std::optional<Row> load(Database& db, const EntitySpec& spec, std::string_view id);
// INSERT ... ON CONFLICT DO UPDATE for the given columns. `remote` adds _seq and only
// replaces an older version. `tombstone` marks the row deleted; `revive` marks it live (the
// server's newer version of a row it had told this device to remove).
std::string upsert_sql(const EntitySpec& spec, const std::vector<const FieldSpec*>& fields,
                       bool remote, bool tombstone, bool revive = false);

} // namespace sitevisit::store_sql
