#include "region_controller.h"

#include "app_controller.h"
#include "sitevisit/core/region_rollup.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QSaveFile>
#include <QStandardPaths>
#include <algorithm>

namespace sitevisit::app {

namespace {

QVariantList names(const std::vector<std::string>& in) {
    QVariantList out;
    for (const auto& s : in)
        out.push_back(QString::fromStdString(s));
    return out;
}

} // namespace

void RegionController::classBegin() {
    setApp(AppController::of(this));
}

void RegionController::setApp(AppController* app) {
    if (app == app_) return;
    if (app_) disconnect(app_, nullptr, this, nullptr);
    app_ = app;
    // A sync brought visits, readings or a changed caseload.
    if (app_) {
        connect(app_, &AppController::dataChanged, this, &RegionController::reload);
        connect(app_, &AppController::sessionChanged, this, &RegionController::reload);
    }
    reload();
}

void RegionController::reload() {
    available_ = false;
    region_name_.clear();
    quarter_.clear();
    quarter_key_.clear();
    districts_.clear();
    leads_.clear();
    assignable_.clear();
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return emit changed();
    const QDate today = app_->today();
    auto rollup = region_rollup(app_->store(), *u, today.toString(Qt::ISODate).toStdString());
    if (!rollup) return emit changed();
    available_ = true;
    region_name_ =
        rollup->region.empty() ? tr("Every region") : QString::fromStdString(rollup->region_name);
    const QLocale locale;
    const QDate from =
        QDate::fromString(QString::fromStdString(rollup->quarter_start), Qt::ISODate);
    const QDate to = QDate::fromString(QString::fromStdString(rollup->quarter_end), Qt::ISODate);
    quarter_key_ = QString::fromStdString(rollup->quarter);
    quarter_ = tr("%1 · %2 to %3")
                   .arg(quarter_key_, locale.toString(from, QStringLiteral("MMM d")),
                        locale.toString(to, QStringLiteral("MMM d")));
    auto lines = [this](const std::vector<RollupLine>& in) {
        QVariantList out;
        for (const auto& l : in) {
            QVariantList benchmarks;
            for (std::size_t i = 0; i < l.benchmarks.size(); ++i) {
                if (l.benchmarks[i] == 0) continue;
                const auto status = static_cast<BenchmarkStatus>(i);
                benchmarks.push_back(QVariantMap{{"status", QString(to_string(status))},
                                                 {"label", tr(label(status))},
                                                 {"count", l.benchmarks[i]}});
            }
            out.push_back(QVariantMap{{"id", QString::fromStdString(l.id)},
                                      {"name", QString::fromStdString(l.name)},
                                      {"with", names(l.with)},
                                      {"withIds", names(l.with_ids)},
                                      {"schools", l.schools},
                                      {"benchmarks", benchmarks},
                                      {"visitsDone", l.visits_done},
                                      {"schoolsVisited", l.schools_visited},
                                      {"overdueSteps", l.overdue_steps}});
        }
        return out;
    };
    districts_ = lines(rollup->districts);
    leads_ = lines(rollup->leads);
    for (const auto& d : rollup->districts)
        assignable_.push_back(QVariantMap{{"id", QString::fromStdString(d.id)},
                                          {"name", QString::fromStdString(d.name)}});
    emit changed();
}

bool RegionController::assignCaseload(const QString& leadId, const QStringList& districtIds) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    // The districts outside this region stay; those inside become the ones chosen.
    QStringList inside;
    for (const auto& d : assignable_)
        inside.push_back(d.toMap().value("id").toString());
    Json districts = Json::array();
    auto person = app_->store().get("user", leadId.toStdString());
    if (person && *person)
        for (const auto& d : (*person)->fields.value("districts", Json::array()))
            if (d.is_string() && !inside.contains(QString::fromStdString(d.get<std::string>())))
                districts.push_back(d);
    for (const auto& id : districtIds)
        if (inside.contains(id)) districts.push_back(id.toStdString());
    auto r = app_->store().put(
        *u, WriteRequest{"user", leadId.toStdString(), "", {{"districts", districts}}});
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        message_.clear();
        emit changed();
        return false;
    }
    error_.clear();
    message_ = r->change ? tr("Caseload changed; it reaches the lead with the next sync.")
                         : tr("The caseload was already so.");
    reload();
    return true;
}

QUrl RegionController::csvSaveUrl(const QString& by) const {
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QFileInfo(folder).isDir()) folder = QDir::homePath();
    QString name =
        tr("%1 by %2 %3.csv")
            .arg(region_name_, by == QLatin1String("leads") ? tr("lead") : tr("district"),
                 quarter_key_);
    name.replace(QLatin1Char('/'), QLatin1Char('-'));
    return QUrl::fromLocalFile(folder + QLatin1Char('/') + name);
}

bool RegionController::saveCsv(const QString& by, const QUrl& to) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    auto fail = [this](const QString& why) {
        error_ = why;
        message_.clear();
        emit changed();
        return false;
    };
    if (!to.isLocalFile()) return fail(tr("Choose a file on this device to save to."));
    auto rollup =
        region_rollup(app_->store(), *u, app_->today().toString(Qt::ISODate).toStdString());
    if (!rollup) return fail(QString::fromStdString(rollup.error().message));
    auto csv = rollup_csv(*rollup, by.toStdString());
    if (!csv) return fail(QString::fromStdString(csv.error().message));
    QString target = to.toLocalFile();
    if (!target.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive))
        target += QStringLiteral(".csv");
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(csv->data(), static_cast<qint64>(csv->size())) !=
            static_cast<qint64>(csv->size()) ||
        !file.commit())
        return fail(
            tr("Could not save %1: %2").arg(QDir::toNativeSeparators(target), file.errorString()));
    error_.clear();
    message_ = tr("Saved to %1").arg(QDir::toNativeSeparators(target));
    emit changed();
    return true;
}

} // namespace sitevisit::app
