#include "sitevisit/core/entities.h"

#include <algorithm>
#include <iterator>

namespace sitevisit {

const FieldSpec* EntitySpec::field(std::string_view n) const {
    for (const auto& f : fields)
        if (f.name == n) return &f;
    return nullptr;
}

namespace {

using T = FieldType;

FieldSpec text(std::string name, std::size_t max_length, bool required = false) {
    FieldSpec f{std::move(name), T::Text, required};
    f.max_length = max_length;
    return f;
}
FieldSpec typed(std::string name, FieldType type, bool required = false) {
    return FieldSpec{std::move(name), type, required};
}
FieldSpec ref(std::string name, std::string entity, bool required = true, bool immutable = true) {
    FieldSpec f{std::move(name), T::Uuid, required, immutable};
    f.references = std::move(entity);
    return f;
}
FieldSpec ids(std::string name, std::string entity, std::size_t max_items) {
    FieldSpec f{std::move(name), T::UuidList};
    f.references = std::move(entity);
    f.max_length = max_items;
    return f;
}
FieldSpec choice(std::string name, std::vector<EnumValue> values, bool required = true) {
    FieldSpec f{std::move(name), T::Enum, required};
    f.values = std::move(values);
    return f;
}
FieldSpec number(std::string name, FieldType type, std::optional<double> min,
                 std::optional<double> max, bool required = false) {
    FieldSpec f{std::move(name), type, required};
    f.min = min;
    f.max = max;
    return f;
}

// An object field that may hold more than the usual 16 KB.
FieldSpec sized(FieldSpec f, std::size_t max_bytes) {
    f.max_length = max_bytes;
    return f;
}

// A field added by a later data schema.
FieldSpec added_in(int schema, FieldSpec f) {
    f.since = schema;
    return f;
}

const std::vector<EnumValue> kSchoolLevels = {{"elementary", "Elementary"},
                                              {"middle", "Middle"},
                                              {"secondary", "Secondary"},
                                              {"k12", "K-12"}};
const std::vector<EnumValue> kRubricLevels = {{"elementary", "Elementary"},
                                              {"secondary", "Secondary"}};
const std::vector<EnumValue> kDesignations = {
    {"none", "None"},
    {"focused_targeted", "Focused/targeted support"},
    {"broad_comprehensive", "Broad/comprehensive support"},
    {"underperforming", "Underperforming"},
    {"chronically_underperforming", "Chronically underperforming (receivership)"}};
const std::vector<EnumValue> kRoles = {{"admin", "Admin"},
                                       {"regional_director", "Regional director"},
                                       {"assistance_lead", "Assistance Lead"},
                                       {"principal", "Principal"},
                                       {"receiver", "Receiver"},
                                       {"district_leader", "District leader", 4}};

std::vector<EntitySpec> build() {
    std::vector<EntitySpec> s;

    s.push_back({"region",
                 ScopeKind::Region,
                 true,
                 false,
                 false,
                 "",
                 "",
                 {text("name", 100, true), text("code", 20, true)}});
    s.push_back({"district",
                 ScopeKind::District,
                 true,
                 false,
                 false,
                 "",
                 "",
                 {ref("region", "region"), text("code", 8, true), text("name", 200, true)}});
    s.push_back({"school",
                 ScopeKind::School,
                 true,
                 false,
                 false,
                 "",
                 "",
                 {ref("district", "district"), text("code", 8, true), text("name", 200, true),
                  choice("level", kSchoolLevels), text("category", 100),
                  number("percentile", T::Integer, 1, 99), choice("designation", kDesignations)}});
    s.push_back({"user",
                 ScopeKind::Global,
                 true,
                 false,
                 false,
                 "",
                 "",
                 {typed("email", T::Email, true), text("name", 200, true), choice("role", kRoles),
                  ref("region", "region", false, false), ids("districts", "district", 3),
                  ids("schools", "school", 50), typed("active", T::Bool)}});
    s.push_back({"rubric",
                 ScopeKind::Global,
                 false,
                 false,
                 false,
                 "",
                 "",
                 {typed("year", T::SchoolYear, true), choice("level", kRubricLevels),
                  text("name", 200, true), text("version", 40)}});
    {
        FieldSpec rubric{"rubric", T::Text, true, true};
        rubric.max_length = 100;
        s.push_back({"indicator",
                     ScopeKind::Global,
                     false,
                     false,
                     false,
                     "",
                     "",
                     {rubric, number("practice", T::Integer, 1, 4, true), text("code", 10, true),
                      text("name", 300, true), typed("placeholder", T::Bool)}});
    }

    // Improvement plan
    s.push_back(
        {"plan",
         ScopeKind::School,
         true,
         false,
         false,
         "",
         "",
         {choice("kind", {{"sip", "Sustainable improvement plan"},
                          {"turnaround", "Turnaround plan"},
                          {"district", "District plan"}}),
          text("title", 200, true), typed("first_year", T::SchoolYear, true),
          typed("last_year", T::SchoolYear, true),
          // What the school is trying to do: the goal or theory of action.
          added_in(2, text("goal", 4000)),
          // A plan is written as a draft and submitted; changes to a submitted plan
          // leave a plan_revision each. A plan without a status predates drafts and is
          // in effect, as a submitted one.
          added_in(5, choice("status", {{"draft", "Draft"}, {"submitted", "Submitted"}}, false)),
          // The plan this one renews (the year before's), made by "Renew".
          added_in(5, ref("previous", "plan", false))}});
    s.push_back(
        {"objective",
         ScopeKind::School,
         true,
         false,
         false,
         "plan",
         "plan",
         {ref("plan", "plan"), text("title", 300, true), number("practice", T::Integer, 1, 4, true),
          number("position", T::Integer, 0, 1000)}});
    s.push_back(
        {"initiative",
         ScopeKind::School,
         true,
         false,
         false,
         "objective",
         "objective",
         {ref("objective", "objective"), text("title", 300, true), text("description", 4000),
          // Who carries it (a name or a role, e.g. "Math coach"), when, and how far it is.
          added_in(2, text("owner", 200)), added_in(2, typed("start", T::Date)),
          added_in(2, typed("end", T::Date)),
          added_in(2, choice("status",
                             {{"not_started", "Not started"},
                              {"in_progress", "In progress"},
                              {"completed", "Completed"},
                              {"on_hold", "On hold"}},
                             false))}});
    s.push_back(
        {"benchmark",
         ScopeKind::School,
         true,
         false,
         false,
         "initiative",
         "initiative",
         {ref("initiative", "initiative"),
          choice("type", {{"process", "Process"},
                          {"early_evidence", "Early evidence of change"},
                          {"outcome", "Outcome"},
                          {"annual_goal", "Measurable annual goal"}}),
          choice("audience", {{"educators", "Educators"}, {"students", "Students"}}),
          text("measure", 300, true), text("unit", 40),
          number("baseline", T::Real, -1e12, 1e12, true), typed("baseline_date", T::Date, true),
          number("target", T::Real, -1e12, 1e12, true), typed("due", T::Date, true),
          choice("cadence", {{"daily", "Daily"},
                             {"weekly", "Weekly"},
                             {"monthly", "Monthly"},
                             {"quarterly", "Quarterly"},
                             {"annual", "Annual"}}),
          // Which way is better: chronic absenteeism falls, attendance rises.
          added_in(2, choice("direction",
                             {{"higher", "Higher is better"}, {"lower", "Lower is better"}},
                             false))}});
    s.push_back({"reading",
                 ScopeKind::School,
                 true,
                 true,
                 true,
                 "benchmark",
                 "benchmark",
                 {ref("benchmark", "benchmark"), typed("date", T::Date, true),
                  number("value", T::Real, -1e12, 1e12, true), text("note", 2000),
                  ref("recorded_by", "user", false)}});
    s.push_back(
        {"reflection",
         ScopeKind::School,
         true,
         false,
         false,
         "plan",
         "plan",
         {ref("plan", "plan"), typed("year", T::SchoolYear, true), text("worked", 8000),
          text("worked_evidence", 8000), text("not_worked", 8000),
          text("not_worked_evidence", 8000), text("stakeholders", 8000),
          // Continue, revise or abandon, keyed by objective or initiative id.
          typed("decisions", T::Object),
          // How district systems support the plan (the fourth of DESE's questions).
          added_in(5, text("district_systems", 8000)),
          // Why each decision was taken, keyed like decisions (2000 characters each; room
          // for a large plan's every objective and initiative).
          added_in(5, sized(typed("reasons", T::Object), 256 * 1024)),
          // Submitted: read by everyone, changed by nobody; the plan can be renewed.
          added_in(5, choice("status", {{"draft", "Draft"}, {"submitted", "Submitted"}}, false))}});

    // Site visits
    {
        auto team = ids("team", "user", 10);
        FieldSpec rubric{"rubric", T::Text, true, true};
        rubric.max_length = 100;
        auto status = choice(
            "status", {{"draft", "Draft"}, {"submitted", "Submitted"}, {"reviewed", "Reviewed"}},
            false);
        s.push_back(
            {"visit",
             ScopeKind::School,
             true,
             false,
             false,
             "",
             "",
             {choice("kind", {{"monitoring", "Monitoring site visit"},
                              {"targeted", "Targeted site visit"},
                              {"progress_monitoring", "Progress monitoring"},
                              {"walkthrough", "Walkthrough"}}),
              rubric, typed("start_date", T::Date, true), typed("end_date", T::Date), team, status,
              // The lead's words per practice: {"1": "...", ..., "4": "..."}.
              added_in(2, typed("strengths", T::Object)),
              added_in(2, typed("areas_for_growth", T::Object)),
              // Who marked it reviewed (a regional director or an admin) and what they found.
              added_in(3, ref("reviewed_by", "user", false)),
              added_in(3, text("review_comment", 4000))}});
    }
    s.push_back(
        {"observation",
         ScopeKind::School,
         true,
         false,
         false,
         "visit",
         "visit",
         {ref("visit", "visit"), FieldSpec{"indicator", T::Indicator, true, true},
          typed("rating", T::Rating), text("note", 8000), typed("source", T::Source),
          text("grade", 20), text("subject", 60), text("room", 30), typed("time", T::Time)}});

    // Evidence
    s.push_back(
        {"evidence",
         ScopeKind::School,
         true,
         false,
         true,
         "",
         "",
         {text("title", 200, true), text("description", 4000),
          choice(
              "kind",
              {{"document", "Document"}, {"photo", "Photo"}, {"data", "Data"}, {"other", "Other"}}),
          FieldSpec{"sha256", T::Sha256, true, true},
          number("size", T::Integer, 0, 1099511627776.0, true), text("media_type", 100, true),
          ref("uploaded_by", "user", false), typed("taken_at", T::DateTime),
          ids("benchmarks", "benchmark", 100),
          FieldSpec{"indicators", T::TextList, false, false, {}, {}, 100, {}, "indicator"},
          ids("observations", "observation", 200)}});
    s.push_back({"review",
                 ScopeKind::School,
                 true,
                 true,
                 true,
                 "evidence",
                 "evidence",
                 {ref("evidence", "evidence"), ref("reviewer", "user"),
                  choice("decision", {{"accepted", "Accepted"},
                                      {"needs_more", "Needs more"},
                                      {"not_relevant", "Not relevant"}}),
                  text("comment", 4000), typed("at", T::DateTime, true)}});
    s.push_back({"comment",
                 ScopeKind::School,
                 true,
                 true,
                 true,
                 "",
                 "",
                 {choice("target_entity", {{"visit", "Visit"},
                                           {"observation", "Observation"},
                                           {"benchmark", "Benchmark"},
                                           {"evidence", "Evidence"},
                                           {"next_step", "Next step", 2}}),
                  FieldSpec{"target", T::Uuid, true, true}, ref("author", "user"),
                  text("body", 8000, true), typed("at", T::DateTime, true)}});
    {
        FieldSpec winner{"winner_value", T::Value};
        FieldSpec loser{"loser_value", T::Value};
        FieldSpec resolution{"resolution", T::Value};
        s.push_back({"conflict",
                     ScopeKind::School,
                     true,
                     false,
                     true,
                     "",
                     "",
                     {text("entity", 40, true), text("row", 100, true), text("field", 60, true),
                      winner, loser, text("winner_author", 100), text("loser_author", 100),
                      text("winner_hlc", 100), text("loser_hlc", 100),
                      choice("status", {{"open", "Open"}, {"resolved", "Resolved"}}, false),
                      resolution, text("resolved_by", 100)}});
    }

    // What a school agreed to do next, followed until someone verifies it (Delivery's
    // question 4). Made at a visit, from a benchmark, or on its own.
    s.push_back({"next_step",
                 ScopeKind::School,
                 true,
                 false,
                 false,
                 "",
                 "",
                 {text("title", 300, true), text("description", 4000),
                  ref("owner", "user", true, false), typed("due_date", T::Date, true),
                  choice("status",
                         {{"open", "Open"},
                          {"in_progress", "In progress"},
                          {"done", "Done"},
                          {"verified", "Verified"},
                          {"returned", "Returned"}},
                         false),
                  text("return_note", 4000), ref("visit", "visit", false),
                  FieldSpec{"indicator", T::Indicator, false, true},
                  ref("benchmark", "benchmark", false)}});
    s.back().since = 2;
    for (auto& f : s.back().fields)
        f.since = 2;

    // Team visits: each member rates on their own device; a rater's rating of an indicator is
    // one row (its id derived from visit, indicator and rater), withheld from the other raters
    // until that rater marks their ratings done (a `rater` row, one per visit and person). The
    // visit's own rating stays the observation's, set by the lead.
    s.push_back({"rating",
                 ScopeKind::School,
                 true,
                 false,
                 true,
                 "visit",
                 "visit",
                 {ref("visit", "visit"), FieldSpec{"indicator", T::Indicator, true, true},
                  ref("rater", "user"), typed("level", T::Rating, true), text("note", 2000)}});
    s.push_back({"rater",
                 ScopeKind::School,
                 true,
                 false,
                 true,
                 "visit",
                 "visit",
                 {ref("visit", "visit"), ref("user", "user"), typed("done", T::Bool),
                  typed("done_at", T::DateTime)}});
    for (auto* spec : {&s[s.size() - 2], &s.back()}) {
        spec->since = 3;
        for (auto& f : spec->fields)
            f.since = 3;
    }

    // The monitoring rhythm: a meeting of one of the school's teams that reviewed benchmarks
    // (a note each, keyed by benchmark id) and decided next steps.
    s.push_back({"monitoring_meeting",
                 ScopeKind::School,
                 true,
                 false,
                 false,
                 "",
                 "",
                 {typed("date", T::Date, true),
                  choice("team", {{"grade_level", "Grade-level team"},
                                  {"content", "Content team"},
                                  {"student_support", "Student support team"},
                                  {"instructional_leadership", "Instructional leadership team"},
                                  {"whole_faculty", "Whole faculty"}}),
                  ids("benchmarks", "benchmark", 100), typed("notes", T::Object),
                  ids("next_steps", "next_step", 50), ref("recorded_by", "user", false)}});
    s.back().since = 4;
    for (auto& f : s.back().fields) {
        f.since = 4;
        for (auto& v : f.values)
            v.since = 4;
    }

    // Who changed what in a submitted plan, and when: one per change to the plan, its
    // objectives, initiatives or benchmarks, written with the change by the device's store.
    s.push_back(
        {"plan_revision",
         ScopeKind::School,
         true,
         true,
         true,
         "plan",
         "plan",
         {ref("plan", "plan"),
          choice("entity", {{"plan", "Plan"},
                            {"objective", "Objective"},
                            {"initiative", "Initiative"},
                            {"benchmark", "Benchmark"}}),
          text("row", 40, true),
          choice("action", {{"submitted", "Submitted"},
                            {"created", "Added"},
                            {"changed", "Changed"},
                            {"deleted", "Removed"}}),
          typed("changes", T::Object), ref("by", "user", false), typed("at", T::DateTime, true)}});
    s.back().since = 5;
    for (auto& f : s.back().fields)
        f.since = 5;
    return s;
}

// The names of EntityKind's values after Other, in its order.
constexpr const char* kKindNames[] = {
    "region",     "district",           "school",       "user",
    "rubric",     "indicator",          "plan",         "objective",
    "initiative", "benchmark",          "reading",      "reflection",
    "visit",      "observation",        "evidence",     "review",
    "comment",    "conflict",           "next_step",    "rating",
    "rater",      "monitoring_meeting", "plan_revision"};
static_assert(std::size(kKindNames) == static_cast<std::size_t>(EntityKind::PlanRevision));

std::vector<EntitySpec> with_kinds(std::vector<EntitySpec> specs) {
    for (auto& spec : specs)
        for (std::size_t i = 0; i < std::size(kKindNames); ++i)
            if (spec.name == kKindNames[i]) spec.kind = static_cast<EntityKind>(i + 1);
    return specs;
}

} // namespace

const std::vector<EntitySpec>& entity_specs() {
    static const std::vector<EntitySpec> specs = with_kinds(build());
    return specs;
}

EntityKind entity_kind(std::string_view name) {
    const EntitySpec* spec = find_entity(name);
    return spec ? spec->kind : EntityKind::Other;
}

const EntitySpec* find_entity(std::string_view name) {
    const auto& specs = entity_specs();
    auto it =
        std::find_if(specs.begin(), specs.end(), [&](const auto& e) { return e.name == name; });
    return it == specs.end() ? nullptr : &*it;
}

int schema_needed(const EntitySpec& entity, const Json& fields) {
    int needed = entity.since;
    if (!fields.is_object()) return needed;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        const FieldSpec* f = entity.field(it.key());
        if (!f) continue;
        needed = std::max(needed, f->since);
        if (f->type == FieldType::Enum && it.value().is_string())
            for (const auto& v : f->values)
                if (v.value == it.value().get_ref<const std::string&>())
                    needed = std::max(needed, v.since);
    }
    return needed;
}

std::optional<Json> readable_fields(const EntitySpec& entity, const Json& fields, int schema) {
    if (entity.since > schema) return std::nullopt;
    if (!fields.is_object()) return std::optional<Json>(std::in_place, fields);
    Json out = Json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        const FieldSpec* f = entity.field(it.key());
        if (f && f->since > schema) continue;
        if (f && f->type == FieldType::Enum && it.value().is_string())
            for (const auto& v : f->values)
                if (v.value == it.value().get_ref<const std::string&>() && v.since > schema)
                    return std::nullopt;
        out[it.key()] = it.value();
    }
    return std::optional<Json>(std::in_place, std::move(out));
}

std::string known_entities_text() {
    std::string out;
    for (const auto& e : entity_specs()) {
        if (!out.empty()) out += ", ";
        out += e.name;
    }
    return out;
}

} // namespace sitevisit
