#include "store_sql.h"

namespace sitevisit::store_sql {

std::string quote(std::string_view name) {
    return "\"" + std::string(name) + "\"";
}

namespace {

bool stored_as_json(FieldType t) {
    return t == FieldType::UuidList || t == FieldType::TextList || t == FieldType::Object ||
           t == FieldType::Value;
}

} // namespace

void bind_field(Statement& st, int index, const FieldSpec& f, const Json& v) {
    if (v.is_null()) {
        st.bind_null(index);
    } else if (stored_as_json(f.type)) {
        st.bind(index, v.dump());
    } else {
        st.bind_json(index, v);
    }
}

Json read_field(const Statement& st, int col, const FieldSpec& f) {
    if (st.is_null(col)) return nullptr;
    switch (f.type) {
    case FieldType::Integer:
    case FieldType::Rating:
        return st.int64(col);
    case FieldType::Real:
        return st.real(col);
    case FieldType::Bool:
        return st.int64(col) != 0;
    case FieldType::UuidList:
    case FieldType::TextList:
    case FieldType::Object:
    case FieldType::Value: {
        Json j = Json::parse(st.text_view(col), nullptr, false);
        return j.is_discarded() ? Json(nullptr) : j;
    }
    default:
        return st.text(col);
    }
}

std::string select_sql(const EntitySpec& spec) {
    std::string sql = "SELECT \"id\", \"school\", \"_seq\", \"_hlc\", \"_deleted\"";
    for (const auto& f : spec.fields)
        sql += ", " + quote(f.name);
    return sql + " FROM " + quote(spec.name);
}

Row read_row(const EntitySpec& spec, const Statement& st) {
    Row row;
    row.entity = spec.name;
    row.id = st.text(0);
    row.school = st.text(1);
    row.seq = st.int64(2);
    row.hlc = st.text(3);
    row.deleted = st.int64(4) != 0;
    for (std::size_t i = 0; i < spec.fields.size(); ++i) {
        Json v = read_field(st, static_cast<int>(i) + 5, spec.fields[i]);
        if (!v.is_null()) row.fields[spec.fields[i].name] = std::move(v);
    }
    return row;
}

namespace {

// Built once per entity: load() runs several times in every write.
const std::string& select_by_id_sql(const EntitySpec& spec) {
    static const std::vector<std::string> sqls = [] {
        std::vector<std::string> v;
        for (const auto& e : entity_specs())
            v.push_back(select_sql(e) + " WHERE \"id\" = ?");
        return v;
    }();
    return sqls[static_cast<std::size_t>(&spec - entity_specs().data())];
}

} // namespace

std::optional<Row> load(Database& db, const EntitySpec& spec, std::string_view id) {
    auto& st = db.cached(select_by_id_sql(spec));
    st.bind(1, id);
    std::optional<Row> out;
    if (st.step()) out = read_row(spec, st);
    st.reset();
    return out;
}

std::string upsert_sql(const EntitySpec& spec, const std::vector<const FieldSpec*>& fields,
                       bool remote, bool tombstone, bool revive) {
    std::string cols = "\"id\", \"school\", \"_hlc\"";
    std::string vals = "?, ?, ?";
    std::string sets = "\"_hlc\" = excluded.\"_hlc\"";
    if (remote) {
        cols += ", \"_seq\"";
        vals += ", ?";
        sets += ", \"_seq\" = excluded.\"_seq\"";
    }
    if (tombstone) {
        cols += ", \"_deleted\"";
        vals += ", 1";
        sets += ", \"_deleted\" = 1";
    } else if (revive) {
        cols += ", \"_deleted\"";
        vals += ", 0";
        sets += ", \"_deleted\" = 0";
    }
    for (const FieldSpec* f : fields) {
        cols += ", " + quote(f->name);
        vals += ", ?";
        sets += ", " + quote(f->name) + " = excluded." + quote(f->name);
    }
    std::string sql = "INSERT INTO " + quote(spec.name) + " (" + cols + ") VALUES (" + vals +
                      ") ON CONFLICT(\"id\") DO UPDATE SET " + sets;
    if (remote) sql += " WHERE excluded.\"_seq\" > " + quote(spec.name) + ".\"_seq\"";
    return sql;
}

} // namespace sitevisit::store_sql
