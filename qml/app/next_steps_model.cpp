#include "next_steps_model.h"

#include "app_controller.h"
#include "describe.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/values.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace sitevisit::app {

namespace {

bool still_to_do(const std::string& status) {
    auto s = parse_next_step_status(status.empty() ? "open" : status);
    return s && *s != NextStepStatus::Done && *s != NextStepStatus::Verified;
}

Json json_of(const QVariant& value) {
    const QString text = value.toString();
    if (text.isEmpty()) return nullptr;
    return text.toStdString();
}

} // namespace

QString NextStepsModel::statusLabel(const QString& status) {
    switch (parse_next_step_status(status.isEmpty() ? "open" : status.toStdString())
                .value_or(NextStepStatus::Open)) {
    case NextStepStatus::Open:
        return tr("Open");
    case NextStepStatus::InProgress:
        return tr("In progress");
    case NextStepStatus::Done:
        return tr("Done");
    case NextStepStatus::Verified:
        return tr("Verified");
    case NextStepStatus::Returned:
        return tr("Returned");
    }
    return {};
}

NextStepsModel::NextStepsModel(QObject* parent) : QAbstractListModel(parent) {
}

int NextStepsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(steps_.size());
}

QVariant NextStepsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Step& s = steps_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return s.title;
    case StepIdRole:
        return s.id;
    case DescriptionRole:
        return s.description;
    case OwnerRole:
        return s.owner;
    case OwnerNameRole:
        return s.owner_name;
    case DueDateRole:
        return s.due;
    case StatusRole:
        return s.status;
    case StatusLabelRole:
        return statusLabel(s.status);
    case ReturnNoteRole:
        return s.return_note;
    case OverdueRole:
        return s.overdue;
    case VisitRole:
        return s.visit;
    case IndicatorRole:
        return s.indicator;
    case IndicatorCodeRole:
        return s.indicator_code;
    case IndicatorNameRole:
        return s.indicator_name;
    case BenchmarkRole:
        return s.benchmark;
    case CanWorkRole:
        return s.can_work;
    case CanVerifyRole:
        return s.can_verify;
    case CanEditRole:
        return s.can_edit;
    case CommentsRole:
        return s.comments;
    }
    return {};
}

QHash<int, QByteArray> NextStepsModel::roleNames() const {
    return {{StepIdRole, "stepId"},
            {TitleRole, "title"},
            {DescriptionRole, "description"},
            {OwnerRole, "owner"},
            {OwnerNameRole, "ownerName"},
            {DueDateRole, "dueDate"},
            {StatusRole, "status"},
            {StatusLabelRole, "statusLabel"},
            {ReturnNoteRole, "returnNote"},
            {OverdueRole, "overdue"},
            {VisitRole, "visit"},
            {IndicatorRole, "indicator"},
            {IndicatorCodeRole, "indicatorCode"},
            {IndicatorNameRole, "indicatorName"},
            {BenchmarkRole, "benchmark"},
            {CanWorkRole, "canWork"},
            {CanVerifyRole, "canVerify"},
            {CanEditRole, "canEdit"},
            {CommentsRole, "comments"}};
}

void NextStepsModel::classBegin() {
    setApp(AppController::of(this));
}

void NextStepsModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    if (app_) connect(app_, &AppController::sessionChanged, this, &NextStepsModel::reload);
    reload();
}

#define SV_FILTER_SETTER(name, member, type)                                                       \
    void NextStepsModel::name(type value) {                                                        \
        if (member == value) return;                                                               \
        member = value;                                                                            \
        emit filterChanged();                                                                      \
        reload();                                                                                  \
    }
SV_FILTER_SETTER(setSchoolId, school_, const QString&)
SV_FILTER_SETTER(setVisitId, visit_, const QString&)
SV_FILTER_SETTER(setIndicatorId, indicator_, const QString&)
SV_FILTER_SETTER(setBenchmarkId, benchmark_, const QString&)
SV_FILTER_SETTER(setWholeVisitOnly, whole_visit_, bool)
SV_FILTER_SETTER(setEarlierThan, earlier_than_, const QString&)
#undef SV_FILTER_SETTER

// The school the filters name: given, else the visit's or the benchmark's.
QString NextStepsModel::target_school() const {
    if (!school_.isEmpty() || !app_) return school_;
    const QString row = !visit_.isEmpty() ? visit_ : earlier_than_;
    if (!row.isEmpty())
        if (auto v = app_->store().get("visit", row.toStdString()); v && *v)
            return QString::fromStdString((*v)->school);
    if (!benchmark_.isEmpty())
        if (auto b = app_->store().get("benchmark", benchmark_.toStdString()); b && *b)
            return QString::fromStdString((*b)->school);
    return {};
}

void NextStepsModel::reload() {
    QList<Step> steps;
    owners_.clear();
    open_ = overdue_ = 0;
    can_make_ = false;
    auto user = app_ ? app_->user() : std::nullopt;
    if (app_ && user) {
        Store& store = app_->store();
        const Reference& ref = store.reference();
        const QString school = target_school();
        const std::string today = app_->today().toString(Qt::ISODate).toStdString();

        std::map<std::string, std::string> names;
        if (auto people = store.list("user"))
            for (const auto& r : *people)
                names[r.id] = r.fields.value("name", r.fields.value("email", ""));
        if (!school.isEmpty()) owners_ = people_who_see(store, school.toStdString());
        if (!school.isEmpty()) {
            Result<Target> target = !visit_.isEmpty() ? visit_target(store, visit_.toStdString())
                                                      : school_target(store, school.toStdString());
            can_make_ = target && can(*user, Action::MakeNextStep, *target);
        }

        // What earlier visits asked: only theirs, and only what is still to do.
        std::string earlier_date;
        if (!earlier_than_.isEmpty())
            if (auto v = store.get("visit", earlier_than_.toStdString()); v && *v)
                earlier_date = (*v)->fields.value("start_date", "");
        std::map<std::string, std::string> visit_date;
        std::map<std::string, int> comments; // step -> comments on it
        if (auto cs = school.isEmpty() ? store.list("comment")
                                       : store.list("comment", "school", school.toStdString()))
            for (const auto& c : *cs)
                if (c.fields.value("target_entity", "") == "next_step")
                    ++comments[c.fields.value("target", "")];

        auto rows = school.isEmpty() ? store.list("next_step")
                                     : store.list("next_step", "school", school.toStdString());
        if (rows)
            for (const auto& r : *rows) {
                auto s = domain::from_row<domain::NextStep>(r);
                if (!s) continue;
                const std::string visit = s->visit.value_or("");
                const std::string indicator = s->indicator.value_or("");
                if (!visit_.isEmpty() && visit != visit_.toStdString()) continue;
                if (whole_visit_ && !indicator.empty()) continue;
                if (!indicator_.isEmpty() && indicator != indicator_.toStdString()) continue;
                if (!benchmark_.isEmpty() && s->benchmark.value_or("") != benchmark_.toStdString())
                    continue;
                if (!earlier_than_.isEmpty()) {
                    if (visit.empty() || visit == earlier_than_.toStdString() ||
                        !still_to_do(s->status))
                        continue;
                    if (!visit_date.count(visit))
                        if (auto v = store.get("visit", visit); v && *v)
                            visit_date[visit] = (*v)->fields.value("start_date", "");
                    if (visit_date[visit] > earlier_date) continue;
                }
                Step step;
                step.id = QString::fromStdString(s->id);
                step.title = QString::fromStdString(s->title);
                step.description = QString::fromStdString(s->description);
                step.owner = QString::fromStdString(s->owner);
                step.owner_name = QString::fromStdString(
                    names.count(s->owner) ? names[s->owner]
                                          : tr("someone not on this device").toStdString());
                step.due = QString::fromStdString(s->due_date);
                step.status = QString::fromStdString(s->status.empty() ? "open" : s->status);
                step.return_note = QString::fromStdString(s->return_note);
                step.visit = QString::fromStdString(visit);
                step.indicator = QString::fromStdString(indicator);
                if (auto* ind = ref.indicator(indicator)) {
                    step.indicator_code = QString::fromStdString(ind->code);
                    step.indicator_name = QString::fromStdString(ind->name);
                }
                step.benchmark = QString::fromStdString(s->benchmark.value_or(""));
                const bool to_do = still_to_do(s->status);
                step.overdue = to_do && !s->due_date.empty() && s->due_date < today;
                if (auto target = next_step_target(store, s->id)) {
                    Target work = *target;
                    work.state.step_to = NextStepStatus::Done;
                    step.can_work = bool(can(*user, Action::WorkNextStep, work));
                    Target check = *target;
                    check.state.step_to = NextStepStatus::Verified;
                    step.can_verify = bool(can(*user, Action::VerifyNextStep, check));
                    step.can_edit = bool(can(*user, Action::EditNextStep, *target));
                }
                step.comments = comments[s->id];
                open_ += to_do ? 1 : 0;
                overdue_ += step.overdue ? 1 : 0;
                steps.push_back(step);
            }
        // What is still to do (overdue first, then by due date), then what is done and waits
        // to be verified, then what is verified.
        auto rank = [](const Step& s) {
            const std::string status = s.status.toStdString();
            return still_to_do(status) ? 0 : status == "verified" ? 2 : 1;
        };
        std::stable_sort(steps.begin(), steps.end(), [&](const Step& a, const Step& b) {
            return std::make_tuple(rank(a), !a.overdue, a.due, a.title) <
                   std::make_tuple(rank(b), !b.overdue, b.due, b.title);
        });
    }
    const bool same_rows = steps.size() == steps_.size() &&
                           std::equal(steps.begin(), steps.end(), steps_.begin(),
                                      [](const Step& a, const Step& b) { return a.id == b.id; });
    if (same_rows) {
        for (int r = 0; r < steps.size(); ++r)
            if (!(steps[r] == steps_[r])) {
                steps_[r] = steps[r];
                emit dataChanged(index(r), index(r));
            }
    } else {
        beginResetModel();
        steps_ = std::move(steps);
        endResetModel();
    }
    emit changed();
}

QVariantMap NextStepsModel::step(const QString& stepId) const {
    for (const Step& s : steps_)
        if (s.id == stepId)
            return {{"id", s.id},       {"title", s.title},         {"description", s.description},
                    {"owner", s.owner}, {"dueDate", s.due},         {"status", s.status},
                    {"visit", s.visit}, {"indicator", s.indicator}, {"benchmark", s.benchmark}};
    return {};
}

bool NextStepsModel::fail(const QString& message) {
    error_ = message;
    emit errorChanged();
    return false;
}

void NextStepsModel::clearError() {
    if (error_.isEmpty()) return;
    error_.clear();
    emit errorChanged();
}

bool NextStepsModel::put(const QString& stepId, const std::map<std::string, QVariant>& fields) {
    auto user = app_ ? app_->user() : std::nullopt;
    if (!user) return fail(tr("Sign in to change next steps."));
    WriteRequest req{"next_step", stepId.toStdString(), "", Json::object()};
    if (stepId.isEmpty()) req.school = target_school().toStdString();
    for (const auto& [name, value] : fields)
        req.fields[name] = json_of(value);
    auto r = app_->store().put(*user, req);
    if (!r) return fail(QString::fromStdString(r.error().message));
    clearError();
    reload();
    return true;
}

bool NextStepsModel::make(const QString& title, const QString& description, const QString& owner,
                          const QString& dueDate, const QString& visit, const QString& indicator,
                          const QString& benchmark) {
    if (title.trimmed().isEmpty()) return fail(tr("Give the next step a title."));
    if (owner.isEmpty()) return fail(tr("Choose who will do the next step."));
    if (target_school().isEmpty()) return fail(tr("Choose the school first."));
    std::map<std::string, QVariant> fields{{"title", title.trimmed()},
                                           {"description", description},
                                           {"owner", owner},
                                           {"due_date", dueDate},
                                           {"status", QStringLiteral("open")}};
    const QString v = visit.isEmpty() ? visit_ : visit;
    const QString i = indicator.isEmpty() ? indicator_ : indicator;
    const QString b = benchmark.isEmpty() ? benchmark_ : benchmark;
    if (!v.isEmpty()) fields["visit"] = v;
    if (!i.isEmpty()) fields["indicator"] = i;
    if (!b.isEmpty()) fields["benchmark"] = b;
    if (description.isEmpty()) fields.erase("description");
    return put({}, fields);
}

bool NextStepsModel::edit(const QString& stepId, const QString& title, const QString& description,
                          const QString& owner, const QString& dueDate) {
    if (title.trimmed().isEmpty()) return fail(tr("Give the next step a title."));
    return put(stepId, {{"title", title.trimmed()},
                        {"description", description},
                        {"owner", owner},
                        {"due_date", dueDate}});
}

bool NextStepsModel::move(const QString& stepId, const char* status, const QString& note) {
    std::map<std::string, QVariant> fields{{"status", QString::fromLatin1(status)}};
    if (!note.isEmpty()) fields["return_note"] = note;
    return put(stepId, fields);
}

bool NextStepsModel::start(const QString& stepId) {
    return move(stepId, to_string(NextStepStatus::InProgress));
}
bool NextStepsModel::markDone(const QString& stepId) {
    return move(stepId, to_string(NextStepStatus::Done));
}
bool NextStepsModel::verify(const QString& stepId) {
    return move(stepId, to_string(NextStepStatus::Verified));
}
bool NextStepsModel::sendBack(const QString& stepId, const QString& note) {
    if (note.trimmed().isEmpty())
        return fail(tr("Say what is still missing: a returned step needs a note."));
    return move(stepId, to_string(NextStepStatus::Returned), note.trimmed());
}

bool NextStepsModel::remove(const QString& stepId) {
    auto user = app_ ? app_->user() : std::nullopt;
    if (!user) return fail(tr("Sign in to change next steps."));
    auto r = app_->store().remove(*user, "next_step", stepId.toStdString());
    if (!r) return fail(QString::fromStdString(r.error().message));
    clearError();
    reload();
    return true;
}

} // namespace sitevisit::app
