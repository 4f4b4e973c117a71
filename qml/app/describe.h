#pragma once

#include "sitevisit/core/store.h"
#include "sitevisit/core/values.h"

#include <QString>
#include <QVariantList>

namespace sitevisit::app {

// Says in words which row a conflict or a refused change is about, for people: the school,
// the visit's date and the indicator for an observation ("Lincoln Elementary · visit of
// 2026-11-23 · 1.2 Trusting relationships among staff"), else the school and the kind of row.
QString describe_row(const Store& store, const std::string& entity, const std::string& id);

// A field's value in words: a rating with its continuum label ("3 · Sustaining"), text as it
// is, "(deleted)" for none, anything else as written.
QString describe_value(const Store& store, const FieldSpec* field, const Json& value);

// The people who can see a school (or a district's own rows, given the district's id): active,
// with it in their scope; each {id, name, role}. The person `first` (the usual owner of what
// they record) comes first.
QVariantList people_who_see(const Store& store, const std::string& key,
                            const std::string& first = {});

// The words the screen shows for typed values (one place for all of them).
QString label(VisitStatus status);
QString label(VisitKind kind);
QString label(EvidenceKind kind);
QString label(InitiativeStatus status);
// A review decision; none yet: "Waiting for review".
QString label(std::optional<ReviewDecision> decision);

} // namespace sitevisit::app
