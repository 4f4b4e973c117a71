// Writing the change log: every change the server accepts or makes itself (conflict records,
// rows sent again when who may see them changed) is appended here with its seq.

#include "service_common.h"
#include "sitevisit/core/time_format.h"

#include <set>

namespace sitevisit::server {

using detail::kServerDevice;
using detail::system_admin;

std::int64_t Service::append(StoreTx& tx, Change change, const std::string& author,
                             const std::string& device, const std::string& for_device,
                             std::string fields_json) {
    change.seq = tx.next_seq();
    LoggedChange logged{std::move(change),     author, device, "", for_device, "",
                        std::move(fields_json)};
    const Change& c = logged.change;
    auto row = tx.row(*find_entity(c.entity), c.id);
    logged.visit = visit_of(tx, c, row ? &*row : nullptr);
    tx.append_change(logged);
    const EntitySpec* spec = find_entity(c.entity);
    tx.appended.add(c.seq, spec && spec->scope == ScopeKind::School ? c.school : std::string(),
                    for_device);
    return c.seq;
}

void Service::record_conflict(StoreTx& tx, const std::string& entity, const std::string& row_id,
                              const std::string& school, const merge::FieldConflict& conflict) {
    Change c;
    c.op = next_id();
    c.id = next_id();
    c.entity = "conflict";
    c.school = school;
    c.fields = merge::conflict_fields(entity, row_id, conflict);
    c.hlc = server_hlc();
    c.dseq = 1;
    const std::int64_t seq = append(tx, c, system_admin().id, kServerDevice);
    tx.put_row(Row{"conflict", c.id, c.school, merge::without_nulls(c.fields), seq, c.hlc, false});
}

void Service::record_revision(StoreTx& tx, const WriteRequest& revision, const User& by,
                              const std::string& school) {
    Change c;
    c.op = next_id();
    c.id = next_id();
    c.entity = "plan_revision";
    c.school = school;
    c.fields = revision.fields;
    c.fields["by"] = by.id;
    c.fields["at"] = format_utc_ms(clock_->now_ms());
    c.hlc = server_hlc();
    c.dseq = 1;
    const std::int64_t seq = append(tx, c, by.id, kServerDevice);
    tx.put_row(Row{"plan_revision", c.id, school, c.fields, seq, c.hlc, false});
}

void Service::publish_visit(StoreTx& tx, const std::string& visit_id) {
    // A submitted visit becomes visible to the school's people, who skipped its draft changes:
    // send its current state (and its observations) again.
    for (Row r : visit_rows(tx, visit_id)) {
        r.seq = resend(tx, r, {});
        tx.put_row(r);
    }
}

void Service::purge_for(StoreTx& tx, const std::vector<Row>& rows, const std::string& for_device) {
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        if (it->deleted) continue;
        Change c;
        c.op = next_id();
        c.entity = it->entity;
        c.id = it->id;
        c.school = it->school;
        c.kind = ChangeKind::Delete;
        c.hlc = server_hlc();
        c.dseq = 1;
        append(tx, c, system_admin().id, kServerDevice, for_device);
    }
}

std::vector<Row> Service::visit_rows(StoreTx& tx, const std::string& visit_id) {
    auto visit = tx.row(*find_entity("visit"), visit_id);
    if (!visit) return {};
    std::vector<Row> rows{*visit};
    std::set<std::string> observations;
    const auto school_rows = tx.rows_of_school(visit->school);
    for (const auto& r : school_rows) {
        const EntitySpec* spec = find_entity(r.entity);
        // The visit's children (observations) name it in their parent field.
        if (!r.deleted && spec && spec->parent_entity == "visit" &&
            r.fields.value(spec->parent_field, "") == visit_id) {
            rows.push_back(r);
            observations.insert(r.id);
        }
    }
    // Next steps agreed at the visit, comments and conflict records about the visit, its
    // observations or its steps, and the evidence linked to its observations (held back from
    // the school while it was a draft).
    std::set<std::string> steps;
    for (const auto& r : school_rows)
        if (!r.deleted && r.entity == "next_step" && r.fields.value("visit", "") == visit_id) {
            rows.push_back(r);
            steps.insert(r.id);
        }
    std::set<std::string> evidence;
    for (const auto& r : school_rows) {
        if (r.deleted) continue;
        const std::string about = r.entity == "comment"    ? r.fields.value("target", "")
                                  : r.entity == "conflict" ? r.fields.value("row", "")
                                                           : "";
        if (!about.empty() &&
            (about == visit_id || observations.count(about) || steps.count(about)))
            rows.push_back(r);
        if (r.entity == "evidence" && r.fields.contains("observations") &&
            r.fields["observations"].is_array())
            for (const auto& o : r.fields["observations"])
                if (o.is_string() && observations.count(o.get<std::string>())) {
                    rows.push_back(r);
                    evidence.insert(r.id);
                    break;
                }
    }
    // Comments and conflict records about that evidence, too.
    for (const auto& r : school_rows) {
        if (r.deleted || evidence.empty()) continue;
        const std::string about = r.entity == "comment"    ? r.fields.value("target", "")
                                  : r.entity == "conflict" ? r.fields.value("row", "")
                                                           : "";
        if (!about.empty() && evidence.count(about)) rows.push_back(r);
    }
    return rows;
}

std::int64_t Service::resend(StoreTx& tx, const Row& r, const std::string& for_device) {
    Change c;
    c.op = next_id();
    c.entity = r.entity;
    c.id = r.id;
    c.school = r.school;
    c.fields = r.fields;
    c.hlc = r.hlc.empty() ? server_hlc() : r.hlc;
    c.base = r.seq;
    c.dseq = 1;
    return append(tx, c, system_admin().id, kServerDevice, for_device);
}

} // namespace sitevisit::server
