#include "sitevisit/core/validation.h"

#include "sitevisit/core/time_format.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/core/values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

namespace sitevisit {

namespace {

std::string shown(const Json& v) {
    std::string s = v.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

std::string type_word(const Json& v) {
    switch (v.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::boolean:
        return "true/false";
    case Json::value_t::string:
        return "text";
    case Json::value_t::array:
        return "a list";
    case Json::value_t::object:
        return "an object";
    default:
        return "a number";
    }
}

Error bad(const FieldSpec& f, const std::string& expectation, const Json& v) {
    return invalid(f.name + " must be " + expectation + ", got " + shown(v), f.name);
}

std::string range_text(const FieldSpec& f) {
    auto fmt = [](double d) {
        if (d == std::floor(d) && std::fabs(d) < 1e15)
            return std::to_string(static_cast<long long>(d));
        return std::to_string(d);
    };
    if (f.min && f.max) return fmt(*f.min) + " to " + fmt(*f.max);
    if (f.min) return "at least " + fmt(*f.min);
    if (f.max) return "at most " + fmt(*f.max);
    return "";
}

bool is_hex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
        if (len == 0 || i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        i += len;
    }
    return true;
}

constexpr std::size_t kDefaultTextMax = 2000;

Status check_text(const FieldSpec& f, const Json& v, std::size_t max) {
    if (!v.is_string()) return bad(f, "text", v);
    const auto& s = v.get_ref<const std::string&>();
    if (!valid_utf8(s)) return invalid(f.name + " must be valid UTF-8 text", f.name);
    // Characters as a person counts them (code points), not bytes: "é" is one.
    const std::size_t chars = count_code_points(s);
    if (chars > max)
        return invalid(f.name + " must be at most " + std::to_string(max) + " characters, got " +
                           std::to_string(chars),
                       f.name);
    if (f.required && s.find_first_not_of(" \t\r\n") == std::string::npos)
        return invalid(f.name + " is required and cannot be blank", f.name);
    return ok_status();
}

} // namespace

std::size_t count_code_points(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

Status check_row_id(const EntitySpec& entity, std::string_view id) {
    if (entity.uuid_ids) {
        if (!is_uuid(id))
            return invalid(
                entity.name +
                    " id must be a UUID like 0190a5c4-7b3e-7cc1-9d2a-4f1e2b3c4d5e, got \"" +
                    std::string(id.substr(0, 60)) + "\"",
                "id");
        return ok_status();
    }
    if (id.empty() || id.size() > 100)
        return invalid(entity.name + " id must be 1 to 100 characters", "id");
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
              c == '/'))
            return invalid(entity.name + " id may hold only letters, digits and - _ . /, got \"" +
                               std::string(id.substr(0, 60)) + "\"",
                           "id");
    return ok_status();
}

Result<Json> Validator::value_from_text(const FieldSpec& f, std::string_view text) const {
    const std::string typed(text);
    const auto first = typed.find_first_not_of(" \t\r\n");
    const auto last = typed.find_last_not_of(" \t\r\n");
    const std::string t =
        first == std::string::npos ? std::string() : typed.substr(first, last - first + 1);
    const std::string got = ", got \"" + t.substr(0, 40) + "\"";
    Json v;
    if (t.empty()) {
        v = nullptr;
    } else if (f.type == FieldType::Integer || f.type == FieldType::Rating) {
        long long n = 0;
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (ec != std::errc() || end != t.data() + t.size()) {
            if (f.type == FieldType::Rating)
                return invalid(f.name + " must be " + ref_.rating_range_text() + got, f.name);
            return invalid(f.name + " needs a whole number" +
                               (f.min || f.max ? " from " + range_text(f) : std::string()) + got,
                           f.name);
        }
        v = n;
    } else if (f.type == FieldType::Real) {
        double n = 0;
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (ec != std::errc() || end != t.data() + t.size())
            return invalid(f.name + " needs a number like 12.5" + got, f.name);
        v = n;
    } else if (f.type == FieldType::Bool) {
        std::string l = t;
        for (auto& c : l)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (l == "true" || l == "yes")
            v = true;
        else if (l == "false" || l == "no")
            v = false;
        else
            return invalid(f.name + " needs yes or no" + got, f.name);
    } else if (f.type == FieldType::UuidList || f.type == FieldType::TextList ||
               f.type == FieldType::Object || f.type == FieldType::Value) {
        v = Json::parse(t, nullptr, false);
        if (v.is_discarded()) {
            if (f.type != FieldType::Value)
                return invalid(f.name + " needs " +
                                   (f.type == FieldType::Object
                                        ? "a JSON object"
                                        : "a JSON list like [\"a\", \"b\"]") +
                                   got,
                               f.name);
            v = t;
        }
    } else {
        v = f.type == FieldType::Text ? typed : t; // free text is kept as typed
    }
    if (auto st = check_value(f, v); !st) return st.error();
    return v;
}

Status Validator::check_value(const FieldSpec& f, const Json& v) const {
    if (v.is_null()) {
        if (f.required) return invalid(f.name + " is required", f.name);
        return ok_status();
    }
    switch (f.type) {
    case FieldType::Text:
        return check_text(f, v, f.max_length ? f.max_length : kDefaultTextMax);
    case FieldType::Integer:
    case FieldType::Real: {
        bool integral = v.is_number_integer() || v.is_number_unsigned();
        if (f.type == FieldType::Integer && !integral) {
            std::string want = "a whole number";
            if (f.min || f.max) want += " from " + range_text(f);
            return bad(f, want, v);
        }
        if (!v.is_number()) return bad(f, "a number", v);
        double d = v.get<double>();
        if (!std::isfinite(d)) return bad(f, "a finite number", v);
        if ((f.min && d < *f.min) || (f.max && d > *f.max)) return bad(f, range_text(f), v);
        return ok_status();
    }
    case FieldType::Bool:
        if (!v.is_boolean()) return bad(f, "true or false", v);
        return ok_status();
    case FieldType::Date:
        if (!v.is_string() || !parse_date_days(v.get_ref<const std::string&>()))
            return bad(f, "a date like 2026-11-23", v);
        return ok_status();
    case FieldType::DateTime:
        if (!v.is_string() || !parse_utc_ms(v.get_ref<const std::string&>()))
            return bad(f, "a UTC time like 2026-11-23T09:30:00Z", v);
        return ok_status();
    case FieldType::SchoolYear:
        if (!v.is_string() || !parse_school_year(v.get_ref<const std::string&>()))
            return bad(f, "a school year like 2026-2027", v);
        return ok_status();
    case FieldType::Time: {
        if (!v.is_string()) return bad(f, "a time like 09:30", v);
        const auto& s = v.get_ref<const std::string&>();
        bool okay = s.size() == 5 && s[2] == ':' &&
                    std::isdigit(static_cast<unsigned char>(s[0])) &&
                    std::isdigit(static_cast<unsigned char>(s[1])) &&
                    std::isdigit(static_cast<unsigned char>(s[3])) &&
                    std::isdigit(static_cast<unsigned char>(s[4])) &&
                    std::stoi(s.substr(0, 2)) < 24 && std::stoi(s.substr(3, 2)) < 60;
        if (!okay) return bad(f, "a time like 09:30", v);
        return ok_status();
    }
    case FieldType::Uuid:
        if (!v.is_string() || !is_uuid(v.get_ref<const std::string&>()))
            return bad(f,
                       "the id (UUID) of a " +
                           (f.references.empty() ? std::string("row") : f.references),
                       v);
        return ok_status();
    case FieldType::Enum: {
        std::string options;
        for (const auto& e : f.values) {
            if (v.is_string() && v.get_ref<const std::string&>() == e.value) return ok_status();
            options += (options.empty() ? "" : ", ") + e.value;
        }
        return bad(f, "one of " + options, v);
    }
    case FieldType::Sha256:
        if (!v.is_string() || !is_hex64(v.get_ref<const std::string&>()))
            return bad(f, "a SHA-256 of 64 lowercase hex digits", v);
        return ok_status();
    case FieldType::Email: {
        if (!v.is_string()) return bad(f, "an email address", v);
        const auto& s = v.get_ref<const std::string&>();
        auto at = s.find('@');
        if (s.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= s.size() ||
            s.find('@', at + 1) != std::string::npos || s.find('.', at) == std::string::npos ||
            s.find_first_of(" \t\r\n<>") != std::string::npos)
            return bad(f, "an email address like name@example.org", v);
        return ok_status();
    }
    case FieldType::UuidList:
    case FieldType::TextList: {
        if (!v.is_array()) return bad(f, "a list", v);
        std::size_t max = f.max_length ? f.max_length : 100;
        if (v.size() > max)
            return invalid(f.name + " may hold at most " + std::to_string(max) + " items, got " +
                               std::to_string(v.size()),
                           f.name);
        std::set<std::string> seen;
        for (const auto& item : v) {
            if (!item.is_string()) return bad(f, "a list of ids", v);
            const auto& s = item.get_ref<const std::string&>();
            if (f.type == FieldType::UuidList && !is_uuid(s))
                return bad(f, "a list of " + f.references + " ids (UUIDs)", item);
            if (f.type == FieldType::TextList && (s.empty() || count_code_points(s) > 100))
                return bad(f, "a list of ids of 1 to 100 characters", item);
            if (f.type == FieldType::TextList && f.references == "indicator" && !ref_.indicator(s))
                return invalid(f.name + " lists \"" + s.substr(0, 60) +
                                   "\", which is not an indicator of reference data " +
                                   ref_.version(),
                               f.name);
            if (!seen.insert(s).second) return invalid(f.name + " lists " + s + " twice", f.name);
        }
        return ok_status();
    }
    case FieldType::Object:
        if (!v.is_object()) return bad(f, "an object", v);
        if (const std::size_t cap = f.max_length ? f.max_length : 16384; v.dump().size() > cap)
            return invalid(f.name + " is too large (" + std::to_string(cap / 1024) + " KB at most)",
                           f.name);
        return ok_status();
    case FieldType::Value:
        if (v.dump().size() > 16384)
            return invalid(f.name + " is too large (16 KB at most)", f.name);
        return ok_status();
    case FieldType::Rating: {
        if (!(v.is_number_integer() || v.is_number_unsigned()))
            return bad(f, "null (unrated) or " + ref_.rating_range_text(), v);
        auto r = v.get<long long>();
        if (r < 0 || r > ref_.max_rating()) return bad(f, ref_.rating_range_text(), v);
        return ok_status();
    }
    case FieldType::Indicator:
        if (!v.is_string()) return bad(f, "an indicator id", v);
        if (!ref_.indicator(v.get_ref<const std::string&>()))
            return invalid(f.name + " " + shown(v) + " is not an indicator of reference data " +
                               ref_.version(),
                           f.name);
        return ok_status();
    case FieldType::Source: {
        std::string options;
        for (const auto& s : ref_.sources()) {
            if (v.is_string() && v.get_ref<const std::string&>() == s.id) return ok_status();
            options += (options.empty() ? "" : ", ") + s.id;
        }
        return bad(f, "one of " + options, v);
    }
    }
    return ok_status();
}

Status Validator::check_fields(const EntitySpec& entity, const Json& fields) const {
    if (!fields.is_object())
        return invalid(entity.name + " fields must be a JSON object, got " + type_word(fields));
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        const FieldSpec* f = entity.field(it.key());
        if (!f) {
            std::string names;
            for (const auto& s : entity.fields)
                names += (names.empty() ? "" : ", ") + s.name;
            return invalid(entity.name + " has no field \"" + it.key().substr(0, 60) +
                               "\" (fields: " + names + ")",
                           it.key());
        }
        if (auto st = check_value(*f, it.value()); !st) return st;
    }
    return ok_status();
}

Status Validator::check_row(const EntitySpec& entity, const Json& row) const {
    auto has = [&](const char* k) { return row.contains(k) && !row[k].is_null(); };
    for (const auto& f : entity.fields)
        if (f.required && !has(f.name.c_str()))
            return invalid(entity.name + " needs " + f.name, f.name);

    if (entity.kind == EntityKind::Plan && has("first_year") && has("last_year")) {
        int first = *parse_school_year(row["first_year"].get<std::string>());
        int last = *parse_school_year(row["last_year"].get<std::string>());
        if (last - first < 2)
            return invalid("a plan covers three school years or more: last_year " +
                               row["last_year"].get<std::string>() +
                               " is less than two years after " +
                               row["first_year"].get<std::string>(),
                           "last_year");
    }
    if (entity.kind == EntityKind::Visit && has("end_date") && has("start_date")) {
        if (*parse_date_days(row["end_date"].get<std::string>()) <
            *parse_date_days(row["start_date"].get<std::string>()))
            return invalid("end_date " + row["end_date"].get<std::string>() +
                               " is before start_date " + row["start_date"].get<std::string>(),
                           "end_date");
    }
    if (entity.kind == EntityKind::Benchmark && has("due") && has("baseline_date")) {
        if (*parse_date_days(row["due"].get<std::string>()) <=
            *parse_date_days(row["baseline_date"].get<std::string>()))
            return invalid("due " + row["due"].get<std::string>() +
                               " must come after baseline_date " +
                               row["baseline_date"].get<std::string>(),
                           "due");
    }
    // The direction and the numbers agree: lower is better aims below the baseline.
    if (entity.kind == EntityKind::Benchmark && has("direction") && has("baseline") &&
        has("target")) {
        const bool lower = row["direction"] == "lower";
        const double baseline = row["baseline"].get<double>(), target = row["target"].get<double>();
        if (lower ? target > baseline : target < baseline)
            return invalid(std::string(lower ? "lower" : "higher") +
                               " is better, so the target needs to be at or " +
                               (lower ? "below" : "above") + " the baseline of " +
                               row["baseline"].dump(),
                           "target");
    }
    if (entity.kind == EntityKind::Reflection && has("decisions")) {
        for (auto it = row["decisions"].begin(); it != row["decisions"].end(); ++it) {
            if (!is_uuid(it.key()))
                return invalid("decisions are keyed by objective or initiative id (UUID), "
                               "got \"" +
                                   it.key().substr(0, 60) + "\"",
                               "decisions");
            const auto& d = it.value();
            if (!d.is_string() || (d != "continue" && d != "revise" && d != "abandon"))
                return invalid("decision for " + it.key() +
                                   " must be continue, revise or abandon, got " + shown(d),
                               "decisions");
        }
    }
    if (entity.kind == EntityKind::Reflection && has("reasons")) {
        for (auto it = row["reasons"].begin(); it != row["reasons"].end(); ++it) {
            if (!is_uuid(it.key()))
                return invalid("reasons are keyed by objective or initiative id (UUID), got \"" +
                                   it.key().substr(0, 60) + "\"",
                               "reasons");
            if (!it.value().is_string())
                return invalid("the reason for " + it.key() + " needs text, got " +
                                   shown(it.value()),
                               "reasons");
            FieldSpec words{"reasons", FieldType::Text};
            if (auto st = check_text(words, it.value(), 2000); !st)
                return invalid("the reason for " + it.key() + " is longer than 2000 characters",
                               "reasons");
        }
    }
    if ((entity.kind == EntityKind::Observation || entity.kind == EntityKind::Rating) &&
        has("indicator") && has("rubric_of_visit")) {
        // set by the store when it knows the visit's rubric
        const Indicator* ind = ref_.indicator(row["indicator"].get<std::string>());
        if (ind && ind->rubric != row["rubric_of_visit"].get<std::string>())
            return invalid("indicator " + ind->id + " is not in this visit's rubric " +
                               row["rubric_of_visit"].get<std::string>(),
                           "indicator");
    }
    // The school has to learn what is missing or why the evidence does not count.
    if (entity.kind == EntityKind::Review && has("decision") &&
        parse_review_decision(row["decision"].get<std::string>()) != ReviewDecision::Accepted) {
        const std::string comment = has("comment") ? row["comment"].get<std::string>() : "";
        if (comment.find_first_not_of(" \t\r\n") == std::string::npos)
            return invalid("a review that is not accepted needs a comment saying what is "
                           "missing or why it is not relevant",
                           "comment");
    }
    // A returned step says what is still missing.
    if (entity.kind == EntityKind::NextStep && has("status") &&
        parse_next_step_status(row["status"].get<std::string>()) == NextStepStatus::Returned) {
        const std::string note = has("return_note") ? row["return_note"].get<std::string>() : "";
        if (note.find_first_not_of(" \t\r\n") == std::string::npos)
            return invalid("a returned next step needs a return note saying what is still missing",
                           "return_note");
    }
    if (entity.kind == EntityKind::Initiative && has("start") && has("end") &&
        *parse_date_days(row["end"].get<std::string>()) <
            *parse_date_days(row["start"].get<std::string>()))
        return invalid("end " + row["end"].get<std::string>() + " is before start " +
                           row["start"].get<std::string>(),
                       "end");
    // A monitoring meeting's notes: one per benchmark it reviewed, keyed by that benchmark's id.
    if (entity.kind == EntityKind::MonitoringMeeting && has("notes")) {
        std::vector<std::string> reviewed;
        if (has("benchmarks"))
            for (const auto& b : row["benchmarks"])
                if (b.is_string()) reviewed.push_back(b.get<std::string>());
        for (auto it = row["notes"].begin(); it != row["notes"].end(); ++it) {
            if (std::find(reviewed.begin(), reviewed.end(), it.key()) == reviewed.end())
                return invalid("a note is for a benchmark the meeting reviewed; " +
                                   it.key().substr(0, 40) + " is not in benchmarks",
                               "notes");
            if (!it.value().is_string())
                return invalid("the note on benchmark " + it.key().substr(0, 40) +
                                   " needs text, got " + shown(it.value()),
                               "notes");
            FieldSpec words{"notes", FieldType::Text};
            if (auto st = check_text(words, it.value(), 2000); !st)
                return invalid("the note on benchmark " + it.key().substr(0, 40) +
                                   " is longer than 2000 characters",
                               "notes");
        }
    }
    // Strengths and areas for growth are written per practice: keys "1" to "4", text values.
    if (entity.kind == EntityKind::Visit) {
        for (const char* field : {"strengths", "areas_for_growth"}) {
            if (!has(field)) continue;
            for (auto it = row[field].begin(); it != row[field].end(); ++it) {
                const std::string& k = it.key();
                if (k.size() != 1 || k[0] < '1' || k[0] > '4')
                    return invalid(std::string(field) +
                                       " is keyed by practice number \"1\" to \"4\", got \"" +
                                       k.substr(0, 20) + "\"",
                                   field);
                if (!it.value().is_string())
                    return invalid(std::string(field) + " for practice " + k + " needs text, got " +
                                       shown(it.value()),
                                   field);
                FieldSpec words{field, FieldType::Text};
                if (auto st = check_text(words, it.value(), 4000); !st)
                    return invalid(std::string(field) + " for practice " + k +
                                       " is longer than 4000 characters",
                                   field);
            }
        }
    }
    if (entity.kind == EntityKind::Visit && (!has("team") || row["team"].empty()))
        return invalid("a visit's team needs at least one member", "team");
    if (entity.kind == EntityKind::Visit && has("rubric") &&
        !ref_.rubric(row["rubric"].get<std::string>()))
        return invalid("rubric \"" + row["rubric"].get<std::string>() +
                           "\" is not in reference data " + ref_.version(),
                       "rubric");
    if (entity.kind == EntityKind::User && has("role")) {
        const auto role = row["role"].get<std::string>();
        auto count = [&](const char* k) { return has(k) ? row[k].size() : 0; };
        if (role == "assistance_lead" && (count("districts") < 1 || count("districts") > 3))
            return invalid("an assistance lead's caseload is 1 to 3 districts", "districts");
        if (role == "principal" && count("schools") != 1)
            return invalid("a principal has exactly one school", "schools");
        if (role == "regional_director" && !has("region"))
            return invalid("a regional director needs a region", "region");
        if (role == "district_leader" && count("districts") != 1)
            return invalid("a district leader leads exactly one district", "districts");
        if (role == "receiver" && count("schools") == 0 && count("districts") == 0)
            return invalid("a receiver needs the schools or district in receivership", "schools");
    }
    return ok_status();
}

} // namespace sitevisit
